"""The words of usage errors, --help and human output: one line, plain placeholders, plurals.

Usage errors, the root's own and each command's, are one line naming the help to
read; --help shows placeholders in capitals (N, ID, DATE, SLUG, TEXT, FILE), never
Click's types or ranges; counts agree with their nouns; output into a pipe ends
each line at its last character.
"""

from __future__ import annotations

import importlib
import inspect
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from helpers import MAIN, Invoke, add, ok, refusal, write
from mfgkb.cli import app
from mfgkb.cli.root import COMMANDS


@pytest.fixture
def named(runner: CliRunner, db: Path) -> Invoke:
    """The ``mfgkb`` fixture, run under the name the console script has (CliRunner says "root")."""
    db.parent.mkdir(parents=True, exist_ok=True)

    def run(*args: str) -> Any:
        return runner.invoke(app, ["--db", str(db), *args], prog_name="mfgkb")

    return run


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["--bogus"], "mfgkb: No such option: --bogus (see: mfgkb --help)"),
        (["--db"], "mfgkb: Option '--db' requires an argument. (see: mfgkb --help)"),
        (["nosuchcommand"], "mfgkb: No such command 'nosuchcommand'. (see: mfgkb --help)"),
        (
            ["--db", "x.json", "--bogus", "show"],
            "mfgkb: No such option: --bogus (see: mfgkb --help)",
        ),
    ],
)
def test_a_usage_error_of_the_root_is_one_line_and_exit_2(
    runner: CliRunner, args: list[str], line: str
) -> None:
    result = runner.invoke(app, args, prog_name="mfgkb")
    assert refusal(result, 2) == line
    assert "Usage:" not in result.output and "Error:" not in result.output


@pytest.mark.parametrize(
    ("args", "meant"),
    [
        (["topics", "--db", "x"], "mfgkb --db x topics"),
        (["topics", "--db=x"], "mfgkb --db x topics"),
        (
            ["show", "--db", "my kb.json", "texas", "--json"],
            "mfgkb --db 'my kb.json' show texas --json",
        ),
        (["show", "texas", "--db"], "mfgkb --db FILE show texas"),
    ],
)
def test_a_root_option_after_the_command_says_where_it_goes(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], meant: str
) -> None:
    monkeypatch.chdir(tmp_path)
    line = refusal(runner.invoke(app, args, prog_name="mfgkb"), 2)
    command = args[0]
    assert line == (
        f"mfgkb: No such option: --db; --db goes before the command: {meant} "
        f"(see: mfgkb {command} --help)"
    )
    assert list(tmp_path.iterdir()) == [tmp_path / "home"]  # no database made anywhere


@pytest.mark.parametrize("command", [["topics"], ["search", "texas"]])
def test_version_after_the_command_says_where_it_goes(
    runner: CliRunner, command: list[str]
) -> None:
    line = refusal(runner.invoke(app, [*command, "--version"], prog_name="mfgkb"), 2)
    assert line == (
        "mfgkb: No such option: --version; --version goes before the command: mfgkb --version "
        f"(see: mfgkb {command[0]} --help)"
    )


@pytest.mark.parametrize("command", ["add-article", "edit-article"])
def test_a_bad_date_is_a_usage_error_like_a_bad_since(named: Invoke, command: str) -> None:
    target = ["--title", "x"] if command == "add-article" else ["1"]
    line = refusal(named(command, *target, "--date", "nonsense"), 2)
    assert line.startswith("mfgkb: --date: 'nonsense' is not a date mfgkb can read; ")
    assert line.endswith(f". (see: mfgkb {command} --help)")


@pytest.mark.parametrize("db", [["--db", "/tmp/other.json"], ["--db=/tmp/other.json"]])
def test_db_after_search_is_refused_not_searched_for(
    runner: CliRunner, db: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # search takes unknown dash-words as words to leave out; --db is not one of them.
    monkeypatch.setenv("MFGKB_DB", str(tmp_path / "env.json"))
    line = refusal(runner.invoke(app, ["search", "texas", *db], prog_name="mfgkb"), 2)
    assert line == (
        "mfgkb: No such option: --db; --db goes before the command: "
        "mfgkb --db /tmp/other.json search texas (see: mfgkb search --help)"
    )
    assert not (tmp_path / "env.json").exists()  # $MFGKB_DB was not searched


def test_after_a_double_dash_db_is_a_search_word(mfgkb: Invoke, seeded: Path) -> None:
    assert "Texas" in ok(mfgkb("search", "texas", "--", "--db")).stdout


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_usage_error_of_a_command_names_its_own_help(named: Invoke, name: str) -> None:
    # search takes unknown dash-words as words to leave out: a missing value instead.
    args = ["search", "x", "--limit"] if name == "search" else [name, "--no-such-option"]
    line = refusal(named(*args), 2)
    assert line.endswith(f" (see: mfgkb {name} --help)"), line
    assert "Value error" not in line


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["articles", "--limit", "abc"],
            "--limit: 'abc' is not a whole number (use 0 for all). (see: mfgkb articles --help)",
        ),
        (
            ["show", MAIN, "--limit", "-1"],
            "--limit: -1 is less than 0 (use 0 for all). (see: mfgkb show --help)",
        ),
        (
            ["search", "chips", "--limit", "0"],
            "--limit: 0 is less than 1 (give 1 or more). (see: mfgkb search --help)",
        ),
        (
            ["article", "abc"],
            "ID: 'abc' is not a whole number (give 1 or more). (see: mfgkb article --help)",
        ),
        (
            ["edit-article", "99999999999999999999", "--title", "x"],
            "ID: 99999999999999999999 is too large (give 1 or more). "
            "(see: mfgkb edit-article --help)",
        ),
    ],
)
def test_a_bad_number_is_refused_in_words(named: Invoke, args: list[str], line: str) -> None:
    assert refusal(named(*args), 2) == f"mfgkb: {line}"


@pytest.mark.parametrize(
    "args",
    [
        ["articles", "--since", "nonsense"],
        ["search", "x", "--since", "nonsense"],
        ["export", "--until", "10000 years"],
    ],
)
def test_a_bad_date_bound_is_a_usage_error_naming_its_option(
    named: Invoke, args: list[str]
) -> None:
    option = args[-2]
    line = refusal(named(*args), 2)
    assert line.startswith(f"mfgkb: {option}: '{args[-1]}' "), line
    assert line.endswith(f" (see: mfgkb {args[0]} --help)"), line


@pytest.mark.parametrize(
    ("args", "start"),
    [
        (["remove-topic", MAIN, "--force"], "Removing the topic"),
        (
            ["add-article", "--date", "2025-01-01"],
            'Missing --title; give it on the command line, e.g. --title "Texas fab opens".',
        ),
        (
            ["add-article", "--title", "x"],
            "Missing --date; give it on the command line, e.g. --date 2025-10-10.",
        ),
        (["export", "--format", "bogus"], "--format 'bogus'"),
    ],
)
def test_our_own_usage_errors_end_with_the_hint_too(
    named: Invoke, args: list[str], start: str
) -> None:
    line = refusal(named(*args), 2)
    assert line.startswith(f"mfgkb: {start}"), line
    assert line.endswith(f" (see: mfgkb {args[0]} --help)"), line


@pytest.mark.parametrize("name", list(COMMANDS))
def test_help_shows_plain_placeholders(named: Invoke, name: str) -> None:
    text = ok(named(name, "--help")).stdout
    for noise in ("9223372036854775807", "x<=", "<int", "<str>", "<path>", "list[", "{"):
        assert noise not in text, (noise, text)
    usage = text.splitlines()[0].removeprefix(f"Usage: mfgkb {name} [OPTIONS]")
    assert usage == usage.upper(), text.splitlines()[0]  # ID, TOPIC, WORDS..., [PATH]


def test_help_names_the_shared_placeholders(named: Invoke) -> None:
    text = ok(named("articles", "--help")).stdout
    for shown in ("--limit N", "--since DATE", "--topic SLUG", "--author NAME", "--tag TAG"):
        assert shown in text
    assert "--sort published|added|title" in text
    link = ok(named("link", "--help")).stdout
    assert link.startswith("Usage: mfgkb link [OPTIONS] ID TOPIC\n")
    assert "--db FILE" in ok(named("--help")).stdout


def test_help_lists_whole_phrases_and_unbroken_examples(
    named: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    listing = ok(named("--help")).stdout
    assert "..." not in listing.split("Commands:")[1]
    assert "  show            Show a topic page\n" in listing
    for name in COMMANDS:
        module, function, _ = COMMANDS[name]
        doc = inspect.getdoc(getattr(importlib.import_module(f"mfgkb.cli.{module}"), function))
        assert doc is not None
        written = doc[doc.index("Example: mfgkb") :].splitlines()
        printed = ok(named(name, "--help")).stdout.splitlines()
        shown = [line.strip() for line in printed]
        # Printed as written (Click's \b paragraph), never rewrapped mid-command.
        at = shown.index(written[0].strip())
        assert shown[at : at + len(written)] == [line.strip() for line in written], name
        # ...and so written to fit 80 columns, continued with " \" (the shell's way).
        example = printed[at : at + len(written)]
        assert all(len(line) <= 76 for line in example), (name, example)
    assert "-h, --help" in ok(named("search", "--help")).stdout
    assert "--output FILE" in ok(named("export", "--help")).stdout
    assert "DB.1" in ok(named("restore", "--help")).stdout


def test_search_h_is_help_and_search_dash_dash_h_a_search(named: Invoke, mfgkb: Invoke) -> None:
    assert ok(named("search", "-h")).stdout.startswith("Usage: mfgkb search [OPTIONS] WORDS...")
    assert ok(mfgkb("search", "--", "-h")).stdout.startswith("No results")


def test_a_directory_in_mfgkb_db_is_named_as_mfgkb_db(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MFGKB_DB", str(tmp_path))
    line = refusal(runner.invoke(app, ["topics"]))
    assert line == (
        f"mfgkb: MFGKB_DB={tmp_path} is a directory, not a database file; set it to a file "
        f"path, e.g. {tmp_path / 'kb.json'}."
    )
    given = refusal(runner.invoke(app, ["--db", str(tmp_path), "topics"]))
    assert given.startswith(f"mfgkb: --db {tmp_path} is a directory")


@pytest.mark.parametrize("args", [["--db", ""], ["--db="], ["--db", "", "--db=", "--db", ""]])
def test_an_empty_db_is_said_to_be_empty(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    for command in (["topics"], ["add-topic", "--title", "T"], ["search", "chips"]):
        line = refusal(runner.invoke(app, [*args, *command]), 2)
        assert line == (
            "mfgkb: --db is empty; give a database file path, e.g. kb.json. (see: mfgkb --help)"
        )
    assert list(tmp_path.iterdir()) == [tmp_path / "home"]  # nothing written anywhere
    # "." itself is still a directory, and the last --db counts.
    assert "--db . is a directory" in refusal(
        runner.invoke(app, ["--db", "", "--db", ".", "topics"])
    )
    db = tmp_path / "kb.json"
    ok(runner.invoke(app, ["--db", "", "--db", str(db), "topics"]))
    assert db.is_file()


def test_an_empty_mfgkb_db_is_unset(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Click takes an empty variable for unset: the default database is used."""
    monkeypatch.setenv("MFGKB_DB", "")
    ok(runner.invoke(app, ["topics"]))
    assert (tmp_path / "home" / ".local" / "share" / "mfgkb" / "kb.json").is_file()


def test_one_duplicate_is_a_duplicate_not_the_first_1(mfgkb: Invoke, tmp_path: Path) -> None:
    row = {"title": "Plant", "published": "2025-01-02", "url": "https://e.com/p"}
    rows = write(tmp_path / "rows.jsonl", "".join(json.dumps(row) + "\n" for _ in range(2)))
    text = ok(mfgkb("import", str(rows))).stdout
    assert text.splitlines()[:2] == [
        "Imported 1 article; skipped 1 duplicate and 0 invalid rows.",
        "Duplicate:",
    ]
    many = [{**row, "url": "https://e.com/q"} for _ in range(8)]
    more = write(tmp_path / "more.jsonl", "".join(json.dumps(r) + "\n" for r in many))
    assert "Duplicates (first 5 of 7):" in ok(mfgkb("import", str(more))).stdout


def test_one_problem_repaired_is_the_problem(mfgkb: Invoke, db: Path) -> None:
    ok(mfgkb("topics"))
    data = json.loads(db.read_text(encoding="utf-8"))
    data["meta"]["1"]["next_article_id"] = 1  # behind the ids in use: one fixable problem
    db.write_text(json.dumps(data), encoding="utf-8")
    ok(mfgkb("topics"))  # the search index follows the edited file
    text = ok(mfgkb("check", "--fix")).stdout
    assert "1 problem in" in text and text.rstrip().endswith("The problem is repaired.")
    assert json.loads(db.read_text(encoding="utf-8"))["meta"]["1"]["next_article_id"] == 2


def test_counts_agree_and_have_thousands_separators(mfgkb: Invoke, tmp_path: Path) -> None:
    assert ok(mfgkb("stats")).stdout.startswith("1 article in 1 of 8 topics · 1 author · 3 tags\n")
    rows = "".join(
        json.dumps({"title": f"P{i}", "published": "2025-01-02", "url": f"https://e.com/{i}"})
        + "\n"
        for i in range(1234)
    )
    text = ok(mfgkb("import", str(write(tmp_path / "rows.jsonl", rows)))).stdout
    assert text.startswith("Imported 1,234 articles;")
    summary = "1,235 articles in 1 of 8 topics · 1 author · 3 tags\n"
    assert ok(mfgkb("stats")).stdout.startswith(summary)


@pytest.mark.parametrize(
    "args",
    [
        ["articles"],
        ["topics"],
        ["show", MAIN],
        ["stats"],
        ["search", "chips"],
        ["article", "1"],
        ["check"],
    ],
)
def test_output_into_a_pipe_has_no_trailing_spaces(mfgkb: Invoke, args: list[str]) -> None:
    add(mfgkb, "--title", "Texas fab", "--date", "2025-01-01", "--topic", "texas")
    text = ok(mfgkb(*args)).stdout
    assert text.strip()
    assert [line for line in text.splitlines() if line.endswith(" ")] == []


@pytest.mark.parametrize("width", ["50", "80"])
def test_help_keeps_names_whole_and_says_each_listings_own_layout(
    named: Invoke, monkeypatch: pytest.MonkeyPatch, width: str
) -> None:
    monkeypatch.setenv("COLUMNS", width)
    backup = ok(named("backup", "--help")).stdout
    assert "kb-YYYYMMDD-HHMMSS.json" in backup.split(), backup  # one word, not cut at a hyphen

    def said(command: str) -> str:
        return " ".join(ok(named(command, "--help")).stdout.split())

    assert "auto: a table from 80 columns on" in said("topics")
    assert "auto: a table from 120 columns on" in said("articles")
    for command in ("add-article", "import"):
        assert "A topic to link: its slug, title or alias" in said(command)
    add_article = said("add-article")
    for compared in ("a default port", "the fragment", "query parameters", "fbclid, gclid"):
        assert compared in add_article
    assert "becomes the source when the row has none" in said("import")
