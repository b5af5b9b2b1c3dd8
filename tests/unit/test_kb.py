"""KnowledgeBase called directly, on a database in tmp_path, without the command line.

Each test writes through one KnowledgeBase and checks what was stored through
another one opened afterwards (and, where it matters, in the file's own JSON),
so that what is asserted is what a later command would find.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from mfgkb.errors import DuplicateError, NotFoundError
from mfgkb.index.query import Filters
from mfgkb.kb import KnowledgeBase, article_draft, index_path_for
from mfgkb.models import Article, KeyTerm, Topic
from mfgkb.storage.codec import encode
from mfgkb.storage.store import Store


@contextmanager
def opened(db: Path) -> Iterator[KnowledgeBase]:
    kb = KnowledgeBase(db, create_parents=True)
    try:
        yield kb
    finally:
        kb.close()


def stored(db: Path) -> dict[str, Any]:
    """The database file's JSON, as a person or another program reads it."""
    data: dict[str, Any] = json.loads(db.read_bytes())
    return data


def draft(title: str, **fields: Any) -> Article:
    return article_draft(title=title, published=date(2025, 10, 1), authors=["Dana Ruiz"], **fields)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A new database (the shipped knowledge base) with an index current with it."""
    path = tmp_path / "kb" / "kb.json"
    with opened(path) as kb:
        kb.ensure()
    return path


def test_the_index_lies_beside_the_database(tmp_path: Path) -> None:
    assert index_path_for(tmp_path / "kb.json") == tmp_path / "kb.json.index"
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "real.json")
    with opened(link) as kb:  # a symlinked database keeps its index beside the real file
        assert kb.index_path == tmp_path / "real.json.index"


def test_a_topic_added_is_stored_and_answers_to_its_names(db: Path) -> None:
    with opened(db) as kb:
        added = kb.add_topic(
            Topic(
                slug="foundries",
                title="Semiconductor foundries",
                aliases=["fabs"],
                related=["chips-act"],
                key_terms=[KeyTerm("node", "feature size", "chips-act")],
            )
        )
    assert added.created and added.created == added.updated
    with opened(db) as kb:
        assert kb.resolve_topic("FABS") == "foundries"
        assert kb.resolve_topic("semiconductor foundries") == "foundries"
        page = kb.topic_page("foundries", None)
        assert page.topic == added
        assert page.related == [("chips-act", "CHIPS Act")]
        assert page.term_topics == {"chips-act"}
        assert page.total_articles == 0
        assert ("foundries", 0) in [(t.slug, n) for t, n in kb.topics()]
    docs = [d for d in stored(db)["topics"].values() if d["slug"] == "foundries"]
    assert [d["aliases"] for d in docs] == [["fabs"]]


def test_a_topic_name_another_topic_has_is_refused_and_nothing_is_written(db: Path) -> None:
    before = db.read_bytes()
    with opened(db) as kb, pytest.raises(Exception, match="already used by the topic"):
        kb.add_topic(Topic(slug="fabs", title="Advanced manufacturing"))
    with opened(db) as kb, pytest.raises(NotFoundError, match="no topic 'nowhere' to link"):
        kb.add_topic(Topic(slug="fabs", title="Fabs", related=["nowhere"]))
    assert db.read_bytes() == before


def test_an_article_added_gets_the_next_id_and_is_stored_as_given(db: Path) -> None:
    counter = stored(db)["meta"]["1"]["next_article_id"]
    with opened(db) as kb:
        article = kb.add_article(
            draft(
                "Fab opens in Ohio",
                url="https://example.com/ohio",
                topics=["CHIPS Act"],  # a title: stored as the slug
                tags=["fabs"],
            )
        )
    assert article.id == counter
    assert article.topics == ["chips-act"]
    with opened(db) as kb:
        assert kb.article(counter) == article
        found, total = kb.articles(Filters(topic=("chips act",)))
        assert total >= 1 and article in found
        hits = kb.search("ohio", Filters(), 10).hits
        assert [(h.kind, h.ref) for h in hits] == [("article", str(counter))]
    data = stored(db)
    assert data["articles"][str(counter)]["url"] == "https://example.com/ohio"
    assert data["meta"]["1"]["next_article_id"] == counter + 1


def test_adding_to_a_file_mfgkb_wrote_splices_it_to_the_bytes_a_rewrite_gives(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_transaction(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the fast path was not taken")

    monkeypatch.setattr(Store, "transaction", no_transaction)
    with opened(db) as kb:
        first = kb.add_article(draft("First spliced"))
        second = kb.add_article(draft("Second spliced", url="https://example.com/2"))
    monkeypatch.undo()
    assert second.id == first.id + 1
    data = stored(db)
    assert b"".join(encode(data)) == db.read_bytes()  # exactly what a full write would give
    with opened(db) as kb:  # the index was kept in step: no rebuild needed to see them
        assert kb.article(second.id) == second
        with pytest.raises(DuplicateError, match=f"Article {second.id} already has the URL"):
            kb.add_article(draft("Same URL", url="https://example.com/2"))


def test_edit_changes_only_what_is_given_and_refuses_a_stale_expected(db: Path) -> None:
    with opened(db) as kb:
        original = kb.add_article(draft("Draft title", tags=["a"]))
        done = kb.edit_article(original.id, {"title": "Final title", "topics": ["chips-act"]})
    assert done.changed and not done.added
    edited = done.record
    assert edited == Article(
        **{**_fields(original), "title": "Final title", "topics": ["chips-act"]}
    )
    before = db.read_bytes()
    with opened(db) as kb, pytest.raises(DuplicateError, match="changed by another mfgkb"):
        kb.edit_article(original.id, {"title": "Lost update"}, expected=original)
    assert db.read_bytes() == before
    with opened(db) as kb:
        assert kb.article(original.id) == edited
        assert kb.link(original.id, "advanced-manufacturing", add=True).record.topics == [
            "chips-act",
            "advanced-manufacturing",
        ]
    assert stored(db)["articles"][str(original.id)]["topics"] == [
        "chips-act",
        "advanced-manufacturing",
    ]


def _fields(article: Article) -> dict[str, Any]:
    return {name: getattr(article, name) for name in Article.__dataclass_fields__}


def test_removing_the_newest_article_never_gives_its_id_again(db: Path) -> None:
    with opened(db) as kb:
        newest = kb.add_article(draft("Short-lived"))
        assert kb.remove_article(newest.id) == newest
    with opened(db) as kb:
        with pytest.raises(NotFoundError, match=f"no article {newest.id}"):
            kb.article(newest.id)
        following = kb.add_article(draft("Next one"))
        assert following.id == newest.id + 1
        kb.remove_article(following.id)
        # The slow path (a transaction) keeps to the counter as well.
        (added,) = kb.import_articles([(1, draft("Imported"))]).added
    assert added.id == newest.id + 2
    data = stored(db)
    assert str(newest.id) not in data["articles"] and str(following.id) not in data["articles"]
    assert data["meta"]["1"]["next_article_id"] == newest.id + 3


def test_import_reports_what_it_added_skipped_and_refused(db: Path) -> None:
    with opened(db) as kb:
        kept = kb.add_article(draft("Already here", url="https://example.com/kept"))
        count = len(stored(db)["articles"])
        drafts = [
            (2, draft("New one", url="https://example.com/new", topics=["fabs", "chips-act"])),
            (3, draft("Repeats a stored URL", url="https://EXAMPLE.com/kept")),
            (4, draft("Unknown topic", topics=["no-such-topic"])),
            (5, draft("Repeats line 2", url="https://example.com/new")),
            (6, draft("Plain")),
        ]
        kb.add_topic(Topic(slug="fabs", title="Fabs"))
        report = kb.import_articles(drafts, invalid=[(9, "no title")])
    assert drafts == []  # used up as it went
    assert [a.title for a in report.added] == ["New one", "Plain"]
    assert report.added[0].topics == ["fabs", "chips-act"]
    assert report.duplicates == [
        (3, f"URL already in article {kept.id}"),
        (5, "URL already in line 2"),
    ]
    assert report.invalid == [(4, "unknown topic 'no-such-topic'"), (9, "no title")]
    assert not report.dry_run
    with opened(db) as kb:
        assert [kb.article(a.id) for a in report.added] == report.added
    assert len(stored(db)["articles"]) == count + 2


def test_a_dry_run_import_counts_the_same_and_writes_nothing(db: Path) -> None:
    before = db.read_bytes()
    with opened(db) as kb:
        report = kb.import_articles([(1, draft("Would be added"))], dry_run=True)
    assert [a.title for a in report.added] == ["Would be added"] and report.dry_run
    assert db.read_bytes() == before


def test_backup_and_restore_keep_the_id_counter_past_every_id_given(
    db: Path, tmp_path: Path
) -> None:
    with opened(db) as kb:
        kept = kb.add_article(draft("In the backup"))
        copy = kb.backup_to(tmp_path / "copy.json")
        later = kb.add_article(draft("After the backup"))
        assert kb.restore_from(copy)
    with opened(db) as kb:
        assert kb.article(kept.id) == kept
        with pytest.raises(NotFoundError):
            kb.article(later.id)  # gone with the restore, but its id stays used
        again = kb.add_article(draft("After the restore"))
    assert again.id == later.id + 1
    assert stored(copy)["meta"]["1"]["next_article_id"] == kept.id + 1  # the copy is as it was


def test_a_full_dump_restores_into_a_new_database_with_ids_and_counter(
    db: Path, tmp_path: Path
) -> None:
    with opened(db) as kb:
        kb.add_article(draft("Kept"))
        gone = kb.add_article(draft("Removed"))
        kb.remove_article(gone.id)
        topics, articles, next_id = kb.everything()
    assert next_id == gone.id + 1
    new = tmp_path / "new" / "kb.json"
    with opened(new) as kb:
        kb.restore_dump(topics, articles, next_id)
    with opened(new) as kb:
        assert kb.everything() == (topics, articles, next_id)
        assert kb.add_article(draft("First in the new one")).id == next_id
    with opened(new) as kb, pytest.raises(DuplicateError, match="is not empty"):
        kb.restore_dump(topics, articles, next_id)


def test_check_finds_a_problem_and_fix_repairs_it(db: Path) -> None:
    data = stored(db)
    data["meta"]["1"]["next_article_id"] = 1  # behind the ids in use: one could be given twice
    some = next(iter(data["articles"].values()))
    some["topics"] = [*some["topics"], "vanished"]
    db.write_bytes(b"".join(encode(data)))
    with opened(db) as kb:
        report = kb.check(fix=False)
    assert {(p.where.split()[0], p.fixable) for p in report.problems} >= {
        ("meta", True),
        ("article", True),
    }
    assert any("missing topic 'vanished'" in p.message for p in report.problems)
    assert report.remaining == report.problems
    assert stored(db) == data  # a check without --fix changes nothing
    with opened(db) as kb:
        fixed = kb.check(fix=True)
    assert fixed.fixed == 2 and fixed.remaining == []
    repaired = stored(db)
    highest = max(map(int, repaired["articles"]))
    assert repaired["meta"]["1"]["next_article_id"] == highest + 1
    assert all("vanished" not in d["topics"] for d in repaired["articles"].values())
    with opened(db) as kb:
        clean = kb.check(fix=False)
    assert clean.problems == [] and clean.articles == len(repaired["articles"])


def test_completion_reads_the_index_as_it_is_and_never_creates_one(tmp_path: Path) -> None:
    missing = tmp_path / "none.json"
    with opened(missing) as kb:
        assert kb.complete("topic", "chi") == []
    assert not missing.exists() and not index_path_for(missing).exists()
    db = tmp_path / "kb.json"
    with opened(db) as kb:
        kb.ensure()
        assert [v for v, _ in kb.complete("topic", "chi")] == ["chips-act"]
        assert kb.complete("nonsense", "") == []
