"""What each command's start-up imports, pinned so the speed tricks stay in place.

Every command pays for the modules it loads (tens of milliseconds for Typer,
Rich's tables, TinyDB with orjson, dateutil or pydantic), so mfgkb.cli imports
lazily, reads a current search index without opening the JSON database, and
``mfgkb search`` skips Typer altogether (mfgkb.startup). A stray top-level
import undoes that silently; these tests catch it. Each runs the program in a
child process, as the console script does (``mfgkb.startup:main``), and records
``sys.modules`` as the process leaves (main ends in ``os._exit``, so the hook
sits there).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from childproc import child_env, console_script, loaded_modules

# Typer 0.29 imports pydantic for every command it runs; 0.28 (the release
# pyproject.toml asks for) does not, so pydantic is pinned out only there.
TYPER_NEEDS_PYDANTIC = tuple(int(p) for p in typer.__version__.split(".")[:2]) >= (0, 29)
PYDANTIC = () if TYPER_NEEDS_PYDANTIC else ("pydantic", "pydantic_core")


def _heavy(modules: set[str], *packages: str) -> set[str]:
    """The modules of ``packages`` (each with its submodules) that were loaded."""
    return {m for m in modules if m.split(".")[0] in packages or m in packages}


@pytest.fixture
def current(tmp_path: Path) -> dict[str, str]:
    """An environment whose database has an article and a search index that is current."""
    db = tmp_path / "kb" / "kb.json"
    db.parent.mkdir()
    env = child_env(tmp_path, db)
    for args in (
        [
            "add-article",
            "--title",
            "Chips act plant",
            "--date",
            "2025-11-01",
            "--topic",
            "advanced-manufacturing",
            "--url",
            "https://example.com/chips",
        ],
        ["search", "chips"],  # leaves the index current with the file
    ):
        done = subprocess.run(
            [*console_script(), *args],
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    assert Path(str(db) + ".index").is_file()
    return env


def test_help_loads_neither_rich_nor_the_storage(tmp_path: Path) -> None:
    env = child_env(tmp_path, tmp_path / "kb.json")
    modules = loaded_modules(tmp_path, env, "--help")
    assert "mfgkb.cli" in modules  # the hook saw the program run
    assert not _heavy(modules, "rich", "tinydb", "orjson", "dateutil", "sqlite3", *PYDANTIC)
    assert not {"mfgkb.kb", "mfgkb.storage.store", "mfgkb.index.store", "mfgkb.render"} & modules
    assert not {m for m in modules if m.startswith("mfgkb.kb.")}  # nor any part of the package
    # The listing comes from mfgkb.cli.root.SUMMARIES: no command's module is
    # imported, and no command built (Typer's building was most of --help).
    commands = {"topics", "articles", "reading", "transfer", "care", "options", "prompts"}
    assert not {f"mfgkb.cli.{m}" for m in commands} & modules
    assert "mfgkb.quicksearch" not in modules  # no "search" on the command line


def test_a_command_other_than_search_skips_the_fast_paths_module(tmp_path: Path) -> None:
    env = child_env(tmp_path, tmp_path / "kb.json")
    modules = loaded_modules(tmp_path, env, "topics")
    assert "mfgkb.cli.topics" in modules
    assert "mfgkb.quicksearch" not in modules


def test_search_on_a_current_index_leaves_the_database_file_alone(
    tmp_path: Path, current: dict[str, str]
) -> None:
    modules = loaded_modules(tmp_path, current, "search", "chips")
    assert "mfgkb.index.store" in modules
    assert "mfgkb.kb.searching" in modules
    assert not _heavy(modules, "tinydb", "orjson", "dateutil", *PYDANTIC)
    assert "mfgkb.storage.tables" not in modules
    # The parts of the knowledge base that write import their helpers when they run,
    # and the fast path opens only the searching part of it.
    assert not {"mfgkb.check", "mfgkb.seed", "mfgkb.storage.records"} & modules
    assert not {"mfgkb.kb.facade", "mfgkb.kb.topic_life", "mfgkb.kb.transfer"} & modules
    # Results are lines of text, not a table or Markdown.
    assert not {"rich.table", "rich.markdown"} & modules


# What the start-up fast path (mfgkb.startup) is for: a search loads the index,
# the models and Rich's text, and nothing of Typer, Click or the write path.
NOT_FOR_SEARCH = ("typer", "click", "tinydb", "orjson", "dateutil", "platformdirs", "filelock")
NOT_FOR_SEARCH_MFGKB = {
    "mfgkb.cli",
    "mfgkb.storage",
    "mfgkb.results",
    "mfgkb.formats",
    "mfgkb.check",
    "mfgkb.seed",
    "mfgkb.dates",
}


@pytest.mark.parametrize(
    "args",
    [
        ["search", "chips"],
        ["search", "chips", "act", "--limit", "5", "--kind", "article"],
        ["search", "chips", "--topic", "advanced-manufacturing", "--author", "x", "--tag", "y"],
        ["search", "chips", "--source", "Trade Weekly"],
        ["search", "chips", "--json"],
        ["--db", "DB", "search", "chips"],
    ],
    ids=" ".join,
)
def test_search_loads_no_typer_and_no_write_path(
    tmp_path: Path, current: dict[str, str], args: list[str]
) -> None:
    args = [current["MFGKB_DB"] if a == "DB" else a for a in args]
    modules = loaded_modules(tmp_path, current, *args)
    assert "mfgkb.startup" in modules and "mfgkb.index.store" in modules
    assert not _heavy(modules, *NOT_FOR_SEARCH, *PYDANTIC)
    assert not {m for m in modules if m.startswith(tuple(NOT_FOR_SEARCH_MFGKB))}
    assert "signal" not in modules  # mfgkb/__init__.py: _signal, no enums to build
    assert not {"rich.table", "rich.markdown", "rich.pretty", "rich.traceback"} & modules
    if "--json" in args:
        assert not _heavy(modules, "rich"), "JSON for programs needs no Rich"
    else:
        assert "rich.console" in modules


def test_search_with_dates_loads_dateutil_only(tmp_path: Path, current: dict[str, str]) -> None:
    modules = loaded_modules(tmp_path, current, "search", "chips", "--since", "October 2025")
    assert _heavy(modules, "dateutil")
    assert not _heavy(modules, "typer", "tinydb", "orjson")


def test_other_commands_still_go_through_typer(tmp_path: Path, current: dict[str, str]) -> None:
    for args in (["search", "-chips", "act"], ["search", "--help"], ["topics"]):
        assert "mfgkb.cli" in loaded_modules(tmp_path, current, *args)


def test_show_on_a_current_index_leaves_the_database_file_alone(
    tmp_path: Path, current: dict[str, str]
) -> None:
    modules = loaded_modules(tmp_path, current, "show", "advanced-manufacturing")
    assert "mfgkb.index.store" in modules
    assert not _heavy(modules, "tinydb", "orjson", "dateutil", *PYDANTIC)
    assert "mfgkb.storage.tables" not in modules


def test_articles_on_a_current_index_leaves_the_database_file_alone(
    tmp_path: Path, current: dict[str, str]
) -> None:
    modules = loaded_modules(tmp_path, current, "articles", "--limit", "3")
    assert "mfgkb.index.store" in modules
    assert not _heavy(modules, "tinydb", "orjson", "dateutil", *PYDANTIC)
    assert "mfgkb.storage.tables" not in modules


PARSERS = ("csv", "feedparser", "bibtexparser", "frontmatter", "yaml")


def test_discovering_the_formats_imports_their_modules_but_no_parser() -> None:
    code = (
        "import json, sys, mfgkb.formats; found = mfgkb.formats.registry(); "
        "print(json.dumps([[f.name for f in found], sorted(sys.modules)]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    names, modules = json.loads(out.stdout)
    assert names == ["jsonl", "json", "csv", "feed", "bibtex", "markdown"]
    assert "mfgkb.formats.bibtex" in modules
    assert not set(PARSERS) & set(modules)


@pytest.mark.parametrize("command", ["import", "export"])
def test_help_imports_the_format_modules_but_no_parser(tmp_path: Path, command: str) -> None:
    modules = loaded_modules(tmp_path, child_env(tmp_path, tmp_path / "kb.json"), command, "--help")
    # The choices and help come from the registry, which imports every format module.
    assert {f"mfgkb.formats.{m}" for m in ("csv", "feed", "bibtex", "markdown")} <= modules
    assert not set(PARSERS) & modules


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["topics"],
        ["show", "advanced-manufacturing"],
        ["articles", "--limit", "3"],
        ["search", "chips"],
        ["search", "-chips", "act"],  # through Typer, not the fast path
        ["stats"],
    ],
    ids=" ".join,
)
def test_commands_without_files_import_no_format(
    tmp_path: Path, current: dict[str, str], args: list[str]
) -> None:
    modules = loaded_modules(tmp_path, current, *args)
    assert "mfgkb" in modules  # the hook saw the program run
    assert not {m for m in modules if m == "mfgkb.formats" or m.startswith("mfgkb.formats.")}
