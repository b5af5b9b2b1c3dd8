"""Looking after the database: check (and repair), where it is, backup, restore."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from mfgkb import views
from mfgkb.cli.context import State, default_db, kb_of
from mfgkb.cli.options import JsonOpt, write_target
from mfgkb.edge import Exit
from mfgkb.errors import UsageError, ValidationError


def check(
    ctx: typer.Context,
    fix: Annotated[
        bool, typer.Option("--fix", help="Repair what can be repaired safely, after a backup.")
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """Verify the database: JSON, schema, ids, topic links, URLs, dates, index.

    Exits 0 when nothing is wrong (or everything was repaired), 1 otherwise.
    --fix removes links to missing topics, raises a too-low id counter, deletes
    temporary files left by interrupted writes and rebuilds a stale index.

    \b
    Example: mfgkb check --fix
    """
    report = kb_of(ctx).check(fix=fix)
    views.emit(report, json=json_)
    if report.remaining:
        raise typer.Exit(Exit.ERROR)


def where(ctx: typer.Context, json_: JsonOpt = False) -> None:
    """Show where the database is: its file, size, contents, index and backups.

    Follows a symbolic link to the file that is read and written, and says
    so. Creates nothing: for a database that does not exist yet it names the
    path the first command would create it at.

    \b
    Example: mfgkb where --json
    """
    state: State = ctx.find_root().obj
    given = state.db.expanduser() if state.db is not None else default_db()
    views.emit(kb_of(ctx).where(given), json=json_)


def backup(
    ctx: typer.Context,
    path: Annotated[
        str | None,  # not a Path: write_target needs the trailing slash a Path drops
        typer.Argument(
            help="File or folder to copy the database to; omit to list backups.",
            show_default=False,
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace PATH if it is an existing file.")
    ] = False,
    json_: JsonOpt = False,
) -> None:
    """Copy the database to PATH, or list the automatic backups.

    Before each change mfgkb keeps the previous file as DB.1, shifting older
    ones to DB.2 and on, up to $MFGKB_BACKUPS (default 10); the first backup
    of a day is also kept as DB.day-YYYY-MM-DD, for the newest
    $MFGKB_DAILY_BACKUPS days with changes (default 7). Without PATH, lists
    them with their times, sizes and article counts. An existing file is
    replaced only with --force; a copy into a folder gets a name of its own,
    made from the database's name and the time (for kb.json):

    \b
      kb-YYYYMMDD-HHMMSS.json

    \b
    Example: mfgkb backup ~/Documents/mfgkb-2025-11-25.json
    """
    kb = kb_of(ctx)
    if path is None:
        views.emit(kb.backup_list(), json=json_)
        return
    if json_:
        raise UsageError("--json goes with the list of backups, not with a copy; drop it.")
    dest = kb.backup_to(write_target(path), force=force)
    from mfgkb.results import Notice

    views.emit(Notice(f"Copied {kb.path} to {dest}."))


def restore(
    ctx: typer.Context,
    path: Annotated[
        Path,
        typer.Argument(help="A backup: DB.1, DB.day-YYYY-MM-DD, or a file made by backup."),
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace the database with a backup. The current file is kept as DB.1.

    \b
    Example: mfgkb restore ~/.local/share/mfgkb/kb.json.1
    """
    from mfgkb.cli import prompts  # only where a question may be asked

    kb = kb_of(ctx)

    def asked() -> bool:  # once the file is known to be restorable
        if not prompts.stdin_is_terminal():
            raise UsageError(f"Restoring from {path} needs confirmation; add --yes.")
        return prompts.confirm(f"Replace {kb.path} with {path}?")

    if not kb.restore_from(path.expanduser(), None if yes else asked):
        raise ValidationError(f"{kb.path} was not restored: not confirmed.")
    from mfgkb.results import Notice

    views.emit(Notice(f"Restored {kb.path} from {path}; the previous file is {kb.path}.1."))
