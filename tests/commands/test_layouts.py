"""Every screen at 50, 80 and 200 columns: nothing wider, no word or slug cut, prose at a measure.

The articles have long titles, a long slug and long author lists (issue 10):
at 80 columns the old table squeezed titles into 14 columns and cut slugs
(``advanced-manuf``/``acturing``), at 50 its headers (``ti``/``tl``/``e``).
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from rich.cells import cell_len

from helpers import MAIN, Invoke, add, ok

WIDTHS = (50, 80, 200)
LONG_SLUG = "north-carolina-reshoring-and-advanced-manufacturing"
TITLES = [
    "Skilled-workforce gap widens as North Carolina plants expand reshoring programmes "
    "for semiconductor packaging and precision machining",
    "Is the US Still the Global Manufacturing Leader? Comparing Output, Productivity and "
    "Policy with China, Germany, Japan and South Korea",
    "Tennessee battery-materials consortium announces apprenticeship-to-engineering pathway",
]
AUTHORS = [
    "Maria Consuelo Fernández-Oyarzábal",
    "Jedrik Hastings",
    "Dana Ruiz",
    "Bartholomew Okonkwo-Lindqvist",
    "Anneliese Vandersteen",
    "Xiomara Castellanos-Whitfield",
]
DESCRIPTION = " ".join(["A description of reshoring, plants and apprenticeships."] * 12)
PROSE = 100  # the measure prose is kept to on a wide terminal


@pytest.fixture
def long_kb(mfgkb: Invoke) -> Invoke:
    ok(
        mfgkb(
            "add-topic",
            "--title",
            "North Carolina reshoring and advanced manufacturing",
            "--alias",
            "NC reshoring",
            "--alias",
            "North Carolina manufacturing renaissance",
            "--summary",
            "Reshoring " * 60,
            "--term",
            f"Reshoring|Bringing production back home.|{MAIN}",
            "--term",
            f"{LONG_SLUG}|This topic's own slug as a term.|{LONG_SLUG}",
            "--figure",
            "Number of semiconductor fabrication plants announced since the CHIPS Act passed"
            "|twelve fabs|2024|Semiconductor Industry Association annual report",
            "--related",
            MAIN,
        )
    )
    for n, title in enumerate(TITLES):
        add(
            mfgkb,
            "--title",
            title,
            "--date",
            f"{2019 + 3 * n}-03-04",  # 2019, 2022, 2025: years between with none
            *(arg for author in AUTHORS[n:] for arg in ("--author", author)),
            "--topic",
            LONG_SLUG,
            "--topic",
            MAIN,
            "--topic",
            "skilled-workforce-gap",
            "--source",
            "Industry Weekly Manufacturing Review",
            "--description",
            DESCRIPTION,
        )
    return mfgkb


SCREENS = [
    ("show", LONG_SLUG),
    ("show", MAIN),
    ("articles",),
    ("topics",),
    ("search", "reshoring"),
    ("search", "apprenticeships"),
    ("stats",),
]


def _screen(mfgkb: Invoke, monkeypatch: pytest.MonkeyPatch, width: int, *args: str) -> str:
    monkeypatch.setenv("COLUMNS", str(width))
    out: str = ok(mfgkb(*args)).stdout
    return out


def _tokens(text: str) -> set[str]:
    return {t.strip(",") for t in text.split()}


def _unhyphenated(text: str) -> str:
    """``text`` with the lines that end in a hyphen joined to the next (a slug cut there)."""
    return re.sub(r"-\n\s*", "-", text)


def _slugs(mfgkb: Invoke) -> list[str]:
    topics = json.loads(ok(mfgkb("topics", "--json")).stdout)
    return [t["slug"] for t in topics]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("args", SCREENS, ids=" ".join)
def test_no_line_is_wider_than_the_terminal(
    long_kb: Invoke, monkeypatch: pytest.MonkeyPatch, width: int, args: tuple[str, ...]
) -> None:
    out = _screen(long_kb, monkeypatch, width, *args)
    assert out.strip()
    for line in out.splitlines():
        assert cell_len(line.rstrip()) <= width, (width, line)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("args", SCREENS, ids=" ".join)
def test_no_word_of_a_title_and_no_slug_is_cut(
    long_kb: Invoke, monkeypatch: pytest.MonkeyPatch, width: int, args: tuple[str, ...]
) -> None:
    out = _screen(long_kb, monkeypatch, width, *args)
    words = _tokens(out)
    # Every article is linked to both topics shown, and each search finds them all.
    shown_titles = [] if args[0] in ("topics", "stats") else TITLES
    for title in shown_titles:
        for word in title.split():
            assert word.strip(",") in words, (width, word, out)
    if args[0] == "articles":
        for author in AUTHORS:
            for word in author.split():
                assert word in words, (width, word, out)
    slugs = _slugs(long_kb)
    expected = {
        "articles": [LONG_SLUG, MAIN, "skilled-workforce-gap"],
        "topics": slugs,
        # stats charts the topics its articles are linked to (README: stats).
        "stats": [LONG_SLUG, MAIN, "skilled-workforce-gap"],
        "show": [args[-1], MAIN],
        "search": [],
    }[args[0]]
    joined = _tokens(_unhyphenated(out))
    for slug in expected:
        assert slug in (words if len(slug) + 6 <= width else joined), (width, slug, out)
    # No piece of a slug stands alone: a piece is a whole slug, or (only for a
    # slug longer than the line) ends in the hyphen it was cut after.
    for token in words:
        for slug in slugs:
            if token != slug and slug.startswith(token) and "-" in token:
                assert token in slugs or (token.endswith("-") and len(slug) + 6 > width), (
                    width,
                    token,
                    out,
                )


@pytest.mark.parametrize("args", [a for a in SCREENS if a[0] in ("show", "search")], ids=" ".join)
def test_prose_keeps_a_readable_measure_on_a_wide_terminal(
    long_kb: Invoke, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...]
) -> None:
    out = _screen(long_kb, monkeypatch, 200, *args)
    assert max(cell_len(line.rstrip()) for line in out.splitlines()) <= PROSE, out
    # ...and still uses the room it has: lines of prose run to near the measure.
    assert max(cell_len(line.rstrip()) for line in out.splitlines()) > PROSE - 20


def test_article_descriptions_keep_the_measure(
    long_kb: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = _screen(long_kb, monkeypatch, 200, "article", "2")
    lines = [line.rstrip() for line in out.splitlines()]
    prose = [line for line in lines if "apprenticeships" in line]
    assert len(prose) > 3 and max(map(cell_len, prose)) <= PROSE, out


def test_articles_are_compact_below_the_threshold_and_a_table_above(
    long_kb: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    narrow = _screen(long_kb, monkeypatch, 80, "articles")
    assert "published" not in narrow  # no table header
    lines = narrow.splitlines()
    # The title on its own line (after the id), the date line after it.
    first = next(i for i, line in enumerate(lines) if line.lstrip().startswith("4  "))
    assert lines[first].split()[1:3] == TITLES[2].split()[:2]
    assert any("2025-03-04 · " in line for line in lines[first : first + 3])
    wide = _screen(long_kb, monkeypatch, 200, "articles")
    assert wide.split()[:6] == ["id", "published", "title", "authors", "source", "topics"]
    # One row per article starts with its id and date.
    assert len(re.findall(r"^\s+\d+  \d{4}-\d\d-\d\d ", wide, re.M)) == 4


def test_format_chooses_the_layout(long_kb: Invoke, monkeypatch: pytest.MonkeyPatch) -> None:
    compact = _screen(long_kb, monkeypatch, 200, "articles", "--format", "compact")
    assert "published" not in compact and TITLES[0] in compact
    # A table where the columns fit without cutting a word: at 100 columns they do
    # without the long slug.
    add(
        long_kb,
        "--title",
        "Texas chip plant breaks ground",
        "--date",
        "2025-11-03",
        "--topic",
        "texas",
    )
    table = _screen(long_kb, monkeypatch, 100, "articles", "--format", "table", "--topic", "texas")
    assert table.split()[:3] == ["id", "published", "title"], table
    # Where they cannot (the long slug in 80 columns), compact rather than cut.
    squeezed = _screen(long_kb, monkeypatch, 80, "articles", "--format", "table")
    assert "published" not in squeezed and LONG_SLUG in squeezed
    topics = _screen(long_kb, monkeypatch, 200, "topics", "--format", "compact")
    assert "also known as NC reshoring" in topics and "articles" in topics
    bad = long_kb("articles", "--format", "grid")
    assert bad.exit_code == 2 and "grid" in bad.output


def test_stats_shows_every_year_of_the_span(
    long_kb: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    per_year = json.loads(ok(long_kb("stats", "--json")).stdout)["per_year"]
    assert per_year == [[str(y), {2019: 1, 2022: 1, 2025: 2}.get(y, 0)] for y in range(2019, 2026)]
    for width in WIDTHS:
        out = _screen(long_kb, monkeypatch, width, "stats")
        rows = re.findall(r"^ (\d{4}) (\S*)\s+(\d+)$", out, re.M)
        assert [r[0] for r in rows] == [str(y) for y in range(2019, 2026)], out
        assert [int(r[2]) for r in rows] == [1, 0, 0, 1, 0, 0, 2]
        # No bar (not even a sliver) for a year without articles; a small count
        # still gets one, and the counts stay in one column.
        assert [bool(r[1]) for r in rows] == [True, False, False, True, False, False, True], out
        years = re.findall(r"^ \d{4} .*$", out, re.M)
        assert len({len(line) for line in years}) == 1, out


@pytest.mark.parametrize("width", WIDTHS)
def test_stats_bars_are_scaled_to_the_width(
    long_kb: Invoke, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    out = _screen(long_kb, monkeypatch, width, "stats")
    longest_bar = max(len(m) for m in re.findall("█+", out))
    assert longest_bar == min(40, width - len(" 2025  2")), out


@pytest.mark.parametrize("width", (50, 80))
def test_one_long_slug_does_not_push_every_label_off_its_bar(
    long_kb: Invoke, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    out = _screen(long_kb, monkeypatch, width, "stats")
    per_topic = out.split("Articles per topic", 1)[1].split("\n\n", 1)[0]
    # The long slug has a line of its own, its bar under it; the short slugs
    # keep theirs beside them, bars in one column.
    assert re.search(rf"^ {LONG_SLUG[:20]}", per_topic, re.M), per_topic
    beside = re.findall(r"^ ([a-z-]+) +[█▌▏]", per_topic, re.M)
    assert sorted(beside) == [MAIN, "skilled-workforce-gap"], per_topic
    columns = {
        line.index(next(c for c in line if c in "█▌▏"))
        for line in per_topic.splitlines()
        if any(c in line for c in "█▌▏")
    }
    assert len(columns) == 1, per_topic


def test_hostile_titles_stay_literal_in_the_compact_listing(
    mfgkb: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    add(mfgkb, "--title", "[bold red]loud[/] \x1b[31mred", "--date", "2025-01-01")
    out: Any = _screen(mfgkb, monkeypatch, 50, "articles")
    assert "[bold red]loud[/]" in out and "\\x1b[31mred" in out and "\x1b" not in out


def test_in_colour_each_part_of_an_entry_has_its_own_style(
    long_kb: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The id is dim and the title bold (not bold and dim: the id's style stays with the id)."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    out = _screen(long_kb, monkeypatch, 80, "articles")
    assert "\x1b[1mTennessee battery-materials" in out, repr(out[:300])
    assert "\x1b[32m2025-03-04\x1b[0m · \x1b[3mDana Ruiz" in out, repr(out[:600])


def test_a_url_that_fits_the_line_is_never_cut(
    mfgkb: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "https://www.example.com/news/2025/manufacturing"  # 47: fits 50, not the column
    article = add(mfgkb, "--title", "A report", "--date", "2025-01-01", "--url", url)
    lines = _screen(mfgkb, monkeypatch, 50, "article", str(article)).splitlines()
    assert url in lines
    assert lines[lines.index(url) - 1].strip() == "url"
    short = "https://example.com/a"
    other = add(mfgkb, "--title", "B report", "--date", "2025-01-01", "--url", short)
    text = _screen(mfgkb, monkeypatch, 50, "article", str(other))
    assert f"url          {short}" in text  # beside its label where it fits


def test_an_articles_number_stays_with_the_last_word_of_its_title(
    mfgkb: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    for width in range(40, 61):
        lines = _screen(mfgkb, monkeypatch, width, "show", MAIN).splitlines()
        assert not any(line.strip().startswith("#") for line in lines), width


@pytest.mark.parametrize("width", (30, 40))
def test_a_number_in_the_stats_summary_stays_with_its_noun(
    long_kb: Invoke, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    out = _screen(long_kb, monkeypatch, width, "stats")
    summary = out.split("\n\n", 1)[0].splitlines()
    assert len(summary) > 1, out  # it does wrap at this width
    assert not any(re.search(r"\d$", line) for line in summary), summary
    assert not any(re.match(r"(articles?|topics?|authors?|tags?)\b", line) for line in summary)
    assert "\u00a0" not in out  # the glue is printed as a space


def test_a_mistyped_year_does_not_fill_the_chart_with_empty_years(
    mfgkb: Invoke, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 0225 for 2025: 1,800 years between, which stats listed one by one.
    add(mfgkb, "--title", "Typo year", "--date", "0225-01-01")
    per_year = json.loads(ok(mfgkb("stats", "--json")).stdout)["per_year"]
    assert per_year == [["0225", 1], ["2025", 1]]
    assert len(_screen(mfgkb, monkeypatch, 80, "stats").splitlines()) < 40
