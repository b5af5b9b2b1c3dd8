"""Reading dates people type (``mfgkb.dates``): full dates and --since/--until periods."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfgkb.dates import MAX_DATE_TEXT, RELATIVE_FORMS, parse_date, parse_period
from mfgkb.errors import DateError, ValidationError

OCT_10 = date(2025, 10, 10)


@pytest.mark.parametrize(
    "text",
    [
        "October 10, 2025",
        "october 10 2025",
        "Oct 10, 2025",
        "2025-10-10",
        "10 Oct 2025",
        "10 October 2025",
        "10/10/2025",
        "2025/10/10",
        "  2025-10-10  ",
        "Friday, October 10, 2025",
    ],
)
def test_parse_date_formats(text: str) -> None:
    assert parse_date(text) == OCT_10


def test_ambiguous_numeric_date_is_month_first_by_default() -> None:
    assert parse_date("03/04/2025") == date(2025, 3, 4)
    assert parse_date("03/04/2025", dayfirst=True) == date(2025, 4, 3)


def test_iso_dates_ignore_dayfirst() -> None:
    assert parse_date("2025-04-03", dayfirst=True) == date(2025, 4, 3)
    assert parse_date("2025-04-03") == date(2025, 4, 3)


def test_unambiguous_numeric_date_either_way() -> None:
    assert parse_date("25/12/2024") == date(2024, 12, 25)
    assert parse_date("12/25/2024", dayfirst=True) == date(2024, 12, 25)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("October 10", "year"),
        ("10 Oct", "year"),
        ("October 2025", "day"),
        ("2025", "day"),
        ("not a date", "not a date"),
        ("", "empty"),
        ("   ", "empty"),
        ("2025-02-30", "calendar"),
        ("2025-13-01", "calendar"),
        ("February 30, 2025", "not a date"),
        ("x" * (MAX_DATE_TEXT + 1), "characters"),
    ],
)
def test_parse_date_refuses(text: str, words: str) -> None:
    with pytest.raises(DateError) as info:
        parse_date(text)
    assert words in str(info.value)


def test_date_error_is_a_validation_error_with_exit_code_1() -> None:
    with pytest.raises(ValidationError) as info:
        parse_date("not a date")
    assert isinstance(info.value, DateError)
    assert info.value.exit_code == 1


@settings(max_examples=150, deadline=None)
@given(st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)))
def test_parse_date_round_trips(day: date) -> None:
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"{day:%B} {day.day}, {day.year}") == day
    assert parse_date(f"{day.day} {day:%b} {day.year}") == day
    assert parse_date(f"{day.month:02d}/{day.day:02d}/{day.year}") == day
    assert parse_date(f"{day.day:02d}/{day.month:02d}/{day.year}", dayfirst=True) == day


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_parse_date_raises_only_date_error(text: str) -> None:
    try:
        result = parse_date(text)
    except DateError:
        return
    assert isinstance(result, date)


# -- periods ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2025", date(2025, 1, 1), date(2025, 12, 31)),
        ("2025-02", date(2025, 2, 1), date(2025, 2, 28)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2025-10", date(2025, 10, 1), date(2025, 10, 31)),
        ("2025-4", date(2025, 4, 1), date(2025, 4, 30)),
        ("2025-12", date(2025, 12, 1), date(2025, 12, 31)),
        ("October 2025", date(2025, 10, 1), date(2025, 10, 31)),
        ("Feb 2024", date(2024, 2, 1), date(2024, 2, 29)),
        ("2025-10-10", OCT_10, OCT_10),
        ("October 10, 2025", OCT_10, OCT_10),
        (" 2025 ", date(2025, 1, 1), date(2025, 12, 31)),
    ],
)
def test_parse_period(text: str, start: date, end: date) -> None:
    assert parse_period(text) == start
    assert parse_period(text, end=True) == end


def test_parse_period_dayfirst() -> None:
    assert parse_period("03/04/2025") == date(2025, 3, 4)
    assert parse_period("03/04/2025", dayfirst=True, end=True) == date(2025, 4, 3)


@pytest.mark.parametrize(
    "text",
    ["2025-13", "2025-00", "not a period", "October 10", "October", "", "2025-02-30"],
)
def test_parse_period_refuses(text: str) -> None:
    with pytest.raises(DateError):
        parse_period(text)
    with pytest.raises(DateError):
        parse_period(text, end=True)


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=1, max_value=9999), st.integers(min_value=1, max_value=12))
def test_month_period_covers_the_whole_month(year: int, month: int) -> None:
    text = f"{year:04d}-{month:02d}"
    start = parse_period(text)
    end = parse_period(text, end=True)
    assert (start.year, start.month, start.day) == (year, month, 1)
    assert (end.year, end.month) == (year, month)
    assert end.day >= 28
    assert end.toordinal() - start.toordinal() == end.day - 1


@pytest.mark.parametrize("text", ["0000", "0000-05"])
def test_parse_period_year_zero_is_a_date_error(text: str) -> None:
    with pytest.raises(DateError):
        parse_period(text)
    with pytest.raises(DateError):
        parse_period(text, end=True)


# Fragments of dates, so that many examples get deep into dateutil's parser.
DATE_LIKE = st.lists(
    st.sampled_from(
        [*"0123456789-/.,: TZ+", "Jan", "Oct", "May", "Sept", "th", "of", "2025", "99999"]
    ),
    max_size=12,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(), DATE_LIKE, st.text(max_size=200)), dayfirst=st.booleans())
def test_parse_date_returns_a_date_or_raises_date_error(text: str, dayfirst: bool) -> None:
    try:
        value = parse_date(text, dayfirst=dayfirst)
    except DateError as err:
        assert err.message
    else:
        assert isinstance(value, date)


@settings(max_examples=300, deadline=None)
@given(text=st.one_of(st.text(), DATE_LIKE), dayfirst=st.booleans(), end=st.booleans())
def test_parse_period_returns_a_date_or_raises_date_error(
    text: str, dayfirst: bool, end: bool
) -> None:
    try:
        value = parse_period(text, dayfirst=dayfirst, end=end)
    except DateError as err:
        assert err.message
    else:
        assert isinstance(value, date)


@pytest.mark.parametrize("text", ["garbage", "", "the 10th"])
def test_a_date_and_a_period_are_refused_in_one_wording(text: str) -> None:
    """add-article --date and --since/--until: the same sentence, naming the forms."""
    with pytest.raises(DateError) as as_date:
        parse_date(text)
    with pytest.raises(DateError) as as_period:
        parse_period(text)
    date_words, period_words = str(as_date.value), str(as_period.value)
    assert "write it like 'October 10, 2025' or 2025-10-10" in date_words
    # A period takes a year or a month too, and (on the command line) a time
    # back from today: it says so in the same sentence.
    assert period_words == date_words.removesuffix(".") + (
        f", or give a year or a month: 2025, 2025-10, or a time back: {RELATIVE_FORMS}."
    )
    # An import file's dates are never relative: its refusal does not offer that.
    with pytest.raises(DateError) as in_a_file:
        parse_period(text, relative=False)
    assert str(in_a_file.value) == date_words.removesuffix(".") + (
        ", or give a year or a month: 2025, 2025-10."
    )


def test_a_missing_year_is_the_same_refusal_for_a_date_and_a_period() -> None:
    with pytest.raises(DateError) as as_date:
        parse_date("October 10")
    with pytest.raises(DateError) as as_period:
        parse_period("October 10", end=True)
    assert str(as_date.value) == str(as_period.value)
    assert "has no year" in str(as_date.value)
    with pytest.raises(DateError, match="not a real calendar date"):
        parse_period("2025-02-30")
