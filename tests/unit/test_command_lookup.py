"""The console script builds only the command it runs; the result must not differ."""

from __future__ import annotations

import pytest

from mfgkb.cli import app
from mfgkb.cli.root import app_for as _app_for
from mfgkb.cli.root import command_named as _command_named


@pytest.mark.parametrize(
    ("argv", "name"),
    [
        (["show", "x"], "show"),
        (["--db", "kb.json", "search", "chips"], "search"),
        (["--db=kb.json", "add-article"], "add-article"),
        (["--help"], None),
        (["--version"], None),
        ([], None),
        (["--db", "kb.json"], None),
    ],
)
def test_the_command_is_found_after_global_options(argv: list[str], name: str | None) -> None:
    assert _command_named(argv) == name


def test_every_command_can_be_built_alone() -> None:
    names = [c.name or c.callback.__name__.replace("_", "-") for c in app.registered_commands]
    assert len(names) == len(set(names)) > 10
    for name in names:
        only = _app_for(name)
        assert only is not app
        assert len(only.registered_commands) == 1


def test_unknown_commands_get_the_whole_app() -> None:
    assert _app_for("serch") is app
    assert _app_for(None) is app


def _first_paragraph(doc: str | None) -> str:
    return " ".join((doc or "").strip().split("\n\n")[0].split())


def test_the_listing_summaries_are_the_commands_docstrings() -> None:
    # --help lists the commands from SUMMARIES without importing them: the
    # table must say what each command's own docstring says.
    import importlib

    from mfgkb.cli.root import COMMANDS, SUMMARIES

    assert list(SUMMARIES) == list(COMMANDS)
    for name, (module, function, _settings) in COMMANDS.items():
        callback = getattr(importlib.import_module(f"mfgkb.cli.{module}"), function)
        assert SUMMARIES[name] == _first_paragraph(callback.__doc__), name


@pytest.mark.parametrize("width", [50, 80, 200])
@pytest.mark.parametrize("argv", [["--help"], ["-h"], [], ["--db", "kb.json", "--help"]])
def test_the_listing_app_prints_the_whole_apps_help(argv: list[str], width: int) -> None:
    from typer.testing import CliRunner

    from mfgkb.cli.root import listing_app

    runner = CliRunner()
    env = {"COLUMNS": str(width)}
    listed = runner.invoke(listing_app(), argv, env=env, prog_name="mfgkb")
    whole = runner.invoke(app, argv, env=env, prog_name="mfgkb")
    assert listed.output == whole.output
    assert listed.exit_code == whole.exit_code
    from mfgkb.cli.root import COMMANDS

    assert all(name in listed.output for name in COMMANDS)


@pytest.mark.parametrize(
    ("argv", "environ", "asks"),
    [
        (["--help"], {}, True),
        (["-h"], {}, True),
        ([], {}, True),
        (["--db", "kb.json", "--help"], {}, True),
        (["--db=kb.json", "-h"], {}, True),
        (["show", "--help"], {}, False),
        (["--version"], {}, False),
        (["--bogus", "--help"], {}, False),
        ([], {"_MFGKB_COMPLETE": "complete_bash"}, False),
    ],
)
def test_only_the_roots_help_gets_the_listing(
    argv: list[str], environ: dict[str, str], asks: bool
) -> None:
    from mfgkb.cli.root import asks_for_help

    assert asks_for_help(argv, environ) is asks
