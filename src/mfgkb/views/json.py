"""The JSON view: every result as plain JSON on stdout, for programs. No Rich here.

One function per kind of result gives its shape (see ``_SHAPES``); :func:`emit`
prints it. The shapes are part of mfgkb's interface: scripts read them, and
tests/commands pin them. ``mfgkb search --json`` prints through here on its
fast path, so this module imports nothing heavy.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from mfgkb.models import json_printable

if TYPE_CHECKING:
    from mfgkb.index.ranking import SearchResult
    from mfgkb.index.reads import Stats
    from mfgkb.models import Article
    from mfgkb.results import (
        ArticleList,
        BackupInfo,
        BackupList,
        CheckReport,
        ImportReport,
        Saved,
        TallyList,
        TopicList,
        TopicMerge,
        TopicPage,
        TopicRemoval,
        TopicRename,
        Whereabouts,
    )


def emit(result: object) -> None:
    """Print ``result`` as JSON; a result that is only a sentence goes to stderr as one."""
    kind = type(result).__name__
    if kind == "Notice":
        from mfgkb.views.terminal import message

        message(result.text)  # type: ignore[attr-defined]
        return
    print_json(_SHAPES[kind](result))
    if kind == "SearchResult" and not result.hits and result.suggestions:  # type: ignore[attr-defined]
        # For the person running the script; stdout stays a valid empty list.
        from mfgkb.views.terminal import message

        message(f"No results; did you mean: {', '.join(result.suggestions)}?")  # type: ignore[attr-defined]


def print_json(data: Any) -> None:
    """Plain JSON on stdout for programs: UTF-8, no colour, one trailing newline.

    Control and format characters are written as JSON escapes (``\\u009b``):
    the same data for a program, nothing a terminal would act on.
    """
    import json

    text = json_printable(json.dumps(data, ensure_ascii=False, indent=2)) + "\n"
    out = sys.stdout
    buffer = getattr(out, "buffer", None)
    if buffer is not None:
        out.flush()
        buffer.write(text.encode("utf-8"))
        buffer.flush()
    else:
        out.write(text)


def topic_page(page: TopicPage) -> dict[str, Any]:
    return {
        "topic": page.topic.to_dict(),
        "referenced_by": [{"slug": s, "title": t} for s, t in page.referenced_by],
        "articles": [a.to_json() for a in page.articles],
        "total_articles": page.total_articles,
    }


def topic_list(topics: TopicList) -> list[dict[str, Any]]:
    return [{**t.to_dict(), "article_count": n} for t, n in topics.rows]


def article_list(listing: ArticleList) -> list[dict[str, Any]]:
    return [a.to_json() for a in listing.articles]


def article(found: Article) -> dict[str, Any]:
    return found.to_json()


def saved(result: Saved) -> dict[str, Any]:
    record = result.record
    from mfgkb.models import Topic

    shape = record.to_dict() if isinstance(record, Topic) else record.to_json()
    # An edit says whether it wrote anything; an addition always does.
    return shape if result.added else {**shape, "changed": result.changed}


def search_hits(result: SearchResult) -> list[dict[str, Any]]:
    return [
        {
            "kind": h.kind,
            ("slug" if h.kind == "topic" else "id"): h.ref if h.kind == "topic" else int(h.ref),
            "title": h.title,
            "score": round(h.score, 4),
            "field": h.field,
            "snippet": h.snippet,
            "highlights": [list(s) for s in h.spans],
            "matched_all": h.matched_all,
        }
        for h in result.hits
    ]


def stats(result: Stats) -> dict[str, Any]:
    return result._asdict()


def import_report(report: ImportReport) -> dict[str, Any]:
    return {
        "added": len(report.added),
        "ids": [a.id for a in report.added] if not report.dry_run else [],
        "duplicates": [{"line": n, "reason": r} for n, r in report.duplicates],
        "invalid": [{"line": n, "reason": r} for n, r in report.invalid],
        "dry_run": report.dry_run,
    }


def check_report(report: CheckReport) -> dict[str, Any]:
    return {
        "path": report.path,
        "problems": [
            {"where": p.where, "message": p.message, "fixable": p.fixable} for p in report.problems
        ],
        "fixed": report.fixed,
        "remaining": len(report.remaining),
    }


def topic_rename(done: TopicRename) -> dict[str, Any]:
    return {
        "old": done.old,
        "topic": done.topic.to_dict(),
        "articles_relinked": done.articles,
        "topics_updated": done.topics,
    }


def topic_merge(done: TopicMerge) -> dict[str, Any]:
    return {
        "merged": done.source.to_dict(),
        "topic": done.topic.to_dict(),
        "articles_moved": done.articles,
        "articles_already_linked": done.already_linked,
        "topics_updated": done.topics,
        "moved": {
            "aliases": done.aliases,
            "key_terms": done.key_terms,
            "figures": done.figures,
            "related": done.related,
            "summary": done.summary,
        },
    }


def topic_removal(done: TopicRemoval) -> dict[str, Any]:
    return {
        "removed": done.removed,
        "topic": done.topic.to_dict(),
        "articles_unlinked": done.articles,
        "related_by": done.related_by,
        "term_links": done.term_links,
    }


def tallies(listing: TallyList) -> list[dict[str, Any]]:
    return [{"name": row.name, "articles": row.articles} for row in listing.rows]


def _utc_time(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def backup_json(b: BackupInfo) -> dict[str, Any]:
    return {
        "path": str(b.path),
        "kind": b.kind,
        "saved": _utc_time(b.saved),
        "size": b.size,
        "articles": b.articles,
        "problem": b.problem,
    }


def backups_json(listing: BackupList) -> dict[str, Any]:
    return {"database": str(listing.database), "backups": list(map(backup_json, listing.backups))}


def where_json(w: Whereabouts) -> dict[str, Any]:
    return {
        "path": str(w.path),
        "real_path": str(w.real_path),
        "is_link": w.is_link,
        "exists": w.exists,
        "folder_exists": w.folder_exists,
        "size": w.size,
        "articles": w.articles,
        "topics": w.topics,
        "problem": w.problem,
        "index": {"path": str(w.index_path), "state": w.index_state},
        "backups": list(map(backup_json, w.backups)),
    }


# By class name, as in views.human (the fast path imports no result module).
_SHAPES: dict[str, Callable[[Any], Any]] = {
    "TopicPage": topic_page,
    "TopicList": topic_list,
    "ArticleList": article_list,
    "Article": article,
    "Saved": saved,
    "SearchResult": search_hits,
    "Stats": stats,
    "ImportReport": import_report,
    "CheckReport": check_report,
    "TopicRename": topic_rename,
    "TopicMerge": topic_merge,
    "TopicRemoval": topic_removal,
    "TallyList": tallies,
    "BackupList": backups_json,
    "Whereabouts": where_json,
}
