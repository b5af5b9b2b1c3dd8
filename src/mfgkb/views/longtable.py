"""A Rich table of thousands of rows, laid out as Rich would, in a fraction of the time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rich.console import Console
from rich.text import Text


class LongTable:
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

        columns = self.table.columns
        stand_in = _like(columns)

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
        header = _like(columns, widths)
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


def _like(columns: list[Any], widths: list[int] | None = None) -> Any:
    """An empty table with ``columns``' settings: by ratio, or at the ``widths`` found."""
    from rich.table import Table

    table = Table(header_style="bold", box=None, padding=(0, 1))
    for i, column in enumerate(columns):
        size: dict[str, Any]
        if widths:
            size = {"width": widths[i] - 2}
        else:  # a column of a fixed width keeps it, as in Rich's table
            size = {"width": column.width} if column.width else {"ratio": column.ratio}
        table.add_column(
            column.header,
            justify=column.justify,
            style=column.style,
            no_wrap=column.no_wrap,
            overflow=column.overflow,
            **size,
        )
    return table
