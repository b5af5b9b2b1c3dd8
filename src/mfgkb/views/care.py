"""The human views of ``where`` and of the backup list (their JSON is in ``views.json``).

``views.human`` shows them through its table of views, loading this module
only when one of them is shown. Paths go through ``lit``: a file name may
hold any character, and none reaches the terminal raw.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from mfgkb.models import file_size

if TYPE_CHECKING:
    from rich.console import RenderableType
    from rich.table import Table
    from rich.text import Text

    from mfgkb.results import BackupInfo, BackupList, Whereabouts


def _local_time(seconds: float) -> str:
    return datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M:%S")


# -- people --------------------------------------------------------------------------


def _backups(backups: list[BackupInfo]) -> RenderableType:
    """A table when every path fits on one line beside the other columns, else two lines each."""
    from mfgkb.views.flow import ByWidth

    needed = _table_width(backups)
    return ByWidth(
        lambda width: _backups_table(backups) if needed <= width else _backups_list(backups)
    )


def _table_width(backups: list[BackupInfo]) -> int:
    """Columns the table takes with no cell cut: each column's widest cell, and its padding.

    A row reads "kb.json.1  rolling  2026-12-03 06:42:16  191.6 KiB  301": the
    sizes ("512 B" to "1023.9 MiB") and the articles column (a count, or a
    problem) vary, so they are measured, as the paths are (through ``lit``,
    which may escape characters). Rich would otherwise squeeze a column and cut
    its cells ("articl…", "06:42:…") rather than wrap them.
    """
    from mfgkb.views.flow import cells
    from mfgkb.views.terminal import lit

    columns = [
        ["backup", *(lit(str(b.path)).plain for b in backups)],
        ["kind", *(b.kind for b in backups)],
        ["saved", _local_time(0)],
        ["size", *(file_size(b.size) for b in backups)],
        ["articles", *(_held_in_table(b) for b in backups)],
    ]
    # padding=(0, 1): a space on each side of every cell.
    return sum(max(map(cells, column)) + 2 for column in columns)


def _held_in_table(b: BackupInfo) -> str:
    return f"{b.articles:,}" if b.articles is not None else b.problem or "?"


def _held(b: BackupInfo) -> Text:
    from rich.text import Text

    if b.articles is None:
        return Text(b.problem or "?", "red")
    from mfgkb.models import count
    from mfgkb.views.flow import GLUE

    # The number stays on a line with its noun; the saved time with its date.
    return Text(count(b.articles, "article").replace(" ", GLUE))


def _backups_list(backups: list[BackupInfo]) -> RenderableType:
    """Per backup: its path (wrapped, never dropped), then kind · saved · size · articles."""
    from rich.console import Group
    from rich.text import Text

    from mfgkb.views.flow import GLUE, Flow
    from mfgkb.views.terminal import lit

    lines: list[RenderableType] = []
    for b in backups:
        lines.append(Flow(lit(str(b.path)), indent=1, hang=2))
        meta = Text.assemble(
            b.kind,
            " · ",
            (_local_time(b.saved).replace(" ", GLUE), "green"),
            " · ",
            file_size(b.size).replace(" ", GLUE),
            " · ",
        )
        meta.append_text(_held(b))
        lines.append(Flow(meta, indent=3))
    return Group(*lines)


def _backups_table(backups: list[BackupInfo]) -> Table:
    from rich.table import Table
    from rich.text import Text

    from mfgkb.views.terminal import lit

    table = Table(header_style="bold", box=None, padding=(0, 1))
    table.add_column("backup", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("saved", style="green", no_wrap=True)
    table.add_column("size", justify="right", no_wrap=True)
    table.add_column("articles", justify="right", no_wrap=True)
    for b in backups:
        held = Text(_held_in_table(b), "red" if b.articles is None else "")
        table.add_row(lit(str(b.path)), b.kind, _local_time(b.saved), file_size(b.size), held)
    return table


def backups_page(listing: BackupList) -> RenderableType:
    from rich.console import Group
    from rich.text import Text

    if not listing.backups:
        return Text("No automatic backups yet: one is kept before each change.", style="dim")
    return Group(
        _summary(listing.backups),
        _backups(listing.backups),
        Text("Restore one with: mfgkb restore PATH", style="dim"),
    )


def _summary(backups: list[BackupInfo]) -> Text:
    """The heading of a backup list, the same in ``where`` and ``backup``."""
    from rich.text import Text

    daily = sum(b.kind == "daily" for b in backups)
    return Text(f"Backups: {len(backups) - daily} rolling, {daily} daily", style="bold")


def where_page(w: Whereabouts) -> RenderableType:
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    from mfgkb.views.terminal import lit

    facts = Table(box=None, show_header=False, padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column(overflow="fold")
    database = lit(str(w.path))
    if w.is_link or w.real_path != w.path:
        database.append(Text(" → ", style="dim")).append(lit(str(w.real_path)))
        if w.is_link:
            database.append(Text(" (a symbolic link)", style="dim"))
    facts.add_row("database", database)
    if not w.exists and not w.folder_exists:
        from mfgkb.views.flow import GLUE, Flow

        folder = lit(str(w.path.parent)).plain
        # The command to run stays on one line with its path, where it fits:
        # "(mkdir -p" at the end of one line and the path on the next reads as two things.
        command = GLUE.join(("mkdir", "-p", folder))
        missing = f"its folder {folder} does not exist; create it ({command})"
        facts.add_row("", Flow(Text(missing, "yellow")))
    elif not w.exists:
        facts.add_row(
            "", Text("does not exist yet: the first command creates it here", style="yellow")
        )
    else:
        assert w.size is not None
        facts.add_row("size", f"{file_size(w.size)} ({w.size:,} bytes)")
        if w.problem is not None:
            facts.add_row("problem", lit(w.problem, "red"))
        elif w.articles is not None and w.topics is not None:
            from mfgkb.models import count

            facts.add_row("holds", f"{count(w.articles, 'article')} · {count(w.topics, 'topic')}")
    state = {"current": "green", "out of date": "yellow", "missing": "dim"}[w.index_state]
    index = lit(str(w.index_path)).append(Text(f"  {w.index_state}", style=state))
    facts.add_row("index", index)
    blocks: list[RenderableType] = [facts, Text()]
    if w.backups:
        blocks += [_summary(w.backups), _backups(w.backups)]
    else:
        blocks.append(Text("No automatic backups yet: one is kept before each change.", "dim"))
    return Group(*blocks)
