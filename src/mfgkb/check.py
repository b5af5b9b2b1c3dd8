"""Consistency checks over a database's raw data, and the repairs that are safe.

Works on the plain JSON data (not on dataclasses) because its job is to find
records that would not make valid dataclasses. No I/O: the caller reads the
file and writes repairs through the store.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from mfgkb.errors import MfgkbError
from mfgkb.models import Article, Topic, fold, url_key


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the database; ``fixable`` if --fix can repair it safely."""

    where: str
    message: str
    fixable: bool = False


def duplicate_keys(raw: bytes) -> list[str]:
    """Keys that occur twice in one JSON object (parsers silently keep the last)."""
    found: list[str] = []

    def hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        counts = Counter(k for k, _ in pairs)
        found.extend(k for k, n in counts.items() if n > 1)
        return dict(pairs)

    json.loads(raw, object_pairs_hook=hook)
    return found


def _valid_topic(doc: Any) -> str | None:
    """Why a topic record is unusable, or None."""
    if not isinstance(doc, dict):
        return "is not an object"
    try:
        Topic.from_dict(doc).validated()
    except (KeyError, TypeError, ValueError) as exc:
        return f"is missing or has a bad field ({exc})"
    except MfgkbError as exc:
        return exc.message
    return None


def _valid_article(key: str, doc: Any) -> str | None:
    if not isinstance(doc, dict):
        return "is not an object"
    try:
        article = Article.from_dict(int(key), doc)
    except (KeyError, TypeError) as exc:
        return f"is missing a field ({exc})"
    except ValueError:
        return f"has an invalid published date '{doc.get('published')}'"
    added = doc.get("added", "")
    if added:
        try:
            datetime.fromisoformat(str(added).replace("Z", "+00:00"))
        except ValueError:
            return f"has an invalid added time '{added}'"
    try:
        article.validated()
    except MfgkbError as exc:
        return exc.message
    return None


def _shared_names(topics: dict[str, Any]) -> list[Problem]:
    """Names (slug, title, alias, compared as lookup does) that two topics answer to.

    --topic NAME then means only one of them; which one is for a person to
    decide, so this is not repaired.
    """
    owners: dict[str, dict[str, str]] = {}  # folded name -> slug -> the name as written
    for doc in topics.values():
        if not isinstance(doc, dict) or not isinstance(doc.get("slug"), str):
            continue
        aliases = doc.get("aliases")
        names = [doc["slug"], doc.get("title"), *(aliases if isinstance(aliases, list) else [])]
        for name in names:
            if isinstance(name, str) and fold(name):
                owners.setdefault(fold(name), {}).setdefault(doc["slug"], name.strip())
    problems = []
    for by_slug in owners.values():
        if len(by_slug) > 1:
            first, *others = sorted(by_slug)
            problems.append(
                Problem(
                    f"topic {first}",
                    f"the name '{by_slug[first]}' is also a name of the topic "
                    f"{', '.join(repr(o) for o in others)}, so --topic {by_slug[first]!r} "
                    f"means only one of them; rename one with: mfgkb edit-topic {first}",
                )
            )
    return problems


def check_data(data: dict[str, Any]) -> list[Problem]:
    """Every problem found in already schema-validated ``data``."""
    problems: list[Problem] = []
    topics: dict[str, Any] = data["topics"]
    articles: dict[str, Any] = data["articles"]
    meta = data["meta"]["1"]

    slugs: Counter[str] = Counter()
    for doc_id, doc in topics.items():
        reason = _valid_topic(doc)
        if reason:
            problems.append(Problem(f"topic record {doc_id}", reason))
        if isinstance(doc, dict) and "slug" in doc:
            slugs[str(doc["slug"])] += 1
    for slug, n in slugs.items():
        if n > 1:
            problems.append(Problem(f"topic {slug}", f"the slug is used by {n} topic records"))
    known = set(slugs)
    problems.extend(_shared_names(topics))

    for doc in topics.values():
        if not isinstance(doc, dict):
            continue
        slug = doc.get("slug", "?")
        for ref in doc.get("related", []):
            if ref not in known:
                problems.append(
                    Problem(f"topic {slug}", f"is related to the missing topic '{ref}'", True)
                )
        for term in doc.get("key_terms", []):
            ref = term.get("topic") if isinstance(term, dict) else None
            if ref and ref not in known:
                problems.append(
                    Problem(
                        f"topic {slug}",
                        f"key term '{term.get('term')}' links to the missing topic '{ref}'",
                        True,
                    )
                )

    urls: dict[str, str] = {}
    max_id = 0
    for key, doc in articles.items():
        max_id = max(max_id, int(key))
        reason = _valid_article(key, doc)
        if reason:
            problems.append(Problem(f"article {key}", reason))
            continue
        for ref in doc.get("topics", []):
            if ref not in known:
                problems.append(
                    Problem(f"article {key}", f"is linked to the missing topic '{ref}'", True)
                )
        if doc.get("url"):
            k = url_key(str(doc["url"]))
            if k in urls:
                problems.append(Problem(f"article {key}", f"has the same URL as article {urls[k]}"))
            else:
                urls[k] = key
    if int(meta.get("next_article_id", 0)) <= max_id:
        problems.append(
            Problem(
                "meta",
                f"the next article id ({meta.get('next_article_id')}) is not above the "
                f"highest id in use ({max_id}), so an id could be given twice",
                True,
            )
        )
    return problems


def repair(data: dict[str, Any]) -> int:
    """Apply the safe repairs in place; return how many records changed."""
    known = {doc.get("slug") for doc in data["topics"].values() if isinstance(doc, dict)}
    changed = 0
    for doc in data["topics"].values():
        if not isinstance(doc, dict):
            continue
        related = [s for s in doc.get("related", []) if s in known]
        terms = [
            {**t, "topic": None}
            if isinstance(t, dict) and t.get("topic") not in (None, *known)
            else t
            for t in doc.get("key_terms", [])
        ]
        if related != doc.get("related", []) or terms != doc.get("key_terms", []):
            doc["related"], doc["key_terms"] = related, terms
            changed += 1
    for doc in data["articles"].values():
        if isinstance(doc, dict) and any(t not in known for t in doc.get("topics", [])):
            doc["topics"] = [t for t in doc["topics"] if t in known]
            changed += 1
    meta = data["meta"]["1"]
    highest = max((int(k) for k in data["articles"]), default=0)
    if int(meta.get("next_article_id", 0)) <= highest:
        meta["next_article_id"] = highest + 1
        changed += 1
    return changed
