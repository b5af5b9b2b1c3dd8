"""Relative --since/--until bounds (``mfgkb.dates.parse_period``), always from a fixed today.

No test here reads the clock: each passes ``today``, so none can fail around
midnight or at the turn of a month.
"""

from __future__ import annotations

from datetime import date

import pytest

from mfgkb.dates import bounds, months_back, parse_date, parse_period
from mfgkb.errors import DateError, UsageError

WED = date(2025, 10, 15)  # a Wednesday


def since(text: str, today: date = WED) -> date:
    return parse_period(text, today=today)


def until(text: str, today: date = WED) -> date:
    return parse_period(text, today=today, end=True)


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("today", WED, WED),
        ("yesterday", date(2025, 10, 14), date(2025, 10, 14)),
        ("30 days", date(2025, 9, 15), date(2025, 9, 15)),
        ("1 day", date(2025, 10, 14), date(2025, 10, 14)),
        ("0 days", WED, WED),
        ("2 weeks", date(2025, 10, 1), date(2025, 10, 1)),
        ("3 months", date(2025, 7, 15), date(2025, 7, 15)),
        ("1 year", date(2024, 10, 15), date(2024, 10, 15)),
        ("this week", date(2025, 10, 13), date(2025, 10, 19)),
        ("last week", date(2025, 10, 6), date(2025, 10, 12)),
        ("this month", date(2025, 10, 1), date(2025, 10, 31)),
        ("last month", date(2025, 9, 1), date(2025, 9, 30)),
        ("this year", date(2025, 1, 1), date(2025, 12, 31)),
        ("last year", date(2024, 1, 1), date(2024, 12, 31)),
    ],
)
def test_each_relative_form_as_a_start_and_as_an_end(text: str, start: date, end: date) -> None:
    assert (since(text), until(text)) == (start, end)


@pytest.mark.parametrize(
    "text",
    ["30 DAYS", "30 Days", "30days", "  30   days  ", "30 days ago", "30 day", "30 Days Ago"],
)
def test_relative_forms_ignore_case_spacing_a_singular_and_ago(text: str) -> None:
    assert since(text) == date(2025, 9, 15)


@pytest.mark.parametrize("text", ["Last Month", "LAST MONTH", "last  month", "Yesterday", "TODAY"])
def test_named_forms_ignore_case_and_spacing(text: str) -> None:
    assert since(text) == parse_period(text.lower().replace("  ", " "), today=WED)


def test_last_month_in_january_is_december_of_the_year_before() -> None:
    jan = date(2026, 1, 20)
    assert (since("last month", jan), until("last month", jan)) == (
        date(2025, 12, 1),
        date(2025, 12, 31),
    )
    assert since("1 month", jan) == date(2025, 12, 20)
    assert since("yesterday", date(2026, 1, 1)) == date(2025, 12, 31)
    assert since("last week", date(2026, 1, 1)) == date(2025, 12, 22)  # a Thursday


def test_month_ends_clamp_to_the_shorter_month() -> None:
    assert since("1 month", date(2025, 3, 31)) == date(2025, 2, 28)
    assert since("1 month", date(2025, 5, 31)) == date(2025, 4, 30)
    assert since("3 months", date(2025, 5, 31)) == date(2025, 2, 28)
    assert since("12 months", date(2025, 1, 31)) == date(2024, 1, 31)
    assert until("last month", date(2025, 3, 31)) == date(2025, 2, 28)
    assert until("last month", date(2025, 5, 1)) == date(2025, 4, 30)
    assert until("this month", date(2025, 2, 1)) == date(2025, 2, 28)


def test_leap_years() -> None:
    assert since("1 month", date(2024, 3, 31)) == date(2024, 2, 29)
    assert until("last month", date(2024, 3, 1)) == date(2024, 2, 29)
    assert since("1 year", date(2024, 2, 29)) == date(2023, 2, 28)
    assert since("4 years", date(2024, 2, 29)) == date(2020, 2, 29)
    assert since("100 years", date(2000, 2, 29)) == date(1900, 2, 28)  # 1900 is no leap year
    assert since("30 days", date(2024, 3, 1)) == date(2024, 1, 31)
    assert since("yesterday", date(2024, 3, 1)) == date(2024, 2, 29)
    assert months_back(date(2024, 2, 29), 12) == date(2023, 2, 28)


def test_last_week_on_a_monday_and_on_a_sunday() -> None:
    monday, sunday = date(2025, 10, 13), date(2025, 10, 19)
    for today in (monday, sunday):
        assert (since("last week", today), until("last week", today)) == (
            date(2025, 10, 6),
            date(2025, 10, 12),
        )
        assert since("this week", today) == monday


@pytest.mark.parametrize(
    "text", ["3 fortnights", "last decade", "next month", "days", "30 days from now", "soon"]
)
def test_anything_else_is_one_error_naming_the_accepted_forms(text: str) -> None:
    with pytest.raises(DateError) as caught:
        since(text)
    message = str(caught.value)
    assert f"'{text}'" in message
    for form in ("2025-10-10", "2025-10", "'30 days'", "'3 months'", "last month", "this year"):
        assert form in message
    assert "\n" not in message


def test_going_back_before_the_year_one_is_refused() -> None:
    with pytest.raises(DateError, match="before the year 1"):
        since("999999 years", date(2025, 1, 1))
    with pytest.raises(DateError, match="before the year 1"):
        since("999999 weeks", date(2025, 1, 1))
    # In the user's terms, not in months counted from today.
    with pytest.raises(DateError) as caught:
        since("10000 years", date(2026, 12, 3))
    assert str(caught.value) == "'10000 years' goes back before the year 1."


def test_absolute_periods_are_unchanged_and_need_no_today() -> None:
    assert parse_period("2025") == date(2025, 1, 1)
    assert parse_period("2025-10", end=True) == date(2025, 10, 31)
    assert parse_period("October 10, 2025") == date(2025, 10, 10)


def test_relative_forms_can_be_turned_off_for_import_files() -> None:
    with pytest.raises(DateError):
        parse_period("today", today=WED, relative=False)
    with pytest.raises(DateError):
        parse_period("30 days", today=WED, relative=False)


def test_bad_bounds_are_usage_errors_naming_their_option() -> None:
    with pytest.raises(UsageError) as caught:
        bounds("nonsense", None)
    assert caught.value.message.startswith("--since: 'nonsense' is not a date")
    assert caught.value.exit_code == 2
    with pytest.raises(UsageError) as caught:
        bounds(None, "10000 years")
    assert caught.value.message == "--until: '10000 years' goes back before the year 1."
    with pytest.raises(UsageError, match="swap them"):
        bounds("2025", "2024")
    assert bounds("2025", "2025") == (date(2025, 1, 1), date(2025, 12, 31))


@pytest.mark.parametrize(
    ("since", "until", "option"), [("", None, "--since"), (None, " ", "--until")]
)
def test_an_empty_bound_is_refused_not_ignored(
    since: str | None, until: str | None, option: str
) -> None:
    # Ignored, --since "" would list everything: a typo's result would look like an answer.
    with pytest.raises(UsageError) as caught:
        bounds(since, until)
    assert caught.value.message.startswith(f"{option}: The date is empty; write it like ")
    assert bounds(None, None) == (None, None)


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("today", WED),
        ("Yesterday", date(2025, 10, 14)),
        ("3 days ago", date(2025, 10, 12)),
        ("2 weeks ago", date(2025, 10, 1)),
        ("1 month ago", date(2025, 9, 15)),
        ("October 10, 2025", date(2025, 10, 10)),
    ],
)
def test_a_typed_date_may_count_back_from_today(text: str, day: date) -> None:
    assert parse_date(text, relative=True, today=WED) == day


@pytest.mark.parametrize("text", ["today", "3 days ago"])
def test_dates_in_files_are_never_relative(text: str) -> None:
    with pytest.raises(DateError):
        parse_date(text, today=WED)


def test_a_span_is_no_date_even_when_relative() -> None:
    with pytest.raises(DateError) as caught:
        parse_date("last month", relative=True, today=WED)
    assert str(caught.value) == (
        "'last month' is a span, not one day; give a date (2025-10-10) or a time back "
        "('3 days ago')."
    )


@pytest.mark.parametrize("text", ["tomorrow", "Next week", "in 3 days", "2 days from now"])
def test_a_day_counted_forward_is_refused_saying_relative_dates_count_back(text: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_date(text, relative=True, today=WED)
    assert str(caught.value) == (
        f"'{text}' counts forward from today; the relative dates mfgkb reads count back: "
        "today, yesterday, '3 days ago', '2 weeks ago'. For a later day give the date itself "
        "(2025-10-10)."
    )


@pytest.mark.parametrize("text", ["99999999 days ago", "99999999 weeks", "1000000000000 years ago"])
def test_too_far_back_says_so_for_any_number_of_digits(text: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_date(text, relative=True, today=WED)
    assert str(caught.value) == f"'{text}' goes back before the year 1."
    with pytest.raises(UsageError) as bound:
        bounds(text, None)
    assert bound.value.message == f"--since: '{text}' goes back before the year 1."
