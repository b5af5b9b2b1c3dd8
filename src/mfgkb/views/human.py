"""The human view: every result as Rich renderables, for people at a terminal.

One function per kind of result (see ``_VIEWS``); :func:`emit` picks it. Rich is
imported by this module and :mod:`mfgkb.views.terminal` only. Text from the
database always goes through ``lit`` (literal, control characters escaped).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.text import Text

from mfgkb.models import Topic, printable
from mfgkb.views.longtable import LongTable
from mfgkb.views.terminal import lit, message, show
from mfgkb.views.words import count

if TYPE_CHECKING:
    from mfgkb.index.ranking import SearchResult
    from mfgkb.index.reads import Stats
    from mfgkb.models import Article
    from mfgkb.results import (
        ArticleList,
        CheckReport,
        ImportReport,
        Saved,
        TopicList,
        TopicPage,
    )

KIND_STYLE = {"topic": "bold magenta", "article": "cyan"}


def emit(result: object, *, pager: bool = False) -> None:
    """Show ``result`` to a person: a page on stdout, or a status line on stderr."""
    kind = type(result).__name__
    if kind == "Saved":
        saved(result)  # type: ignore[arg-type]
    elif kind == "Notice":
        message(result.text)  # type: ignore[attr-defined]
    else:
        show(_VIEWS[kind](result), pager=pager)


def saved(result: Saved) -> None:
    """A new article's id on stdout (for scripts), and a sentence on stderr."""
    record = result.record
    verb = "Added" if result.added else "Updated"
    if isinstance(record, Topic):
        message(f"{verb} topic {record.slug}.")
        return
    if result.added:
        sys.stdout.write(f"{record.id}\n")
    message(f"{verb} article {record.id}.")


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
    if page.referenced_by:  # the other way round: the topics whose related list names this one
        from rich.padding import Padding

        names = lit(", ".join(slug for slug, _ in page.referenced_by), "magenta")
        blocks += [Text("Referenced by", style="bold underline"), Padding(names, (0, 0, 1, 2))]

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


def topics_table(topics: TopicList) -> RenderableType:
    rows = topics.rows
    from rich.table import Table

    table = Table(header_style="bold", box=None, padding=(0, 2))
    table.add_column("slug", style="magenta", no_wrap=True)
    table.add_column("articles", justify="right")
    table.add_column("title", overflow="fold", ratio=1)
    table.add_column("also known as", style="dim", overflow="fold", ratio=1)
    for topic, n in rows:
        table.add_row(lit(topic.slug), f"{n:,}", lit(topic.title), lit(", ".join(topic.aliases)))
    return table


# From this many rows on, the article table is laid out by ``_LongTable``.
LONG_TABLE = 100


def articles_table(listing: ArticleList) -> RenderableType:
    articles, total = listing.articles, listing.total
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
        body = LongTable(table, rows)
    else:
        for cells in rows:
            table.add_row(*cells)
        body = table
    if total > len(articles):
        note = Text(f"Showing {len(articles):,} of {total:,}; use --limit to see more.", "dim")
        return Group(body, note)
    return body


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


def import_report(report: ImportReport, shown: int = 5) -> RenderableType:
    verb = "Would import" if report.dry_run else "Imported"
    lines: list[RenderableType] = [
        Text.assemble(
            (f"{verb} {count(len(report.added), 'article')}", "bold green"),
            f"; skipped {count(len(report.duplicates), 'duplicate')} and "
            f"{count(len(report.invalid), 'invalid row')}.",
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


def check_report(report: CheckReport) -> RenderableType:
    path = report.path
    lines: list[RenderableType] = []
    if not report.problems:
        return Text.assemble(
            ("No problems found", "bold green"),
            f" in {path} ({count(report.topics, 'topic')}, {count(report.articles, 'article')}).",
        )
    lines.append(Text(f"{count(len(report.problems), 'problem')} in {path}:", style="bold"))
    for p in report.problems:
        mark = Text("  fixable " if p.fixable else "          ", style="yellow")
        lines.append(mark + lit(p.where, "bold") + Text(": ") + lit(p.message))
    if report.fixed:
        lines.append(
            Text(
                f"Repaired {count(report.fixed, 'record')}; the previous file is kept as a backup.",
                style="green",
            )
        )
    if report.remaining:
        fixable = sum(p.fixable for p in report.remaining)
        hint = " Run mfgkb check --fix to repair the fixable ones." if fixable else ""
        lines.append(
            Text(
                f"{count(len(report.remaining), 'problem')} "
                f"{'remains' if len(report.remaining) == 1 else 'remain'}.{hint}",
                style="bold red",
            )
        )
    else:
        lines.append(Text("All problems are repaired.", style="bold green"))
    return Group(*lines)


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


# By the result's class name, so that neither this module nor the fast path of
# search needs to import every result's module to tell them apart.
_VIEWS: dict[str, Callable[[Any], RenderableType]] = {
    "TopicPage": topic_page,
    "TopicList": topics_table,
    "ArticleList": articles_table,
    "Article": article_detail,
    "SearchResult": search_results,
    "Stats": stats_view,
    "ImportReport": import_report,
    "CheckReport": check_report,
}


# The views of the topic life cycle and of the counts live in views/topic_life.py,
# loaded only when one of them is shown (this module stays under 600 lines).
def _in_topic_life(name: str) -> Callable[[Any], RenderableType]:
    def view(result: Any) -> RenderableType:
        from mfgkb.views import topic_life

        return getattr(topic_life, name)(result)  # type: ignore[no-any-return]

    return view


_VIEWS.update(
    {
        "TopicRename": _in_topic_life("renamed"),
        "TopicMerge": _in_topic_life("merged"),
        "TopicRemoval": _in_topic_life("removed"),
        "TallyList": _in_topic_life("tallies"),
    }
)
