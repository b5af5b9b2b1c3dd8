"""The topic page's tables (key terms, figures), laid out for the width they get.

Side by side while every column can hold its longest word and the text
column stays readable; stacked (the term or label on its own line, the rest
indented under it) below that, so no word or slug is ever cut.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console, RenderableType
from rich.text import Text

from mfgkb.models import printable
from mfgkb.views.flow import GLUE, Flow, fit_widths, longest, longest_word
from mfgkb.views.terminal import lit

if TYPE_CHECKING:
    from mfgkb.models import Figure
    from mfgkb.results import TopicPage

# A definition narrower than this reads as a column of single words.
DEFINITION_ROOM = 30
# A term column wider than this leaves the definitions too little.
TERM_ROOM = 30


class KeyTerms:
    """Each key term and its definition; a term that is a topic shows ``→ slug`` under it."""

    def __init__(self, page: TopicPage) -> None:
        self.page = page

    def _terms(self) -> list[tuple[Text, Text]]:
        out = []
        for kt in self.page.topic.key_terms:
            term = lit(kt.term, "bold")
            if kt.topic and kt.topic in self.page.term_topics:
                term.append("\n→" + GLUE, style="dim")
                term.append(printable(kt.topic), style="magenta")
            out.append((term, lit(kt.definition)))
        return out

    def __rich_console__(self, console: Console, options: Any) -> Iterator[RenderableType]:
        from rich.table import Table

        width = options.max_width
        terms = self._terms()
        # "→ slug" is one word: the arrow is not left alone on a line.
        term_lines = [line for term, _ in terms for line in term.plain.split("\n")]
        arrows = [line for line in term_lines if line.startswith("→")]
        term_word = max(longest_word(term_lines), longest(arrows))
        definitions = [d.plain for _, d in terms]
        natural = [max(min(longest(term_lines), TERM_ROOM), term_word), longest(definitions)]
        minimum = [
            max(term_word, min(longest(term_lines), 12)),
            max(longest_word(definitions), min(longest(definitions), DEFINITION_ROOM)),
        ]
        widths = fit_widths(natural, minimum, width - 2)
        if widths is None:
            for term, definition in terms:
                yield Flow(term)
                yield Flow(definition, indent=4)
            return
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", width=widths[0], overflow="fold")
        grid.add_column(width=widths[1], overflow="fold")
        for term, definition in terms:
            # Rich would break at the glue: a plain space, in a column that holds the line.
            term.plain = term.plain.replace(GLUE, " ")
            grid.add_row(term, definition)
        yield grid


def figures(figs: Sequence[Figure]) -> RenderableType:
    from mfgkb.views.flow import ByWidth

    return ByWidth(lambda width: _figures(figs, width))


def _figures(figs: Sequence[Figure], width: int) -> RenderableType:
    from rich.console import Group
    from rich.table import Table

    # Year and source columns only when some figure has one.
    with_year = any(f.year for f in figs)
    with_source = any(f.source for f in figs)
    columns = [[f.label for f in figs] + ["figure"], [f.value for f in figs] + ["value"]]
    if with_year:
        columns.append([str(f.year or "") for f in figs] + ["year"])
    if with_source:
        columns.append([f.source or "" for f in figs] + ["source"])
    columns = [[printable(t) for t in texts] for texts in columns]  # as shown
    natural = [longest(texts) for texts in columns]
    minimum = [max(longest_word(texts), min(longest(texts), 12)) for texts in columns]
    # The value is what the reader came for: it keeps its width, the label wraps.
    minimum[1] = natural[1]
    widths = fit_widths(natural, minimum, width - 4 * len(columns))
    if widths is None:
        lines: list[RenderableType] = []
        for f in figs:
            lines.append(Flow(lit(f.label), indent=2, hang=2))
            value = Text.assemble(lit(f.value, "bold"))  # the style on the value only
            extra = [str(f.year)] if f.year else []
            extra += [printable(f.source)] if f.source else []
            if extra:
                value.append(f" ({', '.join(extra)})", style="dim")
            lines.append(Flow(value, indent=6))
        return Group(*lines)
    table = Table(box=None, padding=(0, 2), show_header=True, header_style="dim")
    headers = ["figure", "value"] + ["year"] * with_year + ["source"] * with_source
    for header, w in zip(headers, widths, strict=True):
        style = "bold" if header == "value" else ""
        table.add_column(header, width=w, overflow="fold", style=style)
    for f in figs:
        cells: list[RenderableType] = [lit(f.label), lit(f.value, "bold")]
        if with_year:
            cells.append(str(f.year or ""))
        if with_source:
            cells.append(lit(f.source or ""))
        table.add_row(*cells)
    return table


def key_terms(page: TopicPage) -> RenderableType:
    return KeyTerms(page)
