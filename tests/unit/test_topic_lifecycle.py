"""Renaming, merging and removing topics, "referenced by", and tag/author/source counts.

The knowledge base is called directly on a database in tmp_path. What each
operation wrote is read back from the file's own JSON and through a second
KnowledgeBase opened afterwards; the index it left is compared with one
rebuilt from the file, and ``check`` must find nothing wrong. A refusal must
leave the file byte for byte as it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from helpers import files_of
from mfgkb.errors import DuplicateError, NotFoundError, ValidationError
from mfgkb.index.query import Filters
from mfgkb.kb import KnowledgeBase, article_draft
from mfgkb.models import Article, Figure, KeyTerm, Topic


@contextmanager
def opened(db: Path) -> Iterator[KnowledgeBase]:
    kb = KnowledgeBase(db, create_parents=True)
    try:
        yield kb
    finally:
        kb.close()


def stored(db: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(db.read_bytes())
    return data


def stored_topics(db: Path) -> dict[str, dict[str, Any]]:
    """The topic records of the file by slug (a slug twice would be lost: checked)."""
    docs = list(stored(db)["topics"].values())
    by_slug = {d["slug"]: d for d in docs}
    assert len(by_slug) == len(docs)
    return by_slug


def stored_articles(db: Path) -> dict[int, dict[str, Any]]:
    return {int(k): d for k, d in stored(db)["articles"].items()}


def draft(title: str, **fields: Any) -> Article:
    fields.setdefault("authors", ["Dana Ruiz"])
    return article_draft(title=title, published=date(2025, 10, 1), **fields)


def index_answers(kb: KnowledgeBase) -> dict[str, Any]:
    """What the index answers about every topic, article link and count."""
    topics = kb.topics()
    return {
        "topics": [(t.to_dict(), n) for t, n in topics],
        "names": {name: kb.resolve_topic(name) for t, _ in topics for name in t.names()},
        "links": {
            t.slug: sorted(a.id for a in kb.articles(Filters(topic=(t.slug,)))[0])
            for t, _ in topics
        },
        "pages": {
            t.slug: (kb.topic_page(t.slug, None).referenced_by, kb.topic_page(t.slug, None).related)
            for t, _ in topics
        },
        "tallies": [kb.tallies(w) for w in ("tag", "author", "source")],
        "articles": [a.to_json() for a in kb.articles(Filters())[0]],
        "search": [(h.kind, h.ref) for h in kb.search("texas", Filters(), 50).hits],
    }


def index_rows(kb: KnowledgeBase) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the index but its meta (stamps differ), in order."""
    conn = kb.reader().conn
    tables = [
        name
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'fts_%' "
            "AND name != 'meta'"
        )
    ]
    select = {t: f"SELECT {'rowid, *' if t == 'fts' else '*'} FROM {t}" for t in tables}
    return {t: sorted(conn.execute(sql).fetchall(), key=repr) for t, sql in select.items()}


def assert_consistent(db: Path) -> None:
    """The index kept in step equals one rebuilt from the file, and check is content."""
    with opened(db) as kb:
        kept = index_answers(kb), index_rows(kb)
        report = kb.check(fix=False)
        assert report.problems == []
        kb.reset_index()
    with opened(db) as kb:
        assert (index_answers(kb), index_rows(kb)) == kept


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """The shipped knowledge base (eight interlinked topics) plus linked articles."""
    path = tmp_path / "kb" / "kb.json"
    with opened(path) as kb:
        kb.add_article(draft("Texas fab", topics=["texas"], tags=["fabs"], source="Wire"))
        kb.add_article(draft("Two states", topics=["tennessee", "texas"], tags=["Fabs", "jobs"]))
        kb.add_article(draft("Tennessee only", topics=["tennessee"], source="wire"))
    return path


def ids_linked(db: Path, slug: str) -> list[int]:
    return sorted(i for i, d in stored_articles(db).items() if slug in d["topics"])


# -- rename ----------------------------------------------------------------------


def test_rename_changes_the_slug_everywhere_and_keeps_the_old_one_as_an_alias(db: Path) -> None:
    linked = ids_linked(db, "texas")
    before = stored(db)
    record = next(k for k, d in before["topics"].items() if d["slug"] == "texas")
    with opened(db) as kb:
        done = kb.rename_topic("Texas", "lone-star-state")  # any name of the topic
    assert done.old == "texas"
    # "texas" is the title's name already (an alias as the title is dropped,
    # as add-topic drops it), so --topic texas finds the topic through it.
    assert done.topic.slug == "lone-star-state" and done.topic.aliases == []
    assert done.articles == len(linked) >= 2
    assert done.topics == sorted(
        s for s, d in stored_topics(db).items() if "lone-star-state" in d["related"]
    )
    topics = stored_topics(db)
    assert "texas" not in topics
    # The same record, so the topic keeps its place in the file.
    assert stored(db)["topics"][record]["slug"] == "lone-star-state"
    assert topics["lone-star-state"]["aliases"] == []
    assert topics["lone-star-state"]["created"] == before["topics"][record]["created"]
    assert ids_linked(db, "lone-star-state") == linked and ids_linked(db, "texas") == []
    for slug, doc in topics.items():
        assert "texas" not in doc["related"], slug
        assert all(k["topic"] != "texas" for k in doc["key_terms"]), slug
    terms = topics["advanced-manufacturing"]["key_terms"]
    assert "lone-star-state" in [k["topic"] for k in terms]
    assert "lone-star-state" in topics["tennessee"]["related"]
    with opened(db) as kb:
        assert kb.resolve_topic("texas") == "lone-star-state"
        found, total = kb.articles(Filters(topic=("texas",)))
        assert sorted(a.id for a in found) == linked and total == len(linked)
        hits = kb.search("fab", Filters(topic=("texas",)), 10).hits
        assert {h.ref for h in hits} == {str(i) for i in linked}
        assert kb.topic_page("texas", None).topic.slug == "lone-star-state"
    assert_consistent(db)


def test_the_old_slug_is_stored_as_an_alias_when_the_title_is_another_name(db: Path) -> None:
    with opened(db) as kb:
        done = kb.rename_topic("north-carolina", "nc")
    assert done.topic.aliases == ["north-carolina"]
    assert stored_topics(db)["nc"]["aliases"] == ["north-carolina"]
    with opened(db) as kb:
        assert kb.resolve_topic("north-carolina") == "nc"
        assert kb.resolve_topic("North Carolina") == "nc"
    assert_consistent(db)


def test_rename_is_one_write_with_one_backup(db: Path) -> None:
    before = db.read_bytes()
    with opened(db) as kb:
        kb.rename_topic("texas", "lone-star-state")
    assert db.with_name("kb.json.1").read_bytes() == before
    with opened(db) as kb:
        assert kb.backups()[0].read_bytes() == before


def test_rename_to_one_of_its_own_names_drops_that_alias(db: Path) -> None:
    with opened(db) as kb:
        kb.add_topic(
            Topic(slug="foundries", title="Chip foundries", aliases=["fabs", "wafer-fabs"])
        )
        kb.add_article(draft("A fab", topics=["foundries"]))
        done = kb.rename_topic("foundries", "wafer-fabs")
    assert done.topic.aliases == ["fabs", "foundries"]
    assert stored_topics(db)["wafer-fabs"]["aliases"] == ["fabs", "foundries"]
    assert_consistent(db)


def test_rename_moves_a_topics_key_term_that_links_to_itself(db: Path) -> None:
    with opened(db) as kb:
        kb.add_topic(
            Topic(slug="foundries", title="Foundries", key_terms=[KeyTerm("fab", "a plant")])
        )
        kb.edit_topic("foundries", {"key_terms": [KeyTerm("fab", "a plant", "foundries")]})
        kb.rename_topic("foundries", "fabs")
    assert stored_topics(db)["fabs"]["key_terms"][0]["topic"] == "fabs"
    assert_consistent(db)


@pytest.mark.parametrize(
    ("new", "error", "message"),
    [
        ("tennessee", DuplicateError, "A topic 'tennessee' already exists.*merge-topics texas"),
        ("pli", ValidationError, "'pli' is already used by the topic 'production-linked"),
        ("texas", ValidationError, "has that slug already"),
        ("Lone Star", ValidationError, "'Lone Star' is not a valid topic slug"),
        ("lone--star", ValidationError, "not a valid topic slug"),
        ("x" * 65, ValidationError, "not a valid topic slug"),
    ],
)
def test_a_refused_rename_leaves_the_file_as_it_was(
    db: Path, new: str, error: type[Exception], message: str
) -> None:
    before = files_of(db)
    with opened(db) as kb, pytest.raises(error, match=message):
        kb.rename_topic("texas", new)
    assert files_of(db) == before  # the file, and its backups not rotated


def test_the_slug_refusal_is_add_topics(db: Path) -> None:
    with opened(db) as kb:
        with pytest.raises(ValidationError) as added:
            kb.add_topic(Topic(slug="Lone Star", title="Lone star"))
        with pytest.raises(ValidationError) as renamed:
            kb.rename_topic("texas", "Lone Star")
    assert str(added.value) == str(renamed.value)


def test_renaming_an_unknown_topic_suggests_names(db: Path) -> None:
    before = db.read_bytes()
    with opened(db) as kb, pytest.raises(NotFoundError, match="did you mean texas"):
        kb.rename_topic("texs", "lone-star")
    assert db.read_bytes() == before


def test_a_renamed_topic_can_be_renamed_again_and_keeps_every_old_slug(db: Path) -> None:
    with opened(db) as kb:
        kb.rename_topic("north-carolina", "n-carolina")
        kb.rename_topic("north-carolina", "nc")  # the alias names it
    assert stored_topics(db)["nc"]["aliases"] == ["north-carolina", "n-carolina"]
    with opened(db) as kb:
        assert kb.resolve_topic("n-carolina") == kb.resolve_topic("north-carolina") == "nc"
    assert_consistent(db)


# -- merge -----------------------------------------------------------------------


def test_merge_moves_everything_without_duplicates_and_the_source_becomes_an_alias(
    db: Path,
) -> None:
    with opened(db) as kb:
        kb.add_topic(
            Topic(
                slug="lone-star",
                title="Lone Star State",
                aliases=["TX", "texas state"],
                summary="The second largest state.",
                key_terms=[
                    KeyTerm("ercot", "a repeat of texas's term, by case"),
                    KeyTerm("Austin", "the capital", "lone-star"),
                    KeyTerm("node", "feature size", "texas"),
                ],
                figures=[Figure("Fabs", "12", 2024), Figure("Fabs", "13", 2025)],
                related=["texas", "chips-act", "tennessee"],
            )
        )
        kb.edit_topic(
            "texas",
            {
                "key_terms": [KeyTerm("ERCOT", "Electric Reliability Council", "lone-star")],
                "figures": [Figure("fabs", "12", 2024)],
                "related": ["lone-star", "tennessee"],
                "summary": "A state.",
            },
        )
        kb.edit_topic("chips-act", {"related": ["lone-star", "texas", "advanced-manufacturing"]})
        kb.edit_topic(
            "north-carolina",
            {"key_terms": [KeyTerm("Lone star", "far away", "lone-star")], "related": []},
        )
        only_src = kb.add_article(draft("Only the source", topics=["lone-star", "chips-act"])).id
        both = kb.add_article(draft("Both", topics=["texas", "lone-star"])).id
    texas_before = ids_linked(db, "texas")
    all_ids = sorted(stored_articles(db))
    counter = stored(db)["meta"]["1"]["next_article_id"]
    before = db.read_bytes()
    with opened(db) as kb:
        done = kb.merge_topics("Lone Star State", "Texas")
    assert db.with_name("kb.json.1").read_bytes() == before  # one write
    assert done.source.slug == "lone-star" and done.topic.slug == "texas"
    assert (done.articles, done.already_linked) == (1, 1)
    assert done.topics == ["chips-act", "north-carolina"]

    topics = stored_topics(db)
    assert "lone-star" not in topics
    texas = topics["texas"]
    assert done.topic.to_dict() == texas
    assert texas["aliases"] == ["lone-star", "Lone Star State", "TX", "texas state"]
    assert [(k["term"], k["topic"]) for k in texas["key_terms"]] == [
        # Each linked to one of the two: the page would link to itself, so each
        # term stays without its link.
        ("ERCOT", None),
        ("Austin", None),
        ("node", None),
    ]
    assert texas["figures"] == [
        Figure("fabs", "12", 2024).to_dict(),
        Figure("Fabs", "13", 2025).to_dict(),
    ]
    assert texas["related"] == ["tennessee", "chips-act"]  # never itself, never twice
    assert texas["summary"] == "A state.\n\nThe second largest state."
    assert topics["chips-act"]["related"] == ["texas", "advanced-manufacturing"]
    assert topics["north-carolina"]["key_terms"][0]["topic"] == "texas"
    for slug, doc in topics.items():
        assert "lone-star" not in doc["related"], slug
        assert all(k["topic"] != "lone-star" for k in doc["key_terms"]), slug

    articles = stored_articles(db)
    assert sorted(articles) == all_ids  # no article removed
    assert stored(db)["meta"]["1"]["next_article_id"] == counter
    assert articles[only_src]["topics"] == ["texas", "chips-act"]
    assert articles[both]["topics"] == ["texas"]
    for doc in articles.values():
        assert len(doc["topics"]) == len(set(doc["topics"]))
        assert "lone-star" not in doc["topics"]
    assert ids_linked(db, "texas") == sorted({*texas_before, only_src})
    with opened(db) as kb:
        for name in ("lone-star", "Lone Star State", "tx"):
            assert kb.resolve_topic(name) == "texas"
        found, _ = kb.articles(Filters(topic=("lone-star",)))
        assert sorted(a.id for a in found) == sorted({*texas_before, only_src})
    assert_consistent(db)


def test_merging_two_topics_related_to_the_same_one_leaves_one_entry(db: Path) -> None:
    with opened(db) as kb:
        kb.merge_topics("texas", "tennessee")
    topics = stored_topics(db)
    for slug, doc in topics.items():
        assert len(doc["related"]) == len(set(doc["related"])), slug
        assert slug not in doc["related"]
        assert "texas" not in doc["related"]
    assert topics["advanced-manufacturing"]["related"].count("tennessee") == 1
    assert "tennessee" not in topics["tennessee"]["related"]
    assert_consistent(db)


def test_merge_into_itself_is_refused_and_nothing_is_written(db: Path) -> None:
    with opened(db) as kb:
        kb.add_topic(Topic(slug="lone-star", title="Lone Star State", aliases=["TX"]))
    before = files_of(db)
    with opened(db) as kb:
        with pytest.raises(ValidationError, match="both names of the topic 'lone-star'"):
            kb.merge_topics("Lone Star State", "tx")
        with pytest.raises(ValidationError, match="cannot be merged into itself"):
            kb.merge_topics("texas", "texas")
        with pytest.raises(NotFoundError, match="There is no topic 'nowhere'"):
            kb.merge_topics("nowhere", "texas")
        with pytest.raises(NotFoundError, match="There is no topic 'nowhere'"):
            kb.merge_topics("texas", "nowhere")
    assert files_of(db) == before


def test_a_merge_leaves_no_key_term_linking_to_its_own_topic(db: Path) -> None:
    """advanced-manufacturing (here by its alias) has the term Texas -> texas; merged
    into texas, the term stays, definition and all, without the link to itself."""
    before = {k["term"]: k for k in stored_topics(db)["advanced-manufacturing"]["key_terms"]}
    assert before["Texas"]["topic"] == "texas"
    with opened(db) as kb:
        done = kb.merge_topics("smart manufacturing", "texas")
    assert done.source.slug == "advanced-manufacturing"
    terms = {k["term"]: k for k in stored_topics(db)["texas"]["key_terms"]}
    assert terms["Texas"] == {**before["Texas"], "topic": None}
    assert terms["Tennessee"]["topic"] == "tennessee"  # links elsewhere are kept
    for slug, doc in stored_topics(db).items():
        assert all(k["topic"] != slug for k in doc["key_terms"]), slug
    assert_consistent(db)


# -- remove ----------------------------------------------------------------------


@pytest.fixture
def lone(db: Path) -> Path:
    """``db`` plus a topic nobody points to, with two articles (one also elsewhere)."""
    with opened(db) as kb:
        kb.add_topic(Topic(slug="foundries", title="Chip foundries", related=["texas"]))
        kb.add_article(draft("A fab", topics=["foundries"]))
        kb.add_article(draft("A Texas fab", topics=["texas", "foundries"]))
    return db


def test_the_preview_says_what_removal_would_do_and_writes_nothing(lone: Path) -> None:
    before = files_of(lone)
    with opened(lone) as kb:
        preview = kb.topic_removal("foundries")
    assert preview.topic.slug == "foundries"
    assert (preview.articles, preview.related_by, preview.term_links) == (2, [], [])
    assert not preview.referenced and not preview.removed
    assert files_of(lone) == before


def test_remove_unlinks_its_articles_and_never_removes_one(lone: Path) -> None:
    articles = stored_articles(lone)
    counter = stored(lone)["meta"]["1"]["next_article_id"]
    linked = ids_linked(lone, "foundries")
    before = lone.read_bytes()
    with opened(lone) as kb:
        preview = kb.topic_removal("foundries")
        done = kb.remove_topic("foundries", expected=preview.topic)
    assert lone.with_name("kb.json.1").read_bytes() == before  # one write
    assert done.removed and done.articles == len(linked) == 2
    assert "foundries" not in stored_topics(lone)
    after = stored_articles(lone)
    assert sorted(after) == sorted(articles)  # every article is still there, same ids
    for article_id, doc in after.items():
        old = articles[article_id]
        assert doc["topics"] == [t for t in old["topics"] if t != "foundries"]
        assert {k: v for k, v in doc.items() if k != "topics"} == {
            k: v for k, v in old.items() if k != "topics"
        }
    with opened(lone) as kb:
        with pytest.raises(NotFoundError, match="no topic 'foundries'"):
            kb.resolve_topic("foundries")
        assert kb.article(linked[0]).topics == []
        new = kb.add_article(draft("After the removal"))
    assert new.id == counter  # ids are never handed out again
    assert_consistent(lone)


def test_remove_is_refused_for_a_topic_others_point_to(db: Path) -> None:
    before = files_of(db)
    with opened(db) as kb:
        with pytest.raises(ValidationError) as previewed:
            kb.topic_removal("texas")
        with pytest.raises(ValidationError) as removed:
            kb.remove_topic("texas")
    message = str(removed.value)
    assert str(previewed.value) == message
    assert message.startswith(
        "The topic 'texas' is listed as related by 'advanced-manufacturing', "
        "'north-carolina', 'skilled-workforce-gap', 'tennessee' and linked from key terms "
        "of 'advanced-manufacturing'; nothing was removed."
    )
    assert message.endswith("mfgkb remove-topic texas --force")
    assert files_of(db) == before


def test_a_long_list_of_referring_topics_is_cut_short(db: Path) -> None:
    with opened(db) as kb:
        kb.add_topic(Topic(slug="hub", title="Hub"))
        for n in range(7):
            kb.add_topic(Topic(slug=f"spoke-{n}", title=f"Spoke {n}", related=["hub"]))
        with pytest.raises(ValidationError, match="'spoke-4' and 2 more; nothing was removed"):
            kb.remove_topic("hub")


def test_force_removes_the_links_that_point_to_it(db: Path) -> None:
    linked = ids_linked(db, "texas")
    all_ids = sorted(stored_articles(db))
    texas_terms = [
        k["term"]
        for k in stored_topics(db)["advanced-manufacturing"]["key_terms"]
        if k["topic"] == "texas"
    ]
    assert texas_terms
    with opened(db) as kb:
        preview = kb.topic_removal("texas", force=True)
        done = kb.remove_topic("texas", force=True)
    assert preview.referenced and done.removed
    assert done.related_by == preview.related_by
    assert done.articles == len(linked)
    topics = stored_topics(db)
    assert "texas" not in topics
    for slug, doc in topics.items():
        assert "texas" not in doc["related"], slug
        assert all(k["topic"] != "texas" for k in doc["key_terms"]), slug
    # The key term stays, without its link.
    terms = {k["term"]: k for k in topics["advanced-manufacturing"]["key_terms"]}
    assert all(terms[term]["topic"] is None for term in texas_terms)
    assert sorted(stored_articles(db)) == all_ids
    assert ids_linked(db, "texas") == []
    assert_consistent(db)


@pytest.mark.parametrize("force", [False, True])
def test_remove_by_an_alias_left_by_a_merge_is_refused(db: Path, force: bool) -> None:
    """After foundries went into chips-act, 'foundries' names chips-act: removing by it
    would remove chips-act. Only the slug removes; a title or alias is refused."""
    with opened(db) as kb:
        kb.add_topic(Topic(slug="foundries", title="Foundries", aliases=["chip-foundries"]))
        kb.merge_topics("foundries", "chips-act")
    before = files_of(db)
    with opened(db) as kb:
        for name in ("chip-foundries", "foundries", "CHIPS Act"):
            with pytest.raises(ValidationError) as refused:
                kb.remove_topic(name, force=force)
            message = str(refused.value)
            assert message.startswith(
                f"'{name}' is a name of the topic chips-act (CHIPS Act), not its slug; "
                f"to remove that topic give its slug: mfgkb remove-topic chips-act"
            )
            assert ("mfgkb edit-topic chips-act --alias" in message) == (name != "CHIPS Act")
            with pytest.raises(ValidationError, match="not its slug"):
                kb.topic_removal(name, force=force)
    assert files_of(db) == before
    assert "chips-act" in stored_topics(db)


def test_removing_by_a_lone_alias_names_the_editor_to_drop_it(db: Path) -> None:
    # --alias replaces the aliases: with none to keep there is none to give.
    with opened(db) as kb:
        kb.add_topic(Topic(slug="foundries", title="Foundries", aliases=["chip-foundries"]))
        with pytest.raises(ValidationError) as refused:
            kb.remove_topic("chip-foundries")
    assert str(refused.value).endswith(
        "(or drop that alias with: mfgkb edit-topic foundries --editor)"
    )


def test_the_slug_in_any_case_removes(lone: Path) -> None:
    with opened(lone) as kb:
        assert kb.remove_topic(" Foundries ").removed
    assert "foundries" not in stored_topics(lone)


def test_removing_an_unknown_topic_is_refused(db: Path) -> None:
    before = files_of(db)
    with opened(db) as kb, pytest.raises(NotFoundError, match="There is no topic 'texs'"):
        kb.remove_topic("texs")
    assert files_of(db) == before


def test_a_removal_confirmed_for_another_version_of_the_topic_is_refused(lone: Path) -> None:
    with opened(lone) as kb:
        preview = kb.topic_removal("foundries")
        kb.edit_topic("foundries", {"summary": "Changed meanwhile."})
    before = files_of(lone)
    with opened(lone) as kb, pytest.raises(DuplicateError, match="was changed by another"):
        kb.remove_topic("foundries", expected=preview.topic)
    assert files_of(lone) == before


# -- referenced by ---------------------------------------------------------------


def test_a_topic_page_lists_the_topics_that_list_it(db: Path) -> None:
    with opened(db) as kb:
        kb.add_topic(Topic(slug="foundries", title="Chip foundries", related=["chips-act"]))
        page = kb.topic_page("CHIPS Act", None)
        assert page.referenced_by == [
            ("advanced-manufacturing", "Advanced manufacturing"),
            ("foundries", "Chip foundries"),
            ("production-linked-incentive", "Production Linked Incentive schemes"),
        ]
        assert kb.topic_page("foundries", None).referenced_by == []
        kb.rename_topic("foundries", "fabs")
    with opened(db) as kb:
        assert ("fabs", "Chip foundries") in kb.topic_page("chips-act", None).referenced_by


# -- counts ----------------------------------------------------------------------


@pytest.fixture
def counted(tmp_path: Path) -> Path:
    path = tmp_path / "kb" / "kb.json"
    rows = [
        (["Ana Lee", "Bo Chen"], ["fabs", "jobs"], "Reuters"),
        (["ana lee"], ["fabs"], "reuters"),
        (["Bo Chen"], ["fabs", "Jobs"], "Wire"),
        (["Ängel Ruiz"], ["zinc"], ""),
        (["Cy Obi"], [], "AP"),
    ]
    with opened(path) as kb:
        kb.ensure()
        for n, (authors, tags, source) in enumerate(rows):
            kb.add_article(draft(f"Article {n}", authors=authors, tags=tags, source=source))
    return path


def test_counts_by_count_then_name_and_by_name(counted: Path) -> None:
    with opened(counted) as kb:
        seed = {t for t, _ in kb.tallies("tag")} - {"fabs", "jobs", "zinc"}
        tags = [t for t in kb.tallies("tag") if t.name not in seed]
        assert tags == [("fabs", 3), ("jobs", 2), ("zinc", 1)]
        authors = dict(kb.tallies("author"))
        assert authors["Ana Lee"] == 2 and authors["Bo Chen"] == 2  # case is one author
        assert "ana lee" not in authors
        by_count = [a for a in kb.tallies("author") if a.name in authors]
        counts = [a.articles for a in by_count]
        assert counts == sorted(counts, reverse=True)
        names = [a.name for a in kb.tallies("author", by="name")]
        assert names.index("Ana Lee") < names.index("Ängel Ruiz") < names.index("Bo Chen")
        sources = [s for s in kb.tallies("source") if s.name in ("Reuters", "AP", "Wire")]
        assert sources == [("Reuters", 2), ("AP", 1), ("Wire", 1)]  # ties by name
        assert "" not in dict(kb.tallies("source"))
        assert "reuters" not in dict(kb.tallies("source"))
        by_name = [s.name for s in kb.tallies("source", by="name")]
        assert by_name == sorted(by_name, key=str.casefold)
        assert [n for n in by_name if n in ("Reuters", "AP", "Wire")] == ["AP", "Reuters", "Wire"]
        assert kb.tallies("tag", limit=1) == [kb.tallies("tag")[0]]
        assert kb.stats().top_sources[0] == ("Reuters", 2)


def test_counts_follow_edits_and_removals(counted: Path) -> None:
    with opened(counted) as kb:
        (wire,) = [a for a in kb.articles(Filters())[0] if a.source == "Wire"]
        kb.remove_article(wire.id)
        first = kb.articles(Filters(author=("Cy Obi",)))[0][0]
        kb.edit_article(first.id, {"source": "Wire", "tags": ["zinc"]})
    with opened(counted) as kb:
        sources = dict(kb.tallies("source"))
        assert sources["Wire"] == 1 and "AP" not in sources
        assert dict(kb.tallies("tag"))["zinc"] == 2
    assert_consistent(counted)


@pytest.mark.parametrize(
    ("what", "by", "limit", "message"),
    [
        ("topic", "count", None, "'topic' cannot be counted"),
        ("tag", "size", None, "Cannot sort by 'size'"),
        ("tag", "count", -1, "The limit is -1"),
    ],
)
def test_counts_refuse_what_they_cannot_do(
    counted: Path, what: Any, by: Any, limit: int | None, message: str
) -> None:
    with opened(counted) as kb, pytest.raises(ValidationError, match=message):
        kb.tallies(what, by=by, limit=limit)


def test_a_merge_counts_only_what_the_topic_did_not_have(db: Path) -> None:
    # A key term, figure or related topic chips-act has already is not "moved".
    term = KeyTerm(term="Fab", definition="A chip factory")
    figure = Figure(label="Fabs", value="12", year=2024)
    with opened(db) as kb:
        kb.add_topic(Topic(slug="texas-fabs", title="Texas fabs"))
        kb.add_topic(
            Topic(
                slug="fabs",
                title="Fabs",
                key_terms=[term],
                figures=[figure],
                related=["texas-fabs"],
                summary="Fabs.",
            )
        )
        first = kb.merge_topics("fabs", "chips-act")
        kb.add_topic(
            Topic(
                slug="more-fabs",
                title="More fabs",
                aliases=["Foundry row"],
                key_terms=[term],
                figures=[figure],
                related=["texas-fabs"],
            )
        )
        second = kb.merge_topics("more-fabs", "chips-act")
    got = [(d.aliases, d.key_terms, d.figures, d.related, d.summary) for d in (first, second)]
    assert got == [(0, 1, 1, 1, True), (1, 0, 0, 0, False)]
    assert "Foundry row" in stored_topics(db)["chips-act"]["aliases"]
