"""Writing the knowledge base out: a full dump, JSON Lines, CSV, BibTeX and Markdown.

Pure code: each function takes dataclasses and returns data or a string, or
writes text to a stream it is given. Opening files, choosing encodings (a byte
order mark for spreadsheet programs, say) and printing are the caller's job.

Formats and what they are for:

* ``dump``/``undump``: every topic and article and the article id counter, for
  a backup or a move to another machine that comes back exactly as it was.
* ``write_jsonl`` and ``write_csv``: articles only, in the shapes
  ``mfgkb import`` reads (``mfgkb.importer``), so they can be edited elsewhere
  and imported again. The importer ignores the ``id`` and ``added`` columns:
  imported articles get fresh ids.
* ``write_bibtex``: articles as biblatex entries, for citing them.
* ``topic_markdown``: one topic page as a Markdown document to publish.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from mfgkb.errors import ImportFileError, MfgkbError
from mfgkb.models import MAX_DEPTH, Article, Topic, nested_deeper, printable

if TYPE_CHECKING:
    from mfgkb.kb import TopicPage  # kb imports the store and the index: not needed at run time

DUMP_FORMAT = "mfgkb-dump"
DUMP_VERSION = 1

CSV_COLUMNS = (
    "id",
    "title",
    "authors",
    "published",
    "added",
    "description",
    "url",
    "topics",
    "tags",
    "source",
)
LIST_SEPARATOR = "; "

# English month names written out here, not with strftime("%B"), which follows
# the process's locale and would make the document depend on the machine.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


# -- full dump ------------------------------------------------------------------------


def dump(topics: list[Topic], articles: list[Article], next_article_id: int) -> dict[str, Any]:
    """Everything in the knowledge base as plain data, ready for ``json.dump``.

    Topics keep the order given; articles are sorted by id so that two dumps of
    the same knowledge base are identical and diff cleanly.
    """
    return {
        "format": DUMP_FORMAT,
        "version": DUMP_VERSION,
        "next_article_id": next_article_id,
        "topics": [t.to_dict() for t in topics],
        "articles": [a.to_json() for a in sorted(articles, key=lambda a: a.id)],
    }


def is_dump(data: Any) -> bool:
    """Whether ``data`` (a parsed JSON document) claims to be a dump.

    Only the marker is looked at, so that a damaged dump is reported by
    ``undump`` as a damaged dump, not read as a list of articles. (The importer
    would otherwise take the ``"articles"`` key of a dump for an article array.)
    """
    return isinstance(data, dict) and data.get("format") == DUMP_FORMAT


# The type of every field of a record, and the fields it cannot do without.
# Checked before the dataclasses are built because their from_dict methods
# convert with str() and int() and would turn a wrong value (a string where a
# list belongs) into plausible nonsense or a Python-worded error.
_Types = dict[str, type | tuple[type, ...]]
_NONE = type(None)
_TOPIC_TYPES: _Types = {
    "slug": str,
    "title": str,
    "aliases": list,
    "summary": str,
    "key_terms": list,
    "figures": list,
    "related": list,
    "created": str,
    "updated": str,
}
_KEY_TERM_TYPES: _Types = {"term": str, "definition": str, "topic": (str, _NONE)}
_FIGURE_TYPES: _Types = {"label": str, "value": str, "year": (int, _NONE), "source": (str, _NONE)}
_ARTICLE_TYPES: _Types = {
    "id": int,
    "title": str,
    "authors": list,
    "published": str,
    "added": str,
    "description": str,
    "url": (str, _NONE),
    "topics": list,
    "tags": list,
    "source": str,
}
_STRING_LISTS = frozenset({"aliases", "related", "authors", "topics", "tags"})
# Lists of records: what one item is called in messages, its types, its required fields.
_RECORD_LISTS: dict[str, tuple[str, _Types, str]] = {
    "key_terms": ("key term", _KEY_TERM_TYPES, "term"),
    "figures": ("figure", _FIGURE_TYPES, "label value"),
}

# JSON's names for the types json.load produces, for the messages.
_TYPE_NAMES: dict[type, str] = {
    dict: "an object",
    list: "a list",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "true or false",
    _NONE: "null",
}


def _type_name(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), type(value).__name__)


def _shown(value: Any) -> str:
    """A value from the file for a message: as JSON, short and on one line."""
    return printable(json.dumps(value, default=str)[:40])


def _as_tuple(expected: type | tuple[type, ...]) -> tuple[type, ...]:
    return expected if isinstance(expected, tuple) else (expected,)


def _check_record(record: Any, types: _Types, required: str, what: str = "it") -> None:
    """Raise MfgkbError for the first wrong field; the message is a clause about ``what``."""
    if not isinstance(record, dict):
        raise MfgkbError(f"{what} is {_type_name(record)}, not an object")
    for key in required.split():
        if key not in record:
            raise MfgkbError(f"{what} has no '{key}'")
    for key, expected in types.items():
        if key not in record:
            continue  # optional: from_dict fills in the default
        value = record[key]
        field = f"its '{key}'" if what == "it" else f"the '{key}' of {what}"
        # bool is a subclass of int, but true is no id and no year.
        if not isinstance(value, expected) or isinstance(value, bool):
            wanted = " or ".join(_TYPE_NAMES[t] for t in _as_tuple(expected))
            raise MfgkbError(f"{field} is {_type_name(value)}, not {wanted}")
        if not isinstance(value, list):
            continue
        if key in _STRING_LISTS and not all(isinstance(v, str) for v in value):
            raise MfgkbError(f"{field} holds something other than strings")
        if key in _RECORD_LISTS:
            item, item_types, item_required = _RECORD_LISTS[key]
            for n, sub in enumerate(value, 1):
                _check_record(sub, item_types, item_required, f"its {item} {n}")


def _clause(err: Exception) -> str:
    """An error's message as a clause to follow a colon: "The title is empty" -> "the ..."."""
    if isinstance(err, KeyError):  # str() of a KeyError is just the quoted key
        return f"a '{err.args[0]}' field is missing"
    text = str(err).rstrip(".")
    # Lower-case only a capitalised ordinary word, not "US" or "'slug'".
    if len(text) > 1 and text[0].isupper() and text[1].islower():
        text = text[0].lower() + text[1:]
    return text


def _record_name(kind: str, n: int, record: Any, key: str) -> str:
    """ "Topic record 3 ('texas')": the position, and the slug or id when there is one."""
    name = f"{kind} record {n}"
    value = record.get(key) if isinstance(record, dict) else None
    if isinstance(value, str):
        # The slug is not checked yet: keep a damaged one short and on one line.
        name += f" ('{printable(value[:40])}')"
    elif type(value) is int:
        name += f" (id {value})"
    return name


_MAX_ID = 2**53  # ids, counters and years far beyond this are damage, not data


def _timestamp(record: dict[str, Any], key: str) -> None:
    value = record.get(key)
    if value in (None, ""):
        return
    try:
        datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise MfgkbError(
            f"its {key} time '{printable(str(value)[:40])}' is not an ISO time"
        ) from None


def _topic(record: Any) -> Topic:
    _check_record(record, _TOPIC_TYPES, "slug title")
    for key in ("created", "updated"):
        _timestamp(record, key)
    for figure in record.get("figures") or []:
        year = figure.get("year") if isinstance(figure, dict) else None
        if isinstance(year, int) and not 0 < year < 10_000:
            raise MfgkbError(f"a figure's year {year} is not a year")
    return Topic.from_dict(record).validated()


def _article(record: Any) -> Article:
    _check_record(record, _ARTICLE_TYPES, "id title published")
    if not 0 < record["id"] < _MAX_ID:
        raise MfgkbError("its id is not a positive whole number of a sensible size")
    _timestamp(record, "added")
    try:
        date.fromisoformat(record["published"])
    except ValueError:
        raise MfgkbError(
            f"its published date '{printable(record['published'][:40])}' is not a YYYY-MM-DD date"
        ) from None
    return Article.from_dict(record["id"], record).validated()


R = TypeVar("R")

# Any exception from building a record is a fault of the record, reported as
# one; MfgkbError covers ValidationError and the checks in _topic/_article.
_FAULTS = (MfgkbError, KeyError, ValueError, TypeError, AttributeError)


def _records(
    raw: list[Any], kind: str, key: str, build: Callable[[Any], R], ident: Callable[[R], Any]
) -> list[R]:
    """Build every record of one list of the dump; a bad or repeated one is an error."""
    built: list[R] = []
    seen: set[Any] = set()
    for n, record in enumerate(raw, 1):
        name = _record_name(kind, n, record, key)
        try:
            item = build(record)
        except _FAULTS as err:
            raise ImportFileError(f"{name} in the dump is not valid: {_clause(err)}.") from None
        if ident(item) in seen:
            raise ImportFileError(
                f"{name} in the dump repeats the {key} of an earlier {kind.lower()}."
            )
        seen.add(ident(item))
        built.append(item)
    return built


def undump(data: Any) -> tuple[list[Topic], list[Article], int]:
    """Topics, articles and the next article id from what ``dump`` made.

    Raises ImportFileError with one sentence naming the first problem: not a
    dump, another version, a missing key, or a bad record (named by its
    position, and its slug or id when it has one). Records are validated as
    when they are added, so what comes back can be stored as it is. Unknown
    keys are ignored. Whether the topics that articles and topics refer to
    exist is left to the caller: the store allows references to missing topics.
    """
    if not is_dump(data):
        raise ImportFileError(
            f'The file is not an mfgkb dump (it has no "format": "{DUMP_FORMAT}" marker); '
            f"import articles with mfgkb import instead."
        )
    version = data.get("version")
    if version != DUMP_VERSION or isinstance(version, bool):
        raise ImportFileError(
            f"The dump is version {_shown(version)}, but this mfgkb reads "
            f"only version {DUMP_VERSION}; load it with the mfgkb release that wrote it."
        )
    if nested_deeper(data, MAX_DEPTH):
        raise ImportFileError(
            f"The dump nests values more than {MAX_DEPTH} levels deep, more than mfgkb can "
            f"store; it is damaged."
        )
    for key in ("next_article_id", "topics", "articles"):
        if key not in data:
            raise ImportFileError(f"The dump has no '{key}' key, so it is incomplete.")
    for key in ("topics", "articles"):
        if not isinstance(data[key], list):
            raise ImportFileError(f"The dump's '{key}' is {_type_name(data[key])}, not a list.")

    topics = _records(data["topics"], "Topic", "slug", _topic, lambda t: t.slug)
    articles = _records(data["articles"], "Article", "id", _article, lambda a: a.id)
    ids = {a.id for a in articles}

    next_id = data["next_article_id"]
    highest = max(ids, default=0)
    # The counter must stay above every id: the store never hands out an id twice.
    if type(next_id) is not int or not highest < next_id < _MAX_ID:
        raise ImportFileError(
            f"The dump's next_article_id ({_shown(next_id)}) is not a "
            f"whole number greater than every article id ({highest})."
        )
    return topics, articles, next_id


# -- JSON Lines and CSV ---------------------------------------------------------------

# Characters that str.splitlines() (used by the importer for a misnamed .json
# file, and by many other tools) takes for line breaks but json.dumps leaves
# raw when ensure_ascii is off. As escapes they cannot split a record.
_JSON_LINE_BREAKS = re.compile("[\x85\u2028\u2029]")


def write_jsonl(articles: Iterable[Article], out: TextIO) -> None:
    """One JSON object per line: the ``--json`` form of each article, UTF-8 as is."""
    for article in articles:
        line = json.dumps(article.to_json(), ensure_ascii=False)
        out.write(_JSON_LINE_BREAKS.sub(lambda m: f"\\u{ord(m.group()):04x}", line))
        out.write("\n")


def write_csv(articles: Iterable[Article], out: TextIO) -> None:
    """A header row, then one row per article; lists joined with "; ".

    Imports back through ``mfgkb import`` with the same titles, dates,
    descriptions, URLs, topics and sources (the csv module quotes commas,
    quotes and line breaks in a field). What does not survive, because the
    importer splits and tidies the list columns:

    * an author name holding a comma, ";", "&" or the word "and" ("Smith,
      Jr.", "Procter & Gamble") comes back as several names; a name in
      capitals comes back title-cased; a news agency named as an author (AP,
      Reuters, ...) is dropped from the authors;
    * a tag holding ",", ";" or "|" comes back as several tags.

    The importer also guesses the dialect from the first 8 KiB (csv.Sniffer),
    and guesses wrong when every quoted field there that holds a doubled
    quote also holds a comma or line break ('The "Made in USA" label,
    explained'): such a file is standard CSV, but ``mfgkb import`` misreads
    it until the importer stops trusting the sniffer's ``doublequote``.

    Cells are written as they are: a title starting with "=" is not defused
    for spreadsheet programs, since that would change it on the way back.
    """
    # "\n", not the csv default "\r\n": the caller opens the stream and decides
    # the platform's line ends; the csv reader accepts both.
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for a in articles:
        writer.writerow(
            [
                a.id,
                a.title,
                LIST_SEPARATOR.join(a.authors),
                a.published.isoformat(),
                a.added,
                a.description,
                a.url or "",
                LIST_SEPARATOR.join(a.topics),
                LIST_SEPARATOR.join(a.tags),
                a.source,
            ]
        )


# -- BibTeX ---------------------------------------------------------------------------

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
# Control characters cannot be typeset; whitespace runs (line breaks included:
# a blank line inside a field is a paragraph break, an error in most places)
# become one space.
_BIB_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_WORD = re.compile(r"(\w+)")
_AND = re.compile(r"\sand\s", re.IGNORECASE)
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
# Skipped when a title word is chosen for a key, as Google Scholar does:
# "smith2025the" would tell entries apart no better than the year.
_KEY_STOP_WORDS = frozenset({"a", "an", "the"})


def _bib_line(text: str) -> str:
    return " ".join(_BIB_CONTROL.sub("", text).split())


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


def write_bibtex(articles: Sequence[Article], out: TextIO) -> None:
    """One biblatex entry per article, in the order given, separated by blank lines.

    An article with a source (a newspaper, magazine or site) is an
    ``@article`` with the source as ``journaltitle``, which biblatex defines
    as an article in a periodical, newspapers included; one without is an
    ``@online``. Fields: title, author, date (ISO), year (for classic BibTeX
    styles, which ignore date), journaltitle, url, keywords (the tags) and
    abstract (the description); empty ones are left out. Text is written in
    UTF-8 as is (biber and biblatex read it); LaTeX's special characters are
    escaped.
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


# -- Markdown -------------------------------------------------------------------------

# Backslash-escaped in text from the data, so that a title like "*Not* a [link]"
# shows its characters instead of emphasis or a link: emphasis (* _), links
# and images ([ ]), code (`), raw HTML (<), block quotes (>), a heading's
# closing hashes (#), GFM strikethrough (~) and the escape itself. "$" is
# left alone: it is common in figures ("$2.5 trillion") and only a pair makes
# maths, on the few renderers that have it.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#~])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")  # "&amp;" would show as "&"


def _md_inline(text: str) -> str:
    """Text from the data for a place in one line: breaks become spaces, marks escaped."""
    text = _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    return _MD_ENTITY.sub(r"\\&", text)


def _md_cell(text: str) -> str:
    return _md_inline(text).replace("|", r"\|")


def _md_url(url: str) -> str | None:
    """A link target, or None when it is not a web address (a javascript: link, say).

    Parentheses, angle brackets, spaces and backslashes are percent-encoded: they
    would end or alter a Markdown link destination.
    """
    if not url.lower().startswith(("http://", "https://")):
        return None
    return re.sub(r"[()<>\\\s]", lambda m: f"%{ord(m.group()):02X}", url)


def long_date(day: date) -> str:
    """ "10 October 2025": day without a leading zero, month in words."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _md_article(a: Article) -> str:
    title = _md_inline(a.title)
    target = _md_url(a.url) if a.url else None
    if target:
        title = f"[{title}]({target})"
    byline = [*a.authors, a.source] if a.source else list(a.authors)
    parts = [_md_inline(p) for p in byline if p.strip()]
    line = f"- **{title}** — " + ", ".join([*parts, long_date(a.published)]) + "."
    if a.description.strip():
        line += " " + _md_inline(a.description)
    return line


def topic_markdown(page: TopicPage) -> str:
    """The topic page as a Markdown document (CommonMark with GFM tables).

    Layout: ``# Title``, an "Also known as" line, the summary (Markdown
    already, copied as is), then the sections Key terms, Figures (a table
    with a Year or Source column only when some figure has one), Related
    topics and Articles (in the page's order: the command's --sort), each
    left out when empty. Links to
    other topics point to ``<slug>.md`` beside this file, the layout of a
    folder with one exported page per topic; a topic that does not exist gets
    no link. All other text from the data is escaped for one line.
    """
    t = page.topic
    blocks = [f"# {_md_inline(t.title)}"]
    if t.aliases:
        blocks.append("Also known as: " + ", ".join(_md_inline(a) for a in t.aliases))
    summary = t.summary.replace("\r\n", "\n").replace("\r", "\n").strip()
    if summary:
        blocks.append(summary)

    if t.key_terms:
        lines = ["## Key terms", ""]
        for kt in t.key_terms:
            term = _md_inline(kt.term)
            if kt.topic and kt.topic in page.term_topics:
                term = f"[{term}]({kt.topic}.md)"
            definition = _md_inline(kt.definition)
            lines.append(f"- **{term}**: {definition}" if definition else f"- **{term}**")
        blocks.append("\n".join(lines))

    if t.figures:
        columns = ["Figure", "Value"]
        with_year = any(f.year is not None for f in t.figures)
        with_source = any(f.source for f in t.figures)
        columns += ["Year"] * with_year + ["Source"] * with_source
        rows = [columns, ["---"] * len(columns)]
        for f in t.figures:
            row = [_md_cell(f.label), _md_cell(f.value)]
            if with_year:
                row.append("" if f.year is None else str(f.year))
            if with_source:
                row.append(_md_cell(f.source or ""))
            rows.append(row)
        blocks.append("## Figures\n\n" + "\n".join("| " + " | ".join(r) + " |" for r in rows))

    if page.related:
        lines = ["## Related topics", ""]
        for slug, title in page.related:
            if title is None:  # a topic that no longer exists: named, not linked
                lines.append(f"- {_md_inline(slug)}")
            else:
                lines.append(f"- [{_md_inline(title)}]({slug}.md)")
        blocks.append("\n".join(lines))

    if page.articles:
        lines = ["## Articles", "", *(_md_article(a) for a in page.articles)]
        more = page.total_articles - len(page.articles)
        if more > 0:
            lines += ["", f"And {more:,} more {'article' if more == 1 else 'articles'}."]
        blocks.append("\n".join(lines))

    return "\n\n".join(blocks) + "\n"
