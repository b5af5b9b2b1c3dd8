"""The automatic backups beside the database: their names, what is kept, pruning.

Before each change the file being replaced becomes ``<db>.1`` and older ones
shift to ``.2``, ``.3``, ... up to ``$MFGKB_BACKUPS`` (10 by default). The first
backup made on a day is also kept as ``<db>.day-YYYY-MM-DD``, for the newest
``$MFGKB_DAILY_BACKUPS`` days on which the database changed (7 by default):
ten quick edits cannot roll away the state a day began with. A daily backup
is a hard link to the rolling one, so it costs no space until they differ.

Only files with exactly these names, and regular files, count as backups:
pruning never touches anything else (``kb.json.bak``, a link, the index).
Knows nothing of what is inside the files.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import NamedTuple

from mfgkb.errors import DatabaseError


class BackupPolicy(NamedTuple):
    """How many backups a write keeps: rolling ``<db>.N`` and daily ``<db>.day-DATE``."""

    rolling: int = 10
    daily: int = 7


# Environment variable -> (field, lowest value allowed). At least one rolling
# backup: the newest is never given up. A thousand is plenty and keeps the
# renames of one write cheap.
_POLICY_ENV = {"MFGKB_BACKUPS": ("rolling", 1), "MFGKB_DAILY_BACKUPS": ("daily", 0)}
_MOST_BACKUPS = 1000


def backup_policy(environ: Mapping[str, str] | None = None) -> BackupPolicy:
    """The policy set by $MFGKB_BACKUPS and $MFGKB_DAILY_BACKUPS (unset or empty: the defaults).

    A value that is not a whole number in range is refused (DatabaseError)
    before anything is written.
    """
    env = os.environ if environ is None else environ
    policy = BackupPolicy()
    for name, (field, lowest) in _POLICY_ENV.items():
        text = env.get(name, "").strip()
        if not text:
            continue
        if not (text.isascii() and text.isdigit()) or not lowest <= int(text) <= _MOST_BACKUPS:
            default = getattr(BackupPolicy(), field)
            raise DatabaseError(
                f"{name} is '{text[:40]}', not a whole number from {lowest} to "
                f"{_MOST_BACKUPS}; nothing was changed. Set it to a number (default {default}) "
                f"or unset it."
            )
        policy = policy._replace(**{field: int(text)})
    return policy


def rolling_path(path: Path, n: int) -> Path:
    """The ``n``-th rolling backup of ``path`` (1 is the newest)."""
    return path.with_name(f"{path.name}.{n}")


def daily_path(path: Path, day: date) -> Path:
    """The daily backup of ``path`` for ``day``."""
    return path.with_name(f"{path.name}.day-{day.isoformat()}")


class Backup(NamedTuple):
    """A backup file mfgkb made: rolling (``n`` set) or daily (``day`` set)."""

    path: Path
    n: int | None = None
    day: date | None = None


_BACKUP_SUFFIX = re.compile(r"\.(?:([1-9][0-9]{0,5})|day-([0-9]{4}-[0-9]{2}-[0-9]{2}))")


def backups_of(path: Path) -> list[Backup]:
    """The backups of ``path`` on disk: rolling ones newest first, then daily ones newest first.

    Only names mfgkb gives (``<db>.N``, ``<db>.day-YYYY-MM-DD``) and only
    regular files (not links, not folders): pruning uses this list, and must
    never touch a file it did not make.
    """
    rolling: list[Backup] = []
    daily: list[Backup] = []
    prefix = path.name
    try:
        entries = list(os.scandir(path.parent))
    except OSError:  # no folder (yet), or an unreadable one: no backups to speak of
        return []
    for entry in entries:
        if not entry.name.startswith(prefix):
            continue
        m = _BACKUP_SUFFIX.fullmatch(entry.name, len(prefix))
        try:
            if m is None or not entry.is_file(follow_symlinks=False):
                continue
            if m.group(1):
                rolling.append(Backup(Path(entry.path), n=int(m.group(1))))
            else:
                daily.append(Backup(Path(entry.path), day=date.fromisoformat(m.group(2))))
        except (OSError, ValueError):  # gone meanwhile, or a date like 2025-02-30
            continue
    rolling.sort(key=lambda b: b.n or 0)
    daily.sort(key=lambda b: b.day or date.min, reverse=True)
    return rolling + daily


def backup_paths(path: Path) -> list[Path]:
    """The backups of ``path`` that exist, newest first (rolling, then daily)."""
    return [b.path for b in backups_of(path)]


def _today() -> date:
    # The day a daily backup is for: the local date. Tests replace this (or
    # call rotate_backups with ``today``) so that none depends on the clock.
    return date.today()


def rotate_backups(
    path: Path, previous: Path, policy: BackupPolicy, today: date | None = None
) -> None:
    """Make ``previous`` the ``.1`` backup and prune, once the new file is saved.

    Older rolling backups shift up one (``.1`` to ``.2`` ...); what would pass
    ``policy.rolling`` is dropped. The first backup made on ``today`` is also
    kept as ``<db>.day-TODAY``, and daily backups beyond the newest
    ``policy.daily`` days are dropped (never today's). Only files of
    ``backups_of`` are ever moved or deleted. A step that fails (a disk
    error) leaves the others done: every backup is a whole file, so the worst
    is a gap, never a torn backup.
    """
    day = today or _today()
    rolling = {b.n: b.path for b in backups_of(path) if b.n is not None}
    newest = rolling_path(path, 1)
    if 1 not in rolling and os.path.lexists(newest):
        # Not a file of ours (a folder, a link someone made): leave it be,
        # and keep no backup rather than replace it.
        previous.unlink()
        return
    for n in sorted(rolling, reverse=True):
        target = rolling_path(path, n + 1)
        with contextlib.suppress(OSError):
            if n >= policy.rolling:  # would shift past the last one kept
                rolling[n].unlink()
            elif n + 1 in rolling or not os.path.lexists(target):
                os.replace(rolling[n], target)
            # else: something not ours is in the way; .n is replaced in turn
    os.replace(previous, newest)
    if policy.daily:
        todays = daily_path(path, day)
        if not os.path.lexists(todays):
            with contextlib.suppress(OSError):
                _link_or_copy(newest, todays)
    kept = 0
    for backup in backups_of(path):
        if backup.day is None:
            continue
        if backup.day == day or kept < policy.daily:
            kept += 1
            continue
        with contextlib.suppress(OSError):
            backup.path.unlink()


def _link_or_copy(src: Path, dest: Path) -> None:
    try:
        os.link(src, dest)
    except FileExistsError:
        raise
    except OSError:  # no hard links here (FAT, some network shares)
        shutil.copy2(src, dest)
