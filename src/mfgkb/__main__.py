"""Allow ``python -m mfgkb``."""

from mfgkb.cli import main

main()
