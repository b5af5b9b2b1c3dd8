"""``stats``, ``open``, the pager, completion scripts, editing in $EDITOR, export and import.

Through the command line in-process; completion and colour as the installed
script gives them are in system/test_completion_and_colour.py.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from helpers import EDITOR_HOSTILE, TEST_DATA, FifoReader, add

Invoke = Any


def test_stats_counts_and_bars(mfgkb: Invoke) -> None:
    add(
        mfgkb,
        "--title",
        "A",
        "--date",
        "2024-03-01",
        "--author",
        "Ann Lee",
        "--tag",
        "fabs",
        "--source",
        "Weekly",
        "--topic",
        "texas",
    )
    add(mfgkb, "--title", "B", "--date", "2025-03-01", "--author", "Ann Lee", "--tag", "fabs")
    data = json.loads(mfgkb("stats", "--json").stdout)
    assert data["articles"] == 3 and data["topics"] == 2  # the topics they are linked to
    assert data["all_topics"] == 8  # and all the topics there are
    assert mfgkb("stats").stdout.startswith("3 articles in 2 of 8 topics · ")
    nothing = mfgkb("stats", "--author", "Nobody At All")
    assert nothing.exit_code == 0 and nothing.stdout == "No articles to count.\n"
    assert dict(map(tuple, data["per_year"])) == {"2024": 1, "2025": 2}
    assert ["Ann Lee", 2] in data["top_authors"]
    assert ["Weekly", 1] in data["top_sources"]
    assert ["fabs", 2] in data["top_tags"]
    text = mfgkb("stats").stdout
    assert "Articles per year" in text and "█" in text and "Ann Lee" in text


def test_stats_takes_the_filters_of_articles(mfgkb: Invoke) -> None:
    """A repeated filter matches any of its values; different filters all apply."""
    add(mfgkb, "--title", "A", "--date", "2024-03-01", "--tag", "fabs", "--topic", "texas")
    add(mfgkb, "--title", "B", "--date", "2025-03-01", "--tag", "fabs", "--topic", "chips-act")
    add(mfgkb, "--title", "C", "--date", "2025-06-01", "--author", "Bo Chen", "--topic", "texas")

    def stats(*args: str) -> Any:
        result = mfgkb("stats", *args, "--json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    both = stats("--topic", "texas", "--topic", "chips-act")
    assert both["articles"] == 3 and both["topics"] == 2
    assert dict(map(tuple, both["per_topic"])) == {"texas": 2, "chips-act": 1}
    assert dict(map(tuple, both["per_year"])) == {"2024": 1, "2025": 2}
    texas_fabs = stats("--topic", "texas", "--tag", "fabs")
    assert texas_fabs["articles"] == 1 and texas_fabs["tags"] == 1
    assert stats("--author", "chen", "--since", "2025")["top_authors"] == [["Bo Chen", 1]]
    assert stats("--tag", "none-such")["articles"] == 0
    everything = stats()
    assert everything["articles"] == 4 and len(everything["per_topic"]) == 3
    result = mfgkb("stats", "--topic", "texs")
    assert result.exit_code == 1 and "did you mean texas" in result.stderr


def test_stats_topics_follow_one_rule_with_a_filter_and_without(mfgkb: Invoke) -> None:
    """Every figure is of the articles counted: "topics" and the per-topic chart list
    the topics they are linked to, never a topic without any of them (both ways)."""
    add(mfgkb, "--title", "A", "--date", "2024-03-01", "--topic", "texas")
    add(mfgkb, "--title", "B", "--date", "2025-03-01", "--topic", "texas", "--topic", "chips-act")
    for args, per_topic in (
        ((), {"advanced-manufacturing": 1, "texas": 2, "chips-act": 1}),
        (("--until", "2025-06"), {"texas": 2, "chips-act": 1}),
        (("--until", "2024"), {"texas": 1}),
        (("--tag", "none-such"), {}),
    ):
        data = json.loads(mfgkb("stats", *args, "--json").stdout)
        assert dict(map(tuple, data["per_topic"])) == per_topic, args
        assert data["topics"] == len(per_topic), args
        text = mfgkb("stats", *args).stdout
        assert ("Articles per topic" in text) == bool(per_topic)
        assert all(f" {slug} " in text for slug in per_topic)
        assert " 0\n" not in text  # no empty bar
    assert mfgkb("stats", "--until", "2024").stdout.startswith(
        "1 article in 1 of 8 topics · 0 authors · 0 tags\n"
    )
    assert mfgkb("stats", "--until", "2025-06").stdout.startswith(
        "2 articles in 2 of 8 topics · 0 authors · 0 tags\n"
    )


def test_open_starts_the_browser_or_says_why_not(
    mfgkb: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url) or True)
    with_url = add(mfgkb, "--title", "A", "--date", "2025-01-01", "--url", "https://example.com/a")
    assert mfgkb("open", str(with_url)).exit_code == 0
    assert opened == ["https://example.com/a"]
    result = mfgkb("open", "1")  # the shipped article has no URL
    assert result.exit_code == 1 and "has no URL" in result.stderr


def test_pager_is_skipped_when_not_a_terminal(mfgkb: Invoke) -> None:
    result = mfgkb("articles", "--pager")
    assert result.exit_code == 0 and "Jedrik Hastings" in result.stdout


# What each shell's completion script, and no other's, contains.
SHELL_MARKERS = {
    "bash": "complete -o default -F",
    "zsh": "#compdef",
    "fish": "complete --command",
    "powershell": "Register-ArgumentCompleter",
}


@pytest.mark.parametrize("form", ["separate", "equals"])
def test_show_completion_writes_the_named_shells_script(
    runner: Any, form: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mfgkb.cli import app

    monkeypatch.setenv("SHELL", "/bin/bash")  # a named shell wins over the detected one
    scripts = {}
    for shell, marker in SHELL_MARKERS.items():
        args = (
            ["--show-completion", shell] if form == "separate" else [f"--show-completion={shell}"]
        )
        result = runner.invoke(app, args)
        assert result.exit_code == 0, result.output
        assert marker in result.stdout, (shell, result.stdout)
        for other, other_marker in SHELL_MARKERS.items():
            if other != shell:
                assert other_marker not in result.stdout, (shell, other)
        scripts[shell] = result.stdout
    assert len(set(scripts.values())) == len(SHELL_MARKERS)


def test_completion_of_an_unknown_shell_is_refused(runner: Any) -> None:
    from mfgkb.cli import app

    for option in ("--show-completion", "--install-completion"):
        result = runner.invoke(app, [option, "tcsh"])
        assert result.exit_code == 2, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("mfgkb: ") and "tcsh" in lines[0]
        assert "bash" in lines[0] and "zsh" in lines[0]


@pytest.mark.parametrize(
    ("shell", "installed"),
    [
        ("bash", ".bash_completions/{prog}.sh"),
        ("zsh", ".zfunc/_{prog}"),
        ("fish", ".config/fish/completions/{prog}.fish"),
    ],
)
def test_install_completion_installs_the_named_shells_script(
    runner: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shell: str, installed: str
) -> None:
    from mfgkb.cli import app

    home = tmp_path / "install-home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("SHELL", "/bin/bash")
    result = runner.invoke(app, ["--install-completion", shell], prog_name="mfgkb")
    assert result.exit_code == 0, result.output
    path = home / installed.format(prog="mfgkb")
    assert path.is_file(), sorted(str(p.relative_to(home)) for p in home.rglob("*"))
    assert SHELL_MARKERS[shell] in path.read_text(encoding="utf-8")
    others = [p for p in home.rglob("*") if p.is_file() and "mfgkb" in p.name and p != path]
    assert others == []


# -- $EDITOR ------------------------------------------------------------------


def _editor(tmp_path: Path, script: str) -> str:
    path = tmp_path / "editor.sh"
    path.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_edit_article_in_the_editor(
    mfgkb: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = "sed -i 's/^title: .*/title: Edited title/' \"$1\"\necho 'More text.' >> \"$1\"\n"
    monkeypatch.setenv("EDITOR", _editor(tmp_path, script))
    assert mfgkb("edit-article", "1", "--editor").exit_code == 0
    article = json.loads(mfgkb("article", "1", "--json").stdout)
    assert article["title"] == "Edited title"
    assert article["description"].endswith("More text.")


def test_a_rejected_edit_is_kept_not_lost(
    mfgkb: Invoke, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mfgkb("articles")
    before = db.read_bytes()
    script = "sed -i 's/^published: .*/published: not a date/' \"$1\"\n"
    monkeypatch.setenv("EDITOR", _editor(tmp_path, script))
    result = mfgkb("edit-article", "1", "--editor")
    assert result.exit_code == 1
    assert "not a date" in result.stderr and "your edit is kept in" in result.stderr
    kept = Path(result.stderr.rsplit("kept in ", 1)[1].strip().rstrip("."))
    assert "published: not a date" in kept.read_text(encoding="utf-8")
    kept.unlink()
    assert db.read_bytes() == before


def test_an_unsaved_edit_changes_nothing(
    mfgkb: Invoke, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mfgkb("articles")
    before = db.read_bytes()
    monkeypatch.setenv("EDITOR", _editor(tmp_path, "exit 0\n"))
    result = mfgkb("edit-topic", "texas", "--editor")
    assert result.exit_code == 0 and "No changes" in result.stderr
    assert db.read_bytes() == before


def test_edit_topic_in_the_editor(
    mfgkb: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = "sed -i 's/^title: .*/title: Texas (US)/' \"$1\"\n"
    monkeypatch.setenv("EDITOR", _editor(tmp_path, script))
    assert mfgkb("edit-topic", "texas", "--editor").exit_code == 0
    page = json.loads(mfgkb("show", "texas", "--json").stdout)
    assert page["topic"]["title"] == "Texas (US)"
    assert page["topic"]["key_terms"]  # untouched fields survive the round trip


# -- export and the formats people already use ----------------------------------

SOURCES = TEST_DATA / "sources"


def test_json_dump_imports_back_into_a_new_database_identically(
    mfgkb: Invoke, db: Path, runner: Any, tmp_path: Path
) -> None:
    from mfgkb.cli import app

    add(
        mfgkb,
        "--title",
        "Zürich “fab” & co",
        "--date",
        "2025-01-02",
        "--author",
        "Ann Lee",
        "--tag",
        "fabs",
        "--url",
        "https://example.com/z",
    )
    removed = add(mfgkb, "--title", "Gone", "--date", "2025-01-03")
    assert mfgkb("remove-article", str(removed), "--yes").exit_code == 0
    assert (
        mfgkb(
            "add-topic", "--title", "Additive manufacturing", "--related", "advanced-manufacturing"
        ).exit_code
        == 0
    )
    dump = tmp_path / "dump.json"
    assert mfgkb("export", "--format", "json", "-o", str(dump)).exit_code == 0
    other = tmp_path / "other" / "kb.json"
    other.parent.mkdir()
    result = runner.invoke(app, ["--db", str(other), "import", str(dump)])
    assert result.exit_code == 0, result.output
    assert other.read_bytes() == db.read_bytes()
    # the counter came along: the removed id is still not given out again
    result = runner.invoke(
        app, ["--db", str(other), "add-article", "--title", "n", "--date", "2025-02-02"]
    )
    assert int(result.stdout) == removed + 1
    # and a dump is never merged into a database that has records
    assert mfgkb("import", str(dump)).exit_code == 1


def test_export_formats_and_filters(mfgkb: Invoke) -> None:
    add(mfgkb, "--title", "Texas fab", "--date", "2025-05-01", "--topic", "texas", "--tag", "fabs")
    lines = mfgkb("export", "--format", "jsonl", "--topic", "texas").stdout.splitlines()
    assert [json.loads(line)["title"] for line in lines] == ["Texas fab"]
    csv_text = mfgkb("export", "--format", "csv", "--tag", "fabs").stdout
    assert csv_text.splitlines()[0].startswith("id,title,authors,published")
    assert "Texas fab" in csv_text and "Jedrik" not in csv_text
    bib = mfgkb("export", "--format", "bibtex").stdout
    assert bib.count("@") == 2 and "Hastings" in bib
    page = mfgkb("export", "--format", "markdown", "--topic", "advanced-manufacturing").stdout
    assert page.startswith("# Advanced manufacturing\n")
    assert "Also known as: smart manufacturing" in page and "## Key terms" in page
    assert "over $2.5 trillion" in page and "Jedrik Hastings" in page
    assert mfgkb("export", "--format", "markdown").exit_code == 2  # which topic?
    assert mfgkb("export", "--format", "json", "--tag", "x").exit_code == 2


def test_import_a_feed_a_bibtex_file_and_a_folder_of_notes(mfgkb: Invoke) -> None:
    report = json.loads(
        mfgkb("import", str(SOURCES / "industry-news.rss"), "--topic", "texas", "--json").stdout
    )
    assert report["added"] >= 3
    texas = json.loads(mfgkb("articles", "--topic", "texas", "--json").stdout)
    assert len(texas) == report["added"]
    strict = json.loads(mfgkb("import", str(SOURCES / "papers.bib"), "--json").stdout)
    assert any("gives no day" in r["reason"] for r in strict["invalid"])
    loose = json.loads(
        mfgkb("import", str(SOURCES / "papers.bib"), "--approximate-dates", "--json").stdout
    )
    assert loose["added"] > 0
    tagged = json.loads(mfgkb("articles", "--tag", "approximate-date", "--json").stdout)
    assert tagged and all(a["published"].endswith("-01") for a in tagged)
    notes = json.loads(
        mfgkb("import", str(SOURCES / "notes"), "--approximate-dates", "--json").stdout
    )
    assert notes["added"] >= 1
    assert any("bad-yaml.md" in r["reason"] for r in notes["invalid"])


def test_an_edit_does_not_overwrite_a_change_made_meanwhile(
    mfgkb: Invoke, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While $EDITOR is open, another process changes the article: that change wins."""
    mfgkb("articles")
    other = f"MFGKB_DB={db} {Path(sys.executable).parent / 'mfgkb'}"
    script = (
        f"{other} edit-article 1 --source 'Changed meanwhile' >/dev/null 2>&1\n"
        "sed -i 's/^title: .*/title: My edit/' \"$1\"\n"
    )
    monkeypatch.setenv("EDITOR", _editor(tmp_path, script))
    result = mfgkb("edit-article", "1", "--editor")
    assert result.exit_code == 1, result.output
    assert "changed by another mfgkb process" in result.stderr
    kept = Path(result.stderr.rsplit("kept in ", 1)[1].strip().rstrip("."))
    assert "title: My edit" in kept.read_text(encoding="utf-8")
    kept.unlink()
    article = json.loads(mfgkb("article", "1", "--json").stdout)
    assert article["source"] == "Changed meanwhile"
    assert article["title"] != "My edit"


def test_export_never_writes_over_the_database_or_into_a_folder(
    mfgkb: Invoke, db: Path, tmp_path: Path
) -> None:
    mfgkb("articles")
    before = db.read_bytes()
    for target in (db, db.with_name(db.name + ".1"), db.parent):
        result = mfgkb("export", "-o", str(target))
        assert result.exit_code == 2, (target, result.output)
        assert result.stderr.count("\n") == 1
    assert db.read_bytes() == before
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    # The reader is there before the writer: export never waits for one.
    reader = FifoReader(fifo)
    try:
        assert mfgkb("export", "--format", "jsonl", "-o", str(fifo)).exit_code == 0
    finally:
        got = reader.close()
    assert fifo.exists() and not fifo.is_file()  # still a pipe, not replaced by a file
    assert got is not None and b"Jedrik Hastings" in got


def test_a_time_of_day_in_the_editor_is_stored_as_the_date(
    mfgkb: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = "sed -i 's/^published: .*/published: 2024-01-02 10:30:00/' \"$1\"\n"
    monkeypatch.setenv("EDITOR", _editor(tmp_path, script))
    assert mfgkb("edit-article", "1", "--editor").exit_code == 0
    assert json.loads(mfgkb("article", "1", "--json").stdout)["published"] == "2024-01-02"
    assert mfgkb("articles").exit_code == 0


@pytest.mark.parametrize(
    "args",
    [
        ("article", "99999999999999999999"),
        ("articles", "--limit", "99999999999999999999"),
        ("search", "x", "--limit", "99999999999999999999"),
        ("add-topic", "--title", "B", "--figure", "a|b|99999999999999999999"),
    ],
)
def test_numbers_too_large_are_usage_errors(mfgkb: Invoke, args: tuple[str, ...]) -> None:
    result = mfgkb(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_dump_and_notes_mistakes_are_refused_up_front(
    mfgkb: Invoke, db: Path, tmp_path: Path
) -> None:
    dump = tmp_path / "dump.json"
    assert mfgkb("export", "-o", str(dump)).exit_code == 0
    before = db.read_bytes()
    assert mfgkb("import", str(dump), "--dry-run").exit_code == 1  # same answer as a real run
    assert mfgkb("import", str(db)).exit_code == 2  # a database file is not records
    note = SOURCES / "notes" / "chips-act-note.md"
    one = next((SOURCES / "notes").glob("*.md")) if not note.exists() else note
    result = mfgkb("import", str(one))
    assert result.exit_code == 1 and "import the folder" in result.stderr
    assert db.read_bytes() == before


# -- $EDITOR: a rejected edit, no terminal, text that must not reach one -----------------


def test_a_rejected_edit_reopened_and_closed_unchanged_is_not_lost(
    mfgkb: Invoke, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second close saves nothing new: the rejected text is refused again, and kept."""
    from mfgkb.cli import prompts

    mfgkb("articles")
    before = db.read_bytes()
    runs = tmp_path / "runs"
    # First run: a bad date. Later runs: close the editor without saving.
    script = (
        f'echo run >> "{runs}"\n'
        f'if [ "$(wc -l < "{runs}")" -eq 1 ]; then\n'
        "  sed -i 's/^published: .*/published: not a date/' \"$1\"\n"
        "fi\n"
    )
    monkeypatch.setenv("EDITOR", _editor(tmp_path, script))
    monkeypatch.setattr(prompts, "stdin_is_terminal", lambda: True)
    # Edit again: yes; then (rejected again) edit again: no.
    result = mfgkb("edit-article", "1", "--editor", input="y\nn\n")
    assert runs.read_text().count("run") == 2
    assert result.exit_code == 1, result.output
    assert "No changes" not in result.output
    assert result.stderr.count("mfgkb: 'not a date'") == 2
    assert "your edit is kept in" in result.stderr
    kept = Path(result.stderr.rsplit("kept in ", 1)[1].strip().rstrip("."))
    assert "published: not a date" in kept.read_text(encoding="utf-8")
    kept.unlink()
    assert db.read_bytes() == before


def test_editor_outside_a_terminal_without_editor_set_is_refused(
    mfgkb: Invoke, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No EDITOR or VISUAL and no terminal: vi (or nano) would wait for keys that never come."""
    mfgkb("articles")
    before = db.read_bytes()
    bin_ = tmp_path / "bin"
    bin_.mkdir()
    marker = tmp_path / "started"
    for name in ("vi", "nano", "notepad"):
        fake = bin_ / name
        fake.write_text(f'#!/bin/sh\ntouch "{marker}"\n', encoding="utf-8")
        fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.delenv("VISUAL", raising=False)
    result = mfgkb("edit-article", "1", "--editor")
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("mfgkb: ")
    assert "EDITOR" in result.stderr
    assert not marker.exists()
    assert db.read_bytes() == before


def test_the_editor_document_holds_no_control_characters_and_keeps_the_text(
    mfgkb: Invoke, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import unicodedata

    added = add(
        mfgkb,
        *("--title", EDITOR_HOSTILE, "--date", "2025-01-01", "--author", EDITOR_HOSTILE),
        *("--description", "Line one\n" + EDITOR_HOSTILE + "\n\nLine \u2028three"),
    )
    shown = tmp_path / "shown.md"
    script = f'cp "$1" "{shown}"\nsed -i "s/^source: .*/source: Edited/" "$1"\n'
    monkeypatch.setenv("EDITOR", _editor(tmp_path, script))
    before = json.loads(mfgkb("article", str(added), "--json").stdout)
    assert mfgkb("edit-article", str(added), "--editor").exit_code == 0
    text = shown.read_text(encoding="utf-8")
    bad = [c for c in text if unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") and c != "\n"]
    assert bad == [], text
    after = json.loads(mfgkb("article", str(added), "--json").stdout)
    assert after["source"] == "Edited"
    for field in ("title", "authors", "description"):
        assert after[field] == before[field], field
