"""The format registry (``mfgkb.formats``): choices, help, detection, extension, layout.

The readers and writers themselves are tested in test_import, test_sources
and test_export; here is what the registry promises: one entry is all a new
format needs, the command line takes its choices and help from it, loading
it costs no parser, and the package has no import cycles.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from helpers import REPO_ROOT
from mfgkb import formats
from mfgkb.formats import Format
from mfgkb.formats.markdown import read as read_notes
from mfgkb.formats.rows import Row

SRC = REPO_ROOT / "src"


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
        f"mfgkb: --format 'opml' is not a format mfgkb can {command}; use one of {names}.\n"
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


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("a.jsonl", b"<rss>", "jsonl"),  # the extension decides before the content
        ("a.csv", b"@article{k,", "csv"),
        ("download", b"\xef\xbb\xbf[{}]", "json"),  # a byte order mark is skipped
        ("download", b"  {}", "jsonl"),
        ("download", b"<RDF:RDF", "feed"),
        ("download", b"title,url", "csv"),
    ],
)
def test_detection(name: str, head: bytes, expected: str) -> None:
    assert formats.detect(Path(name), head).name == expected


def test_a_list_in_one_string_is_split_alike_everywhere(tmp_path: Path) -> None:
    # One pattern for every list column: a note's "tags: a | b" as a CSV cell.
    (tmp_path / "n.md").write_text(
        "---\ntitle: T\ndate: 2024-01-02\ntags: reshoring | tariffs; chips\n---\nBody\n",
        encoding="utf-8",
    )
    [row] = read_notes(tmp_path)
    assert isinstance(row, Row)
    assert row.data["tags"] == ["reshoring", "tariffs", "chips"]


def _imports(path: Path, module: str) -> Iterator[str]:
    """The mfgkb modules ``module`` imports anywhere in its file, and its package."""
    if module.count(".") > 1:  # importing a submodule runs its package first
        yield module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module
            yield from (f"{node.module}.{a.name}" for a in node.names)


def test_the_package_has_no_import_cycles() -> None:
    files = {}
    for path in (SRC / "mfgkb").rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        files[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {m: {t for t in _imports(p, m) if t in files and t != m} for m, p in files.items()}
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            raise AssertionError(" -> ".join([*path[path.index(module) :], module]))
        if module in done:
            return
        for target in sorted(graph[module]):
            visit(target, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
    assert "mfgkb.formats.csv" in graph  # the walk saw the format modules


def test_every_module_is_short_and_says_what_it_is_for() -> None:
    for path in (SRC / "mfgkb" / "formats").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) < 600, path.name
        assert ast.get_docstring(ast.parse(text)), path.name


def test_cli_holds_no_list_of_formats() -> None:
    text = (SRC / "mfgkb" / "cli.py").read_text(encoding="utf-8")
    assert '"bibtex"' not in text and "ExportFormat" not in text
