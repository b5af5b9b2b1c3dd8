"""rename-topic, merge-topics, remove-topic, "Referenced by", tags/authors/sources, --source.

Through the command line in-process. Every change is checked by reading the
database file back (its JSON, and a KnowledgeBase opened on it afterwards);
every refusal by the file and its backups being as they were. The domain's
own cases are in unit/test_topic_lifecycle.py; these are about the commands.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from helpers import Invoke, add, article_ids, files_of, load_db, ok, refusal
from mfgkb.cli import prompts
from mfgkb.kb import KnowledgeBase

JsonInvoke = Any


def topics_of(db: Path) -> dict[str, dict[str, Any]]:
    """The topic records of the database file, by slug."""
    return {d["slug"]: d for d in load_db(db)["topics"].values()}


def links_of(db: Path) -> dict[int, list[str]]:
    """Each article's topic links, by id, from the database file."""
    return {int(k): d["topics"] for k, d in load_db(db)["articles"].items()}


def resolved(db: Path, name: str) -> str:
    """The slug ``name`` stands for, asked of a knowledge base opened afresh."""
    kb = KnowledgeBase(db)
    try:
        return kb.resolve_topic(name)
    finally:
        kb.close()


@pytest.fixture
def linked(mfgkb: Invoke, db: Path) -> Path:
    """The shipped topics plus three articles linked to texas and tennessee."""
    for title, topics in (
        ("Texas fab", ["texas"]),
        ("Two states", ["texas", "tennessee"]),
        ("Tennessee only", ["tennessee"]),
    ):
        args = [a for t in topics for a in ("--topic", t)]
        add(mfgkb, "--title", title, "--date", "2025-10-01", *args)
    return db


@pytest.fixture
def at_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Standard input is a terminal: remove-topic asks (the answer comes from ``input``)."""
    monkeypatch.setattr(prompts, "stdin_is_terminal", lambda: True)


# -- rename-topic ------------------------------------------------------------------


def test_rename_changes_the_slug_everywhere_and_the_old_one_still_works(
    mfgkb: Invoke, linked: Path
) -> None:
    texas_ids = sorted(i for i, t in links_of(linked).items() if "texas" in t)
    assert len(texas_ids) == 2
    result = ok(mfgkb("rename-topic", "texas", "lone-star-state"))
    out = " ".join(result.stdout.split())
    assert "Renamed the topic texas to lone-star-state; texas still names it." in out
    assert "2 articles relinked." in out
    assert "updated in 4 topics: advanced-manufacturing, north-carolina," in out

    topics = topics_of(linked)
    assert "texas" not in topics and "lone-star-state" in topics
    assert sorted(i for i, t in links_of(linked).items() if "lone-star-state" in t) == texas_ids
    assert not any("texas" in t for t in links_of(linked).values())
    for slug, doc in topics.items():
        assert "texas" not in doc["related"], slug
        assert all(k["topic"] != "texas" for k in doc["key_terms"]), slug
    assert "lone-star-state" in topics["tennessee"]["related"]
    terms = topics["advanced-manufacturing"]["key_terms"]
    assert "lone-star-state" in [k["topic"] for k in terms]

    assert resolved(linked, "texas") == "lone-star-state"
    shown = ok(mfgkb("show", "texas"))
    assert "slug lone-star-state" in shown.stdout
    listed = ok(mfgkb("articles", "--topic", "texas", "--json"))
    assert sorted(a["id"] for a in json.loads(listed.stdout)) == texas_ids


def test_rename_json_shape(mfgkb_json: JsonInvoke, linked: Path) -> None:
    data = mfgkb_json("rename-topic", "North Carolina", "nc")
    assert set(data) == {"old", "topic", "articles_relinked", "topics_updated"}
    assert data["old"] == "north-carolina"
    assert data["topic"]["slug"] == "nc"
    assert data["topic"]["aliases"] == ["north-carolina"]
    assert data["articles_relinked"] == 0
    assert data["topics_updated"] == sorted(data["topics_updated"])
    assert topics_of(linked)["nc"] == data["topic"]


def test_merging_a_bare_topic_says_nothing_else_moved(mfgkb: Invoke, linked: Path) -> None:
    ok(mfgkb("add-topic", "--title", "Bare"))
    out = " ".join(ok(mfgkb("merge-topics", "bare", "texas")).stdout.split())
    assert "Nothing else moved: it had no aliases, key terms, figures, other related " in out
    assert "moved too" not in out
    assert "bare" in topics_of(linked)["texas"]["aliases"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("texas", "texas"), "has that slug already"),
        (("texas", "tennessee"), "merge-topics texas tennessee"),
        (("texas", "Lone Star"), "not a valid topic slug"),
        (("texs", "lone-star"), "There is no topic 'texs'; did you mean texas?"),
    ],
)
def test_a_refused_rename_is_one_line_and_writes_nothing(
    mfgkb: Invoke, linked: Path, args: tuple[str, str], words: str
) -> None:
    before = files_of(linked)
    assert words in refusal(mfgkb("rename-topic", *args))
    assert files_of(linked) == before


# -- merge-topics ------------------------------------------------------------------


@pytest.fixture
def lone_star(mfgkb: Invoke, linked: Path) -> dict[str, int]:
    """A topic to merge into texas: an alias, a key term, a figure, two articles."""
    ok(
        mfgkb(
            "add-topic",
            "--title",
            "Lone Star State",
            "--slug",
            "lone-star",
            "--alias",
            "TX",
            "--term",
            "Austin|the capital",
            "--figure",
            "Fabs|12|2024",
            "--related",
            "chips-act",
        )
    )
    ok(mfgkb("edit-topic", "chips-act", "--related", "lone-star", "--related", "texas"))
    only = add(mfgkb, "--title", "Only lone star", "--date", "2025-10-02", "--topic", "lone-star")
    both = add(
        mfgkb, "--title", "Both", "--date", "2025-10-03", "--topic", "texas", "--topic", "TX"
    )
    return {"only": only, "both": both}


def test_merge_moves_articles_aliases_terms_and_figures(
    mfgkb: Invoke, linked: Path, lone_star: dict[str, int]
) -> None:
    ids = article_ids(linked)
    result = ok(mfgkb("merge-topics", "lone-star", "Texas"))
    out = " ".join(result.stdout.split())
    assert "Merged the topic lone-star (Lone Star State) into texas" in out
    assert "1 article moved; 1 article linked to both kept one link." in out
    assert "updated in 1 topic: chips-act." in out
    assert "Also moved: 1 alias, 1 key term, 1 figure and 1 related topic." in out

    topics = topics_of(linked)
    assert "lone-star" not in topics
    texas = topics["texas"]
    assert texas["aliases"] == ["lone-star", "Lone Star State", "TX"]
    assert "Austin" in [k["term"] for k in texas["key_terms"]]
    assert {"label": "Fabs", "value": "12", "year": 2024, "source": None} in texas["figures"]
    assert "chips-act" in texas["related"]
    assert topics["chips-act"]["related"] == ["texas"]  # one entry, not two

    assert article_ids(linked) == ids  # no article removed
    links = links_of(linked)
    assert links[lone_star["only"]] == ["texas"]
    assert links[lone_star["both"]] == ["texas"]
    assert not any("lone-star" in t for t in links.values())
    for name in ("lone-star", "tx", "lone star state"):
        assert resolved(linked, name) == "texas"
    assert "slug texas" in ok(mfgkb("show", "lone-star")).stdout


def test_merge_json_shape(mfgkb_json: JsonInvoke, linked: Path, lone_star: dict[str, int]) -> None:
    data = mfgkb_json("merge-topics", "TX", "texas")
    assert set(data) == {
        "merged",
        "topic",
        "articles_moved",
        "articles_already_linked",
        "topics_updated",
        "moved",
    }
    assert data["moved"] == {
        "aliases": 1,
        "key_terms": 1,
        "figures": 1,
        "related": 1,
        "summary": False,
    }
    assert data["merged"]["slug"] == "lone-star"
    assert data["merged"]["aliases"] == ["TX"]  # as it was
    assert data["topic"] == topics_of(linked)["texas"]
    assert (data["articles_moved"], data["articles_already_linked"]) == (1, 1)
    assert data["topics_updated"] == ["chips-act"]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("texas", "texas"), "A topic cannot be merged into itself ('texas')"),
        (("Texas", "texas"), "are both names of the topic 'texas'"),
        (("nowhere", "texas"), "There is no topic 'nowhere'"),
        (("texas", "nowhere"), "There is no topic 'nowhere'"),
    ],
)
def test_a_refused_merge_is_one_line_and_writes_nothing(
    mfgkb: Invoke, linked: Path, args: tuple[str, str], words: str
) -> None:
    before = files_of(linked)
    assert words in refusal(mfgkb("merge-topics", *args))
    assert files_of(linked) == before


# -- remove-topic ------------------------------------------------------------------


@pytest.fixture
def foundries(mfgkb: Invoke, linked: Path) -> Path:
    """``linked`` plus a topic nobody points to, with two articles (one also on texas)."""
    ok(mfgkb("add-topic", "--title", "Chip foundries", "--slug", "foundries", "--related", "texas"))
    add(mfgkb, "--title", "A fab", "--date", "2025-10-04", "--topic", "foundries")
    texan = add(mfgkb, "--title", "A Texas fab", "--date", "2025-10-05", "--topic", "texas")
    ok(mfgkb("link", str(texan), "foundries"))
    return linked


def test_remove_without_a_terminal_needs_yes(mfgkb: Invoke, foundries: Path) -> None:
    before = files_of(foundries)
    line = refusal(mfgkb("remove-topic", "foundries"), 2)
    assert line == (
        "mfgkb: Removing the topic foundries needs confirmation; add --yes. "
        "(see: root remove-topic --help)"  # CliRunner's program name
    )
    assert files_of(foundries) == before


def test_remove_asks_and_a_yes_removes_it_and_keeps_every_article(
    mfgkb: Invoke, foundries: Path, at_terminal: None
) -> None:
    ids = article_ids(foundries)
    result = ok(mfgkb("remove-topic", "foundries", input="y\n"))
    assert (
        "Remove the topic foundries (Chip foundries)? 2 articles will lose the link to it; "
        "no article is removed. [y/N]: "
    ) in result.stdout
    out = " ".join(result.stdout.split())
    assert "Removed the topic foundries (Chip foundries)." in out
    assert "2 articles lost the link to it; no article was removed." in out
    assert "foundries" not in topics_of(foundries)
    assert article_ids(foundries) == ids
    *_, only, texan = ids
    links = links_of(foundries)
    assert links[only] == [] and links[texan] == ["texas"]
    assert "There is no topic 'foundries'" in refusal(mfgkb("show", "foundries"))


@pytest.mark.parametrize("answer", ["n\n", "\n", ""])  # no, the default, end of input
def test_remove_not_confirmed_writes_nothing(
    mfgkb: Invoke, foundries: Path, at_terminal: None, answer: str
) -> None:
    before = files_of(foundries)
    result = mfgkb("remove-topic", "foundries", input=answer)
    assert result.exit_code == 1
    assert result.stderr.strip() == "mfgkb: The topic foundries was not removed: not confirmed."
    assert files_of(foundries) == before


@pytest.mark.parametrize("yes", [(), ("--yes",)])
def test_remove_by_an_alias_is_refused_before_asking(
    mfgkb: Invoke, linked: Path, at_terminal: None, yes: tuple[str, ...]
) -> None:
    ok(mfgkb("add-topic", "--title", "Foundries", "--alias", "chip-foundries"))
    ok(mfgkb("merge-topics", "foundries", "chips-act"))
    before = files_of(linked)
    result = mfgkb("remove-topic", "chip-foundries", "--force", *yes, input="y\n")
    assert refusal(result) == (
        "mfgkb: 'chip-foundries' is a name of the topic chips-act (CHIPS Act), not its slug; "
        "to remove that topic give its slug: mfgkb remove-topic chips-act (or drop that "
        "alias with: mfgkb edit-topic chips-act --alias 'US CHIPS Act' "
        "--alias 'CHIPS and Science Act' --alias foundries)"
    )
    assert "[y/N]" not in result.stdout
    assert files_of(linked) == before
    assert "chips-act" in topics_of(linked)


def test_remove_with_yes_does_not_ask(mfgkb: Invoke, foundries: Path, at_terminal: None) -> None:
    result = ok(mfgkb("remove-topic", "foundries", "--yes"))
    assert "[y/N]" not in result.stdout
    assert "foundries" not in topics_of(foundries)


def test_what_was_confirmed_is_what_is_removed(
    mfgkb: Invoke, foundries: Path, at_terminal: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A topic changed by another process while the question waited is not removed."""

    def answer_after_a_change(question: str, *, default: bool = False) -> bool:
        kb = KnowledgeBase(foundries)
        try:
            kb.edit_topic("foundries", {"summary": "Changed meanwhile."})
        finally:
            kb.close()
        return True

    monkeypatch.setattr(prompts, "confirm", answer_after_a_change)
    line = refusal(mfgkb("remove-topic", "foundries"))
    assert "was changed by another" in line
    assert topics_of(foundries)["foundries"]["summary"] == "Changed meanwhile."


def test_a_topic_others_point_to_is_refused_and_force_cleans_the_links(
    mfgkb: Invoke, linked: Path
) -> None:
    before = files_of(linked)
    line = refusal(mfgkb("remove-topic", "texas", "--yes"))
    assert line.startswith(
        "mfgkb: The topic 'texas' is listed as related by 'advanced-manufacturing', "
        "'north-carolina', 'skilled-workforce-gap', 'tennessee' and linked from key terms "
        "of 'advanced-manufacturing'; nothing was removed."
    )
    assert line.endswith("To remove it and those links with it: mfgkb remove-topic texas --force")
    assert refusal(mfgkb("remove-topic", "texas")) == line  # refused before asking
    assert files_of(linked) == before

    ids = article_ids(linked)
    result = ok(mfgkb("remove-topic", "texas", "--force", "--yes"))
    out = " ".join(result.stdout.split())
    assert "2 articles lost the link to it" in out
    assert "No longer listed as related by: advanced-manufacturing, north-carolina," in out
    assert "Key terms kept, without their link, in: advanced-manufacturing." in out
    topics = topics_of(linked)
    assert "texas" not in topics
    for slug, doc in topics.items():
        assert "texas" not in doc["related"], slug
        assert all(k["topic"] != "texas" for k in doc["key_terms"]), slug
    assert "Texas" in [k["term"] for k in topics["advanced-manufacturing"]["key_terms"]]
    assert article_ids(linked) == ids
    assert not any("texas" in t for t in links_of(linked).values())


def test_force_asks_about_the_links_too(mfgkb: Invoke, linked: Path, at_terminal: None) -> None:
    result = ok(mfgkb("remove-topic", "texas", "--force", input="yes\n"))
    question = " ".join(result.stdout.split("[y/N]")[0].split())
    assert question.startswith("Remove the topic texas (Texas)? 2 articles will lose the link")
    assert question.endswith(
        "Links to it are also taken out of 4 topics: advanced-manufacturing, north-carolina, "
        "skilled-workforce-gap, tennessee."
    )
    assert "texas" not in topics_of(linked)


@pytest.mark.parametrize("yes", [(), ("--yes",)])
def test_removing_an_unknown_topic_is_one_line(
    mfgkb: Invoke, linked: Path, yes: tuple[str, ...]
) -> None:
    before = files_of(linked)
    line = refusal(mfgkb("remove-topic", "texs", *yes))
    assert line.startswith("mfgkb: There is no topic 'texs'; did you mean texas?")
    assert files_of(linked) == before


def test_remove_json_shape(mfgkb_json: JsonInvoke, foundries: Path) -> None:
    data = mfgkb_json("remove-topic", "foundries", "--yes")
    assert data == {
        "removed": True,
        "topic": data["topic"],
        "articles_unlinked": 2,
        "related_by": [],
        "term_links": [],
    }
    assert data["topic"]["slug"] == "foundries" and data["topic"]["related"] == ["texas"]
    assert "foundries" not in topics_of(foundries)


# -- referenced by -----------------------------------------------------------------


def test_show_lists_the_topics_that_point_to_it(mfgkb: Invoke, foundries: Path) -> None:
    page = ok(mfgkb("show", "texas")).stdout
    assert "Referenced by" in page
    after = page.split("Referenced by", 1)[1].split("Articles (", 1)[0]
    # Texas lists the four seed topics that name it as related already: the page
    # names only the topic that points to it without being listed (JSON has all).
    assert " ".join(after.split()) == "• foundries Chip foundries"
    assert "Referenced by" not in ok(mfgkb("show", "foundries")).stdout  # nobody lists it
    data = json.loads(ok(mfgkb("show", "texas", "--json")).stdout)
    assert {"slug": "foundries", "title": "Chip foundries"} in data["referenced_by"]
    assert [r["slug"] for r in data["referenced_by"]] == [
        "advanced-manufacturing",
        "foundries",
        "north-carolina",
        "skilled-workforce-gap",
        "tennessee",
    ]
    foundries_page = json.loads(ok(mfgkb("show", "foundries", "--json")).stdout)
    assert foundries_page["referenced_by"] == []


# -- tags, authors, sources ----------------------------------------------------------


@pytest.fixture
def counted(mfgkb: Invoke, db: Path) -> Path:
    """Articles whose tags, authors and sources repeat, in different cases."""
    rows = [
        (["Ana Lee", "Bo Chen"], ["fabs", "jobs"], "Reuters"),
        (["ana lee"], ["fabs"], "reuters"),
        (["Bo Chen"], ["fabs", "Jobs"], "Wire"),
        (["Cy Obi"], ["zinc"], "AP"),
    ]
    for n, (authors, tags, source) in enumerate(rows):
        args = [
            *(a for x in authors for a in ("--author", x)),
            *(a for t in tags for a in ("--tag", t)),
        ]
        add(mfgkb, "--title", f"Article {n}", "--date", "2025-10-01", "--source", source, *args)
    return db


def rows_of(text: str) -> list[list[str]]:
    """The rows of a two-column table: [name words..., count]."""
    return [line.split() for line in text.strip().splitlines()[1:]]


def test_tags_with_counts_by_count_then_by_name(mfgkb: Invoke, counted: Path) -> None:
    result = ok(mfgkb("tags"))
    assert result.stdout.split()[:2] == ["tag", "articles"]
    rows = rows_of(result.stdout)
    assert rows[:2] == [["fabs", "3"], ["jobs", "2"]]
    counts = [int(r[-1]) for r in rows]
    assert counts == sorted(counts, reverse=True)
    names = [r[0] for r in rows_of(ok(mfgkb("tags", "--sort", "name")).stdout)]
    assert names == sorted(names) and {"fabs", "jobs", "zinc"} <= set(names)


def test_authors_count_names_alike_as_one(mfgkb_json: JsonInvoke, counted: Path) -> None:
    data = mfgkb_json("authors")
    assert data[:2] == [{"name": "Ana Lee", "articles": 2}, {"name": "Bo Chen", "articles": 2}]
    assert "ana lee" not in [d["name"] for d in data]
    assert {"name": "Cy Obi", "articles": 1} in data


def test_sources_json_and_limit(mfgkb: Invoke, mfgkb_json: JsonInvoke, counted: Path) -> None:
    assert mfgkb_json("sources") == [
        {"name": "Reuters", "articles": 2},
        {"name": "AP", "articles": 1},
        {"name": "Wire", "articles": 1},
    ]
    assert mfgkb_json("sources", "--sort", "name", "--limit", "2") == [
        {"name": "AP", "articles": 1},
        {"name": "Reuters", "articles": 2},
    ]
    result = ok(mfgkb("sources", "--limit", "1"))
    assert rows_of(result.stdout)[0] == ["Reuters", "2"]
    assert "Showing 1 of 3 sources; use --limit to see more (0 for all)." in result.stdout
    assert "Showing" not in ok(mfgkb("sources", "--limit", "0")).stdout


def test_counts_with_nothing_to_count(mfgkb: Invoke, seeded: Path) -> None:
    # The shipped article has no source.
    assert ok(mfgkb("sources")).stdout.strip() == "No article has a source yet."
    assert ok(mfgkb("sources", "--json")).stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("args", "code"),
    [(("tags", "--sort", "size"), 2), (("authors", "--limit", "-1"), 2)],
)
def test_counts_refuse_bad_options(
    mfgkb: Invoke, seeded: Path, args: tuple[str, ...], code: int
) -> None:
    line = refusal(mfgkb(*args), code)
    assert "--help" in line


# -- articles --source ---------------------------------------------------------------


def test_source_filters_articles_search_stats_and_export(
    mfgkb: Invoke, counted: Path, tmp_path: Path
) -> None:
    add(mfgkb, "--title", "Wire service news", "--date", "2025-10-02", "--source", "Wire Service")
    listed = json.loads(ok(mfgkb("articles", "--source", "REUTERS", "--json")).stdout)
    assert sorted(a["source"] for a in listed) == ["Reuters", "reuters"]  # the whole name
    either = json.loads(
        ok(mfgkb("articles", "--source", "wire", "--source", "ap", "--json")).stdout
    )
    assert sorted(a["source"] for a in either) == ["AP", "Wire"]
    both = ok(mfgkb("articles", "--source", "reuters", "--tag", "jobs", "--json")).stdout
    assert [a["title"] for a in json.loads(both)] == ["Article 0"]
    hits = json.loads(ok(mfgkb("search", "article", "--source", "wire", "--json")).stdout)
    assert [h["title"] for h in hits] == ["Article 2"]
    stats = json.loads(ok(mfgkb("stats", "--source", "Reuters", "--json")).stdout)
    assert stats["articles"] == 2
    out = tmp_path / "ap.jsonl"
    ok(mfgkb("export", "--format", "jsonl", "--source", "ap", "-o", str(out)))
    assert [json.loads(line)["source"] for line in out.read_text().splitlines()] == ["AP"]
    line = refusal(mfgkb("export", "--format", "json", "--source", "ap"), 2)
    assert "always complete" in line


def test_a_related_entry_naming_the_target_is_not_reported_as_already_there(
    mfgkb: Invoke, linked: Path
) -> None:
    # Its one related topic was texas itself: dropped, not "already there".
    ok(mfgkb("add-topic", "--title", "Lone Star fabs", "--related", "texas"))
    out = " ".join(ok(mfgkb("merge-topics", "lone-star-fabs", "texas")).stdout.split())
    assert "already there" not in out
    assert "Nothing else moved" in out


def test_no_authors_reads_as_english(mfgkb: Invoke, db: Path) -> None:
    ok(mfgkb("remove-article", "1", "--yes"))  # the seed's one article
    assert ok(mfgkb("authors")).stdout.strip() == "No article has an author yet."
    assert ok(mfgkb("tags")).stdout.strip() == "No article has a tag yet."
