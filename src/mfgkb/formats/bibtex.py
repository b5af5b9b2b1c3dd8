"""BibTeX and biblatex: entries read into rows, articles written as entries.

Rows use the article field names (see ``mfgkb.formats.rows``); a year or a
year and month without a day is kept as "YYYY" or "YYYY-MM" for the
converter to judge. bibtexparser is imported inside ``read``: it costs tens
of milliseconds and most commands never need it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from mfgkb.errors import ImportFileError
from mfgkb.formats import Format
from mfgkb.formats.rows import LIST_SPLIT, AnyRow, BadRow, Row, read_text
from mfgkb.formats.text import clip, squash, unique
from mfgkb.models import Article

if TYPE_CHECKING:
    from bibtexparser.model import Entry

_ISO_FULL = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_PARTIAL = re.compile(r"^\d{4}(?:-\d{2})?$")
_YEAR = re.compile(r"^\d{4}$")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


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


def read(path: Path) -> Iterator[AnyRow]:
    """Every entry of a BibTeX file, numbered by the line it starts on."""
    text = read_text(path)
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
                yield BadRow(line, _twice(block.key, first_line.get((kind, block.key))))
            elif isinstance(block, (Entry, String)):
                key = (isinstance(block, Entry), block.key)
                if key in first_line:  # twice: the first was in an earlier chunk
                    found = True
                    yield BadRow(line, _twice(block.key, first_line[key]))
                    continue
                first_line[key] = line
                if isinstance(block, String):
                    strings.append(block)
                else:
                    found = True
                    yield Row(line, _bibtex_entry(block))
            elif isinstance(block, ParsingFailedBlock):
                found = True
                yield BadRow(line, _bibtex_failure(block))
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
            f"{path} could not be read as BibTeX ({type(exc).__name__}: {squash(str(exc))}); "
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
    return f"{what} is not valid BibTeX ({squash(reason)}); fix its braces and commas"


def _unbrace(value: Any) -> str:
    """A decoded field as one line of plain text, without the {protecting} braces."""
    return squash(str(value).replace("{", "").replace("}", ""))


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
        if names := unique(names):
            row["authors"] = names
    published = _bibtex_date(text)
    if published:
        row["published"] = published
    if text.get("abstract"):
        row["description"] = clip(text["abstract"])
    url = _bibtex_url(verbatim)
    if url:
        row["url"] = url
    tags = unique(LIST_SPLIT.split(text.get("keywords", "")))
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


# -- writing ------------------------------------------------------------------------

# One replacement per special character, applied in a single pass so that the
# backslashes the replacements bring in are not escaped again. Braces become
# \textbraceleft{} rather than \{ because BibTeX counts every brace, escaped or
# not, when it looks for the end of a field: a lone \{ would swallow the file.
_BIB_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIB_SPECIAL_RE = re.compile("[" + re.escape("".join(_BIB_SPECIALS)) + "]")
# Whitespace runs (line breaks included: a blank line inside a field is a
# paragraph break, an error in most places) become one space. Not the controls
# Python's str.split() also counts as space (U+001C-U+001F, U+0085 NEL): they
# break no BibTeX field, so they are written as they are.
_BIB_SPACE = re.compile(r"[^\S\x1c-\x1f\x85]+")
_WORD = re.compile(r"(\w+)")
_AND = re.compile(r"\sand\s", re.IGNORECASE)
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
# Skipped when a title word is chosen for a key, as Google Scholar does:
# "smith2025the" would tell entries apart no better than the year.
_KEY_STOP_WORDS = frozenset({"a", "an", "the"})


def _bib_line(text: str) -> str:
    # Control characters (ESC, BEL, C1) are data like any other and stay: a
    # file keeps the text exactly, and the bibtex reader gives them back. Only
    # a terminal gets them escaped (cli._for_stdout), as for csv and markdown.
    return _BIB_SPACE.sub(" ", text).strip(" ")


def _bib_escape(text: str) -> str:
    return _BIB_SPECIAL_RE.sub(lambda m: _BIB_SPECIALS[m.group()], text)


def _bib_text(text: str) -> str:
    return _bib_escape(_bib_line(text))


def _bib_title(title: str) -> str:
    """The escaped title with every word holding a capital in braces.

    Styles that set titles in sentence case lower-case every unprotected
    letter, which would turn "CHIPS Act" into "Chips act". Protecting every
    capitalised word keeps names and acronyms right at the price of leaving
    title-case titles in title case.
    """
    out: list[str] = []
    for i, part in enumerate(_WORD.split(_bib_line(title))):
        text = _bib_escape(part)
        # Odd indexes are the words captured by the split.
        if i % 2 and any(c.isupper() for c in part):
            text = "{" + text + "}"
        out.append(text)
    return "".join(out)


def _bib_name(name: str) -> str:
    """One author, in braces when BibTeX would misread it.

    BibTeX splits names at the word "and", and refuses a name with more than
    two commas ("Last, Jr, First" is its limit); a braced name is taken whole.
    """
    text = _bib_text(name)
    return "{" + text + "}" if _AND.search(text) or text.count(",") > 2 else text


def _ascii_letters(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in folded if c.isalpha()).lower()


def _last_name(name: str) -> str:
    """The family name of "Jane Q. Doe", "Doe, Jane" or "John Smith Jr."."""
    if "," in name:
        return name.split(",", 1)[0]
    words = name.split()
    while len(words) > 1 and _ascii_letters(words[-1]) in _NAME_SUFFIXES:
        words.pop()
    return words[-1] if words else ""


def bibtex_key(article: Article) -> str:
    """The citation key before de-duplication: "hastings2025is".

    First author's family name (else the source's first word, else "anon"),
    the year, and the first title word that is not "a", "an" or "the", all
    folded to lower-case ASCII letters (a word with none is left out).
    """
    who = _ascii_letters(_last_name(article.authors[0])) if article.authors else ""
    if not who and article.source.split():  # no author, or one with no Latin letters
        who = _ascii_letters(article.source.split()[0])
    word = next(
        (
            w
            for w in (_ascii_letters(w) for w in _WORD.findall(article.title))
            if w and w not in _KEY_STOP_WORDS
        ),
        "",
    )
    return f"{who or 'anon'}{article.published.year}{word}"


def _suffixes() -> Iterable[str]:
    """a, b, ..., z, aa, ab, ...: as many as there are clashing keys."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    n = 0
    while True:
        n += 1
        text, k = "", n
        while k:
            k, r = divmod(k - 1, 26)
            text = letters[r] + text
        yield text


def _unique_keys(articles: Sequence[Article]) -> list[str]:
    """Keys in order; the first of a clash keeps the plain key, the next get a, b, ..."""
    used: set[str] = set()
    keys: list[str] = []
    for a in articles:
        base = bibtex_key(a)
        key = base
        if key in used:
            # The suffixed key may itself be another entry's plain key
            # ("doe2025go" + "a" = "doe2025goa"): keep going until it is free.
            key = next(base + s for s in _suffixes() if base + s not in used)
        used.add(key)
        keys.append(key)
    return keys


def _url_field(url: str) -> str:
    """A URL for biblatex's verbatim url field: no LaTeX escapes, but balanced braces.

    Braces are percent-encoded, which names the same resource.
    """
    return url.replace("{", "%7B").replace("}", "%7D")


def write(articles: Sequence[Article], out: TextIO) -> None:
    """One biblatex entry per article, in the order given, separated by blank lines.

    An article with a source (a newspaper, magazine or site) is an
    ``@article`` with the source as ``journaltitle``, which biblatex defines
    as an article in a periodical, newspapers included; one without is an
    ``@online``. Fields: title, author, date (ISO), year (for classic BibTeX
    styles, which ignore date), journaltitle, url, keywords (the tags) and
    abstract (the description); empty ones are left out. Text is written in
    UTF-8 as is (biber and biblatex read it), control characters included;
    LaTeX's special characters are escaped and whitespace runs, line breaks
    included, become one space.
    """
    for n, (a, key) in enumerate(zip(articles, _unique_keys(articles), strict=True)):
        fields: list[tuple[str, str]] = [("title", _bib_title(a.title))]
        if a.authors:
            fields.append(("author", " and ".join(_bib_name(name) for name in a.authors)))
        fields += [("date", a.published.isoformat()), ("year", str(a.published.year))]
        if a.source:
            fields.append(("journaltitle", _bib_text(a.source)))
        if a.url:
            fields.append(("url", _url_field(a.url)))
        if a.tags:
            fields.append(("keywords", ", ".join(_bib_text(t) for t in a.tags)))
        if a.description:
            fields.append(("abstract", _bib_text(a.description)))
        kind = "article" if a.source else "online"
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        out.write(("\n" if n else "") + f"@{kind}{{{key},\n{body}\n}}\n")


# What the registry (mfgkb.formats) knows of this format.
FORMAT = Format(
    "bibtex",
    "BibTeX",
    extensions=(".bib",),
    starts=(b"@",),
    reader=read,
    writer=write,
    export_help="articles",
    order=50,
)
