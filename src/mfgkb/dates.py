"""Reading dates people type. The only module that imports python-dateutil.

dateutil fills any part a text leaves out (the year of "October 10", the day of
"October 2025") from a default, today unless told otherwise. We parse twice with
two different defaults: a part that comes out different was not in the text, so
a missing year or day is detected instead of guessed.

Ambiguous numeric dates ("03/04/2025") are read month first, as in the US,
unless ``dayfirst`` is set. ISO dates ("2025-04-03") are always year-month-day.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime

from mfgkb.errors import DateError

_DEFAULT_A = datetime(2001, 1, 1)
_DEFAULT_B = datetime(2002, 2, 2)
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR = re.compile(r"^(\d{4})$")
_YEAR_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
MAX_DATE_TEXT = 100


def _forms(period: bool) -> str:
    """The forms a date may take, for every message refusing one (the one wording)."""
    forms = "write it like 'October 10, 2025' or 2025-10-10"
    return forms + (", or give a year or a month: 2025, 2025-10" if period else "")


def _unreadable(text: str, period: bool) -> DateError:
    return DateError(f"'{text}' is not a date mfgkb can read; {_forms(period)}.")


def _parse_both(text: str, dayfirst: bool, period: bool) -> tuple[datetime, datetime]:
    from dateutil import parser

    try:
        a = parser.parse(text, default=_DEFAULT_A, dayfirst=dayfirst)
        b = parser.parse(text, default=_DEFAULT_B, dayfirst=dayfirst)
    except (ValueError, OverflowError, TypeError, IndexError, KeyError, AttributeError) as exc:
        # dateutil signals "not a date" with ParserError (a ValueError) but a few
        # odd inputs reach other exceptions; all of them mean the same to a user.
        raise _unreadable(text, period) from exc
    return a, b


def _read(text: str, dayfirst: bool, period: bool) -> tuple[datetime, datetime]:
    """``text`` parsed with both defaults (see the module's docstring); its year checked.

    ``period``: the text is a --since/--until, which may also be a year or a
    month; the refusals say so.
    """
    if not text:
        raise DateError(f"The date is empty; {_forms(period)}.")
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
    a, b = _parse_both(text, dayfirst, period)
    if a.year != b.year:
        raise DateError(
            f"'{text}' has no year; add one, e.g. '{text} 2025', so the date is not guessed."
        )
    return a, b


def parse_date(text: str, *, dayfirst: bool = False) -> date:
    """A full calendar date from free text, or DateError if it is not one."""
    text = text.strip()
    a, b = _read(text, dayfirst, period=False)
    if a.month != b.month or a.day != b.day:
        raise DateError(f"'{text}' names no day; give the full date, e.g. 'October 10, 2025'.")
    return a.date()


def _check_year(year: int, text: str) -> int:
    if year < 1:
        raise DateError(f"'{text}' has no year {year}; years start at 1.")
    return year


def parse_period(text: str, *, dayfirst: bool = False, end: bool = False) -> date:
    """A bound for --since/--until: '2025', '2025-10' or a full date.

    A year or month stands for its first day as a start (``end=False``) and its
    last day as an end (``end=True``), so ``--until 2025`` includes December 31.
    """
    text = text.strip()
    if m := _YEAR.match(text):
        year = _check_year(int(m.group(1)), text)
        return date(year, 12, 31) if end else date(year, 1, 1)
    if m := _YEAR_MONTH.match(text):
        year, month = _check_year(int(m.group(1)), text), int(m.group(2))
        if not 1 <= month <= 12:
            raise DateError(f"'{text}' has no month {month}; use YYYY-MM with a month 1-12.")
        last = calendar.monthrange(year, month)[1]
        return date(year, month, last if end else 1)
    a, b = _read(text, dayfirst, period=True)
    if a.month != b.month:
        raise _unreadable(text, period=True)
    if a.day != b.day:  # "October 2025" is a fine period even though it is not a full date.
        last = calendar.monthrange(a.year, a.month)[1]
        return date(a.year, a.month, last if end else 1)
    return a.date()
