"""Plain text from what feeds, BibTeX files and notes hold: names, lists, HTML.

Shared by the readers of those formats, whose rows already use the article
field names: whitespace squashed, descriptions clipped to the stored limit,
lists without repeats, author names split, HTML fragments as plain text.
"""

from __future__ import annotations

import re
from typing import Any

from mfgkb.formats.rows import split_authors
from mfgkb.models import MAX_DESCRIPTION


def squash(text: str) -> str:
    """Runs of whitespace, line breaks and no-break spaces as one space."""
    return " ".join(text.split())


def clip(text: str) -> str:
    """A description within the stored limit, cut at a word.

    Feeds often carry the whole article as content; a too-long description
    would make the article invalid, while its opening is what a summary needs.
    """
    if len(text) <= MAX_DESCRIPTION:
        return text
    cut = text[: MAX_DESCRIPTION - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > MAX_DESCRIPTION // 2 else cut).rstrip() + "…"


def unique(values: list[str]) -> list[str]:
    """Stripped, non-empty, first spelling of each (case-insensitively), in order."""
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        text = squash(value)
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            out.append(text)
    return out


def names(value: Any, *, split_items: bool) -> tuple[list[str], str | None]:
    """Author names and a wire-service credit from a string ("A and B, AP") or a list.

    A list item is one person ("Lee, Ann" in YAML) unless ``split_items``: a
    feed's single <dc:creator> often holds "Jane Doe and John Roe".
    """
    if value is None:
        return [], None
    if not isinstance(value, list):
        names, agency = split_authors(str(value))
        return unique(names), agency
    items: list[str] = []
    for item in value:
        if isinstance(item, dict):  # YAML "- name: Ann Lee", a feed's author detail
            item = item.get("name")
        if item is not None:
            items.append(str(item))
    if not split_items:
        names, agency = split_authors(items)
        return unique(names), agency
    names, agency = [], None
    for item in items:
        found, credit = split_authors(item)
        names.extend(found)
        agency = agency or credit
    return unique(names), agency


# HTML blocks: a break between them must not glue words together ("one.</p><p>Two").
_BLOCKS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt"),
        *("figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header"),
        *("hr", "li", "main", "nav", "ol", "p", "pre", "section", "table", "td", "th"),
        *("tr", "ul"),
    }
)
_SKIP = frozenset({"script", "style", "template", "noscript"})
# The markup of an HTML fragment, one token a match. html.parser took quadratic
# time on some unclosed constructs ("<a <a <a ...": 40,000 of them, minutes)
# and raised AssertionError on "<![": these patterns cannot cross a "<" outside
# a quoted value, so each character is scanned a bounded number of times, and
# anything that is not a whole tag is left as text.
_HTML_TOKEN = re.compile(
    r"<!--.*?(?:-->|\Z)"  # a comment; unclosed, it runs to the end
    r"|<[!?][^<>]*+>"  # <!DOCTYPE ...>, <?xml ...?>
    r"|<(/?)([A-Za-z][A-Za-z0-9:-]*+)(?:[^<>\"']++|\"[^\"]*+\"|'[^']*+')*+>",
    re.DOTALL,
)


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, on one line: tags gone, entities decoded."""
    from html import unescape

    parts: list[str] = []
    pos = 0
    while m := _HTML_TOKEN.search(fragment, pos):
        parts.append(unescape(fragment[pos : m.start()]))
        pos = m.end()
        name = (m.group(2) or "").lower()
        if name in _BLOCKS:
            parts.append(" ")
        elif name in _SKIP and not m.group(1) and not m.group().endswith("/>"):
            end = re.compile(rf"</{name}\s*>", re.IGNORECASE).search(fragment, pos)
            pos = end.end() if end else len(fragment)
    parts.append(unescape(fragment[pos:]))
    return squash("".join(parts))
