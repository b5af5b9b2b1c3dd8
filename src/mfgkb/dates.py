"""Reading dates people type. The only module that imports python-dateutil.

dateutil fills any part a text leaves out (the year of "October 10", the day of
"October 2025") from a default, today unless told otherwise. We parse twice with
two different defaults: a part that comes out different was not in the text, so
a missing year or day is detected instead of guessed.

Ambiguous numeric dates ("03/04/2025") are read month first, as in the US,
unless ``dayfirst`` is set. ISO dates ("2025-04-03") are always year-month-day.

A --since/--until bound may also be relative ("30 days", "last month"): those
are worked out here, without dateutil, from a ``today`` the caller may fix
(the tests do, so that none of them depends on the day it runs).
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta

from mfgkb.errors import DateError

_DEFAULT_A = datetime(2001, 1, 1)
_DEFAULT_B = datetime(2002, 2, 2)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR = re.compile(r"^(\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
MAX_DATE_TEXT = 100


def _forms(period: bool, relative: bool = False) -> str:
    """The forms a date may take, for every message refusing one (the one wording).

    ``period``: a --since/--until bound, which may also be a year or a month;
    ``relative``: one that may also count back from today.
    """
    forms = "write it like 'October 10, 2025' or 2025-10-10"
    if period:
        forms += ", or give a year or a month: 2025, 2025-10"
    if period and relative:
        forms += f", or a time back: {RELATIVE_FORMS}"
    elif relative:
        forms += f", or a day back: {RELATIVE_DAYS}"
    return forms


def _unreadable(text: str, period: bool, relative: bool = False) -> DateError:
    return DateError(f"'{text}' is not a date mfgkb can read; {_forms(period, relative)}.")


def _parse_both(
    text: str, dayfirst: bool, period: bool, relative: bool = False
) -> tuple[datetime, datetime]:
    from dateutil import parser

    try:
        a = parser.parse(text, default=_DEFAULT_A, dayfirst=dayfirst)
        b = parser.parse(text, default=_DEFAULT_B, dayfirst=dayfirst)
    except (ValueError, OverflowError, TypeError, IndexError, KeyError, AttributeError) as exc:
        # dateutil signals "not a date" with ParserError (a ValueError) but a few
        # odd inputs reach other exceptions; all of them mean the same to a user.
        raise _unreadable(text, period, relative) from exc
    return a, b


def _read(
    text: str, dayfirst: bool, period: bool, relative: bool = False
) -> tuple[datetime, datetime]:
    """``text`` parsed with both defaults (see the module's docstring); its year checked.

    ``period``, ``relative``: what else the text may be (see :func:`_forms`);
    the refusals say so.
    """
    if not text:
        raise DateError(f"The date is empty; {_forms(period, relative)}.")
    if len(text) > MAX_DATE_TEXT:
        raise DateError(f"The date text is {len(text)} characters long; give just the date.")
    if _ISO_DATE.match(text):
        try:
            day = datetime.fromisoformat(text)
        except ValueError as exc:
            raise DateError(
                f"'{text}' is not a real calendar date; check the month and day."
            ) from exc
        return day, day
    a, b = _parse_both(text, dayfirst, period, relative)
    if a.year != b.year:
        raise DateError(
            f"'{text}' has no year; add one, e.g. '{text} 2025', so the date is not guessed."
        )
    return a, b


def parse_date(
    text: str, *, dayfirst: bool = False, relative: bool = False, today: date | None = None
) -> date:
    """A full calendar date from free text, or DateError if it is not one.

    ``relative=True`` (a date typed on the command line, never one in an import
    file) also takes a day counted back from ``today`` (default: the local date
    now): today, yesterday, '3 days ago', '2 weeks ago'. Not a span such as
    'last month', which names no one day.
    """
    text = text.strip()
    words = " ".join(text.lower().split())
    if relative and (_AGO.match(words) or words in ("today", "yesterday")):
        found = relative_period(text, today=today or local_today())
        assert found is not None  # the forms just matched are relative_period's
        return found
    if relative and words in _SPANS:
        raise DateError(
            f"'{text}' is a span, not one day; give a date (2025-10-10) "
            f"or a time back ('3 days ago')."
        )
    if relative and _FORWARD.match(words):
        raise DateError(
            f"'{text}' counts forward from today; the relative dates mfgkb reads count back: "
            f"{RELATIVE_DAYS}. For a later day give the date itself (2025-10-10)."
        )
    a, b = _read(text, dayfirst, period=False, relative=relative)
    if a.month != b.month or a.day != b.day:
        raise DateError(f"'{text}' names no day; give the full date, e.g. 'October 10, 2025'.")
    return a.date()


def _check_year(year: int, text: str) -> int:
    if year < 1:
        raise DateError(f"'{text}' has no year {year}; years start at 1.")
    return year


# Any number of digits (up to a sane length), so that "99999999 days ago" is
# refused for going back too far, not as unreadable.
_AGO = re.compile(r"^(\d{1,60})\s*(day|week|month|year)s?(?:\s+ago)?$")
_SPANS = ("this week", "last week", "this month", "last month", "this year", "last year")
# What people type for a day after today: "tomorrow", "next week", "in 3 days", "3 days from now".
_FORWARD = re.compile(
    r"^(?:tomorrow|next \w+|in \d+\s*(?:day|week|month|year)s?|"
    r"\d+\s*(?:day|week|month|year)s? from now)$"
)
RELATIVE_FORMS = (
    "'30 days', '2 weeks', '3 months', '1 year', or one of today, yesterday, this week, "
    "last week, this month, last month, this year, last year"
)
RELATIVE_DAYS = "today, yesterday, '3 days ago', '2 weeks ago'"


def local_today() -> date:
    """Today's local date: what relative bounds count from (tests replace it)."""
    return date.today()


def months_back(day: date, months: int) -> date:
    """The same day ``months`` months earlier, or the last day of that month if it is shorter."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    if year < 1:
        raise DateError(f"{months} months before {day.isoformat()} is before the year 1.")
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def _month_span(year: int, month: int, end: bool) -> date:
    return date(year, month, calendar.monthrange(year, month)[1] if end else 1)


def relative_period(text: str, *, today: date, end: bool = False) -> date | None:
    """A relative bound ('30 days', 'last month', ...) as of ``today``; None if ``text`` is not one.

    "N days" (weeks, months, years; "ago" may follow) is the day that long
    before today, as a start and as an end alike; a month back from the 31st
    is the last day of the shorter month. A named span (this/last week, month,
    year) is its first day as a start and its last day as an end, as 2025-10
    is: weeks run Monday to Sunday. ``text`` is already stripped.
    """
    words = " ".join(text.lower().split())
    if m := _AGO.match(words):
        n, unit = int(m.group(1)), m.group(2)
        try:
            if unit in ("day", "week"):
                return today - timedelta(days=n * (7 if unit == "week" else 1))
        except OverflowError:
            raise DateError(f"'{text}' goes back before the year 1.") from None
        try:
            return months_back(today, n * (12 if unit == "year" else 1))
        except DateError:  # its words count months from a date: say it in the user's
            raise DateError(f"'{text}' goes back before the year 1.") from None
    if words == "today":
        return today
    if words == "yesterday":
        return today - timedelta(days=1)
    if words in ("this week", "last week"):
        monday = today - timedelta(days=today.weekday() + (7 if words == "last week" else 0))
        return monday + timedelta(days=6) if end else monday
    if words in ("this month", "last month"):
        first = today.replace(day=1)
        if words == "last month":
            first = months_back(first, 1)
        return _month_span(first.year, first.month, end)
    if words in ("this year", "last year"):
        year = today.year - (words == "last year")
        _check_year(year, text)
        return date(year, 12, 31) if end else date(year, 1, 1)
    return None


def parse_period(
    text: str,
    *,
    dayfirst: bool = False,
    end: bool = False,
    today: date | None = None,
    relative: bool = True,
) -> date:
    """A bound for --since/--until: '2025', '2025-10', a full date, or a relative one.

    A year or month stands for its first day as a start (``end=False``) and its
    last day as an end (``end=True``), so ``--until 2025`` includes December 31.
    Relative bounds (see ``relative_period``) count from ``today`` (default: the
    local date now); ``relative=False`` refuses them (an import file's dates
    are never relative to the day of the import).
    """
    text = text.strip()
    if relative:
        found = relative_period(text, today=today or local_today(), end=end)
        if found is not None:
            return found
    if m := _YEAR.match(text):
        year = _check_year(int(m.group(1)), text)
        return date(year, 12, 31) if end else date(year, 1, 1)
    if m := _YEAR_MONTH.match(text):
        year, month = _check_year(int(m.group(1)), text), int(m.group(2))
        if not 1 <= month <= 12:
            raise DateError(f"'{text}' has no month {month}; use YYYY-MM with a month 1-12.")
        last = calendar.monthrange(year, month)[1]
        return date(year, month, last if end else 1)
    a, b = _read(text, dayfirst, period=True, relative=relative)
    if a.month != b.month:
        raise _unreadable(text, period=True, relative=relative)
    if a.day != b.day:  # "October 2025" is a fine period even though it is not a full date.
        last = calendar.monthrange(a.year, a.month)[1]
        return date(a.year, a.month, last if end else 1)
    return a.date()


def bounds(
    since: str | None, until: str | None, *, dayfirst: bool = False
) -> tuple[date | None, date | None]:
    """The --since and --until of a command line as dates; a bad one is a UsageError.

    The message starts with the option it is about ("--since: ..."), as Click's
    refusals of other options' values do. Shared by mfgkb.cli and the search
    fast path (mfgkb.quicksearch), which add the help hint.
    """
    from mfgkb.errors import UsageError

    def one(option: str, text: str | None, end: bool) -> date | None:
        if text is None:
            return None  # an empty text is refused below: --since "" would hide a typo
        try:
            return parse_period(text, dayfirst=dayfirst, end=end)
        except DateError as err:
            raise UsageError(f"{option}: {err.message}") from None

    start, stop = one("--since", since, False), one("--until", until, True)
    if start and stop and start > stop:
        raise UsageError(f"--since {since} is after --until {until}; swap them.")
    return start, stop
