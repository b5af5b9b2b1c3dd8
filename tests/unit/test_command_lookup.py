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
