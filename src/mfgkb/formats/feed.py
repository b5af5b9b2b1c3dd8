"""RSS 2.0, RSS 1.0 and Atom feeds saved to a file: one row per entry.

Rows use the article field names (see ``mfgkb.formats.rows``). ``published``
is "YYYY-MM-DD" when the feed gives a full date, else "YYYY-MM" or "YYYY" as
it gives it; the converter decides what a partial date is worth.
feedparser is imported inside ``read``: it costs tens of milliseconds.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from mfgkb.errors import ImportFileError
from mfgkb.formats import Format
from mfgkb.formats.rows import AnyRow, Row, read_bytes
from mfgkb.formats.text import clip, html_to_text, names, squash, unique

_ISO_PARTIAL = re.compile(r"^\d{4}(?:-\d{2})?$")


def read(path: Path) -> Iterator[AnyRow]:
    """Every entry of an RSS 2.0, RSS 1.0 or Atom feed saved to a file, numbered from 1."""
    data = read_bytes(path)
    import feedparser

    # Bytes, not the path: given a string, feedparser may treat it as a URL to
    # fetch. From bytes it also reads the XML declaration's encoding itself.
    # A character reference to no character (a surrogate, past U+10FFFF) makes
    # feedparser raise in the middle of the document: it becomes U+FFFD, as an
    # HTML parser would show it, and the rest of the feed still reads.
    data = _BAD_CHARREF.sub(_charref_or_replacement, data)
    try:
        parsed = feedparser.parse(data)
    except (UnicodeError, LookupError, ValueError, TypeError):
        # The XML declaration names an encoding that is no text encoding
        # (punycode, zlib, ...): read the bytes as the XML default instead.
        try:
            parsed = feedparser.parse(_DECLARED_ENCODING.sub(b"\\1", data, count=1))
        except (UnicodeError, LookupError, ValueError, TypeError) as exc:
            raise ImportFileError(
                f"{path} cannot be decoded as a feed ({squash(str(exc))}); save it as UTF-8."
            ) from None
    entries = parsed.get("entries") or []
    if not entries and (parsed.get("bozo") or not parsed.get("version")):
        # A valid feed with no items imports nothing; anything else is not a feed.
        problem = parsed.get("bozo_exception")
        why = f" ({squash(str(problem))})" if problem else ""
        raise ImportFileError(
            f"{path} is not an RSS or Atom feed{why}; save the feed's XML itself, not the web "
            f"page that links to it."
        )
    feed = parsed.get("feed") or {}
    feed_title = _detail_text(feed, "title")
    for n, entry in enumerate(entries, 1):
        yield Row(n, _feed_entry(entry, feed_title))


# A decimal or hexadecimal character reference; digits bounded so that the
# pattern stays linear and the number small enough to compare.
_BAD_CHARREF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,16})|([0-9]{1,20}));")
_DECLARED_ENCODING = re.compile(
    rb"^(\s*<\?xml[^>]{0,200}?)\s+encoding\s*=\s*[\"'][^\"'>]{0,100}[\"']"
)


def _charref_or_replacement(match: re.Match[bytes]) -> bytes:
    hex_digits, decimal = match.groups()
    code = int(hex_digits, 16) if hex_digits else int(decimal)
    if code == 0 or 0xD800 <= code <= 0xDFFF or code > 0x10FFFF:
        return b"&#xFFFD;"
    return match.group()


def _feed_entry(entry: Any, feed_title: str) -> dict[str, Any]:
    row: dict[str, Any] = {}
    title = _detail_text(entry, "title")
    if title:
        row["title"] = title
    authors, agency = names(entry.get("authors") or [], split_items=True)
    if not authors and entry.get("author") and "@" not in entry["author"]:
        authors, agency = names(entry["author"], split_items=True)
    if authors:
        row["authors"] = authors
    published = _feed_date(entry)
    if published:
        row["published"] = published
    description = _detail_text(entry, "summary")
    if not description and entry.get("content"):  # Atom <content> without <summary>
        description = _detail_text(entry["content"][0], None)
    if description:
        row["description"] = clip(description)
    url = _feed_link(entry)
    if url:
        row["url"] = url
    tags = unique([t.get("term") or t.get("label") or "" for t in entry.get("tags") or []])
    if tags:
        row["tags"] = tags
    source = feed_title or agency
    if source:
        row["source"] = source
    return row


def _detail_text(container: Any, key: str | None) -> str:
    """A feed text as plain text: HTML (by its declared type) stripped, else as is.

    feedparser has already decoded the XML; an HTML value still holds its tags
    and entities, a plain-text one must not be decoded a second time.
    """
    if key is None:
        value, detail = container.get("value"), container
    else:
        value, detail = container.get(key), container.get(f"{key}_detail") or {}
    if not value:
        return ""
    kind = str(detail.get("type") or "text/html")
    return html_to_text(value) if "html" in kind else squash(value)


def _feed_link(entry: Any) -> str | None:
    """The entry's web address; feedparser also offers a non-URL id ("urn:...") as link."""
    candidates = [entry.get("link")]
    candidates += [link.get("href") for link in entry.get("links") or []]
    for url in candidates:
        if url and str(url).lower().startswith(("http://", "https://")):
            return str(url).strip()
    return None


def _feed_date(entry: Any) -> str | None:
    """The publication (else update) date, as the publisher's calendar day.

    feedparser's ``*_parsed`` values are converted to UTC, which moves an
    evening story in New York to the next day; the date written in the feed
    is read first and its own offset kept.
    """
    from email.utils import parsedate_to_datetime

    for key in ("published", "updated"):
        # dict.get, not entry.get: feedparser answers a missing "updated" with
        # "published" and a DeprecationWarning.
        raw = squash(str(dict.get(entry, key) or ""))
        if not raw:
            continue
        if _ISO_PARTIAL.match(raw):  # W3C dates may stop at the month or year
            return raw
        try:
            return datetime.fromisoformat(raw).date().isoformat()  # Atom: RFC 3339
        except ValueError:
            pass
        try:
            return parsedate_to_datetime(raw).date().isoformat()  # RSS: RFC 822
        except (TypeError, ValueError, IndexError, OverflowError):  # a 20-digit second
            pass
        parsed = dict.get(entry, f"{key}_parsed")  # another format feedparser knows
        if parsed:
            try:
                return date(parsed.tm_year, parsed.tm_mon, parsed.tm_mday).isoformat()
            except (TypeError, ValueError, OverflowError):  # an 11-digit year
                pass
        # A date nobody can read: the row is refused for its date by name
        # (the text is kept, so the reason quotes it).
        return raw[:100]
    return None


# What the registry (mfgkb.formats) knows of this format.
FORMAT = Format(
    "feed",
    "RSS or Atom feed",
    extensions=(".rss", ".atom", ".xml"),
    # RSS 1.0 files start with <rdf:RDF>; feedparser reads them like RSS 2.0.
    starts=(b"<?xml", b"<rss", b"<feed", b"<rdf:rdf"),
    reader=read,
    order=40,
)
