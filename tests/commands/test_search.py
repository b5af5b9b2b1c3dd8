"""Search ranking, query syntax and filters, and the derived search index (``<db>.index``).

Every test builds a small knowledge base in tmp_path through the command line
(``add-topic``, ``add-article``, ``import``) on top of the shipped topics, and
reads ``search --json`` back: a list of hits ``{kind, slug|id, title, score,
field, snippet, highlights, matched_all}``. The words the tests look for
(zeppelin, quokka, wombat, ...) do not occur in the shipped knowledge base, so
the shipped records never interfere with a ranking.

The index tests damage, delete or outdate the index file, or change the database
file behind mfgkb's back, and check that the next command rebuilds the index and
answers exactly as before.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from helpers import MAIN, assert_ok
from mfgkb.cli import app

Invoke = Callable[..., Any]
JsonInvoke = Callable[..., Any]
Hit = dict[str, Any]


# -- helpers -------------------------------------------------------------------------


def search(mfgkb: Invoke, *args: str) -> list[Hit]:
    """``search ARGS --json`` as a list of hits; the query words go after ``--``."""
    result = mfgkb("search", "--json", *args)
    assert_ok(result)
    hits = json.loads(result.stdout)
    assert isinstance(hits, list)
    return hits


def ref(hit: Hit) -> str | int:
    """A topic's slug or an article's id."""
    return hit["slug"] if hit["kind"] == "topic" else hit["id"]


def refs(hits: list[Hit]) -> list[str | int]:
    return [ref(h) for h in hits]


def add_topic(mfgkb: Invoke, title: str, *args: str) -> str:
    """Add a topic through the CLI and return its slug."""
    result = mfgkb("add-topic", "--title", title, *args, "--json")
    assert_ok(result)
    return str(json.loads(result.stdout)["slug"])


def add_article(mfgkb: Invoke, title: str, *args: str, date: str = "2024-05-01") -> int:
    """Add an article through the CLI and return its id."""
    result = mfgkb("add-article", "--title", title, "--date", date, *args, "--json")
    assert_ok(result)
    return int(json.loads(result.stdout)["id"])


RECORD_DEFAULTS: dict[str, Any] = {
    "description": "",
    "authors": [],
    "url": None,
    "topics": [],
    "tags": [],
    "source": "",
}


def import_records(mfgkb: Invoke, path: Path, records: list[dict[str, Any]]) -> list[int]:
    """Write ``records`` as JSON Lines to ``path``, import them in one write, return the ids.

    Every record gets every field (empty when not given), so the import reads
    the same columns from each line.
    """
    path.write_text(
        "".join(json.dumps({**RECORD_DEFAULTS, **r}, ensure_ascii=False) + "\n" for r in records),
        encoding="utf-8",
    )
    result = mfgkb("import", str(path), "--json")
    assert_ok(result)
    report = json.loads(result.stdout)
    assert report["added"] == len(records), report
    return [int(i) for i in report["ids"]]


def index_files(db: Path) -> list[Path]:
    """The index and SQLite's side files (whether they exist or not)."""
    index = db.with_name(db.name + ".index")
    return [index, Path(f"{index}-wal"), Path(f"{index}-shm")]


def delete_index(db: Path) -> None:
    for path in index_files(db):
        path.unlink(missing_ok=True)


def rewrite_json(db: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Edit the database file in place as a person with a script would, keeping its format."""
    data = json.loads(db.read_text(encoding="utf-8"))
    change(data)
    db.write_text(
        json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )


def assert_highlights_valid(hit: Hit) -> None:
    """Highlights are sorted, non-overlapping [start, end) offsets inside the snippet."""
    end_before = 0
    for start, end in hit["highlights"]:
        assert end_before <= start < end <= len(hit["snippet"]), hit
        end_before = end


@pytest.fixture(scope="module")
def shipped_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding only the shipped knowledge base, shared by read-only tests."""
    db = tmp_path_factory.mktemp("shipped") / "kb.json"
    with pytest.MonkeyPatch.context() as mp:  # conftest's isolation is per test
        mp.delenv("MFGKB_DB", raising=False)
        mp.setenv("NO_COLOR", "1")
        assert_ok(CliRunner().invoke(app, ["--db", str(db), "topics"]))
    return db


@pytest.fixture
def shipped(runner: CliRunner, shipped_db: Path) -> Invoke:
    """Run a read-only command against the shared shipped knowledge base."""

    def run(*args: str) -> Any:
        return runner.invoke(app, ["--db", str(shipped_db), *args])

    return run


# -- ranking: field weights --------------------------------------------------------------


def test_topic_title_and_alias_rank_above_key_terms_above_summary(
    seeded: Path, mfgkb: Invoke
) -> None:
    summary = add_topic(
        mfgkb,
        "Mooring masts",
        "--summary",
        "Tall masts where a zeppelin was tied up between flights, common in the 1920s.",
    )
    term = add_topic(
        mfgkb,
        "Rigid airships",
        "--term",
        "zeppelin|A rigid airship with a metal frame",
        "--term",
        "gasbag|A cell holding the lifting gas",
        "--summary",
        "Airships with a frame.",
    )
    alias = add_topic(
        mfgkb,
        "Airship hangars",
        "--alias",
        "zeppelin sheds",
        "--alias",
        "airship docks",
        "--summary",
        "Very large buildings.",
    )
    title = add_topic(mfgkb, "Zeppelin works", "--summary", "A factory.")

    hits = search(mfgkb, "--", "zeppelin")

    assert set(refs(hits[:2])) == {title, alias}
    assert refs(hits[2:]) == [term, summary]
    fields = {ref(h): h["field"] for h in hits}
    assert fields == {title: "title", alias: "aliases", term: "key terms", summary: "summary"}
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_article_title_ranks_above_description_authors_and_source(
    seeded: Path, mfgkb: Invoke, tmp_path: Path
) -> None:
    base = {
        "published": "2024-05-01",
        "description": "A report.",
        "authors": ["Jo Bloggs"],
        "source": "Daily Post",
    }
    in_description = {
        **base,
        "title": "Airship news",
        "description": "The quokka was seen near the airfield on Tuesday morning.",
    }
    in_authors = {**base, "title": "Hangar news", "authors": ["Ann Quokka"]}
    in_source = {**base, "title": "Mast news", "source": "Quokka Gazette"}
    in_title = {**base, "title": "Quokka news"}
    d, a, s, t = import_records(
        mfgkb, tmp_path / "a.jsonl", [in_description, in_authors, in_source, in_title]
    )

    hits = search(mfgkb, "--", "quokka")

    assert refs(hits)[0] == t
    assert set(refs(hits)) == {t, d, a, s}
    fields = {ref(h): h["field"] for h in hits}
    assert fields == {t: "title", d: "description", a: "authors", s: "source"}


# -- ranking: all the words first --------------------------------------------------------


def test_results_with_all_words_come_before_those_with_some(
    seeded: Path, mfgkb: Invoke, tmp_path: Path
) -> None:
    records = [
        # Only one of the words, but in a short title, many times: a high BM25 score.
        {"title": "Quokka quokka quokka", "published": "2024-01-01"},
        {"title": "Wombat", "published": "2024-01-02"},
        # Both words, in different fields and far apart.
        {
            "title": "A long report on marsupials of many kinds and their habits",
            "description": "Also mentions the wombat, once, at the very end.",
            "authors": ["Ann Quokka"],
            "published": "2024-01-03",
        },
        {"title": "Quokka and wombat", "published": "2024-01-04"},
        {"title": "Platypus", "description": "Neither of the words.", "published": "2024-01-05"},
    ]
    only_q, only_w, both_far, both, neither = import_records(mfgkb, tmp_path / "m.jsonl", records)

    hits = search(mfgkb, "--", "quokka wombat")

    flags = [h["matched_all"] for h in hits]
    assert flags == sorted(flags, reverse=True)  # every True before every False
    assert {ref(h) for h in hits if h["matched_all"]} == {both, both_far}
    assert {ref(h) for h in hits if not h["matched_all"]} == {only_q, only_w}
    assert neither not in refs(hits)
    assert refs(hits)[0] == both


def test_documents_without_any_query_word_never_appear(
    seeded: Path, mfgkb: Invoke, tmp_path: Path
) -> None:
    ids = import_records(
        mfgkb,
        tmp_path / "n.jsonl",
        [
            {"title": "Quokka census", "published": "2024-01-01"},
            {"title": "Wombat burrows", "published": "2024-01-02"},
            {"title": "Platypus eggs", "published": "2024-01-03"},
        ],
    )
    for query, expected in (
        ("quokka", {ids[0]}),
        ("quokka wombat", {ids[0], ids[1]}),
        ("quokka wombat echidna", {ids[0], ids[1]}),
        ("echidna", set()),
    ):
        assert set(refs(search(mfgkb, "--limit", "50", "--", query))) == expected, query


# -- pasted questions and odd punctuation -------------------------------------------------


def test_pasted_question_ranks_by_its_content_words(
    seeded: Path, mfgkb: Invoke, tmp_path: Path
) -> None:
    ids = import_records(
        mfgkb,
        tmp_path / "q.jsonl",
        [
            {"title": "Plants in the office", "published": "2024-01-01"},
            {"title": "The effect of music on mood", "published": "2024-01-02"},
            {
                "title": "Tax incentives drew semiconductor plants to Arizona",
                "description": "What the effect was on jobs.",
                "published": "2024-01-03",
            },
            {"title": "What is it about the weather?", "published": "2024-01-04"},
        ],
    )
    hits = search(
        mfgkb,
        "--kind",
        "article",
        "--",
        "what is the effect of tax incentives on semiconductor plants?",
    )
    assert refs(hits)[0] == ids[2]
    assert hits[0]["matched_all"] is True
    # Stop words alone ("what is the") do not pull in the weather article.
    assert ids[3] not in refs(hits)


ODD_QUERIES = [
    "what is the effect of tax incentives on semiconductor plants?",
    '"chips act',
    'chips act"',
    '"',
    '""',
    "(chips act)",
    "((",
    ")",
    "chips AND act",
    "chips OR act",
    "NOT chips",
    "chips NEAR act",
    "NEAR(chips act)",
    "AND OR NOT NEAR",
    "*",
    "chips*",
    "*chips",
    "-",
    "--",
    "-chips",
    "title:chips",
    "title:",
    ":",
    "^chips",
    "chips^2",
    "🏭",
    "chips act 🏭",
    "chips'; DROP TABLE fts; --",
    "{title}: chips",
    "\\",
    "a" * 2000,
    "U.S. manufacturing?!",
    "中国制造",
]


@pytest.mark.parametrize("query", ODD_QUERIES)
def test_odd_queries_are_never_a_syntax_error(shipped: Invoke, query: str) -> None:
    text = shipped("search", "--", query)
    assert_ok(text)
    assert text.stderr == ""
    hits = search(shipped, "--", query)
    assert ("No results" in text.stdout) == (hits == [])
    for hit in hits:
        assert_highlights_valid(hit)


@pytest.mark.parametrize(
    "query",
    ['"chips act', "(chips act)", "chips AND act", "chips act?", "chips act 🏭", "^chips act!"],
)
def test_punctuation_around_words_still_finds_them(shipped: Invoke, query: str) -> None:
    hits = search(shipped, "--", query)
    assert hits
    assert hits[0]["kind"] == "topic"
    assert hits[0]["slug"] == "chips-act"


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                ["chips", "act", "AND", "OR", "NOT", "NEAR", "zeppelin", "manufact*", "the"]
            ),
            st.text(alphabet="\"()*-^:+~{}[]!?.,;'\\/@#%&|<>=", min_size=1, max_size=3),
            st.text(min_size=1, max_size=6),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_any_query_text_runs(shipped: Invoke, words: list[str]) -> None:
    query = " ".join(words).replace("\x00", "")
    for hit in search(shipped, "--", query):
        assert_highlights_valid(hit)
        assert isinstance(hit["matched_all"], bool)


def _filler(n: int) -> list[str]:
    """``n`` distinct words that occur nowhere in the knowledge base."""
    return [f"zq{i}x" for i in range(n)]


@pytest.mark.parametrize(
    "query",
    [
        " ".join(["quokka", "wombat", *_filler(998)]),  # 1,000 distinct words
        " ".join(["quokka", "wombat", *_filler(9_998)]),  # 10,000 distinct words
        " ".join(["quokka wombat"] * 500),  # 1,000 repeated words
        " ".join(["quokka", "wombat", *(f"-{w}" for w in _filler(2_000))]),  # excluded
        'quokka wombat "' + " ".join(_filler(5_000)) + '"',  # a long phrase
        " ".join(["quokka", "wombat", *(f"{w}*" for w in _filler(2_000))]),  # prefixes
        ("quokka wombat " + "zq" * 50_000),  # one 100 KB word
        ("quokka wombat " + " ".join(_filler(20_000)))[:100_000],  # a 100 KB query
    ],
    ids=[
        "distinct-1k",
        "distinct-10k",
        "repeated-1k",
        "excluded",
        "phrase",
        "prefix",
        "word",
        "100kb",
    ],
)
def test_a_very_long_query_is_bounded_and_still_ranked(
    seeded: Path, mfgkb: Invoke, tmp_path: Path, query: str
) -> None:
    both, one = import_records(
        mfgkb,
        tmp_path / "q.jsonl",
        [
            {"title": "Quokka and wombat census", "published": "2024-01-01"},
            {"title": "Quokka sightings", "published": "2024-01-02"},
        ],
    )
    hits = search(mfgkb, "--limit", "50", "--", query)
    assert refs(hits)[:2] == [both, one]
    for command in (("--kind", "article"), ("--topic", MAIN), ("--tag", "x")):
        assert_ok(mfgkb("search", *command, "--", query))


# -- query syntax ------------------------------------------------------------------------


def test_quoted_phrase_matches_only_adjacent_words_in_order(
    seeded: Path, mfgkb: Invoke, tmp_path: Path
) -> None:
    adjacent, reversed_, apart, other = import_records(
        mfgkb,
        tmp_path / "p.jsonl",
        [
            {"title": "Flux capacitor repair", "published": "2024-01-01"},
            {"title": "Capacitor flux notes", "published": "2024-01-02"},
            {"title": "Flux through a big capacitor", "published": "2024-01-03"},
            {"title": "Only flux here", "published": "2024-01-04"},
        ],
    )
    assert refs(search(mfgkb, "--", '"flux capacitor"')) == [adjacent]
    hits = search(mfgkb, "--", "flux capacitor")
    assert {ref(h) for h in hits if h["matched_all"]} == {adjacent, reversed_, apart}
    assert other in refs(hits)


@pytest.mark.parametrize(
    ("prefix", "words"),
    [
        ("manufact*", ("manufacturing", "manufacturer")),
        ("Manufact*", ("manufacturing", "manufacturer")),
        ("zeppel*", ("zeppelin", "zeppelins")),
        pytest.param(
            "manufacturi*",
            ("manufacturing",),
        ),
        pytest.param(
            "universit*",
            ("university", "universities"),
        ),
        pytest.param(
            "incentiv*",
            ("incentive", "incentives"),
        ),
    ],
)
def test_prefix_finds_every_word_that_starts_with_it(
    seeded: Path, mfgkb: Invoke, tmp_path: Path, prefix: str, words: tuple[str, ...]
) -> None:
    records = [
        {"title": f"Quokka {word} report", "published": "2024-01-01", "tags": ["iso"]}
        for word in words
    ]
    records.append({"title": "Quokka farming report", "published": "2024-01-02", "tags": ["iso"]})
    *wanted, unrelated = import_records(mfgkb, tmp_path / "x.jsonl", records)
    hits = search(mfgkb, "--tag", "iso", "--", prefix)
    assert set(refs(hits)) == set(wanted)
    assert unrelated not in refs(hits)
    for hit in hits:
        start, end = hit["highlights"][0]
        assert hit["snippet"][start:end].lower().startswith(prefix.rstrip("*").lower())


def test_excluded_word_drops_results_that_have_it_anywhere(
    seeded: Path, mfgkb: Invoke, tmp_path: Path
) -> None:
    plain, in_title, in_description, in_author = import_records(
        mfgkb,
        tmp_path / "e.jsonl",
        [
            {"title": "Zeppelin flights", "published": "2024-01-01"},
            {"title": "Zeppelin hangar fire", "published": "2024-01-02"},
            {
                "title": "Zeppelin mooring",
                "description": "Kept in a hangar over winter.",
                "published": "2024-01-03",
            },
            {"title": "Zeppelin crews", "authors": ["Ann Hangar"], "published": "2024-01-04"},
        ],
    )
    assert set(refs(search(mfgkb, "--", "zeppelin"))) == {
        plain,
        in_title,
        in_description,
        in_author,
    }
    assert refs(search(mfgkb, "--", "zeppelin -hangar")) == [plain]
    assert refs(search(mfgkb, "--", "zeppelin -hangars")) == [plain]  # stemmed too
    # An excluded phrase drops only the results with those words side by side.
    assert set(refs(search(mfgkb, "--", 'zeppelin -"hangar fire"'))) == {
        plain,
        in_description,
        in_author,
    }


# -- filters -----------------------------------------------------------------------------


@pytest.fixture
def library(seeded: Path, mfgkb: Invoke, tmp_path: Path) -> dict[str, Any]:
    """A topic and four quokka articles with distinct topics, authors, tags and dates."""
    topic = add_topic(
        mfgkb, "Quokka farming", "--alias", "marsupial husbandry", "--summary", "About quokka."
    )
    ids = import_records(
        mfgkb,
        tmp_path / "lib.jsonl",
        [
            {
                "title": "Quokka report 2023",
                "authors": ["Ada Lovelace"],
                "tags": ["wildlife"],
                "topics": [topic],
                "published": "2023-03-01",
            },
            {
                "title": "Quokka report 2024",
                "authors": ["Grace Hopper"],
                "tags": ["policy"],
                "topics": [MAIN],
                "published": "2024-06-15",
            },
            {
                "title": "Quokka report 2025",
                "authors": ["Ada Byron"],
                "tags": ["Wildlife"],
                "topics": [topic, MAIN],
                "published": "2025-02-01",
            },
            {
                "title": "Quokka report late 2025",
                "authors": ["Alan Turing"],
                "published": "2025-11-30",
            },
        ],
    )
    return {"topic": topic, "ids": ids}


def test_kind_filter(library: dict[str, Any], mfgkb: Invoke) -> None:
    topic, ids = library["topic"], library["ids"]
    everything = search(mfgkb, "--limit", "50", "--", "quokka")
    assert set(refs(everything)) == {topic, *ids}
    assert refs(search(mfgkb, "--kind", "topic", "--", "quokka")) == [topic]
    articles = search(mfgkb, "--kind", "article", "--limit", "50", "--", "quokka")
    assert set(refs(articles)) == set(ids)
    assert all(h["kind"] == "article" for h in articles)


@pytest.mark.parametrize("name", ["quokka-farming", "Quokka farming", "QUOKKA FARMING"])
def test_topic_filter_accepts_slug_title_or_alias(
    library: dict[str, Any], mfgkb: Invoke, name: str
) -> None:
    ids = library["ids"]
    assert set(refs(search(mfgkb, "--topic", name, "--", "quokka"))) == {ids[0], ids[2]}


def test_topic_filter_accepts_alias_and_refuses_unknown(
    library: dict[str, Any], mfgkb: Invoke
) -> None:
    ids = library["ids"]
    hits = search(mfgkb, "--topic", "marsupial husbandry", "--", "quokka")
    assert set(refs(hits)) == {ids[0], ids[2]}
    assert set(refs(search(mfgkb, "--topic", "smart manufacturing", "--", "quokka"))) == {
        ids[1],
        ids[2],
    }
    result = mfgkb("search", "--topic", "no-such-topic", "--", "quokka")
    assert result.exit_code == 1
    assert result.stderr.startswith("mfgkb: ")


def test_author_tag_and_date_filters(library: dict[str, Any], mfgkb: Invoke) -> None:
    ids = library["ids"]

    def found(*args: str) -> set[str | int]:
        return set(refs(search(mfgkb, *args, "--limit", "50", "--", "quokka")))

    assert found("--author", "Ada") == {ids[0], ids[2]}
    assert found("--author", "grace hopper") == {ids[1]}
    assert found("--author", "Nobody") == set()
    assert found("--tag", "wildlife") == {ids[0], ids[2]}
    assert found("--tag", "WILDLIFE") == {ids[0], ids[2]}
    assert found("--since", "2025") == {ids[2], ids[3]}
    assert found("--until", "2024") == {ids[0], ids[1]}
    assert found("--since", "2024-06-15", "--until", "2025-02-01") == {ids[1], ids[2]}
    assert found("--since", "2025-03") == {ids[3]}
    assert found("--author", "Ada", "--since", "2024") == {ids[2]}
    # Article filters leave out topics.
    assert library["topic"] not in found("--since", "2000")


def test_limit(library: dict[str, Any], mfgkb: Invoke) -> None:
    everything = search(mfgkb, "--limit", "50", "--", "quokka")
    assert len(everything) == 5
    for n in (1, 2, 4):
        assert search(mfgkb, "--limit", str(n), "--", "quokka") == everything[:n]
    result = mfgkb("search", "--limit", "0", "--", "quokka")
    assert result.exit_code == 2


# -- folding and stemming ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "query"),
    [
        ("Zürich", "zurich"),
        ("Zürich", "ZURICH"),
        ("Zürich", "Zürich"),
        ("Zurich", "Zürich"),
        ("café", "CAFE"),
        ("café", "Café"),
        ("CAFÉ", "cafe"),
        ("São Paulo", "sao paulo"),
        ("Ångström", "angstrom"),
        ("naïve", "naive"),
    ],
)
def test_case_and_accents_are_folded(
    seeded: Path, mfgkb: Invoke, tmp_path: Path, stored: str, query: str
) -> None:
    (article,) = import_records(
        mfgkb,
        tmp_path / "f.jsonl",
        [{"title": f"Quokka sighting in {stored}", "published": "2024-01-01"}],
    )
    hits = search(mfgkb, "--", query)
    assert refs(hits) == [article]
    start, end = hits[0]["highlights"][0]
    assert hits[0]["snippet"][start:end] == stored.split()[0]


@pytest.mark.parametrize(
    "word",
    [
        "Zürich",
        "café",
        "Straße",
        "ﬁnancing",  # the ligature ﬁ, as text pasted from a PDF has it
    ],
)
def test_a_word_is_found_when_searched_exactly_as_stored(
    seeded: Path, mfgkb: Invoke, tmp_path: Path, word: str
) -> None:
    (article,) = import_records(
        mfgkb,
        tmp_path / "w.jsonl",
        [{"title": f"Quokka {word} report", "published": "2024-01-01"}],
    )
    assert refs(search(mfgkb, "--", word)) == [article]
    assert refs(search(mfgkb, "--", word.upper())) == [article]


@pytest.mark.parametrize(
    ("stored", "query"),
    [
        ("Quokka manufacturing", "manufacturer"),
        ("Quokka manufacturer", "manufacturing"),
        ("Quokka plant", "plants"),
        ("Quokka plants", "plant"),
        ("Quokka studies", "study"),
        ("Quokka running", "runs"),
    ],
)
def test_english_stemming(
    seeded: Path, mfgkb: Invoke, tmp_path: Path, stored: str, query: str
) -> None:
    (article,) = import_records(
        mfgkb, tmp_path / "s.jsonl", [{"title": stored, "published": "2024-01-01"}]
    )
    hits = search(mfgkb, "--kind", "article", "--", f"quokka {query}")
    assert refs(hits)[0] == article
    assert [ref(h) for h in hits if h["matched_all"]] == [article]
    start, end = hits[0]["highlights"][-1]
    assert hits[0]["snippet"][start:end] == stored.split()[1]


# -- snippets and highlights -------------------------------------------------------------


def test_snippet_highlights_cover_the_matched_words(
    seeded: Path, mfgkb: Invoke, tmp_path: Path
) -> None:
    description = (
        "Early on Tuesday a Quokka escaped from the enclosure, and keepers say the "
        "quokkas were found near the Zürich café by noon."
    )
    (article,) = import_records(
        mfgkb,
        tmp_path / "h.jsonl",
        [{"title": "Zoo news", "description": description, "published": "2024-01-01"}],
    )
    (hit,) = search(mfgkb, "--", "quokka zurich")
    assert hit["id"] == article
    assert hit["field"] == "description"
    assert hit["matched_all"] is True
    assert_highlights_valid(hit)
    marked = [hit["snippet"][s:e] for s, e in hit["highlights"]]
    assert marked == ["Quokka", "quokkas", "Zürich"]
    assert hit["snippet"] in description or hit["snippet"].strip("…") in description


def test_every_hit_has_a_field_and_valid_highlights(shipped: Invoke) -> None:
    fields = {
        "topic": {"title", "aliases", "key terms", "summary"},
        "article": {"title", "tags", "description", "authors", "source"},
    }
    for query in ("manufacturing", "chips act", "tax incentives", "semiconductor plants"):
        hits = search(shipped, "--limit", "50", "--", query)
        assert hits, query
        for hit in hits:
            assert hit["field"] in fields[hit["kind"]], hit
            assert hit["highlights"], hit
            assert_highlights_valid(hit)


# -- no results ----------------------------------------------------------------------------


def test_no_results_says_so_and_suggests_close_spellings(seeded: Path, mfgkb: Invoke) -> None:
    add_article(mfgkb, "Zeppelin hangar opens")
    result = mfgkb("search", "semiconducter")
    assert_ok(result)
    assert "No results" in result.stdout
    assert "semiconductor" in result.stdout
    result = mfgkb("search", "zepelin")
    assert_ok(result)
    assert "No results" in result.stdout
    assert "zeppelin" in result.stdout
    as_json = mfgkb("search", "--json", "semiconducter")
    assert_ok(as_json)
    assert json.loads(as_json.stdout) == []
    assert "semiconductor" in as_json.stderr


def test_no_results_without_close_words(shipped: Invoke) -> None:
    result = shipped("search", "qqqzzzxxx")
    assert_ok(result)
    assert "No results" in result.stdout
    assert search(shipped, "--", "qqqzzzxxx") == []


# -- the shipped knowledge base ------------------------------------------------------------


def test_shipped_kb_chips_act_first(shipped: Invoke) -> None:
    hits = search(shipped, "--", "chips act")
    assert (hits[0]["kind"], ref(hits[0])) == ("topic", "chips-act")
    assert hits[0]["matched_all"] is True


def test_shipped_kb_smart_manufacturing_through_the_alias(shipped: Invoke) -> None:
    hits = search(shipped, "--", "smart manufacturing")
    by_ref = {ref(h): h for h in hits}
    assert MAIN in by_ref
    assert by_ref[MAIN]["matched_all"] is True
    # "smart" is only in the alias "smart manufacturing".
    (hit,) = search(shipped, "--", "smart")
    assert (ref(hit), hit["field"]) == (MAIN, "aliases")
    start, end = hit["highlights"][0]
    assert hit["snippet"][start:end] == "smart"


# -- the index is derived ------------------------------------------------------------------

QUERIES = ["chips act", "quokka", "quokka wombat", '"quokka report"', "manufact*", "zurich"]


@pytest.fixture
def indexed(seeded: Path, mfgkb: Invoke, tmp_path: Path) -> Path:
    """A knowledge base with topics and articles added through every write path."""
    add_topic(mfgkb, "Quokka farming", "--alias", "marsupial husbandry", "--related", MAIN)
    import_records(
        mfgkb,
        tmp_path / "i.jsonl",
        [
            {
                "title": f"Quokka report {n}",
                "description": "Wombat and quokka news from Zürich." if n % 3 == 0 else "",
                "authors": ["Ada Lovelace" if n % 2 else "Grace Hopper"],
                "tags": ["wildlife" if n % 2 else "policy"],
                "topics": ["quokka-farming"] if n % 2 else [MAIN],
                "published": f"2024-{1 + n % 12:02d}-{1 + n:02d}",
                "url": f"https://example.com/quokka/{n}",
            }
            for n in range(24)
        ],
    )
    article = add_article(mfgkb, "Wombat tunnels", "--topic", "quokka-farming")
    assert_ok(mfgkb("edit-article", str(article), "--title", "Wombat tunnels, revisited"))
    assert_ok(mfgkb("edit-topic", "quokka-farming", "--summary", "About quokka farms."))
    assert_ok(mfgkb("remove-article", "3", "--yes"))
    return seeded


def snapshot(mfgkb: Invoke) -> dict[str, Any]:
    """Everything the reading commands answer, as JSON."""
    out: dict[str, Any] = {}
    for query in QUERIES:
        out[f"search {query}"] = search(mfgkb, "--limit", "50", "--", query)
    listings: list[tuple[str, ...]] = [
        ("show", MAIN, "--limit", "3"),
        ("show", "quokka-farming", "--limit", "0"),
        ("show", "marsupial husbandry", "--limit", "5"),
        ("articles", "--limit", "0"),
        ("articles", "--sort", "title", "--limit", "0"),
        ("articles", "--sort", "added", "--limit", "7"),
        ("articles", "--topic", "quokka-farming", "--limit", "0"),
        ("articles", "--author", "grace", "--tag", "policy", "--limit", "0"),
        ("articles", "--since", "2024-03", "--until", "2024-08", "--limit", "0"),
        ("topics",),
    ]
    for args in listings:
        result = mfgkb(*args, "--json")
        assert_ok(result)
        out[" ".join(args)] = json.loads(result.stdout)
    return out


def test_deleted_index_is_rebuilt_with_identical_results(indexed: Path, mfgkb: Invoke) -> None:
    before = snapshot(mfgkb)
    assert before["search quokka"]
    index = index_files(indexed)[0]
    assert index.read_bytes().startswith(b"SQLite format 3\x00")
    db_bytes = indexed.read_bytes()
    quick = small_snapshot(mfgkb)

    for first in (("search", "quokka"), ("show", MAIN), ("articles",)):
        delete_index(indexed)
        assert_ok(mfgkb(*first))
        assert index.is_file(), first
        assert small_snapshot(mfgkb) == quick, first

    delete_index(indexed)
    assert snapshot(mfgkb) == before
    assert indexed.read_bytes() == db_bytes  # rebuilding never writes the database


def test_tied_scores_keep_their_order_after_a_rebuild(seeded: Path, mfgkb: Invoke) -> None:
    # Two topics that score exactly the same for "quokka", each edited once, in
    # both orders: whatever the tie-break, a rebuild must not change it.
    add_topic(mfgkb, "Quokka one", "--summary", "x")
    add_topic(mfgkb, "Quokka two", "--summary", "x")
    add_topic(mfgkb, "Wombat one", "--summary", "x")
    add_topic(mfgkb, "Wombat two", "--summary", "x")
    for slug, text in (
        ("quokka-one", "y"),
        ("quokka-two", "z"),
        ("wombat-two", "y"),
        ("wombat-one", "z"),
    ):
        assert_ok(mfgkb("edit-topic", slug, "--summary", text))
    before = [search(mfgkb, "--", q) for q in ("quokka", "wombat")]
    assert before[0][0]["score"] == before[0][1]["score"]
    delete_index(seeded)
    assert [search(mfgkb, "--", q) for q in ("quokka", "wombat")] == before


def test_hand_edited_title_is_found_and_old_one_is_not(indexed: Path, mfgkb: Invoke) -> None:
    (hit,) = search(mfgkb, "--", '"wombat tunnels"')
    article_id = str(hit["id"])

    def retitle(data: dict[str, Any]) -> None:
        data["articles"][article_id]["title"] = "Echidna warrens, hand-edited"

    rewrite_json(indexed, retitle)

    assert search(mfgkb, "--", '"wombat tunnels"') == []
    assert refs(search(mfgkb, "--", "echidna")) == [int(article_id)]
    result = mfgkb("articles", "--topic", "quokka-farming", "--limit", "0", "--json")
    assert_ok(result)
    titles = [a["title"] for a in json.loads(result.stdout)]
    assert "Echidna warrens, hand-edited" in titles
    assert "Wombat tunnels, revisited" not in titles


def test_hand_edited_topic_alias_is_found(indexed: Path, mfgkb: Invoke) -> None:
    def realias(data: dict[str, Any]) -> None:
        (doc,) = [t for t in data["topics"].values() if t["slug"] == "quokka-farming"]
        doc["aliases"] = ["platypus ranching"]

    rewrite_json(indexed, realias)

    assert "quokka-farming" in refs(search(mfgkb, "--kind", "topic", "--", "platypus"))
    assert search(mfgkb, "--kind", "topic", "--", "marsupial husbandry") == []
    assert_ok(mfgkb("show", "platypus ranching"))


def test_replaced_database_file_is_picked_up(indexed: Path, mfgkb: Invoke, tmp_path: Path) -> None:
    """Like a git pull: a new file moved over the database, possibly of the same size."""
    before = snapshot(mfgkb)
    data = json.loads(indexed.read_text(encoding="utf-8"))
    (hit,) = search(mfgkb, "--", '"wombat tunnels"')
    data["articles"][str(hit["id"])]["title"] = "Wombat burrows, revisited"  # same length
    incoming = tmp_path / "incoming.json"
    incoming.write_text(
        json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    os.replace(incoming, indexed)

    assert search(mfgkb, "--", '"wombat tunnels"') == []
    assert refs(search(mfgkb, "--", '"wombat burrows"')) == [hit["id"]]
    after = snapshot(mfgkb)
    assert after["search chips act"] == before["search chips act"]
    assert after["articles --sort title --limit 0"] != before["articles --sort title --limit 0"]


PAGE = 4096  # SQLite's default page size


def _garbage(size: int) -> bytes:
    return (b"\xde\xad\xbe\xef garbage \x00\xff" * (size // 16 + 1))[:size]


CORRUPTIONS: dict[str, Callable[[bytes], bytes]] = {
    "all garbage": lambda good: _garbage(len(good)),
    "short garbage": lambda good: b"not a database",
    "empty": lambda good: b"",
    "truncated": lambda good: good[: len(good) // 3],
    "all but the header garbage": lambda good: good[:100] + _garbage(len(good) - 100),
}


def small_snapshot(mfgkb: Invoke) -> list[Any]:
    out = [search(mfgkb, "--limit", "50", "--", "quokka wombat")]
    for args in (("articles", "--limit", "0"), ("show", "quokka-farming", "--limit", "5")):
        result = mfgkb(*args, "--json")
        assert_ok(result)
        out.append(json.loads(result.stdout))
    return out


@pytest.mark.parametrize(
    ("damage", "first"),
    [
        ("all garbage", ("search", "quokka")),
        ("short garbage", ("show", MAIN)),
        ("empty", ("articles",)),
        ("truncated", ("search", "quokka")),
        ("all but the header garbage", ("articles",)),
    ],
)
def test_corrupt_index_is_rebuilt(
    indexed: Path, mfgkb: Invoke, damage: str, first: tuple[str, ...]
) -> None:
    before = small_snapshot(mfgkb)
    index = index_files(indexed)[0]
    good = index.read_bytes()
    for side in index_files(indexed)[1:]:
        side.unlink(missing_ok=True)
    index.write_bytes(CORRUPTIONS[damage](good))

    assert_ok(mfgkb(*first))
    assert small_snapshot(mfgkb) == before


def test_index_with_a_damaged_page_is_rebuilt(indexed: Path, mfgkb: Invoke) -> None:
    """Garbage over one page in the middle of the index, its header intact."""
    before = small_snapshot(mfgkb)
    index = index_files(indexed)[0]
    good = index.read_bytes()
    pages = len(good) // PAGE
    assert pages >= 8, "the index should span several pages"
    for page in (pages // 4, pages // 2, 3 * pages // 4):
        for side in index_files(indexed)[1:]:
            side.unlink(missing_ok=True)
        index.write_bytes(good[: page * PAGE] + _garbage(PAGE) + good[(page + 1) * PAGE :])
        for args in (("search", "quokka"), ("articles",)):
            assert_ok(mfgkb(*args))
        assert small_snapshot(mfgkb) == before, page
