"""Text laid out for the width it gets: lines broken between words, never inside one.

Rich breaks a line at spaces, but a table squeezes its columns until words and
slugs are cut anywhere (``advanced-manuf``/``acturing``). The listings here
therefore choose column widths themselves (:func:`fit_widths`: no column below
its longest word) and fall back to a stacked layout when that cannot fit, and
flowing text goes through :class:`Flow`, which breaks a word only when it is
longer than the whole line (a 64-character slug at 50 columns), and then after
a hyphen (or a URL's '/', '?', '&') where it can.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.segment import Segment
from rich.text import Text

# Prose (summaries, descriptions, snippets) is kept to this many columns on a
# wide terminal: lines much longer than this are hard to read.
MEASURE = 100

# A word, with a " ·" separator after it kept on its line: a line starts with
# an item, never with the dot between two. GLUE (a no-break space) joins words
# that stay on one line ("also known as"); it is printed as a space.
GLUE = "\u00a0"
_WORD = re.compile(r"(?:\S|\u00a0)+(?: ·(?!\S))?")
# Where a word too long for its line may be cut: after these (slugs, URLs).
_JOINER = re.compile(r"[-/?&]+")


def cells(text: str) -> int:
    """Columns ``text`` takes (printable ASCII is one a character)."""
    return len(text) if text.isascii() else cell_len(text)


def longest_word(texts: Sequence[str]) -> int:
    """Columns of the longest word in any of ``texts`` (0 for none)."""
    return max((cells(w) for t in texts for w in t.split()), default=0)


def longest(texts: Sequence[str]) -> int:
    return max((cells(t) for t in texts), default=0)


def _pieces(word: str, start: int, width: int, rest: int | None = None) -> list[tuple[int, int]]:
    """A word longer than ``width`` as spans that fit: cut after - / ? &, else anywhere.

    (After the characters that join a slug's words or a URL's parts, so that
    each line ends where a reader expects a part to end.)

    The first span fits ``width``, the others ``rest`` (the lines after a
    line's first are narrower by the hang); each is at least one character.
    """
    spans: list[tuple[int, int]] = []
    a = 0
    while True:
        room = width if not spans else (rest or width)
        if cells(word[a:]) <= room:
            break
        b = a
        # As many parts ending in a joiner as fit, else as many characters as fit.
        for m in _JOINER.finditer(word[a:]):
            end = a + m.end()
            if cells(word[a:end]) <= room:
                b = end
            else:
                break
        if b == a:
            b = a + 1
            while b < len(word) and cells(word[a : b + 1]) <= room:
                b += 1
        spans.append((start + a, start + b))
        a = b
    spans.append((start + a, start + len(word)))
    return spans


def line_spans(plain: str, width: int, hang: int = 0) -> list[tuple[int, int]]:
    """Where each line of ``plain`` starts and ends at ``width`` columns.

    Lines after the first (and after each line break in ``plain``) are
    ``hang`` columns narrower: they are indented by that much. Breaks fall
    between words; the spaces at a break are dropped.
    """
    width = max(width, 1)
    spans: list[tuple[int, int]] = []
    pos = 0
    for para in plain.split("\n"):
        room = width if not spans else max(width - hang, 1)
        start = end = -1
        used = 0
        for m in _WORD.finditer(para):
            a, b = pos + m.start(), pos + m.end()
            if start < 0 and (not spans or plain[pos - 1 : pos] == "\n"):
                a = pos  # a paragraph's own indent (a column of ids, say) is kept
            w = cells(plain[a:b])
            gap = cells(plain[end:a]) if start >= 0 else 0
            if start >= 0 and used + gap + w <= room:
                end, used = b, used + gap + w
                continue
            if start >= 0:
                spans.append((start, end))
                room = max(width - hang, 1)
            if w <= room:
                start, end, used = a, b, w
                continue
            parts = _pieces(plain[a:b], a, room, max(width - hang, 1))
            spans.extend(parts[:-1])
            room = max(width - hang, 1)
            start, end = parts[-1]
            used = cells(plain[start:end])
        if start >= 0:
            spans.append((start, end))
        elif not para.strip() and (spans or pos):
            spans.append((pos, pos))  # a blank line in the text stays blank
        pos += len(para) + 1
    return spans or [(0, 0)]


def wrap(text: Text, width: int, hang: int = 0) -> list[Text]:
    """``text`` as lines of at most ``width`` columns (see :func:`line_spans`)."""
    plain = text.plain
    spans = line_spans(plain, width, hang)
    if GLUE in plain:
        text = text.copy()
        text.plain = plain = plain.replace(GLUE, " ")
    if not text.spans and not text.style:
        return [Text(plain[a:b]) for a, b in spans]
    return [text[a:b] for a, b in spans]


class Flow:
    """Text in lines broken between words, indented by ``indent``, later lines also by ``hang``."""

    def __init__(self, text: Text, *, indent: int = 0, hang: int = 0) -> None:
        self.text = text
        self.indent = indent
        self.hang = hang

    def __rich_console__(self, console: Console, options: Any) -> Iterator[Segment]:
        width = options.max_width - self.indent
        yield from flow_segments(console, self.text, width, self.indent, self.hang)

    def __rich_measure__(self, console: Console, options: Any) -> Any:
        # In a table cell: at least the longest word, at most the whole text on one line.
        from rich.measure import Measurement

        lines = self.text.plain.split("\n")
        pad = self.indent + self.hang
        return Measurement(longest_word(lines) + pad, longest(lines) + pad).clamp(
            max_width=options.max_width
        )


def flow_segments(
    console: Console, text: Text, width: int, indent: int = 0, hang: int = 0
) -> Iterator[Segment]:
    """The segments of ``text`` wrapped (see :class:`Flow`), each line ending in a newline."""
    plain_only = console.color_system is None
    newline = Segment.line()
    for n, line in enumerate(wrap(text, width, hang)):
        pad = " " * (indent + (hang if n else 0))
        if plain_only:
            yield Segment(pad + line.plain)
        else:
            if pad:
                yield Segment(pad)
            yield from line.render(console, end="")
        yield newline


def fit_widths(natural: Sequence[int], minimum: Sequence[int], room: int) -> list[int] | None:
    """Column widths within ``room``: each at most its natural width and at least its minimum.

    The widest columns give way first (as Rich's tables do), but never below
    their minimum (their longest word); None when even the minimums do not fit.
    """
    widths = [max(n, m) for n, m in zip(natural, minimum, strict=True)]
    if sum(minimum) > room:
        return None
    excess = sum(widths) - room
    while excess > 0:
        i = max((i for i in range(len(widths)) if widths[i] > minimum[i]), key=lambda i: widths[i])
        widths[i] -= 1
        excess -= 1
    return widths


class ByWidth:
    """A renderable chosen when the width is known (at a terminal, in a pager, in a column)."""

    def __init__(self, choose: Callable[[int], RenderableType]) -> None:
        self.choose = choose

    def __rich_console__(self, console: Console, options: Any) -> Iterator[RenderableType]:
        yield self.choose(options.max_width)
