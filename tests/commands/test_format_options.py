"""``--format`` on import and export: choices and help from the format registry.

The help names every format each command reads or writes, an unknown format is
one usage line listing them, and a new format is one module plus one registry
entry, with no change to the command line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mfgkb import formats
from mfgkb.formats import Format


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


FAKE = '''
"""A format the registry has never heard of: one title and date per line."""

def read(path):
    from mfgkb.formats.rows import Row
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        title, _, day = line.partition("|")
        yield Row(n, {"title": title, "published": day})

def write(articles, out):
    for a in articles:
        out.write(f"{a.title}|{a.published.isoformat()}\\n")
'''


def test_a_new_format_is_one_module_and_one_registry_entry(
    mfgkb: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pipes_format.py").write_text(FAKE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    pipes = Format(
        "pipes",
        "pipe-separated",
        extensions=(".pipes",),
        reader="pipes_format:read",
        writer="pipes_format:write",
        export_help="articles",
    )
    monkeypatch.setattr(formats, "REGISTRY", (*formats.REGISTRY, pipes))
    data = tmp_path / "new.pipes"
    data.write_text("Reshoring report|2025-03-04\nTariff update|2025-05-06\n", encoding="utf-8")

    result = mfgkb("import", str(data), "--json")  # detected by its extension
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["added"] == 2
    out = mfgkb("export", "--format", "pipes", "--tag", "nosuch")
    assert (out.exit_code, out.stdout) == (0, "")
    out = mfgkb("export", "--format", "pipes", "--since", "2025-03-01", "--until", "2025-06-01")
    assert sorted(out.stdout.splitlines()) == [
        "Reshoring report|2025-03-04",
        "Tariff update|2025-05-06",
    ]
