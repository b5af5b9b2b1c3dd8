"""Queries and filters as values: parsing, the folding of words, and filter SQL.

Words are folded here exactly as the index's tokenizer (unicode61) folds
text, so a query and the indexed text meet. Nothing here touches the index.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import date
from typing import Any, NamedTuple

from mfgkb.index.stopwords import STOPWORDS
from mfgkb.models import fold, tag_form

# At most this many distinct terms (and as many excluded ones, and words in a
# phrase) go to SQLite: each term is one expression in the ranking query, and
# SQLite refuses an expression tree deeper than 1000. A pasted page of text
# is searched for its first distinct content words; more add nothing to a
# ranking anyway.
MAX_TERMS = 64

_WORD = re.compile(r"[^\W_]+")
_QUERY_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')

# Plain value types here are NamedTuples rather than dataclasses: they are
# built at import time by every search, and a dataclass costs ten times more
# to create.


class Term(NamedTuple):
    """One query element: a word, a "quoted phrase" or a prefix*, maybe -excluded."""

    words: tuple[str, ...]
    prefix: bool = False
    negated: bool = False
    # Whole words of the index that a prefix stands for. The index holds Porter
    # stems ("incentiv" is stored as "incent"), so a prefix longer than a
    # word's stem only matches through the words themselves.
    alternatives: tuple[str, ...] = ()

    def fts(self) -> str:
        """The FTS5 form: always quoted phrases, so no input is a syntax error."""
        phrase = '"' + " ".join(self.words) + '"' + (" *" if self.prefix else "")
        if not self.alternatives:
            return phrase
        return "(" + " OR ".join([phrase, *(f'"{w}"' for w in self.alternatives)]) + ")"


class Query(NamedTuple):
    """A parsed query: positive terms (all wanted) and excluded ones."""

    terms: tuple[Term, ...]
    excluded: tuple[Term, ...]

    @property
    def empty(self) -> bool:
        return not self.terms

    def words(self) -> list[str]:
        """The positive words, for suggestions."""
        return [w for t in self.terms for w in t.words]


def nfkc(text: str) -> str:
    # Compatibility forms (the "ﬁ" ligature of PDF text, full-width letters) as
    # their plain letters, and ß as ss (as "STRASSE" spells it), on both sides:
    # indexed text and queries. The tokenizer does the rest of the folding.
    return unicodedata.normalize("NFKC", text).replace("ß", "ss").replace("ẞ", "SS")


def search_fold(text: str) -> str:
    """Lower case without accents, as the index's tokenizer (unicode61) folds text."""
    decomposed = unicodedata.normalize("NFD", nfkc(text).lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def tokens(text: str) -> list[str]:
    """Words as the index sees them: case and accents folded, split on non-letters."""
    return _WORD.findall(search_fold(text))


def parse_query(text: str) -> Query:
    """Parse free text: words, "phrases", prefix*, -excluded; nothing is a syntax error."""
    terms: list[Term] = []
    excluded: list[Term] = []
    for neg, phrase, bare in _QUERY_TOKEN.findall(text):
        negated = bool(neg)
        prefix = False
        if bare:
            negated = bare.startswith("-") and len(bare) > 1
            body = bare[1:] if negated else bare
            prefix = body.endswith("*")
            words = tuple(tokens(body))
        else:
            words = tuple(tokens(phrase))
        words = words[:MAX_TERMS]
        if not words:
            continue
        term = Term(words, prefix=prefix, negated=negated)
        (excluded if negated else terms).append(term)
    content = [t for t in terms if len(t.words) > 1 or t.prefix or t.words[0] not in STOPWORDS]
    if content:  # keep stop words only when the query has nothing else
        terms = content
    return Query(
        tuple(dict.fromkeys(terms))[:MAX_TERMS], tuple(dict.fromkeys(excluded))[:MAX_TERMS]
    )


class Filters(NamedTuple):
    """Restrictions on which articles a listing or a search returns.

    Each of ``topic``, ``author``, ``tag`` and ``source`` holds the values
    given for that filter (a repeated option): an article matches one of them.
    Different filters all apply.
    """

    kind: str | None = None  # "topic" or "article"
    topic: tuple[str, ...] = ()
    author: tuple[str, ...] = ()
    tag: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    # Last, so that the fields before it keep their places.
    source: tuple[str, ...] = ()  # the whole name, in any case and with or without accents

    @property
    def articles_only(self) -> bool:
        return bool(self.topic or self.author or self.tag or self.source) or any(
            v is not None for v in (self.since, self.until)
        )

    def sql(self, id_expr: str) -> tuple[str, list[Any]]:
        """A WHERE fragment restricting article ids (``id_expr``) and its parameters."""
        clauses: list[str] = []
        params: list[Any] = []
        # Each list is one JSON parameter: any number of values stays one
        # expression (SQLite refuses deep OR chains and too many parameters).
        if self.topic:
            clauses.append(
                f"{id_expr} IN (SELECT id FROM article_topics "
                "WHERE slug IN (SELECT value FROM json_each(?)))"
            )
            params.append(json.dumps(list(dict.fromkeys(self.topic))))
        if self.tag:
            clauses.append(
                f"{id_expr} IN (SELECT id FROM article_tags "
                "WHERE tag IN (SELECT value FROM json_each(?)))"
            )
            params.append(json.dumps(list(dict.fromkeys(tag_form(t) for t in self.tag))))
        if self.author:
            likes = ["%" + like_escape(fold(a)) + "%" for a in self.author]
            clauses.append(
                f"{id_expr} IN (SELECT article_authors.id FROM article_authors, json_each(?) "
                "WHERE author LIKE json_each.value ESCAPE '\\')"
            )
            params.append(json.dumps(list(dict.fromkeys(likes))))
        if self.source:
            # article_sources holds each source folded, as tallies groups them.
            clauses.append(
                f"{id_expr} IN (SELECT id FROM article_sources "
                "WHERE source IN (SELECT value FROM json_each(?)))"
            )
            params.append(json.dumps(list(dict.fromkeys(fold(s) for s in self.source))))
        if self.since is not None or self.until is not None:
            bounds = []
            if self.since is not None:
                bounds.append("published >= ?")
                params.append(self.since.isoformat())
            if self.until is not None:
                bounds.append("published <= ?")
                params.append(self.until.isoformat())
            clauses.append(f"{id_expr} IN (SELECT id FROM articles WHERE {' AND '.join(bounds)})")
        return (" AND ".join(clauses) or "1"), params


def like_escape(text: str) -> str:
    """``text`` matched literally by LIKE ... ESCAPE '\\'."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
