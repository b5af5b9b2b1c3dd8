"""Numbers in sentences, for every view: thousands separators, and nouns that agree."""

from __future__ import annotations


def count(n: int, noun: str) -> str:
    """``1 article``, ``2 articles``, ``12,345 articles``: the noun agrees with the number.

    ``noun`` is the singular; the plural adds an s (every noun mfgkb counts does).
    """
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"
