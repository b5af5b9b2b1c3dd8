"""Records of the knowledge base, their validation and their plain-data form.

Pure code: no I/O, no third-party imports. ``to_dict``/``from_dict`` define the
on-disk field names, which are also the ``--json`` field names.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

from mfgkb.errors import ValidationError

# Bounds keep one runaway field (a pasted 10 MB page) from being stored.
MAX_TITLE = 500
MAX_NAME = 200
MAX_AUTHORS = 100
MAX_TAGS = 100
MAX_TAG = 64
MAX_DESCRIPTION = 20_000
MAX_SUMMARY = 200_000
MAX_URL = 2_048
MAX_SLUG = 64
MAX_LIST_ITEMS = 500

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Query parameters that identify a campaign or a click, not a page.
_TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "ref_src",
        "cmpid",
    }
)


# What must not reach a terminal raw: C0 and C1 controls and DEL (escape
# sequences), and every Unicode format character (category Cf: bidi controls
# that reorder a line, "Trojan Source"; zero-width and invisible characters;
# the Arabic letter mark; tag characters that hide text), line and paragraph
# separators (Zl, Zp) and lone surrogates (Cs). The Cf ranges are those of
# Unicode 15 (tests/unit/test_printable.py checks them against unicodedata). Private
# use characters (Co) are kept: a terminal shows them as a glyph or a box, they
# control nothing. Newline and tab: see printable().
_UNSAFE_CLASS = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891"
    "\u08e2\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff"
    "\ufeff\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
# Two exceptions keep ordinary text readable. A zero-width joiner or non-joiner
# between two non-ASCII characters (themselves shown as they are) is part of
# an emoji sequence (woman, ZWJ, laptop), of Persian or Indic writing; anywhere
# else it is escaped. A tag sequence after the black flag spells a subdivision
# flag (England: U+1F3F4 then tags "gbeng"); six tags at most leave no room to
# hide a message.
_UNSAFE = re.compile(
    f"(?P<keep>(?<=[^\x00-\x7f{_UNSAFE_CLASS}])[\u200c\u200d](?=[^\x00-\x7f{_UNSAFE_CLASS}])"
    "|(?<=\U0001f3f4)[\U000e0030-\U000e0039\U000e0061-\U000e007a]{2,6}\U000e007f)"
    f"|[{_UNSAFE_CLASS}]"
)
_BREAKS = re.compile(r"[\t\n\r]+")


def _escape(match: re.Match[str]) -> str:
    if match.group("keep") is not None:
        return match.group()
    code = ord(match.group())
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 article``, ``2 articles``, ``12,345 articles``: the noun agrees with the number.

    For every sentence mfgkb writes, in a view or a message. ``noun`` is the
    singular; the plural adds an s unless ``plural`` is given ("aliases").
    """
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {plural or noun + 's'}"


def file_size(n: int) -> str:
    """A size as people read it, in powers of 1024 labelled so: 512 B, 3.4 KiB, 1.2 MiB, 2.0 GiB.

    The one size wording, for views (``where``, backups) and messages (a file
    too large) alike.
    """
    if n < 1024:
        return f"{n} B"
    value = float(n)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if value < 1024 or unit == "TiB":
            break
    return f"{value:.1f} {unit}"


def showing(shown: int, total: int, noun: str) -> str:
    """The note under a list cut short by --limit: one wording for every list."""
    return f"Showing {shown:,} of {count(total, noun)}; use --limit to see more (0 for all)."


def printable(text: str, *, multiline: bool = False) -> str:
    """``text`` safe for a terminal: control characters shown as escapes (``\\x1b``).

    Single-line fields also have their line breaks and tabs turned into spaces.
    The one function for every screen, error message and completion.
    """
    if not multiline:
        text = _BREAKS.sub(" ", text)
    return _UNSAFE.sub(_escape, text)


def _json_escape(match: re.Match[str]) -> str:
    if match.group("keep") is not None:
        return match.group()
    # JSON's \uXXXX escape (a surrogate pair above U+FFFF): the same string.
    units = match.group().encode("utf-16-be", "surrogatepass")
    return "".join(f"\\u{units[i] << 8 | units[i + 1]:04x}" for i in range(0, len(units), 2))


def json_printable(text: str) -> str:
    """JSON text with the characters printable() escapes written as ``\\uXXXX``.

    The same data to a JSON reader, inert on a terminal. Only for text that
    json.dumps produced (raw newlines and tabs there are layout, not data).
    """
    return _UNSAFE.sub(_json_escape, text)


# orjson, which writes the database, refuses values nested more than 254
# levels deep (the outermost object or array counts as one). A file nested
# deeper would load but could never be written back, so readers refuse it.
MAX_DEPTH = 254


def nested_deeper(value: Any, limit: int) -> bool:
    """Whether ``value`` (parsed JSON) nests objects and arrays more than ``limit`` deep.

    One level at a time rather than by recursion, so any depth takes bounded
    stack; only objects and arrays are visited.
    """
    level = [value] if type(value) is dict or type(value) is list else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        level = [
            item
            for container in level
            for item in (container.values() if type(container) is dict else container)
            if type(item) is dict or type(item) is list
        ]
    return False


def now_utc() -> str:
    """The current time as an ISO 8601 string in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _from_argv_bytes(text: str, what: str) -> str:
    """Text from the command line of a terminal that is not UTF-8, decoded as UTF-8.

    In an ASCII or C locale Python keeps each byte it cannot decode as a
    surrogate (``Jörg`` arrives as ``J\\udcc3\\udcb6rg``): the bytes typed are
    still UTF-8 text, and only if they are not is the text refused.
    """
    try:
        return os.fsencode(text).decode("utf-8")
    except UnicodeError:
        raise ValidationError(
            f"The {what} is not valid UTF-8 text; check the terminal's or file's encoding."
        ) from None


def argv_text(text: str) -> str:
    """A search term or filter value from the command line, as the text typed.

    Like ``clean_text``'s re-decoding in a C or ASCII locale, but never an
    error: a value whose bytes are not UTF-8 simply matches nothing.
    """
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        try:
            return os.fsencode(text).decode("utf-8")
        except UnicodeError:
            return text
    return text


def clean_text(value: str, what: str, limit: int, *, required: bool = False) -> str:
    """Strip ``value`` and check its length; ``what`` names the field in errors."""
    text = value.strip()
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: bytes Python could not decode
        text = _from_argv_bytes(text, what)
    if required and not text:
        raise ValidationError(f"The {what} is empty; give a non-empty {what}.")
    if len(text) > limit:
        raise ValidationError(
            f"The {what} is {len(text):,} characters long; the limit is {limit:,}. Shorten it."
        )
    return text


def clean_list(values: list[str], what: str, limit: int, max_items: int) -> list[str]:
    """Strip each item, drop empty ones and repeats (keeping order), check bounds."""
    if len(values) > max_items:
        raise ValidationError(f"There are {len(values)} {what}s; the limit is {max_items}.")
    seen: set[str] = set()
    out: list[str] = []
    for raw in values:
        item = clean_text(raw, what, limit)
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            out.append(item)
    return out


def tag_form(value: str) -> str:
    """Tags are lower-case words joined by hyphens: "Supply Chain" -> "supply-chain"."""
    return "-".join(value.lower().split())


def clean_tags(values: list[str]) -> list[str]:
    return clean_list([tag_form(v) for v in values], "tag", MAX_TAG, MAX_TAGS)


def validate_slug(slug: str) -> str:
    """Return ``slug`` if it is lower-case kebab case, else raise."""
    if not SLUG_RE.match(slug) or len(slug) > MAX_SLUG:
        raise ValidationError(
            f"'{slug}' is not a valid topic slug; use lower-case letters, digits and "
            f"single hyphens, e.g. 'chips-act'."
        )
    return slug


# Letters that Unicode does not decompose into a base letter plus an accent.
_TRANSLIT = str.maketrans(
    {
        "Æ": "AE",
        "æ": "ae",
        "Œ": "OE",
        "œ": "oe",
        "Ø": "O",
        "ø": "o",
        "ß": "ss",
        "Ł": "L",
        "ł": "l",
        "Đ": "D",
        "đ": "d",
        "Þ": "TH",
        "þ": "th",
        "\u0131": "i",  # dotless i
    }
)


def slugify(text: str) -> str:
    """A slug from a title: "CHIPS Act" -> "chips-act", "Ærø" -> "aero"."""
    folded = unicodedata.normalize("NFKD", text.translate(_TRANSLIT))
    folded = folded.encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", folded.lower()))[:MAX_SLUG].strip("-")


def fold(text: str) -> str:
    """Case- and accent-insensitive form for comparing names."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def validate_url(url: str) -> str:
    """Return the stripped URL if it is an absolute http(s) URL, else raise."""
    from urllib.parse import urlsplit  # only for commands that take URLs

    text = clean_text(url, "URL", MAX_URL)
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 -- raises ValueError for a port that is not 0-65535
        ok = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:  # "[::1" or ":abc": urlsplit and .port refuse them
        ok = False
    if not ok:
        raise ValidationError(
            f"'{text}' is not an http(s) URL; give a full address such as "
            f"https://example.com/article."
        )
    if any(c.isspace() for c in text):
        raise ValidationError(f"'{text}' contains spaces; encode them as %20.")
    return text


def url_key(url: str) -> str:
    """The form two URLs are compared in to find duplicates.

    http and https, host case, a default port, ``www.``-less hosts are *not*
    merged (they can be different sites), a trailing slash, the fragment, the
    order of query parameters and tracking parameters (utm_*, fbclid, ...) are
    ignored.
    """
    from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

    try:
        parts = urlsplit(url.strip())
        port = parts.port if parts.port not in (None, 80, 443) else None
    except ValueError:  # a hand-edited URL urlsplit cannot read: compare it as written
        return url.strip().lower()
    host = (parts.hostname or "").lower()
    netloc = f"{host}:{port}" if port else host
    path = parts.path.rstrip("/")
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith("utm_") and k.lower() not in _TRACKING_PARAMS
    )
    return urlunsplit(("https", netloc, path, urlencode(query), ""))


@dataclass(frozen=True, slots=True)
class KeyTerm:
    """A term on a topic page with a one-line definition, maybe a topic itself."""

    term: str
    definition: str
    topic: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"term": self.term, "definition": self.definition, "topic": self.topic}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> KeyTerm:
        return cls(str(d["term"]), str(d.get("definition", "")), d.get("topic") or None)


@dataclass(frozen=True, slots=True)
class Figure:
    """A number worth quoting: label, value, optional year and source."""

    label: str
    value: str
    year: int | None = None
    source: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"label": self.label, "value": self.value, "year": self.year, "source": self.source}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Figure:
        year = d.get("year")
        return cls(
            str(d["label"]),
            str(d["value"]),
            int(year) if year is not None else None,
            d.get("source") or None,
        )


@dataclass(frozen=True, slots=True)
class Topic:
    """A subject of the knowledge base, identified by its slug."""

    slug: str
    title: str
    aliases: list[str] = field(default_factory=list)
    summary: str = ""
    key_terms: list[KeyTerm] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    created: str = ""
    updated: str = ""

    def validated(self) -> Topic:
        """A cleaned copy, or raise ValidationError naming the bad field."""
        title = clean_text(self.title, "topic title", MAX_TITLE, required=True)
        validate_slug(self.slug)
        for slug in self.related:
            validate_slug(slug)
        for kt in self.key_terms:
            clean_text(kt.term, "key term", MAX_NAME, required=True)
            clean_text(kt.definition, "key term definition", MAX_TITLE)
            if kt.topic:
                validate_slug(kt.topic)
        for fig in self.figures:
            clean_text(fig.label, "figure label", MAX_NAME, required=True)
            clean_text(fig.value, "figure value", MAX_NAME, required=True)
        return replace(
            self,
            title=title,
            # An alias that is the topic's own slug or title adds no name: drop it.
            aliases=[
                a
                for a in clean_list(self.aliases, "alias", MAX_NAME, MAX_LIST_ITEMS)
                if fold(a) not in (fold(self.slug), fold(title))
            ],
            summary=clean_text(self.summary, "summary", MAX_SUMMARY),
            related=[s for s in dict.fromkeys(self.related) if s != self.slug],
        )

    def names(self) -> list[str]:
        """Every name the topic answers to: slug, title and aliases."""
        return [self.slug, self.title, *self.aliases]

    def to_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "title": self.title,
            "aliases": list(self.aliases),
            "summary": self.summary,
            "key_terms": [k.to_dict() for k in self.key_terms],
            "figures": [f.to_dict() for f in self.figures],
            "related": list(self.related),
            "created": self.created,
            "updated": self.updated,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Topic:
        return cls(
            slug=str(d["slug"]),
            title=str(d["title"]),
            aliases=[str(a) for a in d.get("aliases", [])],
            summary=str(d.get("summary", "")),
            key_terms=[KeyTerm.from_dict(k) for k in d.get("key_terms", [])],
            figures=[Figure.from_dict(f) for f in d.get("figures", [])],
            related=[str(s) for s in d.get("related", [])],
            created=str(d.get("created", "")),
            updated=str(d.get("updated", "")),
        )


@dataclass(frozen=True, slots=True)
class Article:
    """A piece of reading linked to topics. ``id`` is 0 until the store assigns one."""

    id: int
    title: str
    published: date
    authors: list[str] = field(default_factory=list)
    description: str = ""
    url: str | None = None
    topics: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    source: str = ""
    added: str = ""

    def validated(self) -> Article:
        """A cleaned copy, or raise ValidationError naming the bad field."""
        for slug in self.topics:
            validate_slug(slug)
        published = self.published
        if isinstance(published, datetime):  # a date, never a time of day
            published = published.date()
        return replace(
            self,
            published=published,
            title=clean_text(self.title, "title", MAX_TITLE, required=True),
            authors=clean_list(self.authors, "author", MAX_NAME, MAX_AUTHORS),
            description=clean_text(self.description, "description", MAX_DESCRIPTION),
            url=validate_url(self.url) if self.url and self.url.strip() else None,
            topics=list(dict.fromkeys(self.topics)),
            tags=clean_tags(self.tags),
            source=clean_text(self.source, "source", MAX_NAME),
        )

    def to_dict(self) -> dict[str, Any]:
        """The stored form. The id is the record's key in the file, so it is left out."""
        return {
            "title": self.title,
            "authors": list(self.authors),
            "published": self.published.isoformat(),
            "added": self.added,
            "description": self.description,
            "url": self.url,
            "topics": list(self.topics),
            "tags": list(self.tags),
            "source": self.source,
        }

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` form: the stored form with the id first."""
        return {"id": self.id, **self.to_dict()}

    @classmethod
    def from_dict(cls, article_id: int, d: dict[str, Any]) -> Article:
        return cls(
            id=article_id,
            title=str(d["title"]),
            published=date.fromisoformat(str(d["published"])),
            authors=[str(a) for a in d.get("authors", [])],
            description=str(d.get("description", "")),
            url=d.get("url") or None,
            topics=[str(t) for t in d.get("topics", [])],
            tags=[str(t) for t in d.get("tags", [])],
            source=str(d.get("source", "")),
            added=str(d.get("added", "")),
        )
