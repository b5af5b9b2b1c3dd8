"""The human view: every result as Rich renderables, for people at a terminal.

One function per kind of result (see ``_VIEWS``); :func:`emit` picks it. Rich is
imported by the human views only (this module and the layouts it uses:
``terminal``, ``flow``, ``page``, ``listings``, ``longtable``, ``topic_life``);
the JSON view loads none of it. Text from the database always goes through
``lit`` (literal, control characters escaped).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Group, RenderableType
from rich.constrain import Constrain
from rich.text import Text

from mfgkb.models import Topic, count, printable
from mfgkb.views.flow import GLUE, MEASURE, ByWidth, Flow, cells
from mfgkb.views.terminal import lit, message, show

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


# The results whose view takes a layout (--format): auto, compact or table.
_WITH_LAYOUT = ("ArticleList", "TopicList")


def emit(result: object, *, pager: bool = False, layout: str = "auto") -> None:
    """Show ``result`` to a person: a page on stdout, or a status line on stderr."""
    kind = type(result).__name__
    if kind == "Saved":
        saved(result)  # type: ignore[arg-type]
    elif kind == "Notice":
        message(result.text)  # type: ignore[attr-defined]
    elif kind in _WITH_LAYOUT:
        with_layout: Callable[[Any, str], RenderableType] = _VIEWS[kind]  # type: ignore[assignment]
        show(with_layout(result, layout), pager=pager)
    else:
        show(_view_of(kind)(result), pager=pager)


def saved(result: Saved) -> None:
    """A new article's id on stdout (for scripts), and a sentence on stderr."""
    record = result.record
    if not result.changed:  # an edit with the values it had: nothing was written
        what = f"Topic {record.slug}" if isinstance(record, Topic) else f"Article {record.id}"
        message(f"{what} is unchanged: it has those values already.")
        return
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

    from mfgkb.views.page import figures, key_terms

    t = page.topic
    page_title = lit(t.title, "bold")

    def heading(width: int) -> RenderableType:
        # A title too long for the rule would be cut short ("…"): above it instead.
        if cells(page_title.plain) + 4 <= width:
            return Rule(page_title, style="magenta")
        return Group(Flow(page_title), Rule(style="magenta"))

    blocks: list[RenderableType] = [ByWidth(heading)]
    header = Text.assemble(("slug" + GLUE, "dim"), lit(t.slug, "magenta"))
    if t.aliases:
        header.append("   also known as ", style="dim")
        header.append_text(lit(", ".join(t.aliases), "italic"))
    blocks += [Flow(header, hang=2), Text()]
    if t.summary:
        # Markdown, but with links shown as text: a summary is not a place for
        # clickable file:// or javascript: targets.
        blocks += [Markdown(printable(t.summary, multiline=True), hyperlinks=False), Text()]

    if t.key_terms:
        blocks += [Text("Key terms", style="bold underline"), key_terms(page), Text()]

    if t.figures:
        blocks += [Text("Figures", style="bold underline"), figures(t.figures), Text()]

    if page.related:
        blocks.append(Text("Related topics", style="bold underline"))
        for slug, title in page.related:
            line = Text("• ")
            line.append(printable(slug), style="magenta")
            if title is not None:
                line.append("  ")
                line.append_text(lit(title))
            else:
                line.append("  (missing topic)", style="red")
            blocks.append(Flow(line, indent=2, hang=2))
        blocks.append(Text())
    # The other way round: topics whose related list names this one. Those it
    # lists as related too are in the list above already (JSON has them all).
    listed = {slug for slug, _ in page.related}
    back = [(slug, title) for slug, title in page.referenced_by if slug not in listed]
    if back:
        blocks.append(Text("Referenced by", style="bold underline"))
        for slug, title in back:
            line = Text("• ")
            line.append(printable(slug), style="magenta")
            line.append("  ")
            line.append_text(lit(title))
            blocks.append(Flow(line, indent=2, hang=2))
        blocks.append(Text())

    total = page.total_articles
    blocks.append(Text(f"Articles ({total:,})", style="bold underline"))
    if not page.articles:
        blocks.append(
            Flow(
                Text(f"No articles yet. Add one with: mfgkb add-article --topic {t.slug}", "dim"),
                indent=2,
            )
        )
    for a in page.articles:
        blocks.append(_article_entry(a))
    if total > len(page.articles):
        blocks.append(
            Flow(
                Text(
                    f"… {total - len(page.articles):,} more: mfgkb articles --topic {t.slug}",
                    style="dim",
                ),
                indent=2,
            )
        )
    # At most MEASURE columns: a page is read, and long lines are hard to read.
    return Constrain(Group(*blocks), MEASURE)


def _article_entry(a: Article) -> RenderableType:
    # Glued: "#N" stays on the line of the title's last word, never on one of its own.
    head = Text.assemble(lit(a.title, "bold"), (f"{GLUE * 2}#{a.id}", "dim"))
    lines: list[RenderableType] = [Flow(head, indent=2), Flow(_byline(a), indent=2)]
    if a.description:
        lines.append(Flow(lit(a.description), indent=2))
    return Group(*lines, Text())


def topics_table(topics: TopicList, layout: str = "auto") -> RenderableType:
    """Every topic with its article count: a table where it fits, else two lines each."""
    from mfgkb.views.listings import topics_view

    rows = topics.rows
    return ByWidth(lambda width: topics_view(rows, width, layout))


def articles_table(listing: ArticleList, layout: str = "auto") -> RenderableType:
    """The chosen articles: a table where it fits, else two lines each (see views.listings)."""
    from mfgkb.views.listings import articles_view

    articles, total = listing.articles, listing.total
    if not articles:
        return Text("No articles match.", style="dim")
    body = ByWidth(lambda width: articles_view(articles, width, layout))
    if total > len(articles):
        from mfgkb.models import showing

        note = Text(showing(len(articles), total, "article"), "dim")
        return Group(body, Flow(note))
    return body


def article_detail(a: Article) -> RenderableType:
    from rich.table import Table

    def grid(measure: int | None = None) -> Table:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="dim", no_wrap=True, width=len("description"))
        table.add_column(overflow="fold", max_width=measure)
        return table

    fields = grid()
    rows: list[tuple[str, RenderableType]] = [
        ("id", Text(str(a.id))),
        ("title", lit(a.title, "bold")),
        ("authors", lit(_authors(a.authors))),
        ("published", Text(a.published.isoformat(), "green")),
        ("added", lit(a.added)),
        ("source", lit(a.source, "yellow")),
    ]
    for label, value in rows:
        fields.add_row(label, value)
    after = grid()
    # A cell of its own breaker: a slug is cut only when longer than the column.
    after.add_row("topics", Flow(lit(", ".join(a.topics), "magenta")))
    after.add_row("tags", lit(", ".join(a.tags)))
    # The description is prose, at a readable measure; the fields above keep
    # their lines (a URL is not cut where it fits).
    description = grid(MEASURE - len("description") - 2)
    description.add_row("description", lit(a.description, multiline=True))
    return Group(fields, ByWidth(lambda width: _url_row(a.url or "", width)), after, description)


def _url_row(url: str, width: int) -> RenderableType:
    """The url field: in the value column where it fits, else on a line of its own below
    its label, the whole width (broken after a '/', '?', '&' or '-' only if longer still).
    """
    from rich.table import Table

    label = len("description") + 2
    if cells(url) <= width - label:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="dim", no_wrap=True, width=len("description"))
        table.add_column(overflow="fold")
        table.add_row("url", lit(url))
        return table
    return Group(Text("url", style="dim"), Flow(lit(url)))


def search_results(result: SearchResult) -> RenderableType:
    if not result.hits:
        msg = Text("No results.", style="bold")
        if result.suggestions:
            msg.append(" Did you mean: ", style="")
            msg.append(", ".join(result.suggestions), style="bold cyan")
            msg.append("?")
        return msg
    blocks: list[RenderableType] = []
    for n, hit in enumerate(result.hits, 1):
        head = Text(f"{n:>2}. ", style="dim")
        head.append_text(lit(hit.title, "bold"))
        head.append("  ")
        head.append(hit.kind, style=KIND_STYLE[hit.kind])
        # Glued: the kind and its slug or id stay on one line.
        ref = printable(hit.ref) if hit.kind == "topic" else "#" + hit.ref
        head.append(GLUE + ref, style="dim")
        body: list[RenderableType] = []
        if hit.kind == "article":
            meta = Text(hit.published or "", style="green")
            if hit.authors:
                meta.append(" · ")
                meta.append_text(lit(_authors(hit.authors), "italic"))
            if hit.source:
                meta.append(" · ")
                meta.append_text(lit(hit.source, "yellow"))
            body.append(Flow(meta, indent=4))
        snippet = Text(f"{hit.field}: ", style="dim")
        # Escape each piece separately: escaping changes lengths, which would
        # shift highlight offsets computed on the raw snippet.
        pos = 0
        for start, end in hit.spans:
            snippet.append(printable(hit.snippet[pos:start]))
            snippet.append(printable(hit.snippet[start:end]), style="bold reverse")
            pos = end
        snippet.append(printable(hit.snippet[pos:]))
        body.append(Flow(snippet, indent=4))
        if not hit.matched_all:
            body.append(Flow(Text("(has only some of the words)", style="dim italic"), indent=4))
        blocks += [Flow(head, hang=4), *body, Text()]
    # Snippets are prose: at most MEASURE columns, however wide the terminal.
    return Constrain(Group(*blocks), MEASURE)


def import_report(report: ImportReport, shown: int = 5) -> RenderableType:
    verb = "Would import" if report.dry_run else "Imported"
    lines: list[RenderableType] = [
        Text.assemble(
            (f"{verb} {count(len(report.added), 'article')}", "bold green"),
            f"; skipped {count(len(report.duplicates), 'duplicate')} and "
            f"{count(len(report.invalid), 'invalid row')}.",
        )
    ]
    for label, items in (("Duplicate", report.duplicates), ("Invalid row", report.invalid)):
        if items:
            # "Duplicates (first 5):" when some are left out, else just what they are.
            head = f"{label}s" if len(items) > 1 else label
            if len(items) > shown:
                head += f" (first {shown:,} of {len(items):,})"
            lines.append(Text(f"{head}:", style="bold"))
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
        done = "The problem is" if len(report.problems) == 1 else "All problems are"
        lines.append(Text(f"{done} repaired.", style="bold green"))
    return Group(*lines)


def _bars(title: str, rows: Sequence[tuple[str, int]], width: int = 40) -> RenderableType:
    """A horizontal bar chart (views.listings.Bars): bars at most ``width`` columns."""
    from mfgkb.views.listings import Bars

    return Bars(title, rows, longest=width)


def stats_view(stats: Stats) -> RenderableType:
    if not stats.articles:
        # No figure to chart; "0 articles · 0 topics" would say nothing more.
        return Text("No articles to count." if stats.all_topics else "No topics or articles yet.")

    # A number stays on a line with its noun (GLUE), "3 of 9 topics" on one line.
    def figure(n: int, noun: str) -> Text:
        number, _, noun = count(n, noun).partition(" ")
        return Text.assemble((number, "bold"), f"{GLUE}{noun}")

    # "in 3 of 9 topics": the topics the articles are linked to, of them all.
    topics = Text.assemble(
        " in ", (f"{stats.topics:,}", "bold"), f"{GLUE}of{GLUE}{stats.all_topics:,}{GLUE}topic"
    )
    if stats.all_topics != 1:
        topics.append("s")
    summary = Text.assemble(
        figure(stats.articles, "article"),
        topics,
        " · ",
        figure(stats.authors, "author"),
        " · ",
        figure(stats.tags, "tag"),
    )
    blocks: list[RenderableType] = [Flow(summary), Text()]
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


# Views in modules of their own (this one stays under 600 lines), by
# "module:function" in mfgkb.views: a module is loaded when one of its views is shown.
_ELSEWHERE = {
    "TopicRename": "topic_life:renamed",
    "TopicMerge": "topic_life:merged",
    "TopicRemoval": "topic_life:removed",
    "TallyList": "topic_life:tallies",
    "BackupList": "care:backups_page",
    "Whereabouts": "care:where_page",
}


def _view_of(kind: str) -> Callable[[Any], RenderableType]:
    if kind in _VIEWS:
        return _VIEWS[kind]
    module, _, function = _ELSEWHERE[kind].partition(":")
    import importlib

    return getattr(importlib.import_module(f"mfgkb.views.{module}"), function)  # type: ignore[no-any-return]
