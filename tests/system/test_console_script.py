"""The installed program, run as a user runs it: the ``mfgkb`` script in a subprocess.

Every path the program could touch (HOME, the XDG folders, MFGKB_DB) points into
tmp_path, so the real user data folder is never read or written.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mfgkb import __version__


def _script() -> str:
    bin_dir = Path(sys.executable).parent
    found = shutil.which("mfgkb", path=str(bin_dir)) or shutil.which("mfgkb")
    if found is None:
        pytest.fail(f"the mfgkb console script is not installed (looked in {bin_dir} and PATH)")
    return found


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A clean environment whose home and data folders are inside tmp_path."""
    home = tmp_path / "user"  # not conftest's "home": this one starts empty
    home.mkdir()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MFGKB_", "XDG_"))}
    clean.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_STATE_HOME=str(home / "state"),
        NO_COLOR="1",
        COLUMNS="120",
        MFGKB_LOCK_TIMEOUT="5",
        PYTHONIOENCODING="utf-8",
    )
    return clean


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        args,
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
        check=False,
    )


def test_show_through_the_console_script(tmp_path: Path, env: dict[str, str]) -> None:
    db = tmp_path / "data" / "kb.json"
    db.parent.mkdir()
    env["MFGKB_DB"] = str(db)
    result = run([_script(), "show", "advanced-manufacturing"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Jedrik Hastings" in result.stdout
    assert "Is the US Still the Global Manufacturing Leader?" in result.stdout
    assert "over $2.5 trillion" in result.stdout
    assert "\x1b" not in result.stdout  # not a terminal: no colour codes
    assert db.is_file()
    assert json.loads(db.read_text(encoding="utf-8"))["meta"]["1"]["schema_version"] == 1
    assert not (Path(env["XDG_DATA_HOME"]) / "mfgkb").exists()


def test_add_then_list_as_json(tmp_path: Path, env: dict[str, str]) -> None:
    env["MFGKB_DB"] = str(tmp_path / "kb.json")
    script = _script()
    added = run(
        [
            script,
            "add-article",
            "--title",
            "Reshoring in Tennessee",
            "--author",
            "Ada Lovelace",
            "--date",
            "November 3, 2025",
            "--topic",
            "advanced-manufacturing",
        ],
        env,
        tmp_path,
    )
    assert added.returncode == 0, added.stderr
    new_id = int(added.stdout.strip())
    listed = run([script, "articles", "--json"], env, tmp_path)
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert rows[0]["id"] == new_id
    assert rows[0]["published"] == "2025-11-03"


def test_unknown_topic_is_one_line_without_traceback(tmp_path: Path, env: dict[str, str]) -> None:
    db = tmp_path / "kb.json"
    env["MFGKB_DB"] = str(db)
    result = run([_script(), "show", "tenessee"], env, tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("mfgkb: ")
    assert "tennessee" in lines[0]


def test_python_dash_m_version(tmp_path: Path, env: dict[str, str]) -> None:
    result = run([sys.executable, "-m", "mfgkb", "--version"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"mfgkb {__version__}"
    assert not any(Path(env["HOME"]).iterdir())  # --version touches no data


def test_default_database_lives_in_xdg_data_home(tmp_path: Path, env: dict[str, str]) -> None:
    assert "MFGKB_DB" not in env
    result = run([_script(), "topics", "--json"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    slugs = {t["slug"] for t in json.loads(result.stdout)}
    assert "advanced-manufacturing" in slugs
    expected = Path(env["XDG_DATA_HOME"]) / "mfgkb" / "kb.json"
    assert expected.is_file()
    assert json.loads(expected.read_text(encoding="utf-8"))["articles"]["1"]["authors"] == [
        "Jedrik Hastings"
    ]
    assert not (tmp_path / "kb.json").exists()
