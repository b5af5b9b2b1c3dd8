"""``where``, the backup list, daily backups through the commands, relative dates, and
write targets ending in a slash.

Every answer is checked against the files themselves, reopened from disk. The
day is fixed wherever it matters (``mfgkb.dates.local_today``,
``mfgkb.storage.backups._today``) and backup times are set with ``os.utime``:
nothing here depends on the clock.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from helpers import add, article_ids, files_of, load_db, ok, refusal, write
from mfgkb import dates
from mfgkb.cli import app
from mfgkb.storage import backups

Invoke = Callable[..., Any]
DAY = date(2026, 3, 10)


def held(path: Path) -> int:
    """How many articles the file at ``path`` holds, read from disk."""
    return len(load_db(path)["articles"])


def everything_in(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture
def fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(backups, "_today", lambda: DAY)
    monkeypatch.setattr(dates, "local_today", lambda: DAY)


# -- where ---------------------------------------------------------------------------


def test_where_on_a_database_that_does_not_exist_creates_nothing(
    mfgkb: Invoke, mfgkb_json: Callable[..., Any], db: Path
) -> None:
    before = everything_in(db.parent.parent)
    shown = mfgkb_json("where")
    assert shown["path"] == str(db) and shown["exists"] is False
    assert (shown["size"], shown["articles"], shown["topics"]) == (None, None, None)
    assert shown["index"] == {"path": str(db) + ".index", "state": "missing"}
    assert shown["backups"] == []
    result = ok(mfgkb("where"))
    assert "does not exist yet" in result.stdout and str(db) in result.stdout
    assert everything_in(db.parent.parent) == before


def test_where_in_a_missing_folder_says_to_make_it(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")
    folder = tmp_path / "not" / "there"
    args = ["--db", str(folder / "kb.json"), "where"]
    text = " ".join(ok(runner.invoke(app, args)).stdout.split())  # however it wraps
    assert f"its folder {folder} does not exist; create it (mkdir -p {folder})" in text
    assert "first command creates it" not in text
    assert json.loads(ok(runner.invoke(app, [*args, "--json"])).stdout)["folder_exists"] is False
    assert not folder.parent.exists()


@pytest.mark.parametrize("width", [50, 80, 92, 120])
def test_where_keeps_the_mkdir_command_with_its_path(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    # Not "create it (mkdir -p" at the end of one line and the path on the next.
    monkeypatch.setenv("COLUMNS", str(width))
    folder = tmp_path / "not" / "there"
    text = ok(runner.invoke(app, ["--db", str(folder / "kb.json"), "where"])).stdout
    assert all(len(line) <= width for line in text.splitlines()), text
    line = next(line for line in text.splitlines() if "(mkdir" in line)
    assert "(mkdir -p /" in line, text
    if len(f"(mkdir -p {folder})") <= width - len("  database    "):
        assert f"(mkdir -p {folder})" in line, text


def test_where_counts_one_article_as_one_article(mfgkb: Invoke, seeded: Path) -> None:
    data = load_db(seeded)
    assert len(data["articles"]) == 1  # the shipped knowledge base's one article
    text = ok(mfgkb("where")).stdout
    assert f"1 article · {len(data['topics'])} topics" in text, text
    assert "1 articles" not in text


def test_where_with_the_default_path_does_not_make_the_data_folder(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = ok(runner.invoke(app, ["where", "--json"]))
    shown = json.loads(result.stdout)
    data_folder = tmp_path / "home" / ".local" / "share" / "mfgkb"
    assert shown["path"] == str(data_folder / "kb.json")
    assert shown["exists"] is False
    assert not data_folder.exists()


def test_where_reports_the_file_its_contents_index_and_backups(
    mfgkb: Invoke,
    mfgkb_json: Callable[..., Any],
    db: Path,
    monkeypatch: pytest.MonkeyPatch,
    fixed_day: None,
) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    ok(mfgkb("topics"))
    add(mfgkb, "--title", "One more", "--date", "2025-01-02")
    before = everything_in(db.parent)
    shown = mfgkb_json("where")
    data = load_db(db)
    assert shown["exists"] is True and shown["is_link"] is False
    assert shown["real_path"] == str(db.resolve())
    assert shown["size"] == db.stat().st_size
    assert (shown["articles"], shown["topics"]) == (len(data["articles"]), len(data["topics"]))
    assert shown["index"]["state"] == "current" and shown["problem"] is None
    assert [b["path"] for b in shown["backups"]] == [str(db) + ".1", f"{db}.day-{DAY}"]
    text = ok(mfgkb("where")).stdout
    assert f"{len(data['articles']):,} articles · {len(data['topics'])} topics" in text
    assert f"({db.stat().st_size:,} bytes)" in text and " KiB" in text
    assert "current" in text and str(db) + ".1" in text
    # Nothing was created or changed by asking (the index's -wal, -shm neither).
    assert everything_in(db.parent) == before

    db.write_bytes(db.read_bytes() + b"\n")  # edited by hand: the index is behind
    assert mfgkb_json("where")["index"]["state"] == "out of date"
    Path(str(db) + ".index").unlink()
    again = mfgkb_json("where")
    assert again["index"]["state"] == "missing"
    assert again["articles"] == len(data["articles"])  # read from the file instead


def test_where_through_a_symbolic_link_says_so(
    runner: CliRunner, seeded: Path, tmp_path: Path
) -> None:
    link = tmp_path / "link.json"
    link.symlink_to(seeded)
    shown = json.loads(ok(runner.invoke(app, ["--db", str(link), "where", "--json"])).stdout)
    assert shown["path"] == str(link) and shown["is_link"] is True
    assert shown["real_path"] == str(seeded.resolve())
    assert shown["index"]["path"] == str(seeded) + ".index"
    text = ok(runner.invoke(app, ["--db", str(link), "where"])).stdout
    assert "symbolic link" in text


def test_where_on_a_damaged_database_says_what_is_wrong_and_lists_the_backups(
    mfgkb: Invoke, mfgkb_json: Callable[..., Any], seeded: Path
) -> None:
    add(mfgkb, "--title", "Before the damage", "--date", "2025-01-02")
    write(seeded, "{not json")
    Path(str(seeded) + ".index").unlink()
    shown = mfgkb_json("where")
    assert "not valid JSON" in shown["problem"]
    assert shown["articles"] is None and shown["size"] == len("{not json")
    assert shown["backups"][0]["articles"] == len(
        load_db(seeded.with_name("kb.json.1"))["articles"]
    )


# -- the backup list -----------------------------------------------------------------


def test_backup_lists_times_sizes_and_article_counts(
    mfgkb: Invoke,
    mfgkb_json: Callable[..., Any],
    seeded: Path,
    fixed_day: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    for n in range(3):
        add(mfgkb, "--title", f"Version {n}", "--date", "2025-01-02")
    stamps = {1: 1_700_000_300, 2: 1_700_000_200, 3: 1_700_000_100}
    for n, seconds in stamps.items():
        os.utime(seeded.with_name(f"kb.json.{n}"), (seconds, seconds))
    listing = mfgkb_json("backup")
    assert listing["database"] == str(seeded)
    assert [b["path"] for b in listing["backups"]] == [
        *(f"{seeded}.{n}" for n in (1, 2, 3)),
        f"{seeded}.day-{DAY}",
    ]
    for b in listing["backups"]:
        path = Path(b["path"])
        assert b["size"] == path.stat().st_size
        assert b["articles"] == held(path)
    assert [b["kind"] for b in listing["backups"]] == ["rolling"] * 3 + ["daily"]
    assert listing["backups"][0]["saved"] == "2023-11-14T22:18:20Z"  # 1_700_000_300
    # The day's first backup is the state before the day's first change: a hard link to .3.
    assert listing["backups"][3]["saved"] == listing["backups"][2]["saved"]
    text = ok(mfgkb("backup")).stdout
    counts = [str(b["articles"]) for b in listing["backups"]]
    rows = [line.split() for line in text.splitlines() if line.strip().startswith(str(seeded))]
    assert [row[1] for row in rows] == ["rolling"] * 3 + ["daily"]
    assert [row[-1] for row in rows] == counts
    assert "mfgkb restore" in text
    assert text.splitlines()[0] == "Backups: 3 rolling, 1 daily"  # as where says


def test_a_damaged_backup_is_listed_as_such(
    mfgkb: Invoke, mfgkb_json: Callable[..., Any], seeded: Path
) -> None:
    add(mfgkb, "--title", "Another", "--date", "2025-01-02")
    write(seeded.with_name("kb.json.2"), "[1, 2]")
    by_path = {b["path"]: b for b in mfgkb_json("backup")["backups"]}
    assert by_path[f"{seeded}.2"]["articles"] is None
    assert by_path[f"{seeded}.2"]["problem"] == "not a usable database"
    assert by_path[f"{seeded}.1"]["articles"] == len(
        load_db(seeded.with_name("kb.json.1"))["articles"]
    )


def test_daily_backups_through_the_commands_and_restoring_one(
    mfgkb: Invoke, seeded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MFGKB_BACKUPS", "2")
    first_days = {}
    for day in (date(2026, 3, 8), date(2026, 3, 9), date(2026, 3, 10)):
        monkeypatch.setattr(backups, "_today", lambda day=day: day)
        first_days[day] = seeded.read_bytes()  # what the day's first change replaces
        for n in range(3):
            add(mfgkb, "--title", f"{day} {n}", "--date", "2025-01-02")
    for day, content in first_days.items():
        assert seeded.with_name(f"kb.json.day-{day}").read_bytes() == content
    assert sorted(p.name for p in seeded.parent.glob("kb.json.[0-9]*")) == [
        "kb.json.1",
        "kb.json.2",
    ]
    # Restoring the state a day began with, long rolled out of the numbered backups:
    daily = seeded.with_name("kb.json.day-2026-03-09")
    expected = article_ids(daily)
    ok(mfgkb("restore", str(daily), "--yes"))
    assert article_ids(seeded) == expected


# -- write targets ending in a slash ---------------------------------------------------


@pytest.mark.parametrize("command", [("backup",), ("export", "-o")])
def test_a_missing_folder_with_a_slash_is_refused_not_written_as_a_file(
    mfgkb: Invoke, seeded: Path, tmp_path: Path, command: tuple[str, ...]
) -> None:
    before = files_of(seeded)
    target = tmp_path / "not-there"
    # Exit 1, as for a --db in a missing folder: the command line is fine, the folder is not.
    line = refusal(mfgkb(*command, f"{target}/"), 1)
    assert "does not exist" in line and f"(mkdir -p {target})" in line
    assert not os.path.lexists(target)
    line = refusal(mfgkb(*command, f"{target}/x.json"), 1)
    assert line == f"mfgkb: The folder {target} does not exist; create it (mkdir -p {target})."
    assert not os.path.lexists(target)
    a_file = tmp_path / "a-file"
    a_file.write_text("keep")
    line = refusal(mfgkb(*command, f"{a_file}/"), 2)
    assert "not one" in line and line.endswith(f"{command[0]} --help)")
    assert a_file.read_text() == "keep"
    assert files_of(seeded) == before


def test_an_existing_folder_with_a_slash_still_gets_a_copy(
    mfgkb: Invoke, seeded: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "copies"
    folder.mkdir()
    ok(mfgkb("backup", f"{folder}/"))
    (copy,) = folder.iterdir()
    assert copy.read_bytes() == seeded.read_bytes()


# -- relative dates on the command line --------------------------------------------------


def test_relative_since_and_until_choose_articles_by_a_fixed_today(
    mfgkb: Invoke, mfgkb_json: Callable[..., Any], seeded: Path, fixed_day: None
) -> None:
    ids = {
        day: add(mfgkb, "--title", f"On {day}", "--date", day)
        for day in ("2026-01-31", "2026-02-01", "2026-02-28", "2026-03-01", "2026-03-10")
    }

    def chosen(*args: str) -> set[int]:
        return {a["id"] for a in mfgkb_json("articles", "--limit", "0", *args)} & set(ids.values())

    assert chosen("--since", "last month", "--until", "LAST MONTH") == {
        ids["2026-02-01"],
        ids["2026-02-28"],
    }
    assert chosen("--since", "this month") == {ids["2026-03-01"], ids["2026-03-10"]}
    assert chosen("--since", "today") == {ids["2026-03-10"]}
    assert chosen("--since", "1 month", "--until", "yesterday") == {  # Feb 10 to Mar 9
        ids["2026-02-28"],
        ids["2026-03-01"],
    }
    assert chosen("--since", "40 days", "--until", "2 weeks") == {  # Jan 29 to Feb 24
        ids["2026-01-31"],
        ids["2026-02-01"],
    }
    stats = mfgkb_json("stats", "--since", "this year")
    assert stats["articles"] == len(ids)
    assert len(load_db(seeded)["articles"]) > len(ids)  # the seed's article is older


def test_an_unreadable_relative_date_is_one_line_naming_the_forms(mfgkb: Invoke) -> None:
    line = refusal(mfgkb("articles", "--since", "a fortnight ago"), 2)
    assert "'30 days'" in line and "last month" in line


@pytest.mark.parametrize("command", ["backup", "where"])
def test_a_narrow_terminal_still_shows_every_backups_path(
    mfgkb: Invoke, seeded: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    # tmp_path makes the paths long: the table does not fit 50 columns, and the
    # list that replaces it must keep each path (Rich's table dropped the column).
    for n in range(2):
        add(mfgkb, "--title", f"Version {n}", "--date", "2025-01-02")
    monkeypatch.setenv("COLUMNS", "50")
    text = ok(mfgkb(command)).stdout
    assert all(len(line) <= 50 for line in text.splitlines()), text
    joined = "".join(line.strip() for line in text.splitlines())
    for n in (1, 2):
        assert f"{seeded}.{n}" in joined, text
    assert "rolling ·" in text and "article" in text


def test_the_backup_table_is_shown_only_where_no_cell_is_cut(
    mfgkb: Invoke, seeded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Rich squeezes a table too wide for the terminal and cuts its cells
    # ("articl…", "06:42:…"): at the narrowest width the table needs it is
    # shown whole, one column less and the list replaces it.
    add(mfgkb, "--title", "Version 1", "--date", "2025-01-02")
    monkeypatch.setenv("COLUMNS", "400")
    table = ok(mfgkb("backup")).stdout.splitlines()[1:-1]
    assert table[0].split() == ["backup", "kind", "saved", "size", "articles"]
    needed = max(map(len, table)) + 1  # with the last cell's padding space
    for width in (needed - 1, needed, needed + 1):
        monkeypatch.setenv("COLUMNS", str(width))
        text = ok(mfgkb("backup")).stdout
        assert "…" not in text and all(len(line) <= width for line in text.splitlines()), text
        assert ("articles" in text.splitlines()[1]) == (width >= needed), text
        assert f"{seeded}.1" in text, text


@pytest.mark.parametrize("args", [["backup", ""], ["export", "-o", ""], ["export", "-o", " "]])
def test_an_empty_path_is_refused_not_taken_as_the_current_folder(
    mfgkb: Invoke, seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = mfgkb(*args)
    assert result.exit_code == 2
    assert "The path is empty; give a file name" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written here
