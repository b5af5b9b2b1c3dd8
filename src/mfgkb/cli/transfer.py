"""Moving articles in and out: import (every readable format, or a full dump) and export."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from mfgkb import formats, views
from mfgkb.cli.context import kb_of
from mfgkb.cli.options import (
    AuthorOpt,
    DayfirstOpt,
    JsonOpt,
    LimitOpt,
    SinceOpt,
    Sort,
    SortOpt,
    SourceOpt,
    TagOpt,
    TagsOpt,
    TopicOpt,
    TopicsOpt,
    UntilOpt,
    filters,
    limit_of,
    write_target,
)
from mfgkb.errors import ImportFileError, UsageError
from mfgkb.models import count, printable

if TYPE_CHECKING:
    from mfgkb.kb import KnowledgeBase


def _import_dump(kb: KnowledgeBase, file: Path, *, dry_run: bool) -> bool:
    """Restore a full dump (``mfgkb export --format json``) into a new database.

    False when ``file`` is not a dump, so the caller imports it as records.
    """
    from mfgkb.formats.dump import read_dump
    from mfgkb.results import Notice

    dumped = read_dump(file)
    if dumped is None:
        return False
    topics, articles, next_id = dumped
    del dumped
    kb.check_restorable()
    what = f"{count(len(topics), 'topic')} and {count(len(articles), 'article')} into {kb.path}"
    if dry_run:
        views.emit(Notice(f"Would restore {what}."))
        return True
    kb.restore_dump(topics, articles, next_id)
    views.emit(Notice(f"Restored {what}."))
    return True


def import_(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help=formats.import_help())],
    format_: Annotated[
        str | None,
        typer.Option(
            "--format",
            help=f"File format: {formats.names(formats.readable())}; default: from the "
            "extension or content.",
        ),
    ] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="FIELD=COLUMN: feed an article field (title, authors, published, description, "
            "url, topics, tags, source) from a column of the file (repeatable).",
        ),
    ] = None,
    topic: TopicsOpt = None,
    tag: TagsOpt = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Source for rows that name none.")
    ] = None,
    dayfirst: DayfirstOpt = False,
    approximate_dates: Annotated[
        bool,
        typer.Option(
            "--approximate-dates",
            help="Store a date that is only a year or a month (common in BibTeX) as its "
            "first day, tagged approximate-date, instead of refusing the row.",
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check and count, but write nothing.")
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """Import articles from a file, in one write; duplicates and bad rows are skipped.

    Columns named like the fields (or title/headline, url/link, date, authors,
    description/short_description, ...) are used as they are; --map names others.
    Author lists such as "Rebecca Santana and Kevin McGill, AP" are split into
    names, and a wire-service credit (AP, Reuters, ...) becomes the source
    when the row has none.
    A URL already stored, or seen earlier in the file, is a duplicate.

    \b
    Example: mfgkb import news.jsonl --map title=headline \\
      --map description=short_description --map url=link \\
      --map authors=authors --map published=date
    """
    from mfgkb.formats.reading import read_rows
    from mfgkb.importer import RowConverter, count_lines, parse_mapping, parse_rows

    if format_ is not None:
        formats.by_name(format_, "import")  # a usage error before any reading
    kb = kb_of(ctx)
    kb.read_only = dry_run
    if _import_dump(kb, file, dry_run=dry_run):
        return
    # An unknown --topic would make every row invalid: refuse it before reading.
    topics = [kb.resolve_topic(t) for t in topic or []]
    converter = RowConverter(
        parse_mapping(map_ or []),
        dayfirst=dayfirst,
        topics=topics,
        tags=tag,
        source=source,
        approximate_dates=approximate_dates,
    )
    rows = read_rows(file, format_)
    with views.progress("Reading", lambda: count_lines(file)) as advance:
        parsed = parse_rows(rows, converter, advance)
    with views.status("Saving and indexing…"):
        report = kb.import_articles(parsed.drafts, invalid=parsed.invalid, dry_run=dry_run)
    nothing = not report.added and not report.duplicates  # not one row could be used
    if json_ or not nothing:
        views.emit(report, json=json_)
    if nothing:  # a script should notice, and a person needs the reason, not a zero
        if not report.invalid:
            raise ImportFileError(f"{file} holds no articles; check that it is the file meant.")
        line, reason = report.invalid[0]
        some = "row is" if len(report.invalid) == 1 else f"{len(report.invalid):,} rows are"
        raise ImportFileError(
            f"Nothing in {file} could be imported: its {some} invalid. Line {line}: "
            f"{reason[:1].upper()}{reason[1:].rstrip('.')}. "
            "Fix the rows, or name the columns with --map or the format with --format."
        )


def export(
    ctx: typer.Context,
    format_: Annotated[str, typer.Option("--format", help=formats.export_help())] = "json",
    topic: TopicOpt = None,
    author: AuthorOpt = None,
    tag: TagOpt = None,
    source: SourceOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    sort: SortOpt = Sort.published,
    limit: LimitOpt = 0,
    output: Annotated[
        str | None,  # not a Path: write_target needs the trailing slash a Path drops
        typer.Option("--output", "-o", help="Write to this file instead of standard output."),
    ] = None,
    dayfirst: DayfirstOpt = False,
) -> None:
    """Write the knowledge base, or some of its articles, or a topic page, to a file.

    The json dump holds everything and is read back by import into a new database,
    giving the same file. jsonl, csv and bibtex take the same filters as articles.
    markdown writes the topic page of --topic as a document to publish; the other
    filters, --sort and --limit choose its articles.

    \b
    Example: mfgkb export --format markdown --topic advanced-manufacturing \\
      -o am.md
    """

    fmt = formats.by_name(format_, "export")
    kb = kb_of(ctx)
    chosen = filters(
        topic=topic,
        author=author,
        tag=tag,
        source=source,
        since=since,
        until=until,
        dayfirst=dayfirst,
    )
    subject: Any
    if fmt.writes == "everything":
        if any(v is not None for v in (topic, author, tag, source, since, until)) or limit:
            filtered = [f.name for f in formats.writable() if f.writes == "articles"]
            raise UsageError(
                f"The {fmt.name} dump is always complete; filters go with {', '.join(filtered)}."
            )
        subject = kb.everything()
    elif fmt.writes == "page":
        if not topic:
            raise UsageError(f"--format {fmt.name} writes one topic page; name it with --topic.")
        if len(set(topic)) > 1:
            raise UsageError(f"--format {fmt.name} writes one topic page; give one --topic.")
        # The page's own parts, with the article list the filters and --sort give.
        page = kb.topic_page(topic[0], limit=1)
        found, total = kb.articles(chosen, sort=sort.value, limit=limit_of(limit))
        subject = page._replace(articles=found, total_articles=total)
    else:
        subject, _ = kb.articles(chosen, sort=sort.value, limit=limit_of(limit))
    buffer = io.StringIO()
    fmt.write(subject, buffer)
    text = buffer.getvalue()
    _write_out(text if output is not None else _for_stdout(text, fmt.json_text), output, kb.path)


def _for_stdout(text: str, json_text: bool) -> str:
    """Export text as it may go to standard output: no control sequences at a terminal.

    JSON escapes control and format characters as ``\\uXXXX``, which is the
    same data, so json and jsonl are escaped wherever they go. Escaping CSV,
    BibTeX or Markdown would change the data: they are escaped only when
    standard output is a terminal, and a pipe or a file gets them as they are.
    """
    from mfgkb.models import json_printable

    if json_text:
        return json_printable(text)
    return printable(text, multiline=True) if sys.stdout.isatty() else text


def _write_out(text: str, output: str | None, db: Path | None = None) -> None:
    """Text to standard output, or to a file (atomically) or a pipe or device (see write_export)."""
    if output is None:
        sys.stdout.write(text)
        return
    from mfgkb.storage.files import write_export

    target = write_target(output)
    if target.is_dir() or not target.name:
        raise UsageError(f"{target} is a folder; give a file name, e.g. {target / 'export.txt'}.")
    if db is not None and _same_data(target, db):
        raise UsageError(f"{target} is the database or one of its files; write elsewhere.")
    if not write_export(target, text, on_terminal=lambda t: printable(t, multiline=True)):
        return  # into a pipe, a device or a socket: nothing to announce
    from mfgkb.results import Notice

    views.emit(Notice(f"Wrote {target}."))


def _same_data(target: Path, db: Path) -> bool:
    """Is ``target`` the database, its index, lock or one of its backups (however spelt)?"""
    from mfgkb.storage.files import is_own_file

    return is_own_file(target, db)
