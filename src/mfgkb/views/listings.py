"""The listings (articles, topics) and bar charts (stats), each laid out for the width it gets.

A listing is a table where every column can be as wide as its longest word
(so nothing is cut) and the title keeps a readable width; below that it is
*compact*: a few lines per entry, the title on its own line, then the rest,
wrapped between words. ``--format compact|table`` chooses; ``auto`` picks
by width.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console, RenderableType
from rich.segment import Segment
from rich.text import Text

from mfgkb.models import printable
from mfgkb.views.flow import cells, fit_widths, flow_segments, longest, longest_word, wrap
from mfgkb.views.terminal import lit

if TYPE_CHECKING:
    from rich.table import Table

    from mfgkb.models import Article, Topic

# From this many rows on, the article table is laid out by ``LongTable``.
LONG_TABLE = 100
# ``auto`` shows a table from this many columns on, when its title column
# gets at least TITLE_ROOM of them (a narrower title column is a tall one).
TABLE_FROM = 120
TITLE_ROOM = 40
# In a table, a secondary column is wrapped beyond this many columns.
AUTHORS_ROOM, SOURCE_ROOM, TOPICS_ROOM = 30, 20, 30


def _joined(items: Sequence[str]) -> str:
    return ", ".join(items)


class Listing:
    """Entries of a few lines each: a head line (hanging under ``gutter``), then detail lines.

    Rendered at the width it is given, straight to segments: thousands of
    entries cost no table layout.
    """

    def __init__(self, entries: list[tuple[Text, list[Text]]], gutter: int) -> None:
        self.entries = entries
        self.gutter = gutter

    def __rich_console__(self, console: Console, options: Any) -> Iterator[Segment]:
        width = options.max_width
        g = self.gutter
        for head, details in self.entries:
            yield from flow_segments(console, head, width, 0, g)
            for detail in details:
                yield from flow_segments(console, detail, width - g, g, 0)


def _table(headers: list[tuple[str, dict[str, Any]]], widths: list[int]) -> Table:
    from rich.table import Table

    table = Table(header_style="bold", box=None, padding=(0, 1))
    for (header, settings), width in zip(headers, widths, strict=True):
        table.add_column(header, width=width, overflow="fold", **settings)
    return table


def _article_widths(articles: Sequence[Article], room: int) -> tuple[list[int], bool, bool] | None:
    """Widths of the article table's columns within ``room``, or None when it does not fit."""
    with_source = any(a.source for a in articles)
    with_topics = any(a.topics for a in articles)
    columns: list[tuple[list[str], int | None, int]] = [
        # (texts, cap on the natural width, least width of a readable column)
        ([str(a.id) for a in articles] + ["id"], None, 0),
        ([a.published.isoformat() for a in articles] + ["published"], None, 0),
        ([a.title for a in articles] + ["title"], None, TITLE_ROOM),
        ([_joined(a.authors) for a in articles] + ["authors"], AUTHORS_ROOM, 0),
    ]
    if with_source:
        columns.append(([a.source for a in articles] + ["source"], SOURCE_ROOM, 0))
    if with_topics:
        # A slug keeps its comma: "texas," then "chips-act" on the next line.
        columns.append(([_joined(a.topics) for a in articles] + ["topics"], TOPICS_ROOM, 0))
    natural, minimum = [], []
    for raw, cap, least in columns:
        texts = [printable(t) for t in raw]  # as shown: controls escaped
        word = longest_word(texts)
        whole = longest(texts)
        natural.append(max(word, min(whole, cap)) if cap else whole)
        minimum.append(max(word, min(whole, least)))
    widths = fit_widths(natural, minimum, room - 2 * len(columns))
    return (widths, with_source, with_topics) if widths else None


def articles_view(articles: Sequence[Article], width: int, layout: str = "auto") -> RenderableType:
    """The article listing: a table where it fits (see module), else compact."""
    if layout != "compact" and (layout == "table" or width >= TABLE_FROM):
        fit = _article_widths(articles, width)
        if fit is not None:
            return _articles_table(articles, *fit)
    return _articles_compact(articles)


def _articles_table(
    articles: Sequence[Article], widths: list[int], with_source: bool, with_topics: bool
) -> RenderableType:
    headers: list[tuple[str, dict[str, Any]]] = [
        ("id", {"justify": "right", "style": "dim"}),
        ("published", {"style": "green"}),
        ("title", {}),
        ("authors", {}),
    ]
    if with_source:
        headers.append(("source", {"style": "yellow"}))
    if with_topics:
        headers.append(("topics", {"style": "magenta"}))
    table = _table(headers, widths)
    rows: list[list[Text]] = []
    for a in articles:
        cells_ = [
            Text(str(a.id)),
            Text(a.published.isoformat()),
            lit(a.title),
            lit(_joined(a.authors)),
        ]
        if with_source:
            cells_.append(lit(a.source))
        if with_topics:
            cells_.append(lit(_joined(a.topics)))
        rows.append(cells_)
    if len(rows) >= LONG_TABLE:
        from mfgkb.views.longtable import LongTable  # only for thousands of rows

        return LongTable(table, rows)
    for row in rows:
        table.add_row(*row)
    return table


def _articles_compact(articles: Sequence[Article]) -> RenderableType:
    """Per article: the id and title, then date · authors · source · topics."""
    gutter = max(len(str(a.id)) for a in articles) + 2
    entries: list[tuple[Text, list[Text]]] = []
    for a in articles:
        # Styles on the parts, not the whole: a Text's own style is under every part.
        head = Text.assemble((f"{a.id:>{gutter - 2}}  ", "dim"), lit(a.title, "bold"))
        meta = Text.assemble((a.published.isoformat(), "green"))
        for value, style in (
            (_joined(a.authors), "italic"),
            (a.source, "yellow"),
            (_joined(a.topics), "magenta"),
        ):
            if value:
                meta.append(" · ")
                meta.append_text(lit(value, style))
        entries.append((head, [meta]))
    return Listing(entries, gutter)


def topics_view(
    rows: Sequence[tuple[Topic, int]], width: int, layout: str = "auto"
) -> RenderableType:
    """The topic listing: slug, count, title and aliases; a table where it fits."""
    if not rows:
        return Text("No topics yet. Add one with: mfgkb add-topic --title TITLE", style="dim")
    if layout != "compact":
        counts = [f"{n:,}" for _, n in rows]
        columns: list[tuple[list[str], int]] = [
            ([t.slug for t, _ in rows] + ["slug"], 0),
            ([*counts, "articles"], 0),
            ([t.title for t, _ in rows], 20),
            ([_joined(t.aliases) for t, _ in rows], 13),
        ]
        columns = [([printable(t) for t in texts], least) for texts, least in columns]
        natural = [longest(texts) for texts, _ in columns]
        # The headers are not broken either ("also known as" is one).
        natural[2], natural[3] = max(natural[2], 5), max(natural[3], 13)
        minimum = [max(longest_word(texts), min(longest(texts), least)) for texts, least in columns]
        minimum[0], minimum[3] = natural[0], max(minimum[3], 13)
        minimum[2] = max(minimum[2], 5)
        widths = fit_widths(natural, minimum, width - 2 * 4)
        if widths is not None and (layout == "table" or width >= 80):
            return _topics_table(rows, widths)
    return _topics_compact(rows)


def _topics_table(rows: Sequence[tuple[Topic, int]], widths: list[int]) -> RenderableType:
    table = _table(
        [
            ("slug", {"style": "magenta"}),
            ("articles", {"justify": "right"}),
            ("title", {}),
            ("also known as", {"style": "dim"}),
        ],
        widths,
    )
    for topic, n in rows:
        table.add_row(lit(topic.slug), f"{n:,}", lit(topic.title), lit(_joined(topic.aliases)))
    return table


def _topics_compact(rows: Sequence[tuple[Topic, int]]) -> RenderableType:
    """Per topic: the slug and its count, then the title and what else it is called."""
    from mfgkb.models import count

    entries: list[tuple[Text, list[Text]]] = []
    for topic, n in rows:
        head = Text.assemble(lit(topic.slug, "magenta"), (f"  {count(n, 'article')}", "dim"))
        line = Text.assemble(lit(topic.title, "bold"))
        if topic.aliases:
            line.append(" · also\u00a0known\u00a0as ", style="dim")
            line.append_text(lit(_joined(topic.aliases), "italic"))
        entries.append((head, [line]))
    return Listing(entries, 2)


class Bars:
    """A horizontal bar chart: label, bar scaled to the largest count and to the width, count.

    The bars take what the labels and counts leave, up to ``longest`` columns;
    the label column takes at most half the width (and 32 columns). A label with a word
    (a slug) too long for that column has a line of its own, its bar under it
    in line with the others; when the labels leave too little room for bars
    at all (a very narrow terminal), every label does.
    """

    def __init__(self, title: str, rows: Sequence[tuple[str, int]], longest: int = 40) -> None:
        self.title = title
        self.rows = rows
        self.longest = longest

    def __rich_console__(self, console: Console, options: Any) -> Iterator[Segment]:
        width = options.max_width
        labels = [lit(label, "magenta") for label, _ in self.rows]
        counts = [f"{n:,}" for _, n in self.rows]
        top = max((n for _, n in self.rows), default=0) or 1
        count_w = max(map(len, counts), default=1)
        label_w = min(longest([t.plain for t in labels]), 32, max(width // 2, 8))
        # " label bar count": a space before each.
        bar_w = min(self.longest, width - label_w - count_w - 3)
        stacked = bar_w < 10
        if stacked:
            bar_w = max(min(self.longest, width - count_w - 4), 1)
        yield from flow_segments(console, Text(self.title, style="bold"), width)
        bar_style = console.get_style("cyan")
        for label, n, shown in zip(labels, (n for _, n in self.rows), counts, strict=True):
            length = n * bar_w / top
            bar = "█" * int(length) + ("▌" if length - int(length) >= 0.5 else "")
            # A sliver for a count too small to show, so it is seen to be there;
            # none for no articles at all (a year without any), which is not.
            bar = (bar or ("▏" if n else "")).ljust(bar_w)
            own_line = stacked or longest_word([label.plain]) > label_w
            lines: list[Text] = []
            if own_line:
                yield from flow_segments(console, label, width - 1, 1, 0)
                first = [Text("  ")] if stacked else [Text(" " * (label_w + 2))]
            else:
                lines = wrap(label, label_w)
                first = [Text(" "), lines[0], Text(" " * (label_w - cells(lines[0].plain) + 1))]
            row = Text.assemble(*first, Text(bar, style=bar_style), f" {shown:>{count_w}}")
            yield from row.render(console, end="")
            yield Segment.line()
            if not own_line:
                for more in lines[1:]:
                    yield Segment(" ")
                    yield from more.render(console, end="")
                    yield Segment.line()
