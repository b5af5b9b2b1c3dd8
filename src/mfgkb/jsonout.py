"""JSON for programs on standard output, kept apart from render so it needs no Rich.

``mfgkb search --json`` prints through here without importing Rich (some 30 ms
of start-up); render.print_json is this same function.
"""

from __future__ import annotations

import sys
from typing import Any

from mfgkb.models import json_printable


def print_json(data: Any) -> None:
    """Plain JSON on stdout for programs: UTF-8, no colour, one trailing newline.

    Control and format characters are written as JSON escapes (``\\u009b``):
    the same data for a program, nothing a terminal would act on.
    """
    import json

    text = json_printable(json.dumps(data, ensure_ascii=False, indent=2)) + "\n"
    out = sys.stdout
    buffer = getattr(out, "buffer", None)
    if buffer is not None:
        out.flush()
        buffer.write(text.encode("utf-8"))
        buffer.flush()
    else:
        out.write(text)
