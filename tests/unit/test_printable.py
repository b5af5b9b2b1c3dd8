"""``printable`` and ``json_printable`` (``mfgkb.models``): nothing that can steer a terminal.

Every character that can steer or hide text is escaped; the few joiners and
tags that make up emoji, scripts and flags are kept; ``json_printable`` keeps
the JSON the same data.
"""

from __future__ import annotations

import json
import re
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import UNSAFE_CATEGORIES
from mfgkb.models import json_printable, printable


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a\u061cb", "a\\u061cb"),  # Arabic letter mark
        ("a\u200bb", "a\\u200bb"),  # zero width space
        ("a\u2028b\u2029c", "a\\u2028b\\u2029c"),  # line and paragraph separators
        ("ok\U000e0069\U000e0067\U000e006e", "ok\\U000e0069\\U000e0067\\U000e006e"),  # tags
        ("\u202eevil", "\\u202eevil"),
        ("\ufeffbom\u00ad", "\\ufeffbom\\xad"),
        ("csi\x9b31m\x7f", "csi\\x9b31m\\x7f"),
        ("x\u200dy", "x\\u200dy"),  # a joiner between ASCII letters joins nothing
        ("\u200d\U0001f4bb", "\\u200d\U0001f4bb"),  # nor at the start
        ("\u00e9\u200d\u200d\u00e9", "\u00e9\\u200d\\u200d\u00e9"),  # nor doubled
        ("\U0001f3f4\U000e0041\U000e007f", "\U0001f3f4\\U000e0041\\U000e007f"),  # no such flag
        # Kept: emoji sequences, Persian and Indic joiners, subdivision flags,
        # private use characters (a glyph or a box, nothing more).
        ("\U0001f469\u200d\U0001f4bb", "\U0001f469\u200d\U0001f4bb"),
        ("\U0001f3f3\ufe0f\u200d\U0001f308", "\U0001f3f3\ufe0f\u200d\U0001f308"),
        ("\U0001f469\U0001f3fd\u200d\U0001f4bb", "\U0001f469\U0001f3fd\u200d\U0001f4bb"),
        ("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", None),
        ("\u0d28\u0d4d\u200d", "\u0d28\u0d4d\\u200d"),  # a joiner at the end is escaped
        ("\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f", None),
        ("\ue000 icon", None),
    ],
)
def test_printable_escapes_every_invisible_or_steering_character(
    text: str, expected: str | None
) -> None:
    assert printable(text) == (text if expected is None else expected)


def test_printable_covers_every_unsafe_code_point_unicodedata_knows() -> None:
    """The hard-coded ranges in models hold every Cc, Cf, Zl, Zp and Cs code point."""
    missed = [
        f"U+{code:04X}"
        for code in range(0x110000)
        if unicodedata.category(chr(code)) in UNSAFE_CATEGORIES
        and printable(chr(code), multiline=True) == chr(code)
        and chr(code) not in "\t\n"
    ]
    assert missed == [], "add these to models._UNSAFE_CLASS"


def _is_kept_exception(out: str, i: int) -> bool:
    """A joiner between two shown non-ASCII characters, or a tag of a subdivision flag."""
    c = out[i]
    if c in "\u200c\u200d":
        return 0 < i < len(out) - 1 and all(
            not n.isascii() and unicodedata.category(n) not in UNSAFE_CATEGORIES
            for n in (out[i - 1], out[i + 1])
        )
    flags = re.finditer(r"\U0001f3f4[\U000e0030-\U000e0039\U000e0061-\U000e007a]+\U000e007f", out)
    return any(f.start() < i < f.end() for f in flags)


UNSAFE_TEXT = st.text(
    st.one_of(
        st.characters(categories=UNSAFE_CATEGORIES),
        st.characters(min_codepoint=0xE0000, max_codepoint=0xE007F),
        st.sampled_from("\u061c\u200b\u200c\u200d\u2028\u2029\U0001f3f4\U0001f469\u00e9ab "),
        st.characters(),
    ),
    max_size=40,
)


@settings(max_examples=500, deadline=None)
@given(text=UNSAFE_TEXT, multiline=st.booleans())
def test_printable_leaves_nothing_unsafe(text: str, multiline: bool) -> None:
    out = printable(text, multiline=multiline)
    for i, c in enumerate(out):
        if unicodedata.category(c) in UNSAFE_CATEGORIES:
            assert (multiline and c in "\t\n") or _is_kept_exception(out, i), (text, out, i)


@settings(max_examples=300, deadline=None)
@given(text=UNSAFE_TEXT)
def test_json_printable_is_the_same_json_and_inert(text: str) -> None:
    dumped = json.dumps({"t": text}, ensure_ascii=False)
    out = json_printable(dumped)
    assert json.loads(out) == {"t": text}
    assert all(
        unicodedata.category(c) not in UNSAFE_CATEGORIES or _is_kept_exception(out, i)
        for i, c in enumerate(out)
    ), out
