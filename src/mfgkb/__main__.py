"""Allow ``python -m mfgkb``."""

from mfgkb.startup import main

main()
