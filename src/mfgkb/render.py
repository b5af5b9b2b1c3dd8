"""Everything a person reads: the only module that builds Rich objects.

Text from the database is never parsed as Rich markup: it goes into ``Text``
objects, and control characters (terminal escape sequences, bidi overrides) are
shown escaped, so a title like ``[bold red]x[/]`` or one holding ESC prints as
the characters it holds. Colour follows Rich's rules: none when the output is
not a terminal or when NO_COLOR is set.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console, Group, RenderableType
from rich.text import Text

from mfgkb.jsonout import print_json as print_json  # for the commands: render.print_json
from mfgkb.models import printable

if TYPE_CHECKING:
    from pathlib import Path

    from mfgkb.index.ranking import SearchResult
    from mfgkb.index.reads import Stats
    from mfgkb.models import Article, Topic
    from mfgkb.results import CheckReport, ImportReport, TopicPage

KIND_STYLE = {"topic": "bold magenta", "article": "cyan"}


def lit(text: str, style: str = "", *, multiline: bool = False) -> Text:
    """Literal text from the database: no markup, no escapes, no emoji codes."""
    return Text(printable(text, multiline=multiline), style=style)


def console(*, stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, emoji=False, markup=False, soft_wrap=False)


def _authors(authors: Sequence[str]) -> str:
    return ", ".join(authors)


def _byline(article: Article) -> Text:
    parts: list[Text] = [Text(article.published.isoformat(), style="green")]
    if article.authors:
        parts.append(lit(_authors(article.authors), "italic"))
    if article.source:
        parts.append(lit(article.source, "yellow"))
    return Text(" · ").join(parts)


def topic_page(page: TopicPage) -> RenderableType:
    from rich.markdown import Markdown
    from rich.rule import Rule
    from rich.table import Table

    t = page.topic
    blocks: list[RenderableType] = [Rule(lit(t.title, "bold"), style="magenta")]
    header = Text.assemble(("slug ", "dim"), lit(t.slug, "magenta"))
    if t.aliases:
        header.append("   also known as ", style="dim")
        header.append_text(lit(", ".join(t.aliases), "italic"))
    blocks += [header, Text()]
    if t.summary:
        # Markdown, but with links shown as text: a summary is not a place for
        # clickable file:// or javascript: targets.
        blocks += [Markdown(printable(t.summary, multiline=True), hyperlinks=False), Text()]

    if t.key_terms:
        blocks.append(Text("Key terms", style="bold underline"))
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", min_width=12, max_width=30, overflow="fold")
        grid.add_column(ratio=1, overflow="fold")
        for kt in t.key_terms:
            term = lit(kt.term, "bold")
            if kt.topic and kt.topic in page.term_topics:
                term.append("\n→ ", style="dim")
                term.append(printable(kt.topic), style="magenta")
            grid.add_row(term, lit(kt.definition))
        blocks += [grid, Text()]

    if t.figures:
        blocks.append(Text("Figures", style="bold underline"))
        table = Table(box=None, padding=(0, 2), show_header=True, header_style="dim")
        table.add_column("figure", overflow="fold")
        table.add_column("value", style="bold", overflow="fold")
        # Year and source columns only when some figure has one.
        with_year = any(f.year for f in t.figures)
        with_source = any(f.source for f in t.figures)
        if with_year:
            table.add_column("year")
        if with_source:
            table.add_column("source", overflow="fold")
        for f in t.figures:
            cells: list[RenderableType] = [lit(f.label), lit(f.value, "bold")]
            if with_year:
                cells.append(str(f.year or ""))
            if with_source:
                cells.append(lit(f.source or ""))
            table.add_row(*cells)
        blocks += [table, Text()]

    if page.related:
        blocks.append(Text("Related topics", style="bold underline"))
        for slug, title in page.related:
            line = Text("  • ")
            line.append(printable(slug), style="magenta")
            if title is not None:
                line.append("  ")
                line.append_text(lit(title))
            else:
                line.append("  (missing topic)", style="red")
            blocks.append(line)
        blocks.append(Text())

    count = page.total_articles
    blocks.append(Text(f"Articles ({count:,})", style="bold underline"))
    if not page.articles:
        blocks.append(
            Text(f"  No articles yet. Add one with: mfgkb add-article --topic {t.slug}", "dim")
        )
    for a in page.articles:
        blocks.append(_article_entry(a))
    if count > len(page.articles):
        blocks.append(
            Text(
                f"  … {count - len(page.articles):,} more: mfgkb articles --topic {t.slug}",
                style="dim",
            )
        )
    return Group(*blocks)


def _article_entry(a: Article) -> RenderableType:
    from rich.padding import Padding

    head = Text.assemble(lit(a.title, "bold"), (f"  #{a.id}", "dim"))
    lines: list[RenderableType] = [head, _byline(a)]
    if a.description:
        lines.append(lit(a.description))
    # Padding indents wrapped lines too, which pad_left on the text would not.
    return Padding(Group(*lines), (0, 0, 1, 2))


def topics_table(rows: Iterable[tuple[Topic, int]]) -> RenderableType:
    from rich.table import Table

    table = Table(header_style="bold", box=None, padding=(0, 2))
    table.add_column("slug", style="magenta", no_wrap=True)
    table.add_column("articles", justify="right")
    table.add_column("title", overflow="fold", ratio=1)
    table.add_column("also known as", style="dim", overflow="fold", ratio=1)
    for topic, count in rows:
        table.add_row(
            lit(topic.slug), f"{count:,}", lit(topic.title), lit(", ".join(topic.aliases))
        )
    return table


# From this many rows on, the article table is laid out by ``_LongTable``.
LONG_TABLE = 100


def articles_table(articles: Sequence[Article], total: int) -> RenderableType:
    from rich.table import Table

    if not articles:
        return Text("No articles match.", style="dim")
    table = Table(header_style="bold", box=None, padding=(0, 1))
    table.add_column("id", justify="right", style="dim", no_wrap=True)
    table.add_column("published", style="green", no_wrap=True)
    table.add_column("title", overflow="fold", ratio=4)
    table.add_column("authors", overflow="fold", ratio=2)
    # Columns nobody filled in only take width from the title.
    with_source = any(a.source for a in articles)
    with_topics = any(a.topics for a in articles)
    if with_source:
        table.add_column("source", overflow="fold", style="yellow", ratio=1)
    if with_topics:
        table.add_column("topics", overflow="fold", style="magenta", ratio=2)
    rows: list[list[Text]] = []
    for a in articles:
        cells = [
            Text(str(a.id)),
            Text(a.published.isoformat()),
            lit(a.title),
            lit(_authors(a.authors)),
        ]
        if with_source:
            cells.append(lit(a.source))
        if with_topics:
            cells.append(lit(", ".join(a.topics)))
        rows.append(cells)
    body: RenderableType
    if len(rows) >= LONG_TABLE:
        body = _LongTable(table, rows)
    else:
        for cells in rows:
            table.add_row(*cells)
        body = table
    if total > len(articles):
        note = Text(f"Showing {len(articles):,} of {total:,}; use --limit to see more.", "dim")
        return Group(body, note)
    return body


class _LongTable:
    """A Rich table of many rows, laid out as Rich would, with a fraction of the work.

    Rich's Table measures every cell twice to size the columns and renders each
    cell through padding and line splitting: 10,000 articles took 10 seconds.
    Column widths depend only on each column's longest word and longest text,
    so two stand-in rows give Rich's own widths; each cell is then wrapped once
    (only if it does not fit), and the lines are written as segments.
    """

    def __init__(self, table: Any, rows: list[list[Text]]) -> None:
        self.table = table  # the columns (and header), with no rows
        self.rows = rows

    def __rich_console__(self, console: Console, options: Any) -> Iterator[Any]:
        from rich._wrap import divide_line
        from rich.cells import cell_len
        from rich.segment import Segment
        from rich.style import Style
        from rich.table import Table

        columns = self.table.columns
        stand_in = Table(header_style="bold", box=None, padding=(0, 1))
        for column in columns:
            stand_in.add_column(
                column.header,
                justify=column.justify,
                style=column.style,
                no_wrap=column.no_wrap,
                overflow=column.overflow,
                ratio=column.ratio,
            )

        def width_of(text: str) -> int:
            # Printable ASCII (control characters come escaped) is one cell a character.
            return len(text) if text.isascii() else cell_len(text)

        longest_word: list[Text] = []
        longest_text: list[Text] = []
        for i in range(len(columns)):
            cells = [row[i] for row in self.rows]
            longest_text.append(max(cells, key=lambda t: width_of(t.plain)))
            longest_word.append(
                max(cells, key=lambda t: max(map(width_of, t.plain.split()), default=0))
            )
        stand_in.add_row(*longest_word)
        stand_in.add_row(*longest_text)
        widths = stand_in._calculate_column_widths(console, options)

        # The header, by Rich itself: a table of fixed-width columns and no rows.
        header = Table(header_style="bold", box=None, padding=(0, 1))
        for column, width in zip(columns, widths, strict=True):
            header.add_column(
                column.header,
                justify=column.justify,
                style=column.style,
                no_wrap=column.no_wrap,
                overflow=column.overflow,
                width=width - 2,
            )
        yield from console.render(header, options)

        def foldable(text: Text, column: Any) -> bool:
            return (
                column.overflow == "fold"
                and not column.no_wrap
                and column.justify in ("default", "left")
                and not text.spans
                and not text.style
                and text.plain.isascii()
                and "\t" not in text.plain
            )

        # Without colour (a pipe, a file, NO_COLOR) styles are dropped anyway:
        # then each line is one segment.
        plain_only = console.color_system is None
        styles = [Style.null() if plain_only else console.get_style(c.style or "") for c in columns]
        right = [c.justify == "right" for c in columns]
        inners = [w - 2 for w in widths]
        newline = Segment.line()
        blank = Text()
        for row in self.rows:
            cell_lines: list[list[Text]] = []
            for text, column, inner in zip(row, columns, inners, strict=True):
                plain = text.plain
                if width_of(plain) <= inner:
                    cell_lines.append([text])
                elif foldable(text, column):
                    # What Text.wrap does for plain ASCII, without its objects:
                    # Rich's own line breaks, each line cut to the width.
                    ends = [*divide_line(plain, inner, fold=True), len(plain)]
                    starts = [0, *ends[:-1]]
                    parts = zip(starts, ends, strict=True)
                    cell_lines.append([Text(plain[a:b][:inner]) for a, b in parts])
                else:
                    cell_lines.append(
                        list(
                            text.wrap(
                                console,
                                inner,
                                justify=column.justify,
                                overflow=column.overflow,
                                no_wrap=column.no_wrap,
                            )
                        )
                    )
            for n in range(max(len(lines) for lines in cell_lines)):
                # A line's pieces, then merged where the style is the same: the
                # console's work is per segment.
                pieces: list[tuple[str, Style]] = []
                for lines, inner, style, is_right in zip(
                    cell_lines, inners, styles, right, strict=True
                ):
                    line = lines[n] if n < len(lines) else blank
                    plain = line.plain
                    room = inner - width_of(plain)
                    if (line.spans or line.style) and not plain_only:
                        before, after = (room, 0) if is_right else (0, room)
                        pieces.append((" " * (before + 1), style))
                        for seg in line.render(console):
                            pieces.append((seg.text, style + seg.style if seg.style else style))
                        pieces.append((" " * (after + 1), style))
                    elif is_right:
                        pieces.append((" " * (room + 1) + plain + " ", style))
                    else:
                        pieces.append((" " + plain + " " * (room + 1), style))
                merged_text, merged_style = pieces[0]
                for text_, style_ in pieces[1:]:
                    if style_ == merged_style:
                        merged_text += text_
                    else:
                        yield Segment(merged_text, merged_style)
                        merged_text, merged_style = text_, style_
                yield Segment(merged_text, merged_style)
                yield newline


def article_detail(a: Article) -> RenderableType:
    from rich.table import Table

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(overflow="fold")
    rows: list[tuple[str, Text]] = [
        ("id", Text(str(a.id))),
        ("title", lit(a.title, "bold")),
        ("authors", lit(_authors(a.authors))),
        ("published", Text(a.published.isoformat(), "green")),
        ("added", lit(a.added)),
        ("source", lit(a.source, "yellow")),
        ("url", lit(a.url or "")),
        ("topics", lit(", ".join(a.topics), "magenta")),
        ("tags", lit(", ".join(a.tags))),
        ("description", lit(a.description, multiline=True)),
    ]
    for label, value in rows:
        grid.add_row(label, value)
    return grid


def search_results(result: SearchResult) -> RenderableType:
    if not result.hits:
        msg = Text("No results.", style="bold")
        if result.suggestions:
            msg.append(" Did you mean: ", style="")
            msg.append(", ".join(result.suggestions), style="bold cyan")
            msg.append("?")
        return msg
    from rich.padding import Padding

    blocks: list[RenderableType] = []
    for n, hit in enumerate(result.hits, 1):
        head = Text(f"{n:>2}. ", style="dim")
        head.append_text(lit(hit.title, "bold"))
        head.append("  ")
        head.append(hit.kind, style=KIND_STYLE[hit.kind])
        head.append(f" {printable(hit.ref) if hit.kind == 'topic' else '#' + hit.ref}", style="dim")
        body: list[RenderableType] = []
        if hit.kind == "article":
            meta = Text(hit.published or "", style="green")
            if hit.authors:
                meta.append(" · ")
                meta.append_text(lit(_authors(hit.authors), "italic"))
            if hit.source:
                meta.append(" · ")
                meta.append_text(lit(hit.source, "yellow"))
            body.append(meta)
        snippet = Text(f"{hit.field}: ", style="dim")
        # Escape each piece separately: escaping changes lengths, which would
        # shift highlight offsets computed on the raw snippet.
        pos = 0
        for start, end in hit.spans:
            snippet.append(printable(hit.snippet[pos:start]))
            snippet.append(printable(hit.snippet[start:end]), style="bold reverse")
            pos = end
        snippet.append(printable(hit.snippet[pos:]))
        body.append(snippet)
        if not hit.matched_all:
            body.append(Text("(has only some of the words)", style="dim italic"))
        blocks += [head, Padding(Group(*body), (0, 0, 1, 4))]
    return Group(*blocks)


def show(renderable: RenderableType, *, pager: bool = False) -> None:
    out = console()
    if pager and out.is_terminal:
        # Through $PAGER (less -R keeps the colours), only when asked for.
        with out.pager(styles=True):
            out.print(renderable)
    else:
        out.print(renderable)


def message(text: str, *, style: str = "") -> None:
    """A short status line on stderr (so stdout stays clean for pipes)."""
    console(stderr=True).print(lit(text, style))


@contextlib.contextmanager
def progress(label: str, total: Callable[[], int]) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr while a long job runs; silent when not a terminal.

    ``total`` is only worked out when the bar will be shown.
    """
    err = console(stderr=True)
    if not err.is_terminal or (count := total()) < 2000:
        yield lambda n: None
        return
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=count)
        yield lambda n: bar.advance(task, n)


@contextlib.contextmanager
def status(label: str) -> Iterator[None]:
    """A spinner on stderr for a step without a count (saving, indexing)."""
    err = console(stderr=True)
    if not err.is_terminal:
        yield
        return
    with err.status(Text(label)):
        yield


def import_report(report: ImportReport, shown: int = 5) -> RenderableType:
    verb = "Would import" if report.dry_run else "Imported"
    lines: list[RenderableType] = [
        Text.assemble(
            (f"{verb} {len(report.added):,} articles", "bold green"),
            f"; skipped {len(report.duplicates):,} duplicates and "
            f"{len(report.invalid):,} invalid rows.",
        )
    ]
    for label, items in (("Duplicates", report.duplicates), ("Invalid", report.invalid)):
        if items:
            lines.append(Text(f"{label} (first {min(shown, len(items))}):", style="bold"))
            for line, reason in items[:shown]:
                lines.append(Text(f"  line {line}: ") + lit(reason))
    if report.dry_run:
        lines.append(Text("Dry run: nothing was written.", style="dim"))
    return Group(*lines)


def check_report(report: CheckReport, path: str) -> RenderableType:
    lines: list[RenderableType] = []
    if not report.problems:
        return Text.assemble(
            ("No problems found", "bold green"),
            f" in {path} ({report.topics:,} topics, {report.articles:,} articles).",
        )
    lines.append(Text(f"{len(report.problems)} problem(s) in {path}:", style="bold"))
    for p in report.problems:
        mark = Text("  fixable " if p.fixable else "          ", style="yellow")
        lines.append(mark + lit(p.where, "bold") + Text(": ") + lit(p.message))
    if report.fixed:
        lines.append(
            Text(
                f"Repaired {report.fixed} record(s); the previous file is kept as a backup.",
                style="green",
            )
        )
    if report.remaining:
        fixable = sum(p.fixable for p in report.remaining)
        hint = " Run mfgkb check --fix to repair the fixable ones." if fixable else ""
        lines.append(Text(f"{len(report.remaining)} problem(s) remain.{hint}", style="bold red"))
    else:
        lines.append(Text("All problems are repaired.", style="bold green"))
    return Group(*lines)


def backups_table(paths: Sequence[Path]) -> RenderableType:
    from datetime import datetime

    from rich.table import Table

    if not paths:
        return Text("No automatic backups yet: one is kept before each change.", style="dim")
    table = Table(header_style="bold", box=None, padding=(0, 2))
    table.add_column("backup")
    table.add_column("saved", style="green")
    table.add_column("size", justify="right")
    for p in paths:
        st = p.stat()
        table.add_row(
            lit(str(p)),
            datetime.fromtimestamp(st.st_mtime).strftime("%Y-%m-%d %H:%M:%S"),
            f"{st.st_size:,} B",
        )
    return Group(table, Text("Restore one with: mfgkb restore PATH", style="dim"))


def _bars(title: str, rows: Sequence[tuple[str, int]], width: int = 40) -> RenderableType:
    """A horizontal bar chart: label, bar scaled to the largest count, count."""
    from rich.table import Table

    table = Table(
        title=title,
        title_justify="left",
        title_style="bold",
        box=None,
        show_header=False,
        padding=(0, 1),
    )
    table.add_column(style="magenta", overflow="fold", max_width=32)
    table.add_column(no_wrap=True)
    table.add_column(justify="right")
    top = max((n for _, n in rows), default=0) or 1
    for label, n in rows:
        cells = n * width / top
        bar = "█" * int(cells) + ("▌" if cells - int(cells) >= 0.5 else "")
        table.add_row(lit(label), Text(bar or "▏", style="cyan"), f"{n:,}")
    return table


def stats_view(stats: Stats) -> RenderableType:
    summary = Text.assemble(
        (f"{stats.articles:,}", "bold"),
        " articles · ",
        (f"{stats.topics:,}", "bold"),
        " topics · ",
        (f"{stats.authors:,}", "bold"),
        " authors · ",
        (f"{stats.tags:,}", "bold"),
        " tags",
    )
    blocks: list[RenderableType] = [summary, Text()]
    if stats.per_year:
        blocks += [_bars("Articles per year", stats.per_year), Text()]
    if stats.per_topic:
        blocks += [_bars("Articles per topic", stats.per_topic), Text()]
    for title, rows in (
        ("Top authors", stats.top_authors),
        ("Top sources", stats.top_sources),
        ("Top tags", stats.top_tags),
    ):
        if rows:
            blocks += [_bars(title, rows, width=24), Text()]
    return Group(*blocks)
