"""Questions at the terminal: a missing value, a yes/no, an edit in $EDITOR.

Not Click's prompts: they report Ctrl-D and Ctrl-C alike (as Abort), and the two
mean different things here. Ctrl-D is no answer (a missing value stays
missing, a question is answered No); Ctrl-C stops the command, after ending the
question's line so that the edge's one line (mfgkb.edge) starts on its own.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from typing import TypeVar

from mfgkb import interrupts
from mfgkb.edge import OutputError
from mfgkb.errors import DuplicateError, MfgkbError, UsageError, ValidationError
from mfgkb.models import printable


def prompt_missing(
    value: str | None, label: str, option: str, check: Callable[[str], object] | None = None
) -> str:
    """Ask at a terminal; elsewhere a missing required option is a usage error.

    An answer ``check`` refuses is not the end: the reason is shown and the
    question asked again (until end of input), so what was typed before stays.
    """
    if value is not None:
        return value
    if sys.stdin.isatty() and sys.stdout.isatty():
        while True:
            answer = ask(f"{label}: ")
            if answer is None:  # Ctrl-D: no answer, as if nothing had been typed
                break
            if check is None:
                return answer
            try:
                check(answer)
            except MfgkbError as err:
                sys.stderr.write(f"mfgkb: {printable(err.message)}\n")
                continue
            return answer
    example = _EXAMPLES.get(option, '"..."')
    raise UsageError(f"Missing {option}; give it on the command line, e.g. {option} {example}.")


# A real value for each option prompt_missing may ask for: the line shows one to copy.
_EXAMPLES = {"--title": '"Texas fab opens"', "--date": "2025-10-10"}


def ask(question: str) -> str | None:
    """One line typed at the terminal; None at the end of input (Ctrl-D).

    Not Click's prompt: it reports Ctrl-D and Ctrl-C alike, as Abort, and the
    two mean different things (no answer; stop). Ctrl-C raises
    KeyboardInterrupt, after ending the question's line so that the edge's one
    line starts on a line of its own.
    """
    try:
        # Not cut short by Ctrl-C: raised in the middle of flush, after the
        # bytes went out but before the buffer let go of them, it would have the
        # question written a second time at exit, on the same line.
        with interrupts.deferred():
            sys.stdout.write(question)
            sys.stdout.flush()
        return input()
    except EOFError:
        end_line()
        return None
    except KeyboardInterrupt:
        end_line()
        raise


def end_line() -> None:
    with contextlib.suppress(OSError, OutputError):
        sys.stdout.write("\n")
        sys.stdout.flush()


def confirm(question: str, *, default: bool = False) -> bool:
    """A yes/no question at the terminal; Ctrl-D (no answer) is No."""
    choices = "[Y/n]" if default else "[y/N]"
    while True:
        answer = ask(f"{question} {choices}: ")
        if answer is None:
            return False
        word = answer.strip().lower()
        if not word:
            return default
        if word in ("y", "yes", "n", "no"):
            return word.startswith("y")
        sys.stderr.write("mfgkb: Answer y (yes) or n (no).\n")


T = TypeVar("T")


def apply_edit(
    changes: dict[str, object],
    *,
    editor: bool,
    in_editor: Callable[[], T | None],
    directly: Callable[[dict[str, object]], T],
) -> T | None:
    """An edit-* command's change: its options, or (--editor) the editor, never both.

    None when the editor was closed with the record as it was.
    """
    if editor:
        if changes:
            raise UsageError("--editor edits every field; give it without other options.")
        return in_editor()
    if not changes:
        raise UsageError("Nothing to change; give at least one option, e.g. --title.")
    return directly(changes)


def stdin_is_terminal() -> bool:
    """Can a question be answered? (A function, so tests can say yes.)"""
    return sys.stdin.isatty()


def edit_in_editor(text: str, save: Callable[[str], T]) -> T | None:
    """Open ``text`` in $EDITOR until ``save`` accepts it; None if left unchanged.

    A rejected edit is not thrown away: the error is shown and the edited text
    opens again; declining keeps it in a file whose path is printed.
    """
    from mfgkb import views
    from mfgkb.editing import run_editor

    shown = text
    while True:
        # Closed without saving: what it showed stands, which after a
        # rejected edit is that edit, not the record.
        edited = run_editor(shown)
        if edited is None:
            edited = shown
        if edited == text:  # the record as it is
            views.notice("No changes.")
            return None
        try:
            return save(edited)
        except MfgkbError as err:
            sys.stderr.write(f"mfgkb: {printable(err.message)}\n")
            # A record changed meanwhile cannot be fixed by editing again.
            retry = not isinstance(err, DuplicateError) and stdin_is_terminal()
            if retry and confirm("Edit it again?", default=True):
                shown = edited
                continue
            import tempfile

            with tempfile.NamedTemporaryFile(
                "w", suffix=".md", prefix="mfgkb-edit-", delete=False, encoding="utf-8"
            ) as kept:
                kept.write(edited)
            raise ValidationError(f"Nothing was saved; your edit is kept in {kept.name}.") from None
