"""``--format`` on import and export: choices and help from the format registry.

The help names every format each command reads or writes, an unknown format is
one usage line listing them, and a new format is one module in the package
(found by the registry's discovery), with no change anywhere else.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from helpers import load_db
from mfgkb import formats
from mfgkb.cli.root import build


def test_import_help_names_every_format_it_reads(mfgkb: Any) -> None:
    result = mfgkb("import", "--help")
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())
    for f in formats.readable():
        assert f.label in text
        assert f.name in text


def test_export_help_names_every_format_it_writes(mfgkb: Any) -> None:
    text = " ".join(mfgkb("export", "--help").stdout.split())
    for f in formats.writable():
        assert f.name in text
    assert "feed" not in text  # read, never written


@pytest.mark.parametrize(
    ("command", "names"),
    [
        ("import", "jsonl, json, csv, feed, bibtex, markdown"),
        ("export", "jsonl, json, csv, bibtex, markdown"),
    ],
)
def test_an_unknown_format_is_one_usage_line_listing_the_formats(
    mfgkb: Any, tmp_path: Path, db: Path, command: str, names: str
) -> None:
    data = tmp_path / "a.csv"
    data.write_text("title,published\nA,2024-01-01\n", encoding="utf-8")
    args = [command, str(data)] if command == "import" else [command]
    result = mfgkb(*args, "--format", "opml")
    assert result.exit_code == 2
    assert result.stderr == (
        f"mfgkb: --format 'opml' is not a format mfgkb can {command}; use one of {names}. "
        f"(see: root {command} --help)\n"  # CliRunner's program name
    )
    assert not db.exists()


# A format the registry has never heard of, written as a new module would be:
# it declares itself, and nothing else in mfgkb names it.
PIPES = '''
"""A format mfgkb has never heard of: one title and date per line."""

from mfgkb.formats import Format
from mfgkb.formats.pipes_helper import split_line


def read(path):
    from mfgkb.formats.rows import Row

    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        title, day = split_line(line)
        yield Row(n, {"title": title, "published": day})


def write(articles, out):
    for a in articles:
        out.write(f"{a.title}|{a.published.isoformat()}\\n")


FORMAT = Format(
    "pipes",
    "pipe-separated list",
    extensions=(".pipes",),
    starts=(b"~pipes",),
    reader=read,
    writer=write,
    export_help="articles",
)
'''

# A helper beside it: no FORMAT, so not a format, whatever it is called.
HELPER = '''
"""Splitting a line of the pipes format."""


def split_line(line):
    title, _, day = line.partition("|")
    return title, day
'''


@pytest.fixture
def pipes_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The pipes module in a folder the format package searches, and a registry to find it."""
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "pipes.py").write_text(PIPES, encoding="utf-8")
    (plugins / "pipes_helper.py").write_text(HELPER, encoding="utf-8")
    monkeypatch.setattr(formats, "__path__", [*formats.__path__, str(plugins)])
    monkeypatch.setattr(formats, "_registry", None)  # the next call discovers again
    # The command module computes its --format help when imported: import it anew.
    monkeypatch.delitem(sys.modules, "mfgkb.cli.transfer")
    yield
    for name in ("mfgkb.formats.pipes", "mfgkb.formats.pipes_helper"):
        sys.modules.pop(name, None)


def test_a_new_format_is_one_module_and_nothing_else(
    pipes_module: None, runner: CliRunner, tmp_path: Path, db: Path
) -> None:
    app = build(["import", "export"])
    db.parent.mkdir()

    def mfgkb(*args: str) -> Any:
        return runner.invoke(app, ["--db", str(db), *args])

    assert [f.name for f in formats.registry()] == [
        *("jsonl", "json", "csv", "feed", "bibtex", "markdown", "pipes")  # after the built-ins
    ]
    help_text = " ".join(mfgkb("import", "--help").stdout.split())
    assert "csv, feed, bibtex, markdown, pipes;" in help_text  # the --format choices
    assert "pipe-separated list" in help_text  # and the FILE argument's
    assert "jsonl, csv, bibtex, pipes: articles" in " ".join(
        mfgkb("export", "--help").stdout.split()
    )
    assert formats.detect(Path("new.PIPES"), b"").name == "pipes"
    assert formats.detect(Path("new.txt"), b"~pipes\n").name == "pipes"

    data = tmp_path / "new.pipes"
    data.write_text("Reshoring report|2025-03-04\nTariff update|2025-05-06\n", encoding="utf-8")
    result = mfgkb("import", str(data), "--json")  # detected by its extension, read by its reader
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["added"] == 2
    stored = {(a["title"], a["published"]) for a in load_db(db)["articles"].values()}
    assert {("Reshoring report", "2025-03-04"), ("Tariff update", "2025-05-06")} <= stored
    out = mfgkb("export", "--format", "pipes", "--tag", "nosuch")
    assert (out.exit_code, out.stdout) == (0, "")
    out = mfgkb("export", "--format", "pipes", "--since", "2025-03-01", "--until", "2025-06-01")
    assert sorted(out.stdout.splitlines()) == [
        "Reshoring report|2025-03-04",
        "Tariff update|2025-05-06",
    ]


def test_a_module_copied_without_a_new_name_is_refused(pipes_module: None, tmp_path: Path) -> None:
    copy = (tmp_path / "plugins" / "pipes.py").read_text(encoding="utf-8")
    (tmp_path / "plugins" / "pipes_again.py").write_text(copy, encoding="utf-8")
    try:
        with pytest.raises(RuntimeError, match="declare the same name"):
            formats.registry()
    finally:
        sys.modules.pop("mfgkb.formats.pipes_again", None)


def test_the_registry_is_built_once() -> None:
    assert formats.registry() is formats.registry()
