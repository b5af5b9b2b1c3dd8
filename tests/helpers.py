"""Assertions shared by the command tests: a refusal, a success, the files a database has."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def files_of(db: Path) -> dict[str, bytes]:
    """The database, its backups and any temporary files, by name (not the index or lock).

    Comparing two of these proves that nothing was written, rotated or left behind.
    """
    derived = (db.name + ".index", db.name + ".lock")
    return {
        p.name: p.read_bytes()
        for p in sorted(db.parent.iterdir())
        if p.is_file() and not p.name.startswith(derived)
    }


def refusal(result: Any, code: int = 1) -> str:
    """The one stderr line of a refused command (exit ``code``, no traceback)."""
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("mfgkb: "), lines[0]
    return str(lines[0])


def ok(result: Any) -> Any:
    """``result`` of a command that succeeded (exit 0), for chaining."""
    assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
    return result
