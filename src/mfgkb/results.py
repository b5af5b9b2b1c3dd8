"""What the domain hands to a view: one small result class per kind of answer.

Commands get these from the knowledge base and pass them, unchanged, to a view
(``mfgkb.views``): Rich for people, JSON for programs. Nothing here knows about
either, so a third view (HTML) reads the same objects.

Every command that gives an answer imports this module, so its classes must be
cheap to define: a frozen dataclass costs ~1 ms to define, a NamedTuple a few
hundred microseconds, a plain class a few microseconds. :class:`Result` gives
plain classes what those would (fields from the annotations, defaults, equality,
``_replace``, ``_asdict``), and ``dataclass_transform`` tells mypy to check
their constructors as a dataclass's. Measured with callgrind (instructions, so
the machine's load does not count): importing this module cost 16.2 M
instructions with eight NamedTuples and three dataclasses, 1.7 M this way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast, dataclass_transform

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Self

    from mfgkb.check import Problem
    from mfgkb.index.reads import Tally
    from mfgkb.models import Article, Topic

_T = TypeVar("_T")


class _Factory:
    """A default made anew for every result (an empty list), see :func:`field`."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], object]) -> None:
        self.make = make


def field(*, default_factory: Callable[[], _T]) -> _T:
    """A field default made anew for each result, as ``dataclasses.field``'s."""
    return cast(_T, _Factory(default_factory))


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
class Result:
    """The base of every result: a class's annotated names are its fields, in order.

    Frozen unless the class says ``frozen=False``. A field's default is the
    class attribute of its name (or a :func:`field`); instances keep their
    values in their ``__dict__``, where they shadow those defaults.
    """

    _fields: ClassVar[tuple[str, ...]] = ()
    _defaults: ClassVar[dict[str, object]] = {}
    _frozen: ClassVar[bool] = True
    __hash__ = None  # type: ignore[assignment]  # results hold lists: not hashable

    def __init_subclass__(cls, *, frozen: bool = True, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        # The class's own annotations (Python 3.10 on: never a base's); with
        # postponed annotations they are strings, and only the names count.
        # (inspect.get_annotations would do the same and import inspect.)
        names = tuple(cls.__annotations__)
        own = vars(cls)
        cls._fields = cls._fields + names
        cls._defaults = {**cls._defaults, **{n: own[n] for n in names if n in own}}
        cls._frozen = frozen

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        fields = self._fields
        if len(args) > len(fields):
            raise TypeError(f"{type(self).__name__} takes {len(fields)} fields, got {len(args)}")
        values = dict(zip(fields, args, strict=False))
        for name, value in kwargs.items():
            if name not in fields or name in values:
                raise TypeError(f"{type(self).__name__}: unexpected or repeated field {name!r}")
            values[name] = value
        for name in fields:
            if name not in values:
                if name not in self._defaults:
                    raise TypeError(f"{type(self).__name__}: missing field {name!r}")
                default = self._defaults[name]
                values[name] = default.make() if isinstance(default, _Factory) else default
        self.__dict__.update(values)

    def __setattr__(self, name: str, value: object) -> None:
        if self._frozen:
            raise AttributeError(f"{type(self).__name__} is frozen: use _replace")
        object.__setattr__(self, name, value)

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._asdict() == other._asdict()

    def __repr__(self) -> str:
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._fields)
        return f"{type(self).__name__}({inner})"

    def _asdict(self) -> dict[str, Any]:
        """The fields and their values, in order (as a NamedTuple's)."""
        return {n: getattr(self, n) for n in self._fields}

    def _replace(self, **changes: Any) -> Self:
        """A copy with some fields changed (as a NamedTuple's)."""
        return type(self)(**{**self._asdict(), **changes})


# Also results, defined where they are built: mfgkb.models.Article (one article
# in full), mfgkb.index.ranking.SearchResult (search hits) and
# mfgkb.index.reads.Stats (the stats page).


class ImportReport(Result, frozen=False):
    """What an import did (or, with --dry-run, would do)."""

    added: list[Article] = field(default_factory=list)
    duplicates: list[tuple[int, str]] = field(default_factory=list)
    invalid: list[tuple[int, str]] = field(default_factory=list)
    dry_run: bool = False


class CheckReport(Result, frozen=False):
    """What ``check`` found, and with --fix what it repaired and what is left."""

    problems: list[Problem]
    topics: int
    articles: int
    fixed: int = 0
    remaining: list[Problem] = field(default_factory=list)
    path: str = ""  # the database checked


class TopicPage(Result):
    """Everything the topic page shows."""

    topic: Topic
    related: list[tuple[str, str | None]]  # (slug, title or None when the topic is missing)
    term_topics: set[str]  # key-term slugs that exist as topics
    articles: list[Article]
    total_articles: int
    # (slug, title) of the other topics whose related list names this one, by
    # slug; a topic this one lists as related too is in both lists.
    referenced_by: list[tuple[str, str]] = field(default_factory=list)


class TopicList(Result):
    """Every topic with its number of articles (``mfgkb topics``)."""

    rows: list[tuple[Topic, int]]


class ArticleList(Result):
    """Some articles, in order, and how many match in all (``mfgkb articles``)."""

    articles: list[Article]
    total: int


class Saved(Result):
    """A topic or an article just added or changed."""

    record: Topic | Article
    added: bool  # new, else changed
    # False for an edit that gave the values the record had already: nothing
    # was written, and the view says so rather than "Updated".
    changed: bool = True


class Notice(Result):
    """A change whose whole answer is one sentence (removed, linked, copied, restored)."""

    text: str


class BackupInfo(Result):
    """One automatic backup: where, which kind, when its content was saved, what it holds."""

    path: Path
    kind: str  # "rolling" (<db>.N) or "daily" (<db>.day-YYYY-MM-DD)
    saved: float  # the file's modification time, seconds since the epoch
    size: int  # bytes
    articles: int | None  # None when the file is not a usable database
    problem: str | None = None  # why not, in a few words


class BackupList(Result):
    """The automatic backups of a database, newest first (rolling, then daily)."""

    database: Path
    backups: list[BackupInfo]


class Whereabouts(Result):
    """What ``where`` reports: the database file, its index and its backups."""

    path: Path  # as given (--db, $MFGKB_DB or the default), made absolute
    real_path: Path  # every symbolic link resolved: the file that is read and written
    is_link: bool  # ``path`` itself is a symbolic link
    exists: bool
    size: int | None  # bytes, when the file exists
    articles: int | None  # None when it does not exist or cannot be used
    topics: int | None
    problem: str | None  # why the file cannot be used, if it cannot
    index_path: Path
    index_state: str  # "current", "out of date" or "missing"
    backups: list[BackupInfo]
    # The database's folder is there: if not, no command can create the file
    # until it is made (the storage refuses a --db in a missing folder).
    folder_exists: bool = True


class TopicRename(Result):
    """What ``rename-topic`` did."""

    old: str  # the slug the topic had, one of its aliases now
    topic: Topic  # the topic as stored, under its new slug
    articles: int  # articles whose link now names the new slug
    topics: list[str]  # other topics whose related list or key terms were changed, by slug


class TopicMerge(Result):
    """What ``merge-topics`` did."""

    source: Topic  # the topic merged away, as it was
    topic: Topic  # the topic it went into, as stored now
    articles: int  # articles newly linked to ``topic`` (they were linked to ``source``)
    already_linked: int  # articles that were linked to both: one link is left
    topics: list[str]  # other topics whose related list or key terms were changed, by slug
    # What of ``source`` ``topic`` gained (duplicates of its own not counted):
    aliases: int = 0  # of source's aliases (its slug and title become aliases besides)
    key_terms: int = 0
    figures: int = 0
    related: int = 0
    summary: bool = False  # source's summary was added to topic's


class TopicRemoval(Result):
    """What ``remove-topic`` would do (a preview) or did (``removed``)."""

    topic: Topic
    articles: int  # articles that lose their link to it (none is removed)
    related_by: list[str]  # other topics listing it as related, by slug
    term_links: list[str]  # other topics with a key term linking to it, by slug
    removed: bool = False

    @property
    def referenced(self) -> bool:
        """Whether other topics point to it (removing it then needs ``force``)."""
        return bool(self.related_by or self.term_links)


class TallyList(Result):
    """``mfgkb tags``, ``authors`` or ``sources``: names with their articles, and how many."""

    what: str  # "tag", "author" or "source"
    rows: list[Tally]  # those shown, in the order asked for
    total: int  # how many names there are in all (more than shown under --limit)
