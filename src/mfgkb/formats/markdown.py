"""Markdown: a folder of notes read into rows, a topic page written as a document.

Reading: one article per note (``*.md``, recursive, sorted), from its YAML
(or TOML, JSON) front matter, else its first heading and paragraph; rows use
the article field names (see ``mfgkb.formats.rows``). python-frontmatter and
PyYAML are imported when a note is read. Writing: ``topic_markdown``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from mfgkb.errors import ImportFileError
from mfgkb.formats import Format
from mfgkb.formats.rows import LIST_SPLIT, MAX_RECORD, AnyRow, BadRow, Row, special_kind
from mfgkb.formats.text import clip, html_to_text, names, squash, unique
from mfgkb.models import Article

if TYPE_CHECKING:
    from mfgkb.results import TopicPage

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


# -- reading notes ------------------------------------------------------------------

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
    """The notes ``read`` reads, in its order: row n is the n-th file.

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


def read(path: Path) -> Iterator[AnyRow]:
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
            yield BadRow(n, f"{name}: {exc}")
            continue
        except OSError as exc:
            yield BadRow(n, f"{name}: the file cannot be read ({exc.strerror})")
            continue
        except UnicodeDecodeError:
            yield BadRow(n, f"{name}: the file is not UTF-8 text; convert it to UTF-8")
            continue
        yield _markdown_note(n, name, text)


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


def _markdown_note(n: int, name: str, text: str) -> AnyRow:
    import yaml

    # Blank lines before the opening '---' are allowed; counted for error lines.
    stripped = text.strip()
    skipped = text[: len(text) - len(text.lstrip())].count("\n")
    try:
        meta, body = _front_matter(stripped)
    except yaml.YAMLError as exc:
        problem = _yaml_problem(exc, skipped)
        return BadRow(n, f"{name}: front matter is not valid YAML ({problem}); fix it")
    except ValueError as exc:  # YAML's "2024-13-45", or bad TOML/JSON front matter
        return BadRow(n, f"{name}: front matter is not valid ({squash(str(exc))}); fix it")
    if meta is None:  # "---\n---": empty front matter
        meta = {}
    if not isinstance(meta, dict):
        kind = type(meta).__name__
        return BadRow(n, f"{name}: front matter must be 'key: value' lines, not a {kind}")
    heading, paragraph = _markdown_body(body)
    row: dict[str, Any] = {}
    title = _meta_text(meta.get("title")) or heading
    if title:
        row["title"] = title
    authors, agency = names(_first(meta, "authors", "author"), split_items=False)
    if authors:
        row["authors"] = authors
    published = _meta_date(_first(meta, "date", "published"))
    if published:
        row["published"] = published
    description = _meta_text(meta.get("description")) or paragraph
    if description:
        row["description"] = clip(description)
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
    return Row(n, row)


def _yaml_problem(exc: Exception, skipped: int) -> str:
    """ "line 3: found unexpected ':'" from a YAML error, as a line of the note's file."""
    problem = getattr(exc, "problem", None)
    mark = getattr(exc, "problem_mark", None)
    if problem and mark is not None:
        # The YAML text starts with the rest of the opening '---' line (the
        # split keeps that newline), so its line 0 is the file's '---' line.
        return f"line {mark.line + 1 + skipped}: {squash(str(problem))}"
    return squash(str(exc))


def _first(meta: dict[str, Any], *keys: str) -> Any:
    """The value of the first key present with a value."""
    for key in keys:
        if meta.get(key) not in (None, "", []):
            return meta[key]
    return None


def _meta_text(value: Any) -> str:
    if value is None or isinstance(value, (list, dict)):
        return ""
    return squash(str(value))


def _meta_list(value: Any) -> list[str]:
    """A YAML list, or a string "a, b; c", as strings."""
    if value is None or isinstance(value, dict):
        return []
    if isinstance(value, list):
        return unique([str(v) for v in value if v is not None])
    return unique(LIST_SPLIT.split(str(value)))


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


# -- writing a topic page ---------------------------------------------------------

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


def write(page: TopicPage, out: TextIO) -> None:
    """The topic page as a Markdown document (see ``topic_markdown``)."""
    out.write(topic_markdown(page))


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


# What the registry (mfgkb.formats) knows of this format.
FORMAT = Format(
    "markdown",
    "folder of Markdown notes",
    folder=True,
    reader=read,
    writer=write,
    writes="page",
    export_help="the --topic page",
    order=60,
)
