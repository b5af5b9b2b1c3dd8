"""What every command shares: the --db the user gave, and the knowledge base opened on it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from mfgkb.errors import db_is_a_directory, db_is_empty

if TYPE_CHECKING:
    from mfgkb.kb import KnowledgeBase

MAX_INT = 2**63 - 1  # SQLite's largest integer: ids and limits beyond it are typos


class State:
    """The root options, kept on the Click context for the command that runs."""

    def __init__(
        self, db: Path | None, *, db_from_env: bool = False, db_empty: bool = False
    ) -> None:
        self.db = db
        self.db_from_env = db_from_env  # the path is $MFGKB_DB's, not --db's
        # --db "": Click makes Path("") of it, which is ".", a folder; the
        # refusal must say the value was empty, not that "." is a directory.
        self.db_empty = db_empty
        self.kb: KnowledgeBase | None = None


def kb_of(ctx: typer.Context) -> KnowledgeBase:
    """The command's knowledge base, opened on first use (many errors need none)."""
    from mfgkb import edge
    from mfgkb.kb import KnowledgeBase

    state: State = ctx.find_root().obj
    if state.kb is None:
        if state.db_empty:
            raise db_is_empty()
        if state.db is not None:
            path = state.db.expanduser()
            if not path.name or path.is_dir():
                raise db_is_a_directory(
                    str(state.db), str(path / "kb.json"), from_env=state.db_from_env
                )
            state.kb = KnowledgeBase(path)
        else:
            state.kb = KnowledgeBase(default_db(), create_parents=True)
        edge.watch(state.kb)  # its warnings printed, and closed, at the edge
    return state.kb


def default_db() -> Path:
    """kb.json in the platform's user data folder (e.g. ~/.local/share/mfgkb)."""
    from platformdirs import user_data_path

    return user_data_path("mfgkb") / "kb.json"


def fail(message: str, code: int) -> NoReturn:
    """End with one line and ``code`` where no command runs yet (an eager option)."""
    from mfgkb import edge

    raise typer.Exit(edge.say(message, code))
