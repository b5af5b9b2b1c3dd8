"""The command line, driven in-process through Typer's CliRunner against files in tmp_path.

Every command runs against a real database file created from the shipped knowledge
base. Refused input is checked the same way everywhere: the exit code, one line on
stderr starting with "mfgkb: ", no traceback, and the database file byte for byte
unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from helpers import MAIN, assert_ok, files_of, load_db, ok, refusal
from mfgkb import __version__
from mfgkb.cli import app

Invoke = Callable[..., Any]
JsonInvoke = Callable[..., Any]

SEED_TITLE = "Is the US Still the Global Manufacturing Leader?"
SEED_AUTHOR = "Jedrik Hastings"
ARTICLE_FIELDS = {
    "id",
    "title",
    "authors",
    "published",
    "added",
    "description",
    "url",
    "topics",
    "tags",
    "source",
}
TOPIC_FIELDS = {
    "slug",
    "title",
    "aliases",
    "summary",
    "key_terms",
    "figures",
    "related",
    "created",
    "updated",
}
COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]
# A command a message tells the user to run: "... with: mfgkb topics", "(see: mfgkb x --help)".
HINT = re.compile(r"(?:with|see): mfgkb ([a-z][a-z-]*)")


# -- helpers -------------------------------------------------------------------


def assert_refused(result: Any, code: int = 1) -> str:
    """A refusal (see helpers.refusal) whose suggested commands all exist. Returns it."""
    line = refusal(result, code)
    for command in HINT.findall(line):
        assert command in COMMANDS, f"the message suggests a missing command: {line}"
    return line


def add_article(mfgkb: Invoke, title: str, *args: str, date: str = "2025-01-15") -> int:
    """Add an article through the CLI and return the id it printed."""
    result = mfgkb("add-article", "--title", title, "--date", date, *args)
    assert_ok(result)
    return int(result.stdout.strip())


# -- show ------------------------------------------------------------------------


def test_show_main_topic_page(mfgkb: Invoke) -> None:
    result = mfgkb("show", MAIN)
    assert_ok(result)
    out = " ".join(result.stdout.split())  # prose is wrapped: compare words
    for expected in (
        "Advanced manufacturing",
        "smart manufacturing",
        "newest available",  # summary text
        "Key terms",
        "Tennessee",
        "CHIPS Act",
        "Figures",
        "over $2.5 trillion",
        "Related topics",
        "north-carolina",
        "skilled-workforce-gap",
        SEED_TITLE,
        SEED_AUTHOR,
        "2025-10-10",
    ):
        assert expected in out, expected


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("SMART MANUFACTURING", MAIN),
        ("Smart Manufacturing", MAIN),
        ("advanced manufacturing", MAIN),
        ("ADVANCED-MANUFACTURING", MAIN),
        ("chips act", "chips-act"),
        ("chips and science act", "chips-act"),
    ],
)
def test_show_accepts_slug_title_or_alias_in_any_case(
    mfgkb_json: JsonInvoke, name: str, slug: str
) -> None:
    assert mfgkb_json("show", name)["topic"]["slug"] == slug


def test_an_unrelated_word_gets_no_suggestion_from_a_short_alias(
    seeded: Path, mfgkb: Invoke
) -> None:
    """With the alias 'nc' (two letters 'nosuch' has), nothing is suggested for 'nosuch'."""
    assert_ok(mfgkb("rename-topic", "north-carolina", "nc"))
    assert_ok(mfgkb("add-article", "--title", "A", "--date", "2025-01-01"))
    before = seeded.read_bytes()
    line = assert_refused(mfgkb("link", "2", "nosuch"), 1)
    assert line == "mfgkb: There is no topic 'nosuch'; list topics with: mfgkb topics"
    line = assert_refused(mfgkb("link", "2", "tenessee"), 1)
    assert line.startswith("mfgkb: There is no topic 'tenessee'; did you mean tennessee? ")
    assert "did you mean nc?" in assert_refused(mfgkb("link", "2", "n"), 1)  # short for short
    assert seeded.read_bytes() == before


def test_show_unknown_topic_suggests_closest_slug(seeded: Path, mfgkb: Invoke) -> None:
    before = seeded.read_bytes()
    line = assert_refused(mfgkb("show", "tenessee"), 1)
    assert line == (
        "mfgkb: There is no topic 'tenessee'; did you mean tennessee? "
        "Or list topics with: mfgkb topics"
    )
    line = assert_refused(mfgkb("show", "zzzzzz"), 1)
    assert line == "mfgkb: There is no topic 'zzzzzz'; list topics with: mfgkb topics"
    assert seeded.read_bytes() == before


def test_show_json_shape(mfgkb_json: JsonInvoke) -> None:
    data = mfgkb_json("show", MAIN)
    assert set(data) == {"topic", "referenced_by", "articles", "total_articles"}
    topic = data["topic"]
    assert set(topic) == TOPIC_FIELDS
    assert topic["slug"] == MAIN
    assert topic["title"] == "Advanced manufacturing"
    assert "smart manufacturing" in topic["aliases"]
    assert "Tennessee" in topic["summary"]
    assert topic["key_terms"]
    for term in topic["key_terms"]:
        assert set(term) == {"term", "definition", "topic"}
    terms = {t["term"]: t for t in topic["key_terms"]}
    assert terms["CHIPS Act"]["topic"] == "chips-act"
    assert terms["Value over volume"]["topic"] is None
    for figure in topic["figures"]:
        assert set(figure) == {"label", "value", "year", "source"}
    assert "over $2.5 trillion" in [f["value"] for f in topic["figures"]]
    assert {"tennessee", "texas", "north-carolina", "chips-act"} <= set(topic["related"])
    assert topic["created"] and topic["updated"]
    assert data["total_articles"] == len(data["articles"]) == 1
    (article,) = data["articles"]
    assert set(article) == ARTICLE_FIELDS
    assert article["title"] == SEED_TITLE
    assert article["authors"] == [SEED_AUTHOR]
    assert article["published"] == "2025-10-10"


def test_show_limit_reports_the_rest(mfgkb: Invoke, mfgkb_json: JsonInvoke) -> None:
    for n in range(3):
        add_article(mfgkb, f"Extra {n}", "--topic", MAIN)
    data = mfgkb_json("show", MAIN, "--limit", "2")
    assert len(data["articles"]) == 2
    assert data["total_articles"] == 4
    result = mfgkb("show", MAIN, "--limit", "2")
    assert_ok(result)
    assert "2 more" in result.stdout


# -- add-article -----------------------------------------------------------------


def test_add_article_prints_id_and_newest_comes_first(
    mfgkb: Invoke, mfgkb_json: JsonInvoke
) -> None:
    result = mfgkb(
        "add-article",
        "--title",
        "Reshoring after the CHIPS Act",
        "--author",
        "Ada Lovelace",
        "--author",
        "Grace Hopper",
        "--date",
        "November 3, 2025",
        "--url",
        "https://example.com/reshoring",
        "--description",
        "Plants coming home.",
        "--topic",
        MAIN,
        "--topic",
        "chips-act",
        "--tag",
        "Supply Chain",
        "--source",
        "Industry Weekly",
    )
    assert_ok(result)
    new_id = int(result.stdout.strip())
    assert new_id > 1

    page = mfgkb("show", MAIN)
    assert_ok(page)
    assert page.stdout.index("Reshoring after the CHIPS Act") < page.stdout.index(SEED_TITLE)

    data = mfgkb_json("show", MAIN)
    assert data["total_articles"] == 2
    first = data["articles"][0]
    assert first["id"] == new_id
    assert first["authors"] == ["Ada Lovelace", "Grace Hopper"]
    assert first["published"] == "2025-11-03"
    assert first["url"] == "https://example.com/reshoring"
    assert first["description"] == "Plants coming home."
    assert first["topics"] == [MAIN, "chips-act"]
    assert first["tags"] == ["supply-chain"]
    assert first["source"] == "Industry Weekly"
    assert data["articles"][1]["title"] == SEED_TITLE


def test_add_article_json_output(mfgkb_json: JsonInvoke) -> None:
    data = mfgkb_json("add-article", "--title", "Json one", "--date", "2025-05-05")
    assert set(data) == ARTICLE_FIELDS
    assert data["title"] == "Json one"
    assert data["published"] == "2025-05-05"
    assert data["url"] is None
    assert data["added"]


@pytest.mark.parametrize("text", ["October 10, 2025", "2025-10-10", "10 Oct 2025", "Oct 10 2025"])
def test_add_article_date_formats(mfgkb_json: JsonInvoke, text: str) -> None:
    assert mfgkb_json("add-article", "--title", "D", "--date", text)["published"] == "2025-10-10"


def test_add_article_ambiguous_date_is_month_first_unless_dayfirst(
    mfgkb_json: JsonInvoke,
) -> None:
    us = mfgkb_json("add-article", "--title", "US", "--date", "03/04/2025")
    eu = mfgkb_json("add-article", "--title", "EU", "--date", "03/04/2025", "--dayfirst")
    assert us["published"] == "2025-03-04"
    assert eu["published"] == "2025-04-03"


def test_add_article_is_stored_in_the_file(seeded: Path, mfgkb: Invoke) -> None:
    new_id = add_article(mfgkb, "Stored", "--author", "Ada", "--topic", "texas")
    record = load_db(seeded)["articles"][str(new_id)]
    assert record["title"] == "Stored"
    assert record["authors"] == ["Ada"]
    assert record["topics"] == ["texas"]
    assert "id" not in record


def test_add_article_without_title_is_a_usage_error(seeded: Path, mfgkb: Invoke) -> None:
    before = seeded.read_bytes()
    line = assert_refused(mfgkb("add-article", "--date", "2025-01-01"), 2)
    assert "--title" in line
    assert seeded.read_bytes() == before


def test_add_article_topic_accepts_alias_like_edit_article(mfgkb_json: JsonInvoke) -> None:
    data = mfgkb_json("add-article", "--title", "A", "--date", "2025-01-01", "--topic", "CHIPS Act")
    assert data["topics"] == ["chips-act"]


# -- ids -------------------------------------------------------------------------


def test_ids_are_never_reused(seeded: Path, mfgkb: Invoke) -> None:
    first = add_article(mfgkb, "First")
    second = add_article(mfgkb, "Second")
    assert second > first
    result = mfgkb("remove-article", str(second), "--yes")
    assert_ok(result)
    assert str(second) in result.stderr
    third = add_article(mfgkb, "Third")
    assert third > second > first

    data = load_db(seeded)
    assert set(data) == {"articles", "meta", "topics"}
    assert data["meta"]["1"]["schema_version"] == 1
    assert data["meta"]["1"]["next_article_id"] == third + 1
    assert str(second) not in data["articles"]
    assert {str(first), str(third)} <= set(data["articles"])
    assert data["articles"][str(third)]["title"] == "Third"
    assert assert_refused(mfgkb("article", str(second)), 1)


def test_remove_article_needs_yes_when_not_at_a_terminal(seeded: Path, mfgkb: Invoke) -> None:
    before = seeded.read_bytes()
    line = assert_refused(mfgkb("remove-article", "1"), 2)
    assert "--yes" in line
    assert seeded.read_bytes() == before


# -- refusals ----------------------------------------------------------------------

DUP_URL = "https://example.com/news/story?id=7"


@pytest.fixture
def with_url(seeded: Path, mfgkb: Invoke) -> int:
    """Adds an article with ``DUP_URL``; returns its id."""
    return add_article(mfgkb, "Has a URL", "--url", DUP_URL)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/news/story?id=7",
        "https://EXAMPLE.com/news/story?id=7",
        "HTTPS://Example.Com/news/story?id=7",
        "https://example.com/news/story/?id=7",
        "https://example.com/news/story?id=7&utm_source=newsletter&utm_medium=email",
        "https://example.com/news/story?utm_campaign=x&id=7",
        "https://example.com/news/story?id=7#comments",
        "http://Example.com/news/story/?id=7&utm_source=x#top",
    ],
)
def test_duplicate_url_refused(seeded: Path, with_url: int, mfgkb: Invoke, url: str) -> None:
    before = seeded.read_bytes()
    line = assert_refused(
        mfgkb("add-article", "--title", "Dup", "--date", "2025-01-01", "--url", url), 1
    )
    # The stored URL is quoted (the one `mfgkb article` shows), the typed one beside it.
    assert line == (
        f"mfgkb: Article {with_url} already has the URL {DUP_URL} (the same page as {url}, "
        f"once normalised); see it with: mfgkb article {with_url}"
    )
    assert seeded.read_bytes() == before


def test_the_very_same_url_is_quoted_once(seeded: Path, with_url: int, mfgkb: Invoke) -> None:
    line = assert_refused(
        mfgkb("add-article", "--title", "Dup", "--date", "2025-01-01", "--url", DUP_URL), 1
    )
    assert line == (
        f"mfgkb: Article {with_url} already has the URL {DUP_URL}; "
        f"see it with: mfgkb article {with_url}"
    )


def test_different_url_is_not_a_duplicate(with_url: int, mfgkb: Invoke) -> None:
    other = add_article(mfgkb, "Other", "--url", "https://example.com/news/story?id=8")
    assert other > with_url


def test_edit_article_to_an_existing_url_is_refused(
    seeded: Path, with_url: int, mfgkb: Invoke
) -> None:
    before = seeded.read_bytes()
    line = assert_refused(mfgkb("edit-article", "1", "--url", DUP_URL + "&utm_source=x"), 1)
    assert f"Article {with_url} already has the URL {DUP_URL} (the same page as " in line
    assert seeded.read_bytes() == before


REFUSED: list[tuple[tuple[str, ...], int]] = [
    (("add-article", "--title", "", "--date", "2025-01-01"), 1),
    (("add-article", "--title", "   ", "--date", "2025-01-01"), 1),
    (("add-article", "--title", "x", "--date", "October 10"), 2),
    (("add-article", "--title", "x", "--date", "not a date"), 2),
    (("add-article", "--title", "x", "--date", "2025-02-30"), 2),
    (("add-article", "--title", "x", "--date", "2025-01-01", "--url", "ftp://x"), 1),
    (("add-article", "--title", "x", "--date", "2025-01-01", "--url", "javascript:alert(1)"), 1),
    (("add-article", "--title", "x", "--date", "2025-01-01", "--url", "example.com"), 1),
    (("add-article", "--title", "x", "--date", "2025-01-01", "--url", "https://a b.com/"), 1),
    (("add-article", "--title", "x", "--date", "2025-01-01", "--topic", "no-such-topic"), 1),
    (
        ("add-article", "--title", "x", "--date", "2025-01-01", "--topic", MAIN, "--topic", "nope"),
        1,
    ),
    (("article", "999"), 1),
    (("edit-article", "999", "--title", "z"), 1),
    (("remove-article", "999", "--yes"), 1),
    (("remove-article", "999"), 1),
    (("link", "999", "texas"), 1),
    (("unlink", "999", "texas"), 1),
    (("link", "1", "no-such-topic"), 1),
    (("edit-article", "1", "--title", ""), 1),
    (("edit-article", "1", "--url", "ftp://x"), 1),
    (("edit-article", "1", "--date", "October 10"), 2),
    (("edit-article", "1", "--date", "nonsense"), 2),
    (("edit-article", "1", "--topic", "no-such-topic"), 1),
    (("edit-article", "1"), 2),
    (("show", "no-such-topic"), 1),
    (("articles", "--topic", "no-such-topic"), 1),
    (("articles", "--since", "not a date"), 2),
    (("articles", "--since", "2025-13"), 2),
    (("articles", "--since", ""), 2),
    (("articles", "--until", ""), 2),
    (("stats", "--since", ""), 2),
    (("export", "--format", "json", "--since", ""), 2),
    (("search", "chips", "--since", ""), 2),
    (("articles", "--since", "2026", "--until", "2025"), 2),
    (("articles", "--limit", "-1"), 2),
    (("articles", "--sort", "foo"), 2),
    (("search", "x", "--kind", "foo"), 2),
    (("search", "x", "--limit", "0"), 2),
    (("search",), 2),
    (("article", "abc"), 2),
    (("no-such-command",), 2),
    (("add-topic", "--title", "Tennessee"), 1),
    (("add-topic", "--title", "New topic", "--slug", MAIN), 1),
    (("add-topic", "--title", "New topic", "--related", "nope"), 1),
    (("add-topic", "--title", "New topic", "--term", "T|D|nope"), 1),
    (("add-topic", "--title", "New topic", "--slug", "Bad Slug"), 1),
    (("add-topic", "--title", ""), 1),
    (("add-topic", "--title", "New topic", "--figure", "a|b|x"), 2),
    (("add-topic", "--title", "New topic", "--figure", "a|b|²"), 2),  # isdigit, yet no int
    (("add-topic", "--title", "New topic", "--figure", "only-label"), 2),
    (("add-topic", "--title", "New topic", "--term", "only-term"), 2),
    (("add-topic", "--title", "New topic", "--summary", "x", "--summary-file", "-"), 2),
    (("add-topic", "--title", "New topic", "--summary-file", "/no/such/file.md"), 2),
    (("add-topic",), 2),
    (("edit-topic", "texas", "--related", "nope"), 1),
    (("edit-topic", "texas", "--title", ""), 1),
    (("edit-topic", "no-such-topic", "--title", "x"), 1),
    (("edit-topic", "texas"), 2),
]


@pytest.mark.parametrize(
    ("args", "code"), REFUSED, ids=[" ".join(a) or "<empty>" for a, _ in REFUSED]
)
def test_refused_input_leaves_database_unchanged(
    seeded: Path, mfgkb: Invoke, args: tuple[str, ...], code: int
) -> None:
    before = seeded.read_bytes()
    assert_refused(mfgkb(*args), code)
    assert seeded.read_bytes() == before


@pytest.mark.parametrize("url", ["https://example.com:99999/x", "https://example.com:abc/x"])
def test_url_with_bad_port_refused_cleanly(seeded: Path, mfgkb: Invoke, url: str) -> None:
    before = seeded.read_bytes()
    assert_refused(mfgkb("add-article", "--title", "x", "--date", "2025-01-01", "--url", url), 1)
    assert seeded.read_bytes() == before


def test_url_with_broken_ipv6_host_refused_cleanly(seeded: Path, mfgkb: Invoke) -> None:
    before = seeded.read_bytes()
    args = ("add-article", "--title", "x", "--date", "2025-01-01", "--url", "https://[::1/x")
    assert_refused(mfgkb(*args), 1)
    assert seeded.read_bytes() == before


@pytest.mark.parametrize("period", ["0000", "0000-05"])
def test_period_with_year_zero_refused_cleanly(seeded: Path, mfgkb: Invoke, period: str) -> None:
    before = seeded.read_bytes()
    assert_refused(mfgkb("articles", "--since", period), 2)  # a bad option value
    assert seeded.read_bytes() == before


# -- the database file -------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("show", MAIN),
        ("articles",),
        ("add-article", "--title", "x", "--date", "2025-01-01"),
    ],
)
def test_missing_parent_folder_is_refused_and_nothing_created(
    runner: CliRunner, tmp_path: Path, args: tuple[str, ...]
) -> None:
    missing = tmp_path / "missing"
    result = runner.invoke(app, ["--db", str(missing / "kb.json"), *args])
    line = assert_refused(result, 1)
    assert str(missing) in line
    assert not missing.exists()


def _schema_99() -> bytes:
    data = {
        "articles": {},
        "meta": {"1": {"schema_version": 99, "next_article_id": 1}},
        "topics": {},
    }
    return json.dumps(data).encode()


BAD_FILES: dict[str, bytes] = {
    "not-json": b"this is not json {",
    "empty": b"",
    "whitespace": b"  \n",
    "truncated": b'{"articles": {}, "meta": {"1": {"schema_',
    "json-list": b"[1, 2, 3]",
    "missing-tables": b'{"articles": {}}',
    "schema-99": _schema_99(),
}


@pytest.mark.parametrize("kind", sorted(BAD_FILES))
@pytest.mark.parametrize(
    "args",
    [
        ("show", MAIN),
        ("articles",),
        ("search", "chips"),
        ("add-article", "--title", "x", "--date", "2025-01-01"),
        ("add-topic", "--title", "Brand new"),
    ],
    ids=lambda a: a[0],
)
def test_unusable_database_file_is_refused_and_left_alone(
    runner: CliRunner, tmp_path: Path, kind: str, args: tuple[str, ...]
) -> None:
    path = tmp_path / "kb.json"
    path.write_bytes(BAD_FILES[kind])
    line = assert_refused(runner.invoke(app, ["--db", str(path), *args]), 1)
    assert str(path) in line
    assert path.read_bytes() == BAD_FILES[kind]
    if kind == "schema-99":
        assert "99" in line


def test_database_path_that_is_a_directory_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    line = assert_refused(runner.invoke(app, ["--db", str(tmp_path), "show", MAIN]), 1)
    assert "directory" in line


def test_corrupt_database_hint_names_only_existing_commands(seeded: Path, mfgkb: Invoke) -> None:
    add_article(mfgkb, "Makes a backup")
    assert seeded.with_name(seeded.name + ".1").exists()
    seeded.write_bytes(b"garbage")
    line = assert_refused(mfgkb("articles"), 1)
    assert HINT.search(line), line


def test_database_is_valid_sorted_json(seeded: Path) -> None:
    raw = seeded.read_bytes()
    data = json.loads(raw)
    assert raw == (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()
    assert data["meta"]["1"] == {"schema_version": 1, "next_article_id": 2}
    assert data["articles"]["1"]["title"] == SEED_TITLE
    slugs = {t["slug"] for t in data["topics"].values()}
    assert {MAIN, "chips-act", "tennessee", "texas", "north-carolina"} <= slugs


# -- articles ----------------------------------------------------------------------


@pytest.fixture
def library(mfgkb: Invoke) -> dict[str, int]:
    """The seed article plus three more with distinct dates, authors, tags and topics."""
    ids = {"seed": 1}
    ids["alpha"] = add_article(
        mfgkb,
        "Alpha report",
        "--author",
        "Ada Lovelace",
        "--tag",
        "robotics",
        "--topic",
        "texas",
        date="2024-06-15",
    )
    ids["beta"] = add_article(
        mfgkb,
        "Beta notes",
        "--author",
        "Grace Hopper",
        "--tag",
        "policy",
        "--topic",
        MAIN,
        date="2025-10-20",
    )
    ids["gamma"] = add_article(
        mfgkb,
        "Gamma study",
        "--author",
        "Ada Byron",
        "--tag",
        "Supply Chain",
        date="2025-02-01",
    )
    return ids


def _ids(mfgkb_json: JsonInvoke, *args: str) -> list[int]:
    return [a["id"] for a in mfgkb_json("articles", *args)]


def _names(ids: dict[str, int], *names: str) -> list[int]:
    return [ids[n] for n in names]


def test_articles_default_is_newest_published_first(
    library: dict[str, int], mfgkb_json: JsonInvoke
) -> None:
    assert _ids(mfgkb_json) == _names(library, "beta", "seed", "gamma", "alpha")


def test_articles_json_fields(library: dict[str, int], mfgkb_json: JsonInvoke) -> None:
    rows = mfgkb_json("articles")
    assert rows
    for row in rows:
        assert set(row) == ARTICLE_FIELDS
    seed = next(r for r in rows if r["id"] == 1)
    assert seed["title"] == SEED_TITLE
    assert seed["authors"] == [SEED_AUTHOR]
    assert seed["topics"] == [MAIN]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--topic", MAIN), ("beta", "seed")),
        (("--topic", "smart manufacturing"), ("beta", "seed")),
        (("--topic", "texas"), ("alpha",)),
        (("--topic", "chips-act"), ()),
        (("--author", "ada"), ("gamma", "alpha")),
        (("--author", "HOPPER"), ("beta",)),
        (("--author", "jedrik hast"), ("seed",)),
        (("--author", "nobody"), ()),
        (("--tag", "policy"), ("beta", "seed")),
        (("--tag", "supply-chain"), ("gamma",)),
        (("--tag", "robotics"), ("alpha",)),
        (("--since", "2025"), ("beta", "seed", "gamma")),
        (("--until", "2024"), ("alpha",)),
        (("--since", "2024", "--until", "2024"), ("alpha",)),
        (("--since", "2025-10"), ("beta", "seed")),
        (("--since", "2025-02", "--until", "2025-02"), ("gamma",)),
        (("--until", "2025-10"), ("beta", "seed", "gamma", "alpha")),
        (("--until", "2025-09"), ("gamma", "alpha")),
        (("--since", "2025-10-11"), ("beta",)),
        (("--until", "2025-10-10"), ("seed", "gamma", "alpha")),
        (("--since", "2025-10-10", "--until", "2025-10-10"), ("seed",)),
        (("--since", "October 2025"), ("beta", "seed")),
        (("--since", "February 1, 2025", "--until", "Feb 1 2025"), ("gamma",)),
        (("--tag", "policy", "--since", "2025-10-15"), ("beta",)),
        (("--author", "ada", "--since", "2025"), ("gamma",)),
        # a repeated filter matches any of its values; different filters all apply
        (("--topic", "texas", "--topic", MAIN), ("beta", "seed", "alpha")),
        (("--topic", "texas", "--topic", "texas"), ("alpha",)),
        (("--topic", "texas", "--topic", MAIN, "--sort", "added"), ("beta", "alpha", "seed")),
        (("--author", "ada", "--author", "hopper"), ("beta", "gamma", "alpha")),
        (("--tag", "policy", "--tag", "robotics"), ("beta", "seed", "alpha")),
        (("--topic", "texas", "--topic", MAIN, "--tag", "policy"), ("beta", "seed")),
        (("--topic", "texas", "--topic", MAIN, "--author", "ada"), ("alpha",)),
    ],
)
def test_articles_filters(
    library: dict[str, int],
    mfgkb_json: JsonInvoke,
    args: tuple[str, ...],
    expected: tuple[str, ...],
) -> None:
    assert _ids(mfgkb_json, *args) == _names(library, *expected)


def test_articles_tag_filter_normalises_like_add_article(
    library: dict[str, int], mfgkb_json: JsonInvoke
) -> None:
    assert _ids(mfgkb_json, "--tag", "Supply Chain") == [library["gamma"]]


def test_articles_sort(library: dict[str, int], mfgkb_json: JsonInvoke) -> None:
    assert _ids(mfgkb_json, "--sort", "published") == _names(
        library, "beta", "seed", "gamma", "alpha"
    )
    assert _ids(mfgkb_json, "--sort", "added") == _names(library, "gamma", "beta", "alpha", "seed")
    titles = [a["title"] for a in mfgkb_json("articles", "--sort", "title")]
    assert titles == ["Alpha report", "Beta notes", "Gamma study", SEED_TITLE]


def test_articles_limit(library: dict[str, int], mfgkb: Invoke, mfgkb_json: JsonInvoke) -> None:
    assert _ids(mfgkb_json, "--limit", "2") == _names(library, "beta", "seed")
    assert len(_ids(mfgkb_json, "--limit", "0")) == 4
    result = mfgkb("articles", "--limit", "2")
    assert_ok(result)
    assert "Showing 2 of 4 articles; use --limit to see more (0 for all)." in result.stdout


def test_articles_text_table(library: dict[str, int], mfgkb: Invoke) -> None:
    result = mfgkb("articles", "--author", "ada")
    assert_ok(result)
    assert "Alpha report" in result.stdout
    assert "Gamma study" in result.stdout
    assert "Beta notes" not in result.stdout
    none = mfgkb("articles", "--author", "nobody")
    assert_ok(none)
    assert "No articles match" in none.stdout


# -- article, edit-article, link ---------------------------------------------------


def test_article_detail(mfgkb: Invoke, mfgkb_json: JsonInvoke) -> None:
    new_id = add_article(
        mfgkb,
        "Detail",
        "--author",
        "Ada",
        "--url",
        "https://example.org/detail",
        "--description",
        "A long description.",
        "--source",
        "The Source",
        "--tag",
        "x",
        "--topic",
        "texas",
        date="2025-07-04",
    )
    result = mfgkb("article", str(new_id))
    assert_ok(result)
    for expected in (
        "Detail",
        "Ada",
        "2025-07-04",
        "https://example.org/detail",
        "A long description.",
        "The Source",
        "texas",
    ):
        assert expected in result.stdout, expected
    data = mfgkb_json("article", str(new_id))
    assert set(data) == ARTICLE_FIELDS
    assert data["id"] == new_id


def test_edit_article_replaces_only_given_fields(mfgkb: Invoke, mfgkb_json: JsonInvoke) -> None:
    new_id = add_article(
        mfgkb,
        "Original",
        "--author",
        "A One",
        "--author",
        "A Two",
        "--tag",
        "x",
        "--tag",
        "y",
        "--topic",
        "texas",
        "--url",
        "https://example.org/original",
        "--description",
        "Old description",
        "--source",
        "Old source",
        date="2025-01-01",
    )
    ident = str(new_id)

    def current() -> dict[str, Any]:
        data = mfgkb_json("article", ident)
        assert isinstance(data, dict)
        return data

    before = current()
    assert_ok(mfgkb("edit-article", ident, "--author", "C Three"))
    after = current()
    assert after["authors"] == ["C Three"]
    assert {k: v for k, v in after.items() if k != "authors"} == {
        k: v for k, v in before.items() if k != "authors"
    }

    assert_ok(mfgkb("edit-article", ident, "--tag", "z"))
    assert current()["tags"] == ["z"]
    assert_ok(mfgkb("edit-article", ident, "--topic", "chips-act", "--topic", MAIN))
    assert current()["topics"] == ["chips-act", MAIN]
    assert_ok(mfgkb("edit-article", ident, "--date", "10 Oct 2025"))
    assert current()["published"] == "2025-10-10"
    assert_ok(mfgkb("edit-article", ident, "--date", "03/04/2025", "--dayfirst"))
    assert current()["published"] == "2025-04-03"
    assert_ok(mfgkb("edit-article", ident, "--title", "Renamed", "--source", "New source"))
    assert_ok(mfgkb("edit-article", ident, "--description", "New description"))
    final = current()
    assert final["title"] == "Renamed"
    assert final["source"] == "New source"
    assert final["description"] == "New description"
    assert final["url"] == "https://example.org/original"
    assert final["authors"] == ["C Three"]
    assert final["added"] == before["added"]

    assert_ok(mfgkb("edit-article", ident, "--url", ""))
    assert current()["url"] is None
    # The URL it gave up can be used by another article now.
    add_article(mfgkb, "Takes the URL", "--url", "https://example.org/original")


def test_edit_article_json(mfgkb_json: JsonInvoke) -> None:
    data = mfgkb_json("edit-article", "1", "--source", "Industry Weekly")
    assert data["id"] == 1
    assert data["source"] == "Industry Weekly"
    assert data["title"] == SEED_TITLE


def test_link_and_unlink(mfgkb: Invoke, mfgkb_json: JsonInvoke) -> None:
    assert mfgkb_json("show", "texas")["total_articles"] == 0
    result = mfgkb("link", "1", "texas")
    assert_ok(result)
    assert "texas" in result.stderr
    assert mfgkb_json("article", "1")["topics"] == [MAIN, "texas"]
    texas = mfgkb_json("show", "texas")
    assert [a["id"] for a in texas["articles"]] == [1]
    # Linking twice changes nothing.
    assert_ok(mfgkb("link", "1", "texas"))
    assert mfgkb_json("article", "1")["topics"] == [MAIN, "texas"]
    # A title or alias works as well as the slug.
    assert_ok(mfgkb("link", "1", "CHIPS and Science Act"))
    assert mfgkb_json("article", "1")["topics"] == [MAIN, "texas", "chips-act"]
    assert_ok(mfgkb("unlink", "1", "TEXAS"))
    assert_ok(mfgkb("unlink", "1", "chips-act"))
    assert mfgkb_json("article", "1")["topics"] == [MAIN]
    assert mfgkb_json("show", "texas")["total_articles"] == 0


def test_link_and_unlink_that_change_nothing_say_so_and_write_nothing(
    seeded: Path, mfgkb: Invoke
) -> None:
    assert_ok(mfgkb("link", "1", "texas"))
    before = files_of(seeded)
    result = mfgkb("link", "1", "Texas")  # by its title: named by its slug
    assert_ok(result)
    assert result.stderr.strip() == "Article 1 is already linked to texas."
    assert files_of(seeded) == before
    result = mfgkb("unlink", "1", "chips-act")
    assert_ok(result)
    assert result.stderr.strip() == (
        f"Article 1 is not linked to chips-act; nothing to unlink (its topics: {MAIN}, texas)."
    )
    assert files_of(seeded) == before


@pytest.mark.parametrize(
    "args",
    [
        ("edit-article", "1", "--tag", "fabs", "--tag", "texas"),
        ("edit-topic", "texas", "--title", "Texas", "--related", "tennessee"),
    ],
)
def test_an_edit_with_the_values_there_already_says_so_and_writes_nothing(
    seeded: Path, mfgkb: Invoke, args: tuple[str, ...]
) -> None:
    first = mfgkb(*args)
    assert_ok(first)
    assert first.stderr.startswith("Updated ")
    before = files_of(seeded)
    again = mfgkb(*args)
    assert_ok(again)
    what = "Article 1" if args[0] == "edit-article" else "Topic texas"
    assert again.stderr.strip() == f"{what} is unchanged: it has those values already."
    assert files_of(seeded) == before
    data = json.loads(ok(mfgkb(*args, "--json")).stdout)
    assert data["changed"] is False
    assert files_of(seeded) == before
    changed = json.loads(ok(mfgkb(*args[:2], "--title", "Retitled", "--json")).stdout)
    assert changed["changed"] is True and changed["title"] == "Retitled"


def test_removed_article_disappears_everywhere(mfgkb: Invoke, mfgkb_json: JsonInvoke) -> None:
    new_id = add_article(mfgkb, "Short lived zeppelin", "--topic", MAIN)
    assert_ok(mfgkb("remove-article", str(new_id), "-y"))
    assert new_id not in [a["id"] for a in mfgkb_json("show", MAIN)["articles"]]
    assert new_id not in _ids(mfgkb_json)
    assert mfgkb_json("search", "zeppelin") == []


# -- topics ------------------------------------------------------------------------


def test_topics_lists_counts(mfgkb: Invoke, mfgkb_json: JsonInvoke) -> None:
    add_article(mfgkb, "On texas", "--topic", "texas")
    rows = mfgkb_json("topics")
    counts = {r["slug"]: r["article_count"] for r in rows}
    assert counts[MAIN] == 1
    assert counts["texas"] == 1
    assert counts["chips-act"] == 0
    assert {
        MAIN,
        "chips-act",
        "gujarat-chemical-industry",
        "north-carolina",
        "production-linked-incentive",
        "skilled-workforce-gap",
        "tennessee",
        "texas",
    } <= set(counts)
    for row in rows:
        assert set(row) == TOPIC_FIELDS | {"article_count"}
    text = mfgkb("topics")
    assert_ok(text)
    assert MAIN in text.stdout
    assert "Advanced manufacturing" in text.stdout


def test_add_topic_with_every_field(tmp_path: Path, mfgkb: Invoke, mfgkb_json: JsonInvoke) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("Layer by layer.\n\nSecond paragraph.\n", encoding="utf-8")
    result = mfgkb(
        "add-topic",
        "--title",
        "Additive manufacturing",
        "--alias",
        "3D printing",
        "--alias",
        "AM",
        "--summary-file",
        str(notes),
        "--term",
        "Powder bed fusion|Melts powder with a laser",
        "--term",
        "Hub state|A state hub|texas",
        "--figure",
        "Market size|$20 billion|2024|Wohlers",
        "--figure",
        "Printers sold|1 million",
        "--related",
        MAIN,
        "--related",
        "texas",
    )
    assert_ok(result)
    assert "additive-manufacturing" in result.stderr
    topic = mfgkb_json("show", "3d PRINTING")["topic"]
    assert topic["slug"] == "additive-manufacturing"
    assert topic["title"] == "Additive manufacturing"
    assert topic["aliases"] == ["3D printing", "AM"]
    assert topic["summary"] == "Layer by layer.\n\nSecond paragraph."
    assert topic["key_terms"] == [
        {"term": "Powder bed fusion", "definition": "Melts powder with a laser", "topic": None},
        {"term": "Hub state", "definition": "A state hub", "topic": "texas"},
    ]
    assert topic["figures"] == [
        {"label": "Market size", "value": "$20 billion", "year": 2024, "source": "Wohlers"},
        {"label": "Printers sold", "value": "1 million", "year": None, "source": None},
    ]
    assert topic["related"] == [MAIN, "texas"]
    page = mfgkb("show", "additive-manufacturing")
    assert_ok(page)
    for expected in (
        "Additive manufacturing",
        "Layer by layer.",
        "Powder bed fusion",
        "$20 billion",
    ):
        assert expected in page.stdout
    assert "No articles yet" in page.stdout


def test_add_topic_summary_from_stdin(mfgkb: Invoke, mfgkb_json: JsonInvoke) -> None:
    result = mfgkb(
        "add-topic",
        "--title",
        "Stdin topic",
        "--slug",
        "stdin-topic",
        "--summary-file",
        "-",
        input="Read from **standard input**.\n",
    )
    assert_ok(result)
    topic = mfgkb_json("show", "stdin-topic")["topic"]
    assert topic["summary"] == "Read from **standard input**."
    assert topic["title"] == "Stdin topic"


def test_add_topic_json_and_inline_summary(mfgkb_json: JsonInvoke) -> None:
    data = mfgkb_json("add-topic", "--title", "Lights-out factories", "--summary", "Dark.")
    assert set(data) == TOPIC_FIELDS
    assert data["slug"] == "lights-out-factories"
    assert data["summary"] == "Dark."
    assert data["created"] == data["updated"] != ""


def test_add_topic_duplicate_slug_refused(seeded: Path, mfgkb: Invoke) -> None:
    assert_ok(mfgkb("add-topic", "--title", "Cobots", "--slug", "cobots"))
    before = seeded.read_bytes()
    line = assert_refused(mfgkb("add-topic", "--title", "Collaborative robots", "--slug", "cobots"))
    assert "cobots" in line
    assert seeded.read_bytes() == before


@pytest.mark.parametrize(
    "args",
    [
        ("--title", "Fabs"),  # the slug made from the title is an alias of another topic
        ("--title", "Chip plants", "--slug", "fabs"),
        ("--title", "Semiconductor FABS"),  # the title is another topic's alias, any case
        ("--title", "Chip plants", "--alias", "Chip Fabs"),
        ("--title", "Chip plants", "--alias", "semiconductor-fabs"),  # another's slug
        ("--title", "Chip plants", "--alias", "  Fabs "),
        ("--title", "Chip plants", "--alias", "Semiconductor fabs"),  # another's title
    ],
)
def test_add_topic_name_used_by_another_topic_is_refused(
    seeded: Path, mfgkb: Invoke, args: tuple[str, ...]
) -> None:
    alias = ("--alias", "fabs", "--alias", "chip fabs")
    assert_ok(mfgkb("add-topic", "--title", "Semiconductor fabs", *alias))
    before = seeded.read_bytes()
    line = assert_refused(mfgkb("add-topic", *args))
    assert "semiconductor-fabs" in line
    assert seeded.read_bytes() == before


def test_edit_topic_name_used_by_another_topic_is_refused(seeded: Path, mfgkb: Invoke) -> None:
    assert_ok(mfgkb("add-topic", "--title", "Semiconductor fabs", "--alias", "fabs"))
    assert_ok(mfgkb("add-topic", "--title", "Chip plants"))
    before = seeded.read_bytes()
    for args in (("--alias", "Fabs"), ("--title", "fabs"), ("--title", "Semiconductor Fabs")):
        line = assert_refused(mfgkb("edit-topic", "chip-plants", *args))
        assert "semiconductor-fabs" in line
    assert seeded.read_bytes() == before
    # a topic's own names may repeat one another
    assert_ok(mfgkb("edit-topic", "semiconductor-fabs", "--alias", "Semiconductor fabs"))


def test_check_reports_a_name_shared_by_two_topics(seeded: Path, mfgkb: Invoke) -> None:
    assert_ok(mfgkb("check"))
    assert_ok(mfgkb("add-topic", "--title", "Semiconductor fabs", "--alias", "fabs"))
    data = load_db(seeded)
    fabs_key = next(k for k, t in data["topics"].items() if t["slug"] == "semiconductor-fabs")
    texas_key = next(k for k, t in data["topics"].items() if t["slug"] == "texas")
    data["topics"][texas_key]["aliases"] = ["FABS"]  # a hand edit
    seeded.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    assert fabs_key
    result = mfgkb("check", "--json")
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    shared = [p for p in report["problems"] if "fabs" in p["message"]]
    assert len(shared) == 1, report
    assert "semiconductor-fabs" in shared[0]["where"] + shared[0]["message"]
    assert "texas" in shared[0]["where"] + shared[0]["message"]
    assert shared[0]["fixable"] is False
    assert mfgkb("check", "--fix").exit_code == 1


def test_edit_topic_replaces_given_fields(mfgkb: Invoke, mfgkb_json: JsonInvoke) -> None:
    before = mfgkb_json("show", "chips-act")["topic"]
    result = mfgkb(
        "edit-topic", "CHIPS Act", "--alias", "Chips law", "--related", MAIN, "--related", "texas"
    )
    assert_ok(result)
    after = mfgkb_json("show", "chips law")["topic"]
    assert after["slug"] == "chips-act"
    assert after["aliases"] == ["Chips law"]
    assert after["related"] == [MAIN, "texas"]
    assert after["summary"] == before["summary"]
    assert after["key_terms"] == before["key_terms"]
    assert after["title"] == before["title"]
    assert after["created"] == before["created"]
    # The old alias no longer names the topic.
    assert_refused(mfgkb("show", "CHIPS and Science Act"), 1)

    assert_ok(
        mfgkb(
            "edit-topic",
            "chips-act",
            "--title",
            "The CHIPS Act",
            "--summary",
            "New summary.",
            "--term",
            "Fab|A chip plant",
            "--figure",
            "Funding|$52.7 billion|2022",
        )
    )
    final = mfgkb_json("show", "chips-act")["topic"]
    assert final["title"] == "The CHIPS Act"
    assert final["summary"] == "New summary."
    assert final["key_terms"] == [{"term": "Fab", "definition": "A chip plant", "topic": None}]
    assert final["figures"] == [
        {"label": "Funding", "value": "$52.7 billion", "year": 2022, "source": None}
    ]
    assert final["aliases"] == ["Chips law"]


def test_edit_topic_summary_from_file_and_json(tmp_path: Path, mfgkb_json: JsonInvoke) -> None:
    notes = tmp_path / "texas.md"
    notes.write_text("Texas, rewritten.", encoding="utf-8")
    data = mfgkb_json("edit-topic", "texas", "--summary-file", str(notes))
    assert data["slug"] == "texas"
    assert data["summary"] == "Texas, rewritten."
    assert mfgkb_json("show", "texas")["topic"]["summary"] == "Texas, rewritten."


# -- search ------------------------------------------------------------------------

HIT_FIELDS = {"kind", "title", "score", "field", "snippet", "highlights", "matched_all"}


def test_search_chips_act_finds_the_topic_first(mfgkb_json: JsonInvoke) -> None:
    hits = mfgkb_json("search", "chips", "act")
    assert hits
    assert hits[0]["kind"] == "topic"
    assert hits[0]["slug"] == "chips-act"
    assert hits[0]["title"] == "CHIPS Act"
    assert hits[0]["matched_all"] is True
    for hit in hits:
        key = "slug" if hit["kind"] == "topic" else "id"
        assert set(hit) == HIT_FIELDS | {key}
        assert isinstance(hit["score"], float | int)
        for start, end in hit["highlights"]:
            assert 0 <= start < end <= len(hit["snippet"])
    scores = [h["score"] for h in hits]
    assert scores[0] == max(scores)


def test_search_text_output(mfgkb: Invoke) -> None:
    result = mfgkb("search", "chips", "act")
    assert_ok(result)
    assert "CHIPS Act" in result.stdout
    assert "chips-act" in result.stdout


def test_search_alias_finds_main_topic(mfgkb_json: JsonInvoke) -> None:
    hits = mfgkb_json("search", "smart", "manufacturing")
    assert any(h["kind"] == "topic" and h.get("slug") == MAIN for h in hits)
    assert hits[0]["slug"] == MAIN


def test_search_finds_articles_and_filters(mfgkb: Invoke, mfgkb_json: JsonInvoke) -> None:
    new_id = add_article(
        mfgkb, "Robotic welding cells", "--author", "Ada Lovelace", "--tag", "robotics"
    )
    hits = mfgkb_json("search", "welding")
    assert [(h["kind"], h.get("id")) for h in hits] == [("article", new_id)]
    assert mfgkb_json("search", "welding", "--kind", "topic") == []
    assert [h["id"] for h in mfgkb_json("search", "lovelace")] == [new_id]
    assert mfgkb_json("search", "welding", "--author", "hopper") == []
    topics_only = mfgkb_json("search", "manufacturing", "--kind", "topic")
    assert topics_only
    assert all(h["kind"] == "topic" for h in topics_only)
    articles_only = mfgkb_json("search", "manufacturing", "--kind", "article")
    assert all(h["kind"] == "article" for h in articles_only)
    assert len(mfgkb_json("search", "manufacturing", "--limit", "2")) == 2


def test_search_repeated_filter_matches_any_value(mfgkb: Invoke, mfgkb_json: JsonInvoke) -> None:
    texas = add_article(mfgkb, "Welding in Texas", "--topic", "texas", "--tag", "robotics")
    chips = add_article(mfgkb, "Welding for chips", "--topic", "chips-act", "--tag", "policy")
    add_article(mfgkb, "Welding elsewhere", "--tag", "robotics")

    def found(*args: str) -> set[int]:
        return {h["id"] for h in mfgkb_json("search", "welding", *args)}

    assert found("--topic", "texas", "--topic", "chips-act") == {texas, chips}
    assert found("--tag", "policy", "--tag", "robotics") == {texas, chips, texas + 2}
    assert found("--topic", "texas", "--topic", "chips-act", "--tag", "policy") == {chips}


def test_export_repeated_filter_matches_any_value(library: dict[str, int], mfgkb: Invoke) -> None:
    def titles(*args: str) -> list[str]:
        result = mfgkb("export", "--format", "jsonl", *args)
        assert_ok(result)
        return [json.loads(line)["title"] for line in result.stdout.splitlines()]

    assert titles("--topic", "texas", "--topic", MAIN) == ["Beta notes", SEED_TITLE, "Alpha report"]
    assert titles("--author", "hopper", "--author", "byron") == ["Beta notes", "Gamma study"]
    assert titles("--tag", "robotics", "--tag", "supply-chain", "--since", "2025") == [
        "Gamma study"
    ]


def test_export_markdown_applies_the_article_filters(
    library: dict[str, int], mfgkb: Invoke
) -> None:
    add_article(mfgkb, "Aardvark survey", "--topic", MAIN, "--author", "Zed", date="2024-01-01")

    def listed(*args: str) -> list[str]:
        result = mfgkb("export", "--format", "markdown", "--topic", MAIN, *args)
        assert_ok(result)
        assert result.stdout.startswith("# Advanced manufacturing\n")
        return re.findall(r"^- \*\*(.+?)\*\* — ", result.stdout, re.M)

    assert listed() == ["Beta notes", SEED_TITLE, "Aardvark survey"]
    assert listed("--since", "2025-10-15") == ["Beta notes"]
    assert listed("--until", "2024") == ["Aardvark survey"]
    assert listed("--author", "jedrik") == [SEED_TITLE]
    assert listed("--tag", "policy") == ["Beta notes", SEED_TITLE]
    assert listed("--sort", "title") == ["Aardvark survey", "Beta notes", SEED_TITLE]
    assert listed("--sort", "added") == ["Aardvark survey", "Beta notes", SEED_TITLE]
    assert listed("--limit", "1") == ["Beta notes"]
    line = assert_refused(
        mfgkb("export", "--format", "markdown", "--topic", MAIN, "--topic", "texas"), 2
    )
    assert "one --topic" in line


def test_search_without_matches_exits_zero(mfgkb: Invoke, mfgkb_json: JsonInvoke) -> None:
    assert mfgkb_json("search", "qqqzzzxxx") == []
    result = mfgkb("search", "qqqzzzxxx")
    assert_ok(result)
    assert "No results" in result.stdout


def test_search_suggests_spelling(mfgkb: Invoke) -> None:
    result = mfgkb("search", "semiconducter")
    assert_ok(result)
    assert "semiconductor" in result.stdout
    as_json = mfgkb("search", "semiconducter", "--json")
    assert_ok(as_json)
    assert json.loads(as_json.stdout) == []
    assert "semiconductor" in as_json.stderr


# -- literal text ------------------------------------------------------------------


def test_markup_in_a_title_is_shown_literally(mfgkb: Invoke) -> None:
    title = "[bold red]x[/]"
    new_id = add_article(mfgkb, title, "--topic", MAIN, "--author", "[i]Ada[/i]", date="2025-12-01")
    for args in (("articles",), ("show", MAIN), ("article", str(new_id))):
        result = mfgkb(*args)
        assert_ok(result)
        assert title in result.stdout, args
        assert "[i]Ada[/i]" in result.stdout, args


def test_escape_sequences_are_not_written_raw(mfgkb: Invoke) -> None:
    title = "bad \x1b[31mred\x1b[0m title"
    new_id = add_article(mfgkb, title, "--topic", "texas", "--source", "S\x1b]8;;x\x07")
    for args in (("articles",), ("show", "texas"), ("article", str(new_id))):
        result = mfgkb(*args)
        assert_ok(result)
        assert "\x1b" not in result.stdout, args
        assert "\x07" not in result.stdout, args
        assert "red" in result.stdout, args
        assert "\\x1b" in result.stdout, args


# -- help and version ----------------------------------------------------------------


def test_there_are_commands() -> None:
    expected = {"show", "topics", "add-topic", "edit-topic", "add-article", "articles"}
    expected |= {"article", "edit-article", "remove-article", "link", "unlink", "search"}
    assert expected <= set(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_has_an_example(runner: CliRunner, command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert_ok(result)
    assert "Example:" in result.stdout
    assert f"mfgkb {command}" in result.stdout.replace("\n", " ")


def test_main_help_and_version(runner: CliRunner) -> None:
    result = runner.invoke(app, ["--help"])
    assert_ok(result)
    assert "Example:" in result.stdout
    for command in COMMANDS:
        assert command in result.stdout
    version = runner.invoke(app, ["--version"])
    assert_ok(version)
    assert version.stdout.strip() == f"mfgkb {__version__}"


# -- topic names ------------------------------------------------------------------


@pytest.mark.parametrize("title", ["", "   "])
def test_an_empty_topic_title_is_named_as_such_not_as_a_bad_slug(
    mfgkb: Invoke, seeded: Path, title: str
) -> None:
    before = seeded.read_bytes()
    line = refusal(mfgkb("add-topic", "--title", title))
    assert line == "mfgkb: The topic title is empty; give a non-empty topic title."
    assert seeded.read_bytes() == before


def test_an_alias_that_is_the_topics_own_slug_or_title_is_dropped(
    mfgkb_json: JsonInvoke,
) -> None:
    created = mfgkb_json(
        "add-topic",
        "--title",
        "Baz Qux",
        "--alias",
        "baz-qux",
        "--alias",
        "BAZ QUX",
        "--alias",
        "bq",
    )
    assert created["aliases"] == ["bq"]
    edited = mfgkb_json("edit-topic", "baz-qux", "--alias", "Baz Qux", "--alias", "bq2")
    assert edited["aliases"] == ["bq2"]
