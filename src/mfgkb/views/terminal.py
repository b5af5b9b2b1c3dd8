"""The terminal itself, for people: consoles, literal text, the pager, status lines, progress.

The only place a Rich ``Console`` is made. Text from the database goes through
:func:`lit`: it is never parsed as Rich markup, and control characters
(terminal escape sequences, bidi overrides) are shown escaped, so a title like
``[bold red]x[/]`` or one holding ESC prints as the characters it holds. Colour
follows Rich's rules: none when the output is not a terminal or NO_COLOR is set.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterable, Iterator

from rich.console import Console, RenderableType
from rich.segment import Segment
from rich.text import Text

from mfgkb.models import printable


def lit(text: str, style: str = "", *, multiline: bool = False) -> Text:
    """Literal text from the database: no markup, no escapes, no emoji codes."""
    return Text(printable(text, multiline=multiline), style=style)


_TRAILING_SPACES = re.compile(r" +$", re.MULTILINE)


class _Console(Console):
    """Rich's Console, with two answers of its own changed for a pipe."""

    def on_broken_pipe(self) -> None:
        # Rich answers a closed pipe (`mfgkb articles | head -1`) with
        # SystemExit(1). A reader that has seen enough is no error: raise the
        # BrokenPipeError itself, which the error edge (edge.Command) ends
        # silently with exit 0, as the JSON view does. quiet drops the rest.
        self.quiet = True
        raise BrokenPipeError

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        # A table or a rule is laid out to the full width, cells padded with
        # spaces. At a terminal they are invisible; in a pipe or a file they
        # are trailing spaces on every line (and diffs full of them): plain
        # output ends each line at its last character.
        text = super()._render_buffer(buffer)
        return text if self.is_terminal else _TRAILING_SPACES.sub("", text)


def console(*, stderr: bool = False) -> Console:
    """A console that prints text as given: no markup, emoji codes or highlighting."""
    return _Console(stderr=stderr, highlight=False, emoji=False, markup=False, soft_wrap=False)


def show(renderable: RenderableType, *, pager: bool = False) -> None:
    """Print ``renderable`` on stdout, through $PAGER when asked for at a terminal."""
    out = console()
    if pager and out.is_terminal:
        # Through $PAGER, only when asked for. The page is rendered at the
        # terminal's width, in colour: less shows colour escapes as text (and
        # counts them as width, so it wraps the lines again) unless told -R,
        # so -R is added to the user's LESS for the pager's run (as a word of
        # its own: pasted onto "--quit-if-one-screen" it made an unknown option).
        less = os.environ.get("LESS")
        os.environ["LESS"] = f"{less} -R" if less and less.strip() else "-R"
        try:
            with out.pager(styles=True):
                out.print(renderable)
        finally:
            if less is None:
                os.environ.pop("LESS", None)
            else:
                os.environ["LESS"] = less
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
