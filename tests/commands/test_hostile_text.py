"""Hostile and arbitrary text: stored exactly, shown inert, oversized input refused.

Titles, descriptions, authors, sources, tags and topic names holding Rich
markup, terminal escape sequences, other C0/C1 controls or bidi overrides must
reach the terminal as visible characters (brackets shown, controls escaped as
``\\x1b``), never as raw control bytes, whether they came from the command line
or from an import file; ``--json`` gives them back unchanged. A property-based
test checks the round trip of arbitrary Unicode. ``printable`` itself is tested
in unit/test_printable.py, broken streams and locales in
system/test_streams_and_locales.py.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from childproc import child_env, run_on_terminal
from helpers import MAIN, UNSAFE_CATEGORIES, files_of, ok, refusal
from mfgkb.cli import app
from mfgkb.models import MAX_DESCRIPTION, MAX_TITLE
from mfgkb.storage.store import load

Invoke = Callable[..., Any]
JsonInvoke = Callable[..., Any]

MARKUP = "[link=file:///etc/passwd]x[/]"
BOLD = "[bold]loud[/bold] [/]"
SGR = "\x1b[31mred\x1b[0m"
OSC8 = "\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\"
BEL = "ding\x07"
C1 = "csi\x9b31m"
BIDI = "abc\u202edcba\u2066"
HOSTILE = [MARKUP, BOLD, SGR, OSC8, BEL, C1, BIDI]

# What must never reach a terminal raw: C0 controls other than newline, DEL,
# C1 controls (0x9b is a one-byte CSI) and the bidi overrides/isolates.
FORBIDDEN = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
BIDI_CHARS = set("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def shown(text: str) -> str:
    """How a single-line field should look on screen: each control as a visible escape."""
    out = []
    for c in text:
        if c in BIDI_CHARS:
            out.append(f"\\u{ord(c):04x}")
        elif unicodedata.category(c) == "Cc":
            out.append(f"\\x{ord(c):02x}")
        else:
            out.append(c)
    return "".join(out)


def assert_inert(stdout: str, what: object) -> None:
    bad = FORBIDDEN.search(stdout)
    assert bad is None, (what, repr(bad.group()) if bad else None, stdout[:2000])


@pytest.fixture(autouse=True)
def _wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """Wide enough that Rich never folds a hostile title across lines."""
    monkeypatch.setenv("COLUMNS", "1000")


# -- 7. hostile text from the command line ------------------------------------------------

TITLE = "Hostilearticle " + " ".join(HOSTILE)
TOPIC_TITLE = "Hostiletopic " + " ".join(HOSTILE)


@pytest.fixture
def hostile(mfgkb: Invoke) -> dict[str, Any]:
    """A topic and an article whose every text field is hostile; returns the article's JSON."""
    ok(
        mfgkb(
            "add-topic",
            "--slug",
            "evil-topic",
            "--title",
            TOPIC_TITLE,
            "--alias",
            MARKUP + " alias",
            "--alias",
            SGR + " alias",
            "--summary",
            "Summary " + " ".join(HOSTILE) + "\n\n[a link](file:///etc/passwd)",
            "--term",
            f"{BOLD}|{SGR} definition",
            "--figure",
            f"{MARKUP}|{C1}|2025|{BIDI}",
        )
    )
    args = ["add-article", "--title", TITLE, "--date", "2025-05-05", "--json"]
    args += ["--description", "Description " + " ".join(HOSTILE)]
    for author in (MARKUP, SGR, BIDI + " Author"):
        args += ["--author", author]
    args += ["--source", OSC8 + " " + BEL, "--tag", BOLD, "--tag", C1]
    args += ["--url", "https://example.com/evil?q=%1b", "--topic", "evil-topic", "--topic", MAIN]
    result = ok(mfgkb(*args))
    article: dict[str, Any] = json.loads(result.stdout)
    return article


def _screens(article_id: int) -> list[tuple[str, ...]]:
    return [
        ("show", "evil-topic"),
        ("show", MAIN),
        ("articles",),
        ("articles", "--topic", "evil-topic"),
        ("article", str(article_id)),
        ("search", "hostilearticle"),
        ("search", "hostiletopic"),
        ("search", "description"),
        ("topics",),
    ]


def test_hostile_text_is_stored_exactly(hostile: dict[str, Any], db: Path) -> None:
    assert hostile["title"] == TITLE
    assert hostile["description"] == "Description " + " ".join(HOSTILE)
    assert hostile["authors"] == [MARKUP, SGR, BIDI + " Author"]
    assert hostile["source"] == OSC8 + " " + BEL
    assert hostile["tags"] == ["[bold]loud[/bold]-[/]", C1]
    stored = json.loads(db.read_bytes())["articles"][str(hostile["id"])]
    assert {k: stored[k] for k in ("title", "description", "authors", "source", "tags")} == {
        k: hostile[k] for k in ("title", "description", "authors", "source", "tags")
    }
    load(db)


def test_hostile_text_is_inert_on_every_screen(mfgkb: Invoke, hostile: dict[str, Any]) -> None:
    for args in _screens(hostile["id"]):
        out = ok(mfgkb(*args)).stdout
        assert_inert(out, args)
        assert "\\x1b" in out or args[0] == "search", args  # the escape is visible
    # Markup is shown as the brackets it is made of, and controls as escapes.
    detail = ok(mfgkb("article", str(hostile["id"]))).stdout
    for text in (TITLE, hostile["source"], *hostile["authors"]):
        assert shown(text) in detail, shown(text)
    # The description is prose, wrapped at a readable measure: the same words, in order.
    assert _words(shown(hostile["description"])) in _words(detail)
    for tag in hostile["tags"]:
        assert shown(tag) in detail
    assert shown(TITLE) in ok(mfgkb("articles")).stdout
    # A page and search results are kept to a readable measure: the same words, in order.
    for args in (("show", MAIN), ("show", "evil-topic")):
        assert _words(shown(TITLE)) in _words(ok(mfgkb(*args)).stdout), args
    topics = ok(mfgkb("topics")).stdout
    assert shown(TOPIC_TITLE) in topics
    assert shown(MARKUP + " alias") in topics
    page = ok(mfgkb("show", "evil-topic")).stdout
    assert _words(shown(TOPIC_TITLE)) in _words(page)
    assert "[bold]loud[/bold]" in page
    found = ok(mfgkb("search", "hostilearticle")).stdout
    assert _words(shown(TITLE)) in _words(found)


def _words(text: str) -> str:
    """``text``'s words, one space apart: what wrapping at a measure leaves unchanged."""
    return " ".join(text.split())


def test_hostile_text_is_inert_with_colour_forced(
    mfgkb: Invoke, hostile: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With colour on, the only escapes are Rich's own colour codes: no OSC 8 links."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    styled = 0
    for args in _screens(hostile["id"]):
        out = ok(mfgkb(*args)).stdout
        styled += out.count("\x1b[")
        plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
        assert_inert(plain, args)
        assert "\x1b]" not in out, args  # no OSC 8 hyperlink, no title change
    assert styled > 0, "colour was not on: the test proves nothing"


def test_hostile_text_survives_json_unchanged(
    mfgkb_json: JsonInvoke, hostile: dict[str, Any]
) -> None:
    article_id = hostile["id"]
    assert mfgkb_json("article", str(article_id)) == hostile
    listed = {a["id"]: a for a in mfgkb_json("articles", "--limit", "0")}
    assert listed[article_id] == hostile
    page = mfgkb_json("show", "evil-topic")
    assert page["topic"]["title"] == TOPIC_TITLE
    assert page["topic"]["aliases"] == [MARKUP + " alias", SGR + " alias"]
    assert page["topic"]["key_terms"][0]["term"] == BOLD
    assert page["topic"]["figures"][0]["value"] == C1
    assert page["articles"] == [hostile]
    hits = mfgkb_json("search", "hostilearticle")
    assert [h["title"] for h in hits if h["kind"] == "article"] == [TITLE]
    topics = {t["slug"]: t for t in mfgkb_json("topics")}
    assert topics["evil-topic"]["title"] == TOPIC_TITLE


def _all_inert(text: str, what: object) -> None:
    """No character of the categories printable() escapes (nor the old FORBIDDEN set)."""
    assert_inert(text.replace("\t", " "), what)
    bad = [c for c in text if unicodedata.category(c) in UNSAFE_CATEGORIES and c not in "\t\n"]
    assert bad == [], (what, bad)


def test_json_output_is_inert_and_the_same_data(
    mfgkb: Invoke, hostile: dict[str, Any], tmp_path: Path
) -> None:
    """--json and JSON exports to stdout escape C1 and format characters as \\uXXXX."""
    article = ok(mfgkb("article", str(hostile["id"]), "--json")).stdout
    _all_inert(article, "article --json")
    assert json.loads(article) == hostile
    assert "\\u009b" in article and "\\u202e" in article
    dumped = ok(mfgkb("export")).stdout
    _all_inert(dumped, "export json")
    assert any(a["title"] == TITLE for a in json.loads(dumped)["articles"])
    lines = ok(mfgkb("export", "--format", "jsonl", "--tag", C1)).stdout
    _all_inert(lines, "export jsonl")
    assert [json.loads(line)["title"] for line in lines.splitlines()] == [TITLE]
    # A file keeps the text as it is: the dump is UTF-8, not escaped.
    target = tmp_path / "dump.json"
    ok(mfgkb("export", "-o", str(target)))
    raw = target.read_bytes()
    assert "\x9b".encode() in raw and "\u202e".encode() in raw
    assert json.loads(raw) == json.loads(dumped)


TEXT_EXPORTS = [
    ("--format", "csv", "--tag", C1),
    ("--format", "bibtex", "--tag", C1),
    ("--format", "markdown", "--topic", "evil-topic"),
]


@pytest.mark.parametrize("args", TEXT_EXPORTS, ids=["csv", "bibtex", "markdown"])
def test_text_exports_to_a_terminal_are_escaped(
    hostile: dict[str, Any], db: Path, tmp_path: Path, args: tuple[str, ...]
) -> None:
    out = run_on_terminal(["export", *args], child_env(tmp_path, db)).decode("utf-8")
    _all_inert(out, args)
    assert "\\x9b" in out and "\\u202e" in out, out
    assert "\\x1b" in out and "\\x07" in out, out  # shown, not dropped


@pytest.mark.parametrize("args", TEXT_EXPORTS, ids=["csv", "bibtex", "markdown"])
def test_text_exports_to_a_pipe_or_a_file_keep_the_text(
    mfgkb: Invoke, hostile: dict[str, Any], tmp_path: Path, args: tuple[str, ...]
) -> None:
    """Not a terminal: the data as it is, for the program or file that reads it."""
    piped = ok(mfgkb("export", *args)).stdout
    assert "\x9b" in piped and "\u202e" in piped
    assert "\x1b" in piped and "\x07" in piped
    target = tmp_path / "out.txt"
    ok(mfgkb("export", *args, "-o", str(target)))
    assert target.read_bytes() == piped.encode("utf-8")


def test_bibtex_export_to_a_file_imports_back_with_every_control_character(
    runner: CliRunner, db: Path, tmp_path: Path
) -> None:
    """ESC, BEL, U+202E and U+009B are data: written into the .bib file, read back as they were."""
    raw = "Bell\x07 esc\x1b[31m rlo\u202eo c1\x9bx"
    first = ["--db", str(db)]
    db.parent.mkdir(parents=True, exist_ok=True)
    args = ["add-article", "--title", "Controls " + raw, "--date", "2025-05-05", "--json"]
    args += ["--description", "About " + raw, "--author", "Ann " + raw, "--source", "Src " + raw]
    args += ["--tag", "tag " + raw, "--url", "https://example.com/controls"]
    article = json.loads(ok(runner.invoke(app, [*first, *args])).stdout)
    bib = tmp_path / "out.bib"
    ok(runner.invoke(app, [*first, "export", "--format", "bibtex", "-o", str(bib)]))
    text = bib.read_text(encoding="utf-8")
    for char in "\x07\x1b\u202e\x9b":
        assert text.count(char) == 5, (char, text)  # title, author, source, tag, abstract
    other = ["--db", str(tmp_path / "other" / "kb.json")]
    (tmp_path / "other").mkdir()
    ok(runner.invoke(app, [*other, "import", str(bib)]))
    back = json.loads(ok(runner.invoke(app, [*other, "articles", "--json"])).stdout)
    (again,) = [a for a in back if a["url"] == "https://example.com/controls"]
    for field in ("title", "description", "authors", "source", "tags"):
        assert again[field] == article[field], field


# Error messages quote the input: they are escaped on stderr too (cli._fail).
_ECHO_BUG: tuple[pytest.MarkDecorator, ...] = ()


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(("show", SGR + OSC8), marks=_ECHO_BUG, id="unknown-topic"),
        pytest.param(("add-article", "--title", "x", "--date", SGR), marks=_ECHO_BUG, id="date"),
        pytest.param(
            ("add-article", "--title", "x", "--date", "2025-01-01", "--url", "javascript:" + SGR),
            marks=_ECHO_BUG,
            id="url",
        ),
        pytest.param(("articles", "--topic", BIDI + MARKUP), marks=_ECHO_BUG, id="topic-filter"),
    ],
)
def test_error_messages_echoing_hostile_arguments_are_inert(
    mfgkb: Invoke, args: tuple[str, ...]
) -> None:
    result = mfgkb(*args)
    assert result.exit_code in (1, 2), args
    assert result.stdout == "", args
    assert_inert(result.stderr.rstrip("\n"), args)


def test_column_names_from_an_import_file_are_inert_in_errors(
    mfgkb: Invoke, tmp_path: Path
) -> None:
    source = tmp_path / "evil.csv"
    source.write_text(f"title{OSC8},date\nA,2025-01-01\n", encoding="utf-8")
    result = mfgkb("import", str(source), "--map", "url=link")
    assert result.exit_code == 2, result.stderr
    assert_inert(result.stderr.rstrip("\n"), "import --map error")


@pytest.mark.parametrize(
    ("option", "size"),
    [("--title", 10_000_000), ("--description", 1_000_000), ("--title", MAX_TITLE + 1)],
    ids=["10MB-title", "1MB-description", "title-one-over"],
)
def test_oversized_fields_are_refused_and_nothing_is_written(
    mfgkb: Invoke, db: Path, option: str, size: int
) -> None:
    ok(mfgkb("articles"))
    before = files_of(db)
    args = ["add-article", "--title", "Small", "--date", "2025-01-01", option, "A" * size]
    result = mfgkb(*args)
    assert result.exit_code == 1, result.stderr[:500]
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "limit" in lines[0]
    assert len(lines[0]) < 300  # the message does not echo the 10 MB back
    assert files_of(db) == before


def test_a_description_at_the_limit_is_accepted(mfgkb_json: JsonInvoke) -> None:
    text = "d" * MAX_DESCRIPTION
    added = mfgkb_json(
        "add-article", "--title", "Long", "--date", "2025-01-01", "--description", text
    )
    assert mfgkb_json("article", str(added["id"]))["description"] == text


# -- 7. hostile text from an import file ---------------------------------------------------


def test_imported_hostile_rows_are_inert(
    mfgkb: Invoke, mfgkb_json: JsonInvoke, tmp_path: Path, db: Path
) -> None:
    rows = [
        {
            "title": "Importedhostile " + text,
            "date": "2025-02-02",
            "authors": [MARKUP, SGR],
            "description": "Imported description " + text,
            "source": OSC8,
            "tags": [BOLD, C1],
            "topics": [MAIN],
            "url": f"https://example.com/imported/{n}",
        }
        for n, text in enumerate(HOSTILE)
    ]
    rows.append({"title": "T" * 10_000_000, "date": "2025-02-02"})  # refused row
    source = tmp_path / "hostile.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = mfgkb_json("import", str(source))
    assert report["added"] == len(HOSTILE)
    assert [i["line"] for i in report["invalid"]] == [len(rows)]
    assert len(json.dumps(report)) < 2000  # the refusal does not echo the 10 MB title

    by_title = {a["title"]: a for a in mfgkb_json("articles", "--limit", "0")}
    for row in rows[:-1]:
        got = by_title[row["title"]]
        assert got["authors"] == [MARKUP, SGR]
        assert got["description"] == row["description"]
        assert got["source"] == OSC8
        assert got["tags"] == ["[bold]loud[/bold]-[/]", C1]
    ids = [by_title[r["title"]]["id"] for r in rows[:-1]]
    for args in (
        ("articles",),
        ("show", MAIN),
        ("search", "importedhostile"),
        *(("article", str(i)) for i in ids),
    ):
        out = ok(mfgkb(*args)).stdout
        assert_inert(out, args)
    listing = ok(mfgkb("articles", "--limit", "0")).stdout
    for row in rows[:-1]:
        assert shown(row["title"]) in listing
    load(db)


def test_an_import_of_only_refused_rows_writes_nothing(
    mfgkb: Invoke, tmp_path: Path, db: Path
) -> None:
    ok(mfgkb("articles"))
    before = files_of(db)
    source = tmp_path / "bad.jsonl"
    source.write_text(
        json.dumps({"title": "T" * 1_000_000, "date": "2025-02-02", "description": ""})
        + "\n"
        + json.dumps({"title": "ok", "date": "2025-02-02", "description": "d" * 1_000_000})
        + "\n",
        encoding="utf-8",
    )
    result = mfgkb("import", str(source))
    # Nothing could be imported: a script should notice, a person read why, on stderr.
    line = refusal(result)
    assert "its 2 rows are invalid. Line 1: The title is 1,000,000 characters" in line, line
    assert result.stdout == ""
    assert_inert(line, "import refusal")
    assert files_of(db) == before


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "holds no articles"),
        ("[]", "holds no articles"),
        ('{"title": ""}\n', "its row is invalid. Line 1: No title. Fix"),
        ("just some words\nwith no title line\n", "could be imported"),
    ],
    ids=["empty", "empty-array", "one-invalid", "plain-text"],
)
def test_an_import_with_no_usable_row_is_one_line_and_exit_1(
    mfgkb: Invoke, tmp_path: Path, db: Path, content: str, expected: str
) -> None:
    ok(mfgkb("articles"))
    before = files_of(db)
    source = tmp_path / ("notes.txt" if "words" in content else "rows.jsonl")
    if content == "[]":
        source = tmp_path / "rows.json"
    source.write_text(content, encoding="utf-8")
    for extra in ([], ["--json"]):
        result = mfgkb("import", *extra, str(source))
        assert expected in refusal(result)
        assert files_of(db) == before


# -- 8. property-based ----------------------------------------------------------------

# Any code point except lone surrogates, which cannot come from UTF-8 input.
TEXT = st.characters(exclude_categories=("Cs",))


def _clean_authors(authors: list[str]) -> list[str]:
    """models.clean_list: strip, drop empty ones and case-insensitive repeats, keep order."""
    seen: set[str] = set()
    out: list[str] = []
    for raw in authors:
        name = raw.strip()
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            out.append(name)
    return out


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    title=st.text(TEXT, min_size=1, max_size=80).filter(lambda s: bool(s.strip())),
    authors=st.lists(st.text(TEXT, max_size=30), max_size=6),
    description=st.text(TEXT, max_size=300),
)
def test_arbitrary_text_round_trips(
    runner: CliRunner, db: Path, title: str, authors: list[str], description: str
) -> None:
    db.parent.mkdir(parents=True, exist_ok=True)
    args = ["--db", str(db), "add-article", f"--title={title}", "--date=2025-07-07"]
    args += [f"--author={a}" for a in authors] + [f"--description={description}", "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, (result.stderr, result.exception)
    added = json.loads(result.stdout)
    expected = {
        "title": title.strip(),
        "authors": _clean_authors(authors),
        "description": description.strip(),
    }
    assert {k: added[k] for k in expected} == expected
    shown_ = runner.invoke(app, ["--db", str(db), "article", str(added["id"]), "--json"])
    assert shown_.exit_code == 0, (shown_.stderr, shown_.exception)
    assert json.loads(shown_.stdout) == added
    stored = json.loads(db.read_bytes())["articles"][str(added["id"])]
    assert {k: stored[k] for k in expected} == expected
    # The human-readable page is inert whatever the text.
    page = runner.invoke(app, ["--db", str(db), "article", str(added["id"])])
    assert page.exit_code == 0, (page.stderr, page.exception)
    assert_inert(page.stdout, "article page")
