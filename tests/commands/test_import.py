"""Bulk import: ``mfgkb import FILE`` from JSON Lines, JSON arrays and CSV files.

The files are written by each test into tmp_path (small, hand-made, with the
mess real exports have: a byte order mark, CRLF line endings, quoted commas,
semicolons, author lists with wire-service credits, repeated URLs and bad rows).
The report is read from ``--json``: ``{added, ids, duplicates, invalid, dry_run}``,
and what was stored is read back through ``articles``, ``article``, ``search``
and ``show``.

The last tests import the real 10,000-record news file from ``../shared/data``
beside the repository, when it is there, once for the whole module.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from helpers import MAIN, REPO_ROOT, assert_ok, refusal, rss_feed, write
from mfgkb.cli import app

Invoke = Callable[..., Any]
Report = dict[str, Any]

SEED_ARTICLES = 1  # the shipped knowledge base has one article, id 1


# -- helpers -------------------------------------------------------------------------


def run_import(mfgkb: Invoke, path: Path, *args: str) -> Report:
    """``import PATH ARGS --json`` as its report."""
    result = mfgkb("import", str(path), *args, "--json")
    assert_ok(result)
    report = json.loads(result.stdout)
    assert set(report) == {"added", "ids", "duplicates", "invalid", "dry_run"}
    return dict(report)


def jsonl(records: list[Any]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def articles(mfgkb: Invoke, *args: str) -> list[dict[str, Any]]:
    result = mfgkb("articles", "--limit", "0", *args, "--json")
    assert_ok(result)
    found = json.loads(result.stdout)
    assert isinstance(found, list)
    return found


def by_id(mfgkb: Invoke) -> dict[int, dict[str, Any]]:
    return {a["id"]: a for a in articles(mfgkb)}


def lines_of(items: list[dict[str, Any]]) -> list[int]:
    return [int(item["line"]) for item in items]


def search_ids(mfgkb: Invoke, *args: str) -> list[int]:
    result = mfgkb("search", "--json", "--kind", "article", *args)
    assert_ok(result)
    return [int(h["id"]) for h in json.loads(result.stdout)]


def record(title: str, **fields: Any) -> dict[str, Any]:
    """A complete record: every field present, so every line has the same keys."""
    base: dict[str, Any] = {
        "title": title,
        "authors": "",
        "published": "2024-03-01",
        "description": "",
        "url": None,
        "topics": [],
        "tags": [],
        "source": "",
    }
    return {**base, **fields}


# -- formats -------------------------------------------------------------------------


def test_json_lines(seeded: Path, mfgkb: Invoke, tmp_path: Path) -> None:
    path = write(
        tmp_path / "news.jsonl",
        jsonl(
            [
                record(
                    "Quokka plant opens",
                    authors="Ann Lee",
                    published="2024-03-01",
                    description="A new plant.",
                    url="https://example.com/quokka-plant",
                    tags=["Supply Chain", "robotics"],
                    source="Industry Weekly",
                ),
                record("Wombat line expands", published="March 2, 2024"),
            ]
        ),
    )
    report = run_import(mfgkb, path)
    assert report == {
        "added": 2,
        "ids": [SEED_ARTICLES + 1, SEED_ARTICLES + 2],
        "duplicates": [],
        "invalid": [],
        "dry_run": False,
    }
    first, second = (by_id(mfgkb)[i] for i in report["ids"])
    assert first["title"] == "Quokka plant opens"
    assert first["authors"] == ["Ann Lee"]
    assert first["published"] == "2024-03-01"
    assert first["description"] == "A new plant."
    assert first["url"] == "https://example.com/quokka-plant"
    assert first["tags"] == ["supply-chain", "robotics"]
    assert first["source"] == "Industry Weekly"
    assert second["published"] == "2024-03-02"
    assert second["authors"] == []
    assert second["url"] is None


def test_json_lines_with_bom_crlf_and_blank_lines(
    seeded: Path, mfgkb: Invoke, tmp_path: Path
) -> None:
    text = jsonl([record("Quokka one"), record("Quokka two"), record("Quokka three")])
    lines = text.splitlines()
    body = "\r\n".join([lines[0], "", lines[1], "   ", lines[2]]) + "\r\n"
    path = write(tmp_path / "news.jsonl", b"\xef\xbb\xbf" + body.encode("utf-8"))
    report = run_import(mfgkb, path)
    assert report["added"] == 3
    assert report["invalid"] == []
    titles = {by_id(mfgkb)[i]["title"] for i in report["ids"]}
    assert titles == {"Quokka one", "Quokka two", "Quokka three"}


def test_json_array(seeded: Path, mfgkb: Invoke, tmp_path: Path) -> None:
    records = [record("Quokka one"), record("Quokka two")]
    path = write(tmp_path / "news.json", json.dumps(records, indent=2))
    report = run_import(mfgkb, path)
    assert report["added"] == 2
    assert {by_id(mfgkb)[i]["title"] for i in report["ids"]} == {"Quokka one", "Quokka two"}


def test_json_object_with_articles_list_and_format_json(
    seeded: Path, mfgkb: Invoke, tmp_path: Path
) -> None:
    records = [record("Quokka one"), record("Quokka two")]
    path = write(tmp_path / "export.txt", json.dumps({"articles": records}, indent=2))
    report = run_import(mfgkb, path, "--format", "json")
    assert report["added"] == 2
    assert report["invalid"] == []


@pytest.mark.parametrize("indent", [None, 2])
def test_json_object_with_articles_list_is_detected(
    seeded: Path, mfgkb: Invoke, tmp_path: Path, indent: int | None
) -> None:
    records = [record("Quokka one"), record("Quokka two")]
    path = write(tmp_path / "export.json", json.dumps({"articles": records}, indent=indent))
    report = run_import(mfgkb, path)
    assert report["added"] == 2
    assert report["invalid"] == []


CSV_BYTES = (
    b"\xef\xbb\xbf"  # a UTF-8 byte order mark, as Excel writes
    b"title,authors,date,url,description\r\n"
    b'"Quokka, the report","Ann Lee and Bob Ray",2024-03-01,https://e.com/1,'
    b'"Says ""hi"", then leaves"\r\n'
    b"Plain quokka,,2024-03-02,,short\r\n"
    b'"Multi-line quokka",Cy Twombly,2024-03-03,,"line one\r\nline two"\r\n'
    b"Caf\xc3\xa9 quokka,Zo\xc3\xab Z\xc3\xbcrich,2024-03-04,,accents\r\n"
)


def test_csv_with_bom_crlf_and_quoted_commas(seeded: Path, mfgkb: Invoke, tmp_path: Path) -> None:
    report = run_import(mfgkb, write(tmp_path / "news.csv", CSV_BYTES))
    assert report["added"] == 4
    assert report["invalid"] == []
    stored = [by_id(mfgkb)[i] for i in report["ids"]]
    assert [a["title"] for a in stored] == [
        "Quokka, the report",
        "Plain quokka",
        "Multi-line quokka",
        "Café quokka",
    ]
    assert stored[0]["authors"] == ["Ann Lee", "Bob Ray"]
    assert stored[0]["url"] == "https://e.com/1"
    assert stored[0]["description"] == 'Says "hi", then leaves'
    assert stored[1]["authors"] == []
    assert stored[1]["url"] is None
    assert stored[2]["description"].splitlines() == ["line one", "line two"]
    assert stored[3]["authors"] == ["Zoë Zürich"]
    assert [a["published"] for a in stored] == [
        "2024-03-01",
        "2024-03-02",
        "2024-03-03",
        "2024-03-04",
    ]


def test_csv_with_semicolons(seeded: Path, mfgkb: Invoke, tmp_path: Path) -> None:
    text = (
        "title;authors;date;description\n"
        "Quokka semis;Ann Lee;2024-03-01;one, two, three\n"
        '"Wombat; a study";Bob Ray;2024-03-02;x, y\n'
    )
    report = run_import(mfgkb, write(tmp_path / "news.csv", text))
    assert report["added"] == 2
    first, second = (by_id(mfgkb)[i] for i in report["ids"])
    assert (first["title"], first["authors"], first["description"]) == (
        "Quokka semis",
        ["Ann Lee"],
        "one, two, three",
    )
    assert second["title"] == "Wombat; a study"


def test_csv_with_tabs(seeded: Path, mfgkb: Invoke, tmp_path: Path) -> None:
    text = "title\tdate\tdescription\nQuokka tabs\t2024-03-01\ta, b; c\n"
    report = run_import(mfgkb, write(tmp_path / "news.tsv", text))
    assert report["added"] == 1
    (stored,) = (by_id(mfgkb)[i] for i in report["ids"])
    assert (stored["title"], stored["description"]) == ("Quokka tabs", "a, b; c")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("array.txt", json.dumps([record("Quokka one")], indent=2)),
        ("lines.txt", jsonl([record("Quokka one")])),
        ("lines.ndjson", jsonl([record("Quokka one")])),
        ("lines.json", jsonl([record("Quokka one")])),
        ("table.dat", "title,date\nQuokka one,2024-03-01\n"),
        ("table", "title;date\nQuokka one;2024-03-01\n"),
    ],
)
def test_format_from_extension_or_content(
    seeded: Path, mfgkb: Invoke, tmp_path: Path, name: str, content: str
) -> None:
    report = run_import(mfgkb, write(tmp_path / name, content))
    assert report["added"] == 1, report
    assert report["invalid"] == []
    (stored,) = (by_id(mfgkb)[i] for i in report["ids"])
    assert stored["title"] == "Quokka one"


@pytest.mark.parametrize(
    ("name", "content", "fmt"),
    [
        ("looks.csv", jsonl([record("Quokka one")]), "jsonl"),
        ("looks.jsonl", "title,date\nQuokka one,2024-03-01\n", "csv"),
        ("looks.csv", json.dumps([record("Quokka one")]), "json"),
    ],
)
def test_format_option_overrides_the_extension(
    seeded: Path, mfgkb: Invoke, tmp_path: Path, name: str, content: str, fmt: str
) -> None:
    path = write(tmp_path / name, content)
    report = run_import(mfgkb, path, "--format", fmt)
    assert report["added"] == 1, report
    assert report["invalid"] == []


def test_unreadable_files_are_refused_cleanly(seeded: Path, mfgkb: Invoke, tmp_path: Path) -> None:
    before = seeded.read_bytes()
    missing = tmp_path / "missing.jsonl"
    assert str(missing.name) in refusal(mfgkb("import", str(missing)), 1)
    latin1 = write(tmp_path / "latin1.csv", "title,date\nCaf\xe9,2024-03-01\n".encode("latin-1"))
    assert "UTF-8" in refusal(mfgkb("import", str(latin1)), 1)
    broken = write(tmp_path / "broken.json", '[{"title": "x",')
    assert "JSON" in refusal(mfgkb("import", str(broken)), 1)
    empty = write(tmp_path / "empty.csv", "")
    refusal(mfgkb("import", str(empty)), 1)
    assert seeded.read_bytes() == before


# -- --map -----------------------------------------------------------------------------


def test_map_feeds_fields_from_other_columns(seeded: Path, mfgkb: Invoke, tmp_path: Path) -> None:
    text = (
        "Headline,Byline,When,Link,Blurb,Section,Outlet\n"
        "Quokka robots,Ann Lee,2024-03-01,https://e.com/q,Robots arrive,Robotics,Daily Post\n"
    )
    path = write(tmp_path / "export.csv", text)
    report = run_import(
        mfgkb,
        path,
        *("--map", "title=Headline", "--map", "authors=Byline", "--map", "published=When"),
        *("--map", "url=Link", "--map", "description=Blurb", "--map", "tags=Section"),
        *("--map", "source=Outlet"),
    )
    assert report["added"] == 1
    (stored,) = (by_id(mfgkb)[i] for i in report["ids"])
    assert stored["title"] == "Quokka robots"
    assert stored["authors"] == ["Ann Lee"]
    assert stored["published"] == "2024-03-01"
    assert stored["url"] == "https://e.com/q"
    assert stored["description"] == "Robots arrive"
    assert stored["tags"] == ["robotics"]
    assert stored["source"] == "Daily Post"


def test_map_to_a_missing_column_is_a_usage_error_naming_the_columns(
    seeded: Path, mfgkb: Invoke, tmp_path: Path
) -> None:
    before = seeded.read_bytes()
    path = write(tmp_path / "export.csv", "Headline,When,Link\nQuokka,2024-03-01,\n")
    message = refusal(mfgkb("import", str(path), "--map", "title=Headline", "--map", "url=URL"), 2)
    assert "URL" in message
    for column in ("Headline", "When", "Link"):
        assert column in message
    assert seeded.read_bytes() == before
    assert not seeded.with_name(seeded.name + ".1").exists()


@pytest.mark.parametrize("pair", ["titel=Headline", "id=Headline", "title", "title=", "=Headline"])
def test_bad_map_is_a_usage_error(seeded: Path, mfgkb: Invoke, tmp_path: Path, pair: str) -> None:
    before = seeded.read_bytes()
    path = write(tmp_path / "export.csv", "Headline,date\nQuokka,2024-03-01\n")
    message = refusal(mfgkb("import", str(path), "--map", pair), 2)
    assert "--map" in message
    assert seeded.read_bytes() == before


# -- authors ---------------------------------------------------------------------------

AUTHOR_CASES: list[tuple[str, list[str], str]] = [
    ("Rebecca Santana and Kevin McGill, AP", ["Rebecca Santana", "Kevin McGill"], "AP"),
    ("BRUCE SCHREINER and JOHN RABY, AP", ["Bruce Schreiner", "John Raby"], "AP"),
    (
        "Mike Corder, Jill Lawless and Danica Kirka, AP",
        ["Mike Corder", "Jill Lawless", "Danica Kirka"],
        "AP",
    ),
    ("Carla K. Johnson, AP", ["Carla K. Johnson"], "AP"),
    ("Lawrence Hurley, Reuters", ["Lawrence Hurley"], "Reuters"),
    (
        "Zach Carter, Arthur Delaney, and Igor Bobic",
        ["Zach Carter", "Arthur Delaney", "Igor Bobic"],
        "",
    ),
    ("Sankalp Phartiyal & Aditya Kalra, Reuters", ["Sankalp Phartiyal", "Aditya Kalra"], "Reuters"),
    ("Mary Papenfuss", ["Mary Papenfuss"], ""),
    ("", [], ""),
    ("   ", [], ""),
]


def test_author_lists_are_split_and_agency_becomes_source(
    seeded: Path, mfgkb: Invoke, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "bylines.jsonl",
        jsonl(
            [
                {"headline": f"Story {n}", "date": "2024-03-01", "authors": authors}
                for n, (authors, _, _) in enumerate(AUTHOR_CASES)
            ]
        ),
    )
    report = run_import(mfgkb, path)
    assert report["added"] == len(AUTHOR_CASES)
    stored = by_id(mfgkb)
    for article_id, (authors, names, source) in zip(report["ids"], AUTHOR_CASES, strict=True):
        assert stored[article_id]["authors"] == names, authors
        assert stored[article_id]["source"] == source, authors


def test_source_column_wins_over_the_agency_credit(
    seeded: Path, mfgkb: Invoke, tmp_path: Path
) -> None:
    text = (
        "title,authors,date,source\n"
        'Quokka one,"Rebecca Santana and Kevin McGill, AP",2024-03-01,HuffPost\n'
        'Quokka two,"Rebecca Santana, AP",2024-03-01,\n'
    )
    report = run_import(mfgkb, write(tmp_path / "news.csv", text))
    one, two = (by_id(mfgkb)[i] for i in report["ids"])
    assert (one["authors"], one["source"]) == (["Rebecca Santana", "Kevin McGill"], "HuffPost")
    assert (two["authors"], two["source"]) == (["Rebecca Santana"], "AP")


def test_imported_authors_are_found_by_author_filter(
    seeded: Path, mfgkb: Invoke, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "bylines.jsonl",
        jsonl([{"title": "Quokka", "date": "2024-03-01", "authors": AUTHOR_CASES[1][0]}]),
    )
    (article_id,) = run_import(mfgkb, path)["ids"]
    assert [a["id"] for a in articles(mfgkb, "--author", "John Raby")] == [article_id]
    assert [a["id"] for a in articles(mfgkb, "--author", "schreiner")] == [article_id]
    assert articles(mfgkb, "--author", "AP") == []


# -- duplicates and invalid rows ---------------------------------------------------------


def test_duplicate_urls_are_skipped_with_reasons(
    seeded: Path, mfgkb: Invoke, tmp_path: Path
) -> None:
    result = mfgkb(
        "add-article",
        "--title",
        "Stored quokka",
        "--date",
        "2024-01-01",
        "--url",
        "https://example.com/news/1",
        "--json",
    )
    assert_ok(result)
    stored_id = json.loads(result.stdout)["id"]
    rows = [
        record("Dup of stored", url="http://EXAMPLE.com/news/1/"),  # line 1
        record("New two", url="https://example.com/news/2?b=2&a=1"),  # line 2
        record("Dup of line 2", url="https://example.com/news/2?a=1&b=2&utm_source=x"),  # 3
        record("New three", url="https://example.com/news/3"),  # line 4
        record("Dup of stored again", url="https://example.com:443/news/1#top"),  # line 5
        record("No URL"),  # line 6
        record("No URL either"),  # line 7: records without a URL are never duplicates
    ]
    report = run_import(mfgkb, write(tmp_path / "news.jsonl", jsonl(rows)))

    assert report["added"] == 4
    assert report["invalid"] == []
    assert lines_of(report["duplicates"]) == [1, 3, 5]
    reasons = [d["reason"] for d in report["duplicates"]]
    assert str(stored_id) in reasons[0]
    assert "line 2" in reasons[1]
    assert str(stored_id) in reasons[2]
    titles = {by_id(mfgkb)[i]["title"] for i in report["ids"]}
    assert titles == {"New two", "New three", "No URL", "No URL either"}


def test_importing_the_same_file_twice_adds_nothing_the_second_time(
    seeded: Path, mfgkb: Invoke, tmp_path: Path
) -> None:
    rows = [record(f"Quokka {n}", url=f"https://example.com/q/{n}") for n in range(5)]
    path = write(tmp_path / "news.jsonl", jsonl(rows))
    assert run_import(mfgkb, path)["added"] == 5
    again = run_import(mfgkb, path)
    assert again["added"] == 0
    assert lines_of(again["duplicates"]) == [1, 2, 3, 4, 5]
    assert len(articles(mfgkb)) == SEED_ARTICLES + 5


def test_invalid_rows_are_skipped_with_reasons_and_valid_rows_import(
    seeded: Path, mfgkb: Invoke, tmp_path: Path
) -> None:
    lines = [
        json.dumps(record("Valid one", url="https://example.com/1", topics=[MAIN])),  # 1
        json.dumps(record("", url="https://example.com/2")),  # 2: no title
        json.dumps(record("Bad date", published="the day after tomorrow")),  # 3
        json.dumps(record("No year", published="March 5")),  # 4
        json.dumps(record("Bad URL", url="not a url")),  # 5
        '{"title": "Not JSON", "published": ',  # 6
        json.dumps(record("Unknown topic", topics=["no-such-topic"])),  # 7
        "",  # 8: blank, skipped
        json.dumps(["a list", "not an object"]),  # 9
        json.dumps(record("Month 13", published="2024-13-01")),  # 10
        json.dumps(record("Valid two", published="2024-02-29", topics=[MAIN])),  # 11
    ]
    path = write(tmp_path / "news.jsonl", "\n".join(lines) + "\n")
    report = run_import(mfgkb, path)

    assert report["added"] == 2
    assert report["duplicates"] == []
    assert lines_of(report["invalid"]) == [2, 3, 4, 5, 6, 7, 9, 10]
    reasons = {item["line"]: item["reason"] for item in report["invalid"]}
    assert "title" in reasons[2]
    assert "the day after tomorrow" in reasons[3]
    assert "year" in reasons[4]
    assert "URL" in reasons[5] or "url" in reasons[5]
    assert "JSON" in reasons[6]
    assert "no-such-topic" in reasons[7]
    assert "object" in reasons[9]
    assert "2024-13-01" in reasons[10]
    titles = {by_id(mfgkb)[i]["title"] for i in report["ids"]}
    assert titles == {"Valid one", "Valid two"}


def _nested(title: str, levels: int) -> str:
    """A record holding a value nested ``levels`` deep (built as text: json.dumps would recurse)."""
    row = json.dumps(record(title, extra="DEEP"))
    return row.replace('"DEEP"', "[" * levels + "]" * levels)


@pytest.mark.parametrize("levels", [300, 100_000], ids=["deeper-than-stored", "past-the-parser"])
def test_a_record_nested_too_deeply_is_one_invalid_row(
    seeded: Path, mfgkb: Invoke, tmp_path: Path, levels: int
) -> None:
    ok = [json.dumps(record("Shallow one")), json.dumps(record("Shallow two"))]
    rows = write(tmp_path / "deep.jsonl", "\n".join([ok[0], _nested("Deep", levels), ok[1]]))
    array = write(
        tmp_path / "deep.json", "[" + ",\n".join([ok[0], _nested("Deep", levels), ok[1]]) + "]"
    )
    for path in (rows, array):
        report = run_import(mfgkb, path)
        assert report["added"] == 2, path
        assert [(i["line"], "levels deep" in i["reason"]) for i in report["invalid"]] == [(2, True)]


def test_a_dump_nested_too_deeply_is_refused_in_one_line(tmp_path: Path, runner: CliRunner) -> None:
    fresh = tmp_path / "fresh" / "kb.json"
    fresh.parent.mkdir()
    for levels in (300, 100_000):
        dump = write(
            tmp_path / "dump.json",
            '{"format": "mfgkb-dump", "version": 1, "next_article_id": 1, "topics": [], '
            '"articles": [], "extra": ' + "[" * levels + "]" * levels + "}",
        )
        line = refusal(runner.invoke(app, ["--db", str(fresh), "import", str(dump)]), 1)
        assert "levels deep" in line, line
        assert list(fresh.parent.iterdir()) == []


def test_invalid_csv_rows_report_their_line(seeded: Path, mfgkb: Invoke, tmp_path: Path) -> None:
    text = (
        "title,date,url\n"  # line 1
        "Valid one,2024-03-01,\n"  # 2
        ",2024-03-02,\n"  # 3: no title
        "Bad date,31/31/2024,\n"  # 4
        "Bad URL,2024-03-04,ftp://example.com/x\n"  # 5
        "Valid two,2024-03-05,https://example.com/v2\n"  # 6
        "Dup,2024-03-06,https://example.com/v2/\n"  # 7
    )
    report = run_import(mfgkb, write(tmp_path / "news.csv", text))
    assert report["added"] == 2
    assert lines_of(report["invalid"]) == [3, 4, 5]
    assert lines_of(report["duplicates"]) == [7]


def test_invalid_multiline_csv_record_reports_the_line_it_starts_on(
    seeded: Path, mfgkb: Invoke, tmp_path: Path
) -> None:
    text = (
        "title,date,description\n"  # line 1
        "Valid,2024-03-01,x\n"  # 2
        '"Bad\nquokka",not a date,"one\ntwo"\n'  # 3-5
        ",2024-03-02,no title\n"  # 6
    )
    report = run_import(mfgkb, write(tmp_path / "news.csv", text))
    assert lines_of(report["invalid"]) == [3, 6]


def test_csv_long_fields_and_an_unclosed_quote_are_rows_not_the_end(
    seeded: Path, mfgkb: Invoke, tmp_path: Path
) -> None:
    # The csv module's limit is 131,072 characters a field; beyond it, and at a
    # quote never closed, the whole import ended with _csv.Error.
    text = (
        "title,date,notes\n"  # line 1
        f"Long notes,2024-03-01,{'n' * 200_000}\n"  # 2: an unmapped column, stored nowhere
        "Valid,2024-03-02,x\n"  # 3
        'Unclosed,2024-03-03,"x\n'  # 4: the quote takes in the lines after it
        "Lost,2024-03-04,y\n"  # 5
    )
    report = run_import(mfgkb, write(tmp_path / "news.csv", text))
    assert report["added"] == 2
    assert [(i["line"], i["reason"][:40]) for i in report["invalid"]] == [
        (4, "a quoted field opened in this record is ")
    ]
    assert "(line 5); add the closing" in report["invalid"][0]["reason"]


def test_records_longer_than_the_cap_are_invalid_rows(
    seeded: Path, mfgkb: Invoke, tmp_path: Path
) -> None:
    from mfgkb.formats.rows import MAX_RECORD

    huge = "x" * (MAX_RECORD + 10)
    lines = [record("One"), record("Two")]
    path = write(tmp_path / "news.jsonl", jsonl(lines[:1]) + huge + "\n" + jsonl(lines[1:]))
    report = run_import(mfgkb, path)
    assert report["added"] == 2
    assert [(i["line"], i["reason"][:30]) for i in report["invalid"]] == [
        (2, "the record is longer than 4 mi")
    ]
    csv_text = f"title,date\nThree,2024-03-01\n{huge},2024-03-02\nFour,2024-03-03\n"
    report = run_import(mfgkb, write(tmp_path / "news.csv", csv_text))
    assert report["added"] == 2
    assert [i["line"] for i in report["invalid"]] == [3]
    assert "longer than" in report["invalid"][0]["reason"]


def test_json_lines_records_with_different_keys(
    seeded: Path, mfgkb: Invoke, tmp_path: Path
) -> None:
    rows = [
        {"title": "First quokka", "date": "2024-01-02"},
        {
            "title": "Second quokka",
            "date": "2024-01-03",
            "url": "https://example.com/2",
            "description": "Wombat news",
            "authors": "Ann Lee, AP",
        },
        {"title": "Third quokka", "date": "2024-01-04", "url": "https://EXAMPLE.com/2/"},
    ]
    report = run_import(mfgkb, write(tmp_path / "news.jsonl", jsonl(rows)))
    assert report["added"] == 2
    assert lines_of(report["duplicates"]) == [3]
    second = by_id(mfgkb)[report["ids"][1]]
    assert second["url"] == "https://example.com/2"
    assert second["description"] == "Wombat news"
    assert (second["authors"], second["source"]) == (["Ann Lee"], "AP")


# -- dry run and the single write --------------------------------------------------------


MIXED_ROWS = [
    record("Quokka one", url="https://example.com/1"),
    record("Quokka one again", url="https://example.com/1"),
    record("", url="https://example.com/3"),
    record("Quokka four", published="June 7"),
    record("Quokka five", url="https://example.com/5"),
]


def test_dry_run_writes_nothing_but_reports_the_same(
    seeded: Path, mfgkb: Invoke, tmp_path: Path
) -> None:
    path = write(tmp_path / "news.jsonl", jsonl(MIXED_ROWS))
    before = seeded.read_bytes()
    files_before = sorted(p.name for p in seeded.parent.iterdir() if ".index" not in p.name)

    dry = run_import(mfgkb, path, "--dry-run")

    assert seeded.read_bytes() == before
    assert sorted(p.name for p in seeded.parent.iterdir() if ".index" not in p.name) == (
        files_before
    )
    assert len(articles(mfgkb)) == SEED_ARTICLES
    assert dry["dry_run"] is True
    assert dry["ids"] == []

    real = run_import(mfgkb, path)
    assert real["dry_run"] is False
    assert real["added"] == dry["added"] == 2
    assert real["duplicates"] == dry["duplicates"]
    assert real["invalid"] == dry["invalid"]
    assert len(real["ids"]) == 2


def test_dry_run_on_a_new_database_creates_nothing(tmp_path: Path, runner: CliRunner) -> None:
    folder = tmp_path / "new"
    folder.mkdir()
    new = folder / "kb.json"
    path = write(tmp_path / "news.jsonl", jsonl(MIXED_ROWS))
    args = ["--db", str(new), "import", str(path), "--dry-run", "--json", "--topic", MAIN]
    result = runner.invoke(app, args)
    assert_ok(result)
    dry = json.loads(result.stdout)
    assert (dry["added"], dry["dry_run"]) == (2, True)
    # Checked as a real import would be: --topic resolved in the shipped knowledge base.
    assert lines_of(dry["duplicates"]) == [2]
    dump = tmp_path / "dump.json"
    assert_ok(runner.invoke(app, ["--db", str(tmp_path / "other.json"), "export", "-o", str(dump)]))
    assert_ok(runner.invoke(app, ["--db", str(new), "import", str(dump), "--dry-run"]))
    assert list(folder.iterdir()) == []  # no database, no index, no lock


def test_dry_run_text_output(seeded: Path, mfgkb: Invoke, tmp_path: Path) -> None:
    path = write(tmp_path / "news.jsonl", jsonl(MIXED_ROWS))
    result = mfgkb("import", str(path), "--dry-run")
    assert_ok(result)
    assert "2" in result.stdout
    assert "line 2" in result.stdout  # the duplicate
    assert "line 3" in result.stdout  # no title
    assert "nothing was written" in result.stdout.lower()


def test_import_writes_the_database_once(seeded: Path, mfgkb: Invoke, tmp_path: Path) -> None:
    backups = [seeded.with_name(f"{seeded.name}.{n}") for n in (1, 2, 3)]
    assert not any(b.exists() for b in backups)  # created once, nothing to back up yet
    before = seeded.read_bytes()
    rows = [record(f"Quokka {n}", url=f"https://example.com/q/{n}") for n in range(200)]

    report = run_import(mfgkb, write(tmp_path / "news.jsonl", jsonl(rows)))

    assert report["added"] == 200
    assert backups[0].exists()
    assert not backups[1].exists()
    assert backups[0].read_bytes() == before
    assert report["ids"] == list(range(SEED_ARTICLES + 1, SEED_ARTICLES + 201))


# -- topics, tags, source options; the imported articles are everywhere ------------------


def test_topic_tag_and_source_options(seeded: Path, mfgkb: Invoke, tmp_path: Path) -> None:
    assert_ok(mfgkb("add-topic", "--title", "Quokka farming", "--alias", "marsupial husbandry"))
    text = (
        "title,date,description,source,tags\n"
        "Quokka barns,2024-03-01,Wombat-proof barns,,barns\n"
        "Quokka feed,2024-03-02,Pellets,Farm Weekly,\n"
    )
    report = run_import(
        mfgkb,
        write(tmp_path / "farm.csv", text),
        *("--topic", "quokka-farming", "--topic", MAIN),
        *("--tag", "Imported Batch", "--source", "Newswire"),
    )
    assert report["added"] == 2
    barns, feed = (by_id(mfgkb)[i] for i in report["ids"])
    assert barns["topics"] == ["quokka-farming", MAIN]
    assert feed["topics"] == ["quokka-farming", MAIN]
    assert barns["tags"] == ["barns", "imported-batch"]
    assert feed["tags"] == ["imported-batch"]
    assert barns["source"] == "Newswire"  # no source in the row: the option's
    assert feed["source"] == "Farm Weekly"  # the row's own source wins

    ids = set(report["ids"])
    assert {a["id"] for a in articles(mfgkb, "--topic", "quokka-farming")} == ids
    assert {a["id"] for a in articles(mfgkb, "--topic", "marsupial husbandry")} == ids
    assert ids <= {a["id"] for a in articles(mfgkb, "--topic", MAIN)}
    assert {a["id"] for a in articles(mfgkb, "--tag", "imported batch")} == ids
    result = mfgkb("show", "quokka-farming", "--json")
    assert_ok(result)
    page = json.loads(result.stdout)
    assert {a["id"] for a in page["articles"]} == ids
    assert page["total_articles"] == 2
    assert search_ids(mfgkb, "--", "quokka barns")[0] == barns["id"]
    assert search_ids(mfgkb, "--", "wombat") == [barns["id"]]
    assert search_ids(mfgkb, "--topic", "quokka-farming", "--", "pellets") == [feed["id"]]


def test_topics_column_links_each_row(seeded: Path, mfgkb: Invoke, tmp_path: Path) -> None:
    text = (
        "title,date,topics\n"
        "Quokka one,2024-03-01,chips-act\n"
        '"Quokka two",2024-03-02,"texas, tennessee"\n'
        "Quokka three,2024-03-03,\n"
    )
    report = run_import(mfgkb, write(tmp_path / "news.csv", text))
    one, two, three = (by_id(mfgkb)[i] for i in report["ids"])
    assert one["topics"] == ["chips-act"]
    assert two["topics"] == ["texas", "tennessee"]
    assert three["topics"] == []
    assert [a["id"] for a in articles(mfgkb, "--topic", "texas")] == [two["id"]]


@pytest.mark.parametrize("name", ["CHIPS Act", "US CHIPS Act", "chips act"])
def test_topic_option_accepts_a_title_or_alias(
    seeded: Path, mfgkb: Invoke, tmp_path: Path, name: str
) -> None:
    path = write(tmp_path / "news.csv", "title,date\nQuokka one,2024-03-01\n")
    report = run_import(mfgkb, path, "--topic", name)
    assert report["invalid"] == []
    (stored,) = (by_id(mfgkb)[i] for i in report["ids"])
    assert stored["topics"] == ["chips-act"]


def test_unknown_topic_option_imports_nothing(seeded: Path, mfgkb: Invoke, tmp_path: Path) -> None:
    before = seeded.read_bytes()
    path = write(
        tmp_path / "news.csv", "title,date\nQuokka one,2024-03-01\nQuokka two,2024-03-02\n"
    )
    result = mfgkb("import", str(path), "--topic", "no-such-topic", "--json")
    if result.exit_code == 0:  # reported row by row ...
        report = json.loads(result.stdout)
        assert report["added"] == 0
        assert lines_of(report["invalid"]) == [2, 3]
        assert all("no-such-topic" in item["reason"] for item in report["invalid"])
    else:  # ... or refused as a whole
        assert "no-such-topic" in refusal(result, result.exit_code)
    assert seeded.read_bytes() == before
    assert len(articles(mfgkb)) == SEED_ARTICLES


# -- the real data: 10,000 news records -------------------------------------------------

NEWS = REPO_ROOT.parent / "shared" / "data" / "news-10k.jsonl"
NEWS_MAP = (
    *("--map", "title=headline", "--map", "description=short_description"),
    *("--map", "url=link", "--map", "authors=authors", "--map", "published=date"),
)
needs_news = pytest.mark.skipif(not NEWS.is_file(), reason=f"{NEWS} is not there")


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Report]:
    """The real file imported once, as is, into a fresh knowledge base: (db, report)."""
    db = tmp_path_factory.mktemp("news") / "kb.json"
    with pytest.MonkeyPatch.context() as mp:  # conftest's isolation is per test
        mp.delenv("MFGKB_DB", raising=False)
        mp.setenv("NO_COLOR", "1")
        result = CliRunner().invoke(
            app, ["--db", str(db), "import", str(NEWS), *NEWS_MAP, "--json"]
        )
    assert_ok(result)
    return db, json.loads(result.stdout)


@pytest.fixture
def news_kb(news: tuple[Path, Report], runner: CliRunner) -> Invoke:
    db = news[0]

    def run(*args: str) -> Any:
        return runner.invoke(app, ["--db", str(db), *args])

    return run


def _news_records() -> list[dict[str, Any]]:
    with NEWS.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@needs_news
def test_news_import_counts(news: tuple[Path, Report]) -> None:
    _, report = news
    records = _news_records()
    assert len(records) == 10_000
    assert report["added"] == 9_998
    assert len(report["ids"]) == 9_998
    assert len(report["duplicates"]) == 2
    assert report["invalid"] == []
    # Both duplicates repeat the link of an earlier line of the file.
    links = [r["link"] for r in records]
    for dup in report["duplicates"]:
        line = dup["line"]
        assert links[line - 1] in links[: line - 1]


@needs_news
def test_news_author_filter(news_kb: Invoke) -> None:
    records = _news_records()
    expected = sum("Carla K. Johnson" in r["authors"] for r in records)
    assert expected > 0
    found = articles(news_kb, "--author", "Carla K. Johnson")
    assert len(found) == expected
    assert all("Carla K. Johnson" in a["authors"] for a in found)
    assert all(a["source"] == "AP" for a in found)


@needs_news
def test_news_search_finds_the_first_record(news: tuple[Path, Report], news_kb: Invoke) -> None:
    first = _news_records()[0]
    hits = json.loads(news_kb("search", "omicron", "boosters", "--json").stdout)
    assert hits
    assert hits[0]["kind"] == "article"
    assert hits[0]["id"] == news[1]["ids"][0]
    assert hits[0]["title"] == first["headline"]
    assert hits[0]["matched_all"] is True
    (stored,) = [
        a for a in articles(news_kb, "--author", "Carla K. Johnson") if a["id"] == hits[0]["id"]
    ]
    assert stored["url"] == first["link"]
    assert stored["published"] == first["date"]
    assert stored["description"] == first["short_description"]


@pytest.mark.parametrize(
    "pub_date",
    [
        "Mon, 06 Oct 2025 10:00:12345678901234567890 GMT",  # a 20-digit second
        "Mon, 06 Oct 20251234567 10:00:00 GMT",  # an 11-digit year
        "Mon, 06 Oct 99999999999 10:00:00 GMT",
    ],
)
def test_a_date_out_of_every_range_is_one_invalid_row(
    tmp_path: Path, pub_date: str, mfgkb: Any
) -> None:
    item = f"<item><title>Bad</title><link>https://example.com/2</link><pubDate>{pub_date}</pubDate></item>"
    feed = write(tmp_path / "dates.rss", rss_feed(item))
    result = mfgkb("import", str(feed), "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert len(report["added"] if isinstance(report["added"], list) else report["ids"]) == 1
    [invalid] = report["invalid"]
    assert "is not a date" in invalid["reason"]
