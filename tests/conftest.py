"""Shared fixtures: every user path points into tmp_path, never the real data folder."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from helpers import Invoke, assert_ok, copy_database, leftover_temp_files
from mfgkb.cli import app


@pytest.fixture(autouse=True)
def _isolate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Redirect HOME and the XDG folders, and forget any MFGKB_DB of the developer's."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for var, sub in (
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_STATE_HOME", ".local/state"),
    ):
        monkeypatch.setenv(var, str(home / sub))
    monkeypatch.delenv("MFGKB_DB", raising=False)
    for var in ("MFGKB_BACKUPS", "MFGKB_DAILY_BACKUPS"):  # the defaults, whatever the shell says
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("MFGKB_LOCK_TIMEOUT", "5")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Path of a database file that does not exist yet (created on first use)."""
    return tmp_path / "kb" / "kb.json"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def mfgkb(runner: CliRunner, db: Path) -> Invoke:
    """Run the CLI against ``db``: mfgkb("show", "x") -> click Result."""
    db.parent.mkdir(parents=True, exist_ok=True)

    def run(*args: str, input: str | None = None) -> Any:
        return runner.invoke(app, ["--db", str(db), *args], input=input)

    return run


@pytest.fixture
def mfgkb_json(mfgkb: Invoke) -> Callable[..., Any]:
    """Run with --json and return the parsed output (asserting exit code 0)."""

    def run(*args: str) -> Any:
        result = mfgkb(*args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    return run


@pytest.fixture
def seeded(mfgkb: Invoke, db: Path) -> Path:
    """The database file, created from the shipped knowledge base by a first command."""
    assert_ok(mfgkb("topics"))
    assert db.is_file()
    return db


@pytest.fixture
def real(tmp_path: Path, template: Path) -> Path:
    """A valid database at ``tmp_path/real/kb.json``: a copy of the module's ``template``.

    Each module that uses it builds its own ``template`` (a module-scoped fixture).
    """
    return copy_database(template, tmp_path / "real" / "kb.json")


@pytest.fixture
def no_leftover_temp_files(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[None]:
    """After the test, no ``.kb.json.*.tmp`` payload file is left anywhere in tmp_path.

    The data-safety modules use it for every test (``pytestmark``).
    """
    yield
    if request.node.get_closest_marker("xfail"):
        return
    assert leftover_temp_files(tmp_path) == []
