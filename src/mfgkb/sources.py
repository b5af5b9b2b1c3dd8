"""Reading articles from feeds, BibTeX files and folders of Markdown notes.

Each reader yields ``mfgkb.importer.Row`` objects whose ``data`` already uses
the article field names (title, authors, published, description, url, tags,
source, topics), so ``RowConverter({})`` maps them without a ``--map``. A record
that cannot be used at all is yielded as ``Row(n, {"__error__": reason})``; a
file that cannot be read at all raises ``ImportFileError``.

``published`` is "YYYY-MM-DD" when the source gives a full date, else "YYYY-MM"
or "YYYY" as the source gives it (a BibTeX year, a feed's "2025-02"), else it is
left out: the converter decides what a partial date is worth, not the reader.

feedparser, bibtexparser and python-frontmatter are imported inside the readers:
they cost tens of milliseconds to import and most commands never need them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mfgkb.errors import ImportFileError
from mfgkb.importer import MAX_RECORD, Row, read_document, special_kind, split_authors
from mfgkb.models import MAX_DESCRIPTION

if TYPE_CHECKING:
    from bibtexparser.model import Entry

FEED_SUFFIXES = (".rss", ".atom", ".xml")
_BOM = b"\xef\xbb\xbf"
# RSS 1.0 files start with <rdf:RDF>; feedparser reads them like RSS 2.0.
_FEED_STARTS = (b"<?xml", b"<rss", b"<feed", b"<rdf:rdf")

_ISO_FULL = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_PARTIAL = re.compile(r"^\d{4}(?:-\d{2})?$")
_YEAR = re.compile(r"^\d{4}$")
_LIST_SPLIT = re.compile(r"[,;]")  # the parts are squashed after (see importer's)
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


# -- shared helpers ------------------------------------------------------------------


def detect_source_format(path: Path, head: bytes) -> str | None:
    """The kind of source, "feed", "bibtex" or "markdown", by extension or first bytes.

    None means "not one of these": the caller falls back to the record formats
    (JSON Lines, JSON, CSV) of ``mfgkb.importer.detect_format``.
    """
    if path.is_dir():
        return "markdown"
    suffix = path.suffix.lower()
    if suffix in FEED_SUFFIXES:
        return "feed"
    if suffix == ".bib":
        return "bibtex"
    start = head.removeprefix(_BOM).lstrip()
    if start.lower().startswith(_FEED_STARTS):
        return "feed"
    if start.startswith(b"@"):
        return "bibtex"
    return None


def _open_error(path: Path, exc: OSError) -> ImportFileError:
    """The same wording as ``read_rows`` for a file that cannot be opened."""
    if isinstance(exc, FileNotFoundError):
        return ImportFileError(f"{path} does not exist; check the path.")
    if isinstance(exc, IsADirectoryError):
        return ImportFileError(f"{path} is a folder; give the file itself.")
    return ImportFileError(
        f"Cannot read {path} ({exc.strerror}); check that it is a readable file."
    )


def _read_bytes(path: Path) -> bytes:
    """The whole file (at most importer.MAX_DOCUMENT), or ImportFileError saying why not."""
    try:
        with path.open("rb") as fh:
            data: bytes = read_document(path, fh)
    except OSError as exc:
        raise _open_error(path, exc) from None
    return data


def _read_text(path: Path) -> str:
    """The whole file as text, or ImportFileError saying why not."""
    data = _read_bytes(path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"{path} is not UTF-8 text (byte {exc.start}); convert it to UTF-8."
        ) from None


def _squash(text: str) -> str:
    """Runs of whitespace, line breaks and no-break spaces as one space."""
    return " ".join(text.split())


def _clip(text: str) -> str:
    """A description within the stored limit, cut at a word.

    Feeds often carry the whole article as content; a too-long description
    would make the article invalid, while its opening is what a summary needs.
    """
    if len(text) <= MAX_DESCRIPTION:
        return text
    cut = text[: MAX_DESCRIPTION - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > MAX_DESCRIPTION // 2 else cut).rstrip() + "…"


def _unique(values: list[str]) -> list[str]:
    """Stripped, non-empty, first spelling of each (case-insensitively), in order."""
    seen: set[str] = set()
    out: list[str] = []
    for value in values:
        text = _squash(value)
        if text and text.casefold() not in seen:
            seen.add(text.casefold())
            out.append(text)
    return out


def _names(value: Any, *, split_items: bool) -> tuple[list[str], str | None]:
    """Author names and a wire-service credit from a string ("A and B, AP") or a list.

    A list item is one person ("Lee, Ann" in YAML) unless ``split_items``: a
    feed's single <dc:creator> often holds "Jane Doe and John Roe".
    """
    if value is None:
        return [], None
    if not isinstance(value, list):
        names, agency = split_authors(str(value))
        return _unique(names), agency
    items: list[str] = []
    for item in value:
        if isinstance(item, dict):  # YAML "- name: Ann Lee", a feed's author detail
            item = item.get("name")
        if item is not None:
            items.append(str(item))
    if not split_items:
        names, agency = split_authors(items)
        return _unique(names), agency
    names, agency = [], None
    for item in items:
        found, credit = split_authors(item)
        names.extend(found)
        agency = agency or credit
    return _unique(names), agency


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
    return _squash("".join(parts))


# -- feeds ---------------------------------------------------------------------------


def read_feed(path: Path) -> Iterator[Row]:
    """Every entry of an RSS 2.0, RSS 1.0 or Atom feed saved to a file, numbered from 1."""
    data = _read_bytes(path)
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
                f"{path} cannot be decoded as a feed ({_squash(str(exc))}); save it as UTF-8."
            ) from None
    entries = parsed.get("entries") or []
    if not entries and (parsed.get("bozo") or not parsed.get("version")):
        # A valid feed with no items imports nothing; anything else is not a feed.
        problem = parsed.get("bozo_exception")
        why = f" ({_squash(str(problem))})" if problem else ""
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
    authors, agency = _names(entry.get("authors") or [], split_items=True)
    if not authors and entry.get("author") and "@" not in entry["author"]:
        authors, agency = _names(entry["author"], split_items=True)
    if authors:
        row["authors"] = authors
    published = _feed_date(entry)
    if published:
        row["published"] = published
    description = _detail_text(entry, "summary")
    if not description and entry.get("content"):  # Atom <content> without <summary>
        description = _detail_text(entry["content"][0], None)
    if description:
        row["description"] = _clip(description)
    url = _feed_link(entry)
    if url:
        row["url"] = url
    tags = _unique([t.get("term") or t.get("label") or "" for t in entry.get("tags") or []])
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
    return html_to_text(value) if "html" in kind else _squash(value)


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
        raw = _squash(str(dict.get(entry, key) or ""))
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


# -- BibTeX --------------------------------------------------------------------------

# Fields that BibTeX treats as verbatim: a "%" or "~" in a URL is literal, while
# the LaTeX decoder would read "%" as the start of a comment and drop the rest.
_VERBATIM_FIELDS = ("url", "doi")
_VERBATIM_KEY = "mfgkb_verbatim"


@contextmanager
def _quiet(*names: str) -> Iterator[None]:
    """Silence libraries' log output: bad entries are reported as rows instead.

    Without a configured handler, Python prints their warnings to stderr, which
    would break the CLI's one-line error contract. The level is raised on the
    package's logger, so that its modules' loggers (which inherit it) are quiet too.
    """
    import logging

    loggers = [logging.getLogger(name) for name in names]
    before = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for lg, level in zip(loggers, before, strict=True):
            lg.setLevel(level)


# A file is parsed this many entries at a time: bibtexparser keeps every block of
# what it parses (several kilobytes an entry), so a whole 100k-entry file would
# not fit the memory budget, while a chunk is soon freed.
BIBTEX_CHUNK = 500
# Where bibtexparser itself starts a new block (see its splitter's _BLOCK_START):
# cutting the text there cannot change how either side is read.
_BLOCK_START = re.compile(r"^[ \t]*@\w*[ \t]*[{(]", re.MULTILINE)


def _bibtex_chunks(text: str) -> Iterator[tuple[int, str]]:
    """(lines before it, text) for pieces of ``text`` of about BIBTEX_CHUNK blocks each.

    A piece never ends after an unbalanced block, so that bibtexparser still
    gives the reason it gives for the whole file (the next block's start).
    """
    start = line = block = blocks = 0
    for m in _BLOCK_START.finditer(text):
        here = m.start()
        if blocks >= BIBTEX_CHUNK and _balanced(text, block, here):
            yield line, text[start:here]
            line += text.count("\n", start, here)
            start, blocks = here, 0
        block = here
        blocks += 1
    yield line, text[start:]


def _balanced(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` opens as many braces as it closes (\\{ and \\} aside)."""
    opened = text.count("{", start, end) - text.count("\\{", start, end)
    closed = text.count("}", start, end) - text.count("\\}", start, end)
    return opened == closed


@contextmanager
def _collecting() -> Iterator[None]:
    """The cyclic garbage collector on, for a parser that builds reference cycles.

    The command line turns it off for speed (see cli._Group.invoke), which is
    safe for our own code but not for pylatexenc (under bibtexparser): every
    field it decodes leaves cycles behind, 170 kB an entry, never freed without
    the collector (840 MB for 5,000 entries). With it on, peak memory stays
    flat and the time is the same.
    """
    import gc

    was_enabled = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not was_enabled:
            gc.disable()


def read_bibtex(path: Path) -> Iterator[Row]:
    """Every entry of a BibTeX file, numbered by the line it starts on."""
    text = _read_text(path)
    from bibtexparser.library import Library
    from bibtexparser.model import DuplicateBlockKeyBlock, Entry, ParsingFailedBlock, String

    found = False
    strings: list[Any] = []  # @string blocks so far: later chunks may use them
    first_line: dict[tuple[bool, str], int] = {}  # (is an entry, key) -> line
    index = 0
    for offset, chunk in _bibtex_chunks(text):
        library = _parse_bibtex(path, chunk, Library(list(strings)))
        for block in library.blocks[len(strings) :]:
            index += 1
            line = offset + block.start_line + 1 if block.start_line is not None else index
            if isinstance(block, DuplicateBlockKeyBlock):  # twice within this chunk
                kind = isinstance(block.ignore_error_block, Entry)
                found = True
                yield Row(line, {"__error__": _twice(block.key, first_line.get((kind, block.key)))})
            elif isinstance(block, (Entry, String)):
                key = (isinstance(block, Entry), block.key)
                if key in first_line:  # twice: the first was in an earlier chunk
                    found = True
                    yield Row(line, {"__error__": _twice(block.key, first_line[key])})
                    continue
                first_line[key] = line
                if isinstance(block, String):
                    strings.append(block)
                else:
                    found = True
                    yield Row(line, _bibtex_entry(block))
            elif isinstance(block, ParsingFailedBlock):
                found = True
                yield Row(line, {"__error__": _bibtex_failure(block)})
    if not found:
        raise ImportFileError(
            f"{path} holds no BibTeX entries; check that it is a .bib file with entries "
            f"like @article{{key, title = {{...}}, ...}}."
        )


def _twice(key: str, first: int | None) -> str:
    where = f" (first at line {first})" if first is not None else ""
    return f"entry key '{key}' is used twice{where}; give each entry its own key"


def _parse_bibtex(path: Path, text: str, library: Any) -> Any:
    """The bibtexparser Library: LaTeX decoded to Unicode, co-authors as "First Last"."""
    from bibtexparser import middlewares as mw
    from bibtexparser.entrypoint import parse_string
    from bibtexparser.library import Library
    from bibtexparser.model import Block

    class KeepVerbatim(mw.BlockMiddleware):
        """Keeps the undecoded url and doi (see _VERBATIM_FIELDS) in the entry's metadata."""

        def __init__(self) -> None:
            super().__init__(allow_inplace_modification=True, allow_parallel_execution=True)

        @classmethod
        def metadata_key(cls) -> str:
            return _VERBATIM_KEY

        def transform_entry(self, entry: Entry, library: Library) -> Block:
            kept = {f.key: f.value for f in entry.fields if f.key in _VERBATIM_FIELDS}
            entry.parser_metadata[_VERBATIM_KEY] = kept
            return entry

    stack = [
        mw.ResolveStringReferencesMiddleware(),  # @string{jms = "..."} and journal = jms
        mw.RemoveEnclosingMiddleware(),
        mw.NormalizeFieldKeys(),  # "Title" and "TITLE" are "title"
        KeepVerbatim(),
        # Decoding keeps {groups} so that the name splitting below still sees
        # "{Barnes and Noble}" as one name; the braces are dropped afterwards.
        # Math is turned into text too: "$\mu$m" is "μm" in a title.
        mw.LatexDecodingMiddleware(keep_braced_groups=True, keep_math_mode=False),
        mw.SeparateCoAuthors(),
        mw.SplitNameParts(),
        mw.MergeNameParts(style="first"),  # "Müller, Hans" -> "Hans Müller"
    ]
    try:
        with _quiet("bibtexparser", "pylatexenc"), _collecting():
            return parse_string(text, parse_stack=stack, library=library)
    except Exception as exc:  # a parser bug must not become a traceback
        raise ImportFileError(
            f"{path} could not be read as BibTeX ({type(exc).__name__}: {_squash(str(exc))}); "
            f"check the file near its last entry, or export it again."
        ) from None


_ENTRY_HEAD = re.compile(r"@\s*(\w+)\s*[{(]\s*([^,\s{}()]*)")


def _bibtex_failure(block: Any) -> str:
    """Why bibtexparser gave up on an entry: "@article{key is not valid BibTeX (...)"."""
    error = block.error
    # A BlockAbortedException's text is empty; its reason is an attribute.
    reason = getattr(error, "abort_reason", None) or str(error) or type(error).__name__
    m = _ENTRY_HEAD.match(str(block.raw or "").lstrip())
    what = f"@{m.group(1)}{{{m.group(2)}" if m else "this entry"
    return f"{what} is not valid BibTeX ({_squash(reason)}); fix its braces and commas"


def _unbrace(value: Any) -> str:
    """A decoded field as one line of plain text, without the {protecting} braces."""
    return _squash(str(value).replace("{", "").replace("}", ""))


def _bibtex_entry(entry: Entry) -> dict[str, Any]:
    fields = {f.key: f.value for f in entry.fields}
    text = {k: _unbrace(v) for k, v in fields.items() if not isinstance(v, list)}
    verbatim: dict[str, Any] = entry.parser_metadata.get(_VERBATIM_KEY) or {}
    row: dict[str, Any] = {}
    if text.get("title"):
        row["title"] = text["title"]
    people = fields.get("author")
    if isinstance(people, list):
        # "and others" is BibTeX for "et al.", not a person.
        names = [_unbrace(p) for p in people if _unbrace(p).casefold() != "others"]
        if names := _unique(names):
            row["authors"] = names
    published = _bibtex_date(text)
    if published:
        row["published"] = published
    if text.get("abstract"):
        row["description"] = _clip(text["abstract"])
    url = _bibtex_url(verbatim)
    if url:
        row["url"] = url
    tags = _unique(_LIST_SPLIT.split(text.get("keywords", "")))
    if tags:
        row["tags"] = tags
    source = next(
        (
            text[k]
            for k in ("journal", "journaltitle", "booktitle", "publisher", "institution")
            if text.get(k)
        ),
        "",
    )
    if source:
        row["source"] = source
    return row


def _bibtex_date(text: dict[str, str]) -> str | None:
    """biblatex's ``date`` (ISO, maybe a range), else year, month and day."""
    when = text.get("date", "").split("/")[0].strip()  # "2023-05-17/2023-05-19": the start
    if _ISO_FULL.match(when) or _ISO_PARTIAL.match(when):
        return when
    year = text.get("year", "")
    if not _YEAR.match(year):
        return None
    month = _month_number(text.get("month", ""))
    if month is None:
        return year
    day = text.get("day", "")
    if day.isascii() and day.isdigit() and len(day) <= 2:  # not "²", which int() refuses
        try:
            return date(int(year), month, int(day)).isoformat()
        except ValueError:  # "day = 31" in June: keep what is certain
            pass
    return f"{year}-{month:02d}"


def _month_number(value: str) -> int | None:
    """1-12 from "3", "03", "mar", "Mar.", "March" or "March--April"; else None."""
    word = value.strip().lower()
    if word.isascii() and word.isdigit() and len(word) <= 2:  # not "²" nor 10,000 digits
        return int(word) if 1 <= int(word) <= 12 else None
    prefix = word[:3]
    return _MONTHS.index(prefix) + 1 if prefix in _MONTHS else None


def _bibtex_url(verbatim: dict[str, Any]) -> str | None:
    """The url field, else the DOI's resolver address.

    A url that is not http(s) ("www.x.org", "ftp://...") gives way to the DOI;
    without one it is passed on, for the converter to say what is wrong with it.
    """
    from urllib.parse import quote

    urls = str(verbatim.get("url") or "").split()  # some exports list several
    url = urls[0] if urls else None
    if url and url.lower().startswith(("http://", "https://")):
        return url
    doi = str(verbatim.get("doi") or "").strip()
    doi = re.sub(r"^(?:doi:|https?://(?:dx\.)?doi\.org/)", "", doi, flags=re.IGNORECASE)
    if not doi:
        return url
    return "https://doi.org/" + quote(doi, safe="/:;()")


# -- Markdown notes ------------------------------------------------------------------

# The patterns below run over whatever a note holds, so none may take more than
# linear time: a run that can fail (a "[" never closed) must not be rescanned
# from each of its characters. Bracketed text therefore cannot hold another
# bracket, and quantifiers are possessive where backtracking gains nothing.
# (The old ones took 84 s on a body of 40,000 "[".)
_ATX_HEADING = re.compile(r"^\s{0,3}(#{1,6})(?:\s+(.*))?$")  # closing #s: see _heading_text
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_RULE = re.compile(r"^\s{0,3}([-*_])(?:\s*\1){2,}\s*$")
_SETEXT = re.compile(r"^\s{0,3}(?:=+|-+)\s*$")  # underlines the line above as a heading
_BLOCK_MARK = re.compile(r"^\s*(?:>\s*)*(?:[-*+]\s+|\d{1,9}[.)]\s+)?")  # quote, list item
_URL_PART = r"\((?:[^()]++|\([^()]*+\))*+\)"  # (url), maybe holding one (pair)
_INLINE: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"!\[[^\[\]]*+\]" + _URL_PART), ""),  # images: their alt text is not prose
    (re.compile(r"\[\[([^\[\]|]++)\|([^\[\]]++)\]\]"), r"\2"),  # [[Note|shown]] wiki links
    (re.compile(r"\[\[([^\[\]]++)\]\]"), r"\1"),  # [[Note]]
    (re.compile(r"\[([^\[\]]++)\]" + _URL_PART), r"\1"),  # [text](url)
    (re.compile(r"\[([^\[\]]++)\]\[[^\[\]]*+\]"), r"\1"),  # [text][ref]
    (re.compile(r"<(https?://[^<>\s]++)>"), r"\1"),  # <https://...>
    (re.compile(r"`+([^`]*+)`+"), r"\1"),  # `code`
    (re.compile(r"\*+|~~"), ""),  # *emphasis*, **strong**, ~~strike~~
    # _emphasis_, but not snake_case; only a run's first "_" may start a match.
    (re.compile(r"(?<!\w)_+|(?<!_)_++(?!\w)"), ""),
]


def _heading_text(text: str) -> str:
    """An ATX heading's text without its optional closing run of "#" ("# Title ##")."""
    text = text.rstrip()
    bare = text.rstrip("#")
    return bare.rstrip() if bare != text and (not bare or bare[-1].isspace()) else text


def markdown_notes(path: Path) -> list[Path]:
    """The notes read by ``read_markdown_dir``, in its order: row n is the n-th file.

    Hidden files and folders (.git, .obsidian, .trash) are skipped: they hold
    tool data and deleted notes, not articles.
    """
    if not path.exists():
        raise ImportFileError(f"{path} does not exist; check the path.")
    if not path.is_dir():
        raise ImportFileError(f"{path} is not a folder; give the folder of Markdown notes.")

    def refuse(exc: OSError) -> None:
        raise ImportFileError(
            f"Cannot list {exc.filename} ({exc.strerror}); check the folder's permissions."
        )

    notes: list[Path] = []
    for folder, dirs, files in os.walk(path, onerror=refuse):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        notes += [
            Path(folder, f) for f in files if f.lower().endswith(".md") and not f.startswith(".")
        ]
    return sorted(notes, key=lambda p: p.relative_to(path).parts)


def read_markdown_dir(path: Path) -> Iterator[Row]:
    """One article per Markdown note (``*.md``, recursive, sorted), numbered from 1."""
    notes = markdown_notes(path)
    if not notes:
        raise ImportFileError(
            f"{path} holds no Markdown notes (*.md); give the folder that has them."
        )
    for n, note in enumerate(notes, 1):
        name = note.relative_to(path).as_posix()
        try:
            text = _read_note(note)
        except _NotANote as exc:
            yield Row(n, {"__error__": f"{name}: {exc}"})
            continue
        except OSError as exc:
            yield Row(n, {"__error__": f"{name}: the file cannot be read ({exc.strerror})"})
            continue
        except UnicodeDecodeError:
            yield Row(n, {"__error__": f"{name}: the file is not UTF-8 text; convert it to UTF-8"})
            continue
        yield Row(n, _markdown_note(name, text))


class _NotANote(Exception):
    pass


def _read_note(note: Path) -> str:
    """A note's text; _NotANote for a pipe or device named *.md, or an oversized file."""
    import stat

    mode = note.stat().st_mode
    if not stat.S_ISREG(mode):  # reading a named pipe would wait for a writer
        raise _NotANote(f"{special_kind(mode)}, not a file; skipped")
    with note.open("rb") as fh:
        data = fh.read(MAX_RECORD + 1)
    if len(data) > MAX_RECORD:
        raise _NotANote(f"the note is larger than {MAX_RECORD >> 20} MB; is it a note?")
    return data.decode("utf-8-sig")


def _front_matter(text: str) -> tuple[Any, str]:
    """(metadata, body); raises yaml.YAMLError or ValueError for bad front matter.

    ``text`` must start with the opening '---' (see _markdown_note).
    """
    import frontmatter
    from frontmatter.default_handlers import YAMLHandler

    # The handler is used directly, not frontmatter.loads, which silently drops
    # front matter that is a list or a string instead of key: value pairs.
    handler = frontmatter.detect_format(text, frontmatter.handlers)
    if handler is None:
        return {}, text
    try:
        head, body = handler.split(text)
    except ValueError:  # an opening "---" and no closing one: all of it is body
        return {}, text
    if isinstance(handler, YAMLHandler):
        _check_yaml(head)
    return handler.load(head), body.strip()


_MAX_YAML_DEPTH = 50  # front matter needs two or three levels


def _check_yaml(head: str) -> None:
    """Refuse YAML aliases and deep nesting before the front matter is loaded.

    An alias repeats what an anchor names without copying it, until the
    metadata is turned into Python lists: nine lines of "billion laughs"
    nesting became 10**9 strings (minutes, gigabytes). Front matter has no
    need for them, so the first alias makes the note invalid. Nesting is
    bounded because loading recurses: "[[[[..." ended in a RecursionError.
    The events come from the same parser frontmatter loads with, so a syntax
    error reads the same either way.
    """
    import yaml
    from frontmatter.default_handlers import SafeLoader

    depth = 0
    for event in yaml.parse(head, Loader=SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            problem = (
                f"found the alias *{event.anchor}; write the values out instead of "
                f"referring to an &anchor"
            )
        elif isinstance(event, yaml.CollectionStartEvent) and depth >= _MAX_YAML_DEPTH:
            problem = f"nested more than {_MAX_YAML_DEPTH} levels deep"
        else:
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            continue
        raise yaml.composer.ComposerError(None, None, problem, event.start_mark)


def _markdown_note(name: str, text: str) -> dict[str, Any]:
    import yaml

    # Blank lines before the opening '---' are allowed; counted for error lines.
    stripped = text.strip()
    skipped = text[: len(text) - len(text.lstrip())].count("\n")
    try:
        meta, body = _front_matter(stripped)
    except yaml.YAMLError as exc:
        problem = _yaml_problem(exc, skipped)
        return {"__error__": f"{name}: front matter is not valid YAML ({problem}); fix it"}
    except ValueError as exc:  # YAML's "2024-13-45", or bad TOML/JSON front matter
        return {"__error__": f"{name}: front matter is not valid ({_squash(str(exc))}); fix it"}
    if meta is None:  # "---\n---": empty front matter
        meta = {}
    if not isinstance(meta, dict):
        kind = type(meta).__name__
        return {"__error__": f"{name}: front matter must be 'key: value' lines, not a {kind}"}
    heading, paragraph = _markdown_body(body)
    row: dict[str, Any] = {}
    title = _meta_text(meta.get("title")) or heading
    if title:
        row["title"] = title
    authors, agency = _names(_first(meta, "authors", "author"), split_items=False)
    if authors:
        row["authors"] = authors
    published = _meta_date(_first(meta, "date", "published"))
    if published:
        row["published"] = published
    description = _meta_text(meta.get("description")) or paragraph
    if description:
        row["description"] = _clip(description)
    url = _meta_text(_first(meta, "url", "link"))
    if url:
        row["url"] = url
    for key in ("tags", "topics"):
        values = _meta_list(meta.get(key))
        if values:
            row[key] = values
    source = _meta_text(meta.get("source")) or agency
    if source:
        row["source"] = source
    return row


def _yaml_problem(exc: Exception, skipped: int) -> str:
    """ "line 3: found unexpected ':'" from a YAML error, as a line of the note's file."""
    problem = getattr(exc, "problem", None)
    mark = getattr(exc, "problem_mark", None)
    if problem and mark is not None:
        # The YAML text starts with the rest of the opening '---' line (the
        # split keeps that newline), so its line 0 is the file's '---' line.
        return f"line {mark.line + 1 + skipped}: {_squash(str(problem))}"
    return _squash(str(exc))


def _first(meta: dict[str, Any], *keys: str) -> Any:
    """The value of the first key present with a value."""
    for key in keys:
        if meta.get(key) not in (None, "", []):
            return meta[key]
    return None


def _meta_text(value: Any) -> str:
    if value is None or isinstance(value, (list, dict)):
        return ""
    return _squash(str(value))


def _meta_list(value: Any) -> list[str]:
    """A YAML list, or a string "a, b; c", as strings."""
    if value is None or isinstance(value, dict):
        return []
    if isinstance(value, list):
        return _unique([str(v) for v in value if v is not None])
    return _unique(_LIST_SPLIT.split(str(value)))


def _meta_date(value: Any) -> str | None:
    """YAML gives date and datetime objects and bare years as int; text stays as typed.

    Free text ("May 7, 2024") is not parsed here: the converter reads it with
    the user's --dayfirst choice.
    """
    if isinstance(value, datetime):  # before date: a datetime is a date too
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = _meta_text(value)
    return text or None


def _markdown_body(body: str) -> tuple[str, str]:
    """(first '# heading', first paragraph) of a note, as plain text.

    Fenced code is skipped for both: a "# comment" in a shell example is not
    a title. The heading may come after the paragraph.
    """
    heading = ""
    paragraph: list[str] = []
    done = False  # the first paragraph has ended
    in_fence = False
    for line in [*body.splitlines(), ""]:
        if _FENCE.match(line):
            in_fence = not in_fence
            done = done or bool(paragraph)
            continue
        if in_fence:
            continue
        if paragraph and not done and _SETEXT.match(line):
            # "Title\n=====" is a level-1 heading, "Title\n-----" a level-2 one:
            # either way the lines above were a heading, not the paragraph.
            if line.strip().startswith("=") and not heading:
                heading = _markdown_text(" ".join(paragraph))
            paragraph = []
        elif m := _ATX_HEADING.match(line):
            if m.group(1) == "#" and not heading:
                heading = _markdown_text(_heading_text(m.group(2) or ""))
            done = done or bool(paragraph)  # a heading ends a paragraph as a blank line does
        elif not line.strip() or _RULE.match(line):
            done = done or bool(paragraph)
        elif not done and not line.lstrip().startswith(("<!--", "|")):
            # Comments and tables are not prose; the text of a quote or list item is.
            paragraph.append(_BLOCK_MARK.sub("", line).strip())
        if heading and done:
            break
    return heading, _markdown_text(" ".join(paragraph))


def _markdown_text(text: str) -> str:
    """Inline Markdown as plain text: links to their text, emphasis and tags dropped."""
    for pattern, repl in _INLINE:
        text = pattern.sub(repl, text)
    return html_to_text(text)
