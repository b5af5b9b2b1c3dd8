"""The article table (``views.human.articles_table``, ``--format table``) built directly.

A long list is drawn by mfgkb's own renderer instead of Rich's table: it must
look exactly the same, and measure each cell at most once.
"""

from __future__ import annotations

from typing import Any

import pytest


def _many_articles(n: int) -> list[Any]:
    from datetime import date

    from mfgkb.models import Article

    words = ["fab", "Semiconductor", "Supercalifragilisticexpialidocious", "chip", "東京工場", "a"]
    return [
        Article(
            i,
            " ".join(words[(i + k) % len(words)] for k in range(i % 17 + 1)),
            date(2020 + i % 6, i % 12 + 1, i % 28 + 1),
            [f"Author {i % 7}", "Dana Ruiz"][: i % 3],
            source="Industry Weekly" if i % 4 else "",
            topics=["texas", "chips-act"][: i % 3],
        )
        for i in range(1, n + 1)
    ]


def _table_text(
    articles: list[Any], total: int, width: int, color: bool = False, layout: str = "table"
) -> str:
    import io

    from rich.console import Console

    from mfgkb.results import ArticleList
    from mfgkb.views import human

    out = io.StringIO()
    target = Console(
        file=out, width=width, force_terminal=color, color_system="standard" if color else None
    )
    target.print(human.articles_table(ArticleList(articles, total), layout))
    return out.getvalue()


@pytest.mark.parametrize("width", [92, 120, 200])
def test_long_article_list_looks_like_a_short_one(
    width: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mfgkb.views import listings

    articles = _many_articles(60)
    monkeypatch.setattr(listings, "LONG_TABLE", 10**9)
    by_rich = _table_text(articles, 70, width)
    assert by_rich.split()[:3] == ["id", "published", "title"]  # the table, not compact
    monkeypatch.setattr(listings, "LONG_TABLE", 0)
    assert _table_text(articles, 70, width) == by_rich
    coloured = _table_text(articles, 70, width, color=True)
    assert "\x1b[" in coloured and "Showing 60 of 70" in coloured


def test_long_article_list_measures_each_cell_at_most_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """10,000 rows took 10 s: Rich measured and wrapped every cell several times."""
    from rich.measure import Measurement
    from rich.text import Text

    calls = {"measure": 0, "wrap": 0}
    measure, wrap = Measurement.get, Text.wrap

    def counted_measure(*args: Any, **kwargs: Any) -> Any:
        calls["measure"] += 1
        return measure(*args, **kwargs)

    def counted_wrap(*args: Any, **kwargs: Any) -> Any:
        calls["wrap"] += 1
        return wrap(*args, **kwargs)

    monkeypatch.setattr(Measurement, "get", staticmethod(counted_measure))
    monkeypatch.setattr(Text, "wrap", counted_wrap)
    articles = _many_articles(2_000)
    for layout in ("table", "compact"):
        text = _table_text(articles, 2_000, 92, layout=layout)
        assert text.count("Industry") >= 1_000
    # Rich's own table: about 2 measures and 2 wraps a cell, 6 cells a row.
    assert calls["measure"] < 100, calls
    assert calls["wrap"] <= 4 * len(articles), calls  # (compact wraps no Text)
