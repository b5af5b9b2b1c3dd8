"""The format registry (``mfgkb.formats``): detection, list columns, the package's layout.

The readers and writers themselves are tested in unit/test_format_readers,
unit/test_format_writers and commands/test_import; the command line's choices
and help in commands/test_format_options; that loading the registry costs no
parser in system/test_startup_imports. Here: detection, one way to split a
list, and a package without import cycles whose modules say what they are for.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import REPO_ROOT
from mfgkb import formats
from mfgkb.formats.markdown import read as read_notes
from mfgkb.formats.rows import Row

SRC = REPO_ROOT / "src"


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
    text = "".join(p.read_text(encoding="utf-8") for p in (SRC / "mfgkb" / "cli").glob("*.py"))
    assert '"bibtex"' not in text and "ExportFormat" not in text


# Each library stays in its place (the brief's architecture): the module prefixes
# that may import it. Imports inside functions count as much as those at the top.
CONFINED = {
    "typer": ("mfgkb.cli",),
    "rich": ("mfgkb.views",),
    "tinydb": ("mfgkb.storage.tables",),
    "sqlite3": ("mfgkb.index",),
    "dateutil": ("mfgkb.dates",),
}


def test_every_library_is_imported_only_where_it_belongs() -> None:
    wrong = []
    for path in (SRC / "mfgkb").rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        for target in set(_imports(path, module)):
            allowed = CONFINED.get(target.split(".")[0])
            if allowed is not None and not module.startswith(allowed):
                wrong.append(f"{module} imports {target}")
    assert not wrong, wrong


def test_no_module_of_the_package_is_over_600_lines_or_without_a_docstring() -> None:
    for path in (SRC / "mfgkb").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) <= 600, path
        if path.name != "__main__.py" or text.strip():
            assert ast.get_docstring(ast.parse(text)), path
