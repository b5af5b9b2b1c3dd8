"""The line breaker of views.flow: between words; in one only when it is longer than the line."""

from __future__ import annotations

from rich.text import Text

from mfgkb.views.flow import GLUE, fit_widths, line_spans, wrap


def _lines(text: str, width: int, hang: int = 0) -> list[str]:
    return [line.plain for line in wrap(Text(text), width, hang)]


def test_lines_break_between_words_and_drop_the_spaces_there() -> None:
    assert _lines("advanced manufacturing in texas", 14) == [
        "advanced",
        "manufacturing",
        "in texas",
    ]
    assert _lines("one two", 80) == ["one two"]


def test_later_lines_are_narrower_by_the_hang() -> None:
    assert _lines("aaa bbb ccc", 7, hang=2) == ["aaa bbb", "ccc"]
    assert _lines("aaaa bb cc", 7, hang=4) == ["aaaa bb", "cc"]


def test_a_word_longer_than_the_line_is_cut_after_a_hyphen() -> None:
    slug = "north-carolina-reshoring-and-advanced-manufacturing"
    assert _lines(slug, 30) == ["north-carolina-reshoring-and-", "advanced-manufacturing"]
    # No hyphen: cut where the line ends.
    assert _lines("x" * 25, 10) == ["x" * 10, "x" * 10, "x" * 5]


def test_a_separator_dot_stays_with_the_item_before_it() -> None:
    assert _lines("2025-10-10 · Jedrik Hastings · texas", 27) == [
        "2025-10-10 · Jedrik",
        "Hastings · texas",
    ]
    assert _lines("aaaa · bbbb", 6) == ["aaaa ·", "bbbb"]


def test_glued_words_stay_on_one_line_and_print_as_spaces() -> None:
    assert _lines(f"title also{GLUE}known{GLUE}as x", 15) == ["title", "also known as x"]


def test_line_breaks_and_blank_lines_in_the_text_are_kept() -> None:
    assert _lines("one\n\ntwo", 80) == ["one", "", "two"]
    assert _lines("   42  indented", 80) == ["   42  indented"]


def test_styles_follow_the_words_across_lines() -> None:
    text = Text("plain ")
    text.append("bold words", style="bold")
    lines = wrap(text, 6)
    assert [line.plain for line in lines] == ["plain", "bold", "words"]
    assert [span.style for span in lines[2].spans] == ["bold"]


def test_wide_characters_count_as_two_columns() -> None:
    assert line_spans("東京工場 東京", 8) == [(0, 4), (5, 7)]


def test_columns_give_way_widest_first_down_to_their_longest_word() -> None:
    assert fit_widths([10, 40, 20], [10, 8, 6], 50) == [10, 20, 20]
    assert fit_widths([10, 40, 20], [10, 30, 6], 50) == [10, 30, 10]
    assert fit_widths([10, 40], [10, 45], 50) is None  # even the longest words do not fit
    assert fit_widths([5, 5], [1, 1], 50) == [5, 5]  # never wider than needed


def test_a_word_longer_than_the_line_keeps_every_character_under_a_hang() -> None:
    # The lines after the first are ``hang`` narrower: a piece cut for the
    # first line's width overflowed them, and the terminal lost its end.
    path = "/tmp/pytest-of-root/pytest-111/test_a_narrow_terminal_still_s0/kb/kb.json.1"
    for width, hang in ((49, 2), (20, 4), (12, 3)):
        spans = line_spans(path, width, hang)
        assert "".join(path[a:b] for a, b in spans) == path
        assert spans[0][1] - spans[0][0] <= width
        assert all(b - a <= width - hang for a, b in spans[1:]), (width, hang, spans)


def test_a_url_longer_than_the_line_is_cut_after_a_slash_query_or_ampersand() -> None:
    url = "https://example.com/news/2025/report?id=12&page=3"
    assert _lines(url, 30) == ["https://example.com/news/2025/", "report?id=12&page=3"]
    assert _lines(url, 40) == ["https://example.com/news/2025/report?", "id=12&page=3"]
    assert _lines("https://example.com/abcdefghijklmnop", 20) == [
        "https://example.com/",
        "abcdefghijklmnop",
    ]
