"""Export formats (``mfgkb.formats``): dump/undump, JSON Lines, CSV, BibTeX, Markdown.

Records are built by hand, so these tests need no database and run in well
under a second. What each format is for decides what is checked: the dump must
come back equal, JSON Lines and CSV must come back through ``mfgkb.importer``,
BibTeX must keep LaTeX's special characters from breaking an entry, and the
Markdown page must show text from the data as text (checked with markdown-it,
the CommonMark parser Rich already depends on, when it is installed).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfgkb.errors import ImportFileError
from mfgkb.formats.bibtex import write as write_bibtex
from mfgkb.formats.csv import CSV_COLUMNS
from mfgkb.formats.csv import write as write_csv
from mfgkb.formats.dump import dump, is_dump, undump
from mfgkb.formats.jsonl import write as write_jsonl
from mfgkb.formats.markdown import long_date, topic_markdown
from mfgkb.formats.reading import read_rows
from mfgkb.formats.rows import Row
from mfgkb.importer import RowConverter, parse_rows
from mfgkb.models import Article, Figure, KeyTerm, Topic
from mfgkb.results import TopicPage
from mfgkb.seed import load_seed

STAMP = "2026-01-01T00:00:00Z"


# -- fixtures built by hand ----------------------------------------------------------


def make_topics() -> list[Topic]:
    return [
        Topic(
            slug="gujarat-chemical-industry",
            title="Gujarat chemical industry",
            aliases=["ગુજરાત રસાયણ", "Gujarat chemicals"],
            summary=(
                "Polymers from **Gujarat** — \u2018Ünïcödé\u2019 and emoji 🏭.\n\nSecond paragraph."
            ),
            key_terms=[
                KeyTerm("PLI", "Production Linked Incentive.", "production-linked-incentive"),
                KeyTerm("Polymer", "A long-chain molecule."),
            ],
            figures=[
                Figure("Share of India's chemicals", "about 33%", 2023, "GIDC"),
                Figure("Plants", "many"),
            ],
            related=["production-linked-incentive"],
            created=STAMP,
            updated=STAMP,
        ),
        Topic(slug="texas", title="Texas", created=STAMP, updated=STAMP),
    ]


def make_articles() -> list[Article]:
    # Given out of id order: the dump sorts them.
    return [
        Article(
            id=5,
            title='Chips, "fabs" and\nworkers: Texas\u2019s 2025',
            published=date(2025, 10, 10),
            authors=["Ana Núñez", "李明"],
            description="Line one.\nLine two, with a comma; and “quotes”.",
            url="https://example.com/chips?x=1,2",
            topics=["texas"],
            tags=["semiconductors", "workforce"],
            source="The Texas Tribune",
            added=STAMP,
        ),
        Article(id=2, title="Plain", published=date(2024, 1, 31), added=STAMP),
        Article(
            id=3,
            title="Polymers for parts",
            published=date(2025, 2, 3),
            authors=["Ravi Shah"],
            topics=["gujarat-chemical-industry"],
            tags=["chemicals"],
            added=STAMP,
        ),
    ]


def assert_one_sentence(message: str) -> None:
    assert message[0].isupper(), message
    assert message.endswith("."), message
    assert "\n" not in message, message
    assert "Traceback" not in message and "KeyError" not in message, message


# -- dump / undump -------------------------------------------------------------------


def test_dump_shape_and_order() -> None:
    topics, articles = make_topics(), make_articles()
    data = dump(topics, articles, 6)
    assert list(data) == ["format", "version", "next_article_id", "topics", "articles"]
    assert (data["format"], data["version"], data["next_article_id"]) == ("mfgkb-dump", 1, 6)
    assert [t["slug"] for t in data["topics"]] == ["gujarat-chemical-industry", "texas"]
    assert [a["id"] for a in data["articles"]] == [2, 3, 5]
    assert data["articles"][0] == make_articles()[1].to_json()
    assert is_dump(data)


def test_dump_round_trip_through_json_text() -> None:
    topics, articles = make_topics(), make_articles()
    text = json.dumps(dump(topics, articles, 6), ensure_ascii=False)
    got_topics, got_articles, next_id = undump(json.loads(text))
    assert got_topics == topics
    assert got_articles == sorted(articles, key=lambda a: a.id)
    assert next_id == 6
    assert "ગુજરાત" in got_topics[0].aliases[0] and "🏭" in got_topics[0].summary
    assert dump(got_topics, got_articles, next_id) == json.loads(text)


def test_undump_of_an_empty_knowledge_base() -> None:
    assert undump(dump([], [], 1)) == ([], [], 1)


def test_is_dump() -> None:
    assert not is_dump([{"title": "x"}])
    assert not is_dump({"articles": []})
    assert not is_dump({"format": "something-else"})
    assert is_dump({"format": "mfgkb-dump"})  # a broken dump is still a dump: undump says why


def _good() -> dict[str, Any]:
    return dump(make_topics(), make_articles(), 6)


def _with(path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    """A good dump with one value replaced (or removed, for ``...``)."""
    data = _good()
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ([], "is not an mfgkb dump"),
        ({"format": "mfgkb-backup", "version": 1}, "is not an mfgkb dump"),
        (_with(("version",), 2), "version 2, but this mfgkb reads only version 1"),
        (_with(("version",), True), "version true"),
        (_with(("version",), ...), "version null"),
        (_with(("topics",), ...), "has no 'topics' key"),
        (_with(("next_article_id",), ...), "has no 'next_article_id' key"),
        (_with(("articles",), {"1": {}}), "'articles' is an object, not a list"),
        (_with(("topics", 1), "texas"), "Topic record 2 in the dump is not valid: it is a string"),
        (_with(("topics", 1, "title"), ...), "Topic record 2 ('texas') in the dump is not valid: "),
        (_with(("topics", 1, "slug"), "Not A Slug"), "('Not A Slug')"),
        (_with(("topics", 0, "aliases"), "x, y"), "its 'aliases' is a string, not a list"),
        (_with(("topics", 0, "figures", 1, "year"), "2020"), "'year' of its figure 2 is a string"),
        (_with(("topics", 0, "key_terms", 0, "term"), ...), "its key term 1 has no 'term'"),
        (_with(("topics", 1, "title"), "   "), "the topic title is empty"),
        (_with(("topics", 1, "slug"), "gujarat-chemical-industry"), "repeats the slug"),
        (_with(("articles", 0, "id"), True), "Article record 1 in the dump is not valid: its 'id'"),
        (_with(("articles", 0, "id"), 0), "Article record 1 (id 0) in the dump is not valid"),
        (_with(("articles", 1, "id"), 2), "Article record 2 (id 2) in the dump repeats the id"),
        (_with(("articles", 2, "published"), "2025-13-01"), "'2025-13-01' is not a YYYY-MM-DD"),
        (_with(("articles", 2, "published"), ...), "Article record 3 (id 5)"),
        (_with(("articles", 2, "url"), "javascript:alert(1)"), "is not an http(s) URL"),
        (_with(("articles", 2, "authors"), [1]), "its 'authors' holds something other than str"),
        (_with(("next_article_id",), 5), "next_article_id (5) is not a whole number greater"),
        (_with(("next_article_id",), "6"), 'next_article_id ("6")'),
    ],
)
def test_undump_refuses_with_one_sentence(data: Any, expected: str) -> None:
    with pytest.raises(ImportFileError) as info:
        undump(data)
    assert expected in info.value.message
    assert_one_sentence(info.value.message)


# -- JSON Lines ----------------------------------------------------------------------


def test_jsonl_one_record_per_line_in_to_json_order() -> None:
    articles = make_articles()
    out = io.StringIO()
    write_jsonl(articles, out)
    text = out.getvalue()
    assert text.endswith("\n") and text.count("\n") == len(articles)
    assert "Núñez" in text and "李明" in text  # ensure_ascii=False
    for line, article in zip(text.splitlines(), articles, strict=True):
        record = json.loads(line)
        assert record == article.to_json()
        assert list(record) == list(article.to_json())


def test_jsonl_keeps_unicode_line_separators_inside_their_record() -> None:
    article = replace(make_articles()[1], title="a\u2028b\u2029c\x85d")
    out = io.StringIO()
    write_jsonl([article, article], out)
    lines = out.getvalue().splitlines()  # splitlines() breaks at U+2028 when it is raw
    assert len(lines) == 2
    assert json.loads(lines[0])["title"] == "a\u2028b\u2029c\x85d"


def test_jsonl_imports_back(tmp_path: Path) -> None:
    articles = make_articles()
    path = tmp_path / "articles.jsonl"
    with path.open("w", encoding="utf-8", newline="") as fh:
        write_jsonl(articles, fh)
    parsed = parse_rows(read_rows(path, None), RowConverter({}))
    assert parsed.invalid == []
    assert [strip_ids(d) for _, d in parsed.drafts] == [strip_ids(a) for a in articles]


# -- CSV -----------------------------------------------------------------------------


def strip_ids(a: Article) -> Article:
    """What an import can give back: no id, no added stamp (both are the store's)."""
    return replace(a, id=0, added="")


def csv_text(articles: list[Article]) -> str:
    out = io.StringIO()
    write_csv(articles, out)
    return out.getvalue()


def test_csv_header_rows_and_quoting() -> None:
    articles = make_articles()
    text = csv_text(articles)
    assert text.startswith("id,title,authors,published,added,description,url,topics,tags,source\n")
    assert "\r" not in text
    assert "2,Plain,,2024-01-31,2026-01-01T00:00:00Z,,,,,\n" in text
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [tuple(r) for r in rows] == [CSV_COLUMNS] * 3
    first = rows[0]
    assert first["id"] == "5"
    assert first["title"] == 'Chips, "fabs" and\nworkers: Texas\u2019s 2025'
    assert first["authors"] == "Ana Núñez; 李明"
    assert first["url"] == "https://example.com/chips?x=1,2"
    assert first["topics"] == "texas"
    assert first["tags"] == "semiconductors; workforce"
    assert first["description"] == articles[0].description
    assert rows[1]["url"] == "" and rows[1]["authors"] == ""


def test_csv_rows_convert_back_with_the_importer() -> None:
    articles = make_articles()
    reader = csv.DictReader(io.StringIO(csv_text(articles), newline=""))
    converter = RowConverter({})
    drafts = [converter.convert(Row(n, dict(record))) for n, record in enumerate(reader, 2)]
    assert drafts == [strip_ids(a) for a in articles]


def test_csv_imports_back_from_a_file(tmp_path: Path) -> None:
    # Through read_rows, which sniffs the dialect from the first 8 KiB.
    articles = [
        *make_articles(),
        *(
            Article(i, f"Story {i}", date(2025, 1, i), ["Al Bo"], 'He said "yes".', source="AP")
            for i in range(10, 20)
        ),
    ]
    path = tmp_path / "articles.csv"
    path.write_text(csv_text(articles), encoding="utf-8")
    parsed = parse_rows(read_rows(path, None), RowConverter({}))
    assert parsed.invalid == []
    assert [d for _, d in parsed.drafts] == [strip_ids(a) for a in articles]


def test_csv_with_a_quoted_word_and_a_comma_imports_back(tmp_path: Path) -> None:
    article = Article(1, 'The "Made in USA" label, explained', date(2025, 1, 2), ["Bo Li"])
    path = tmp_path / "one.csv"
    path.write_text(csv_text([article]), encoding="utf-8")
    parsed = parse_rows(read_rows(path, None), RowConverter({}))
    assert [d for _, d in parsed.drafts] == [strip_ids(article)]


def test_csv_author_names_with_separators_do_not_survive() -> None:
    # Documented in write_csv: the importer splits the authors column on , ; & "and".
    article = Article(1, "T", date(2025, 1, 2), ["Smith, Jr.", "Procter & Gamble", "AP"])
    reader = csv.DictReader(io.StringIO(csv_text([article]), newline=""))
    draft = RowConverter({}).convert(Row(2, next(reader)))
    assert draft.authors == ["Smith", "Jr.", "Procter", "Gamble"]
    assert draft.source == "AP"


# -- BibTeX --------------------------------------------------------------------------


def bibtex(articles: list[Article]) -> str:
    out = io.StringIO()
    write_bibtex(articles, out)
    return out.getvalue()


SPECIAL = Article(
    id=7,
    title="Chips & R&D: 50% of the $52 billion",
    published=date(2025, 3, 4),
    authors=["José Núñez", "Procter and Gamble"],
    description="Costs #1_2 ~ {x} ^ \\\nnext line",
    url="https://example.com/a?b=1#c",
    topics=["chips-act"],
    tags=["r-and-d", "policy"],
    source="Tom's Hardware",
)


def test_bibtex_entry_exact_text() -> None:
    assert bibtex([SPECIAL]) == (
        "@article{nunez2025chips,\n"
        "  title = {{Chips} \\& {R}\\&{D}: 50\\% of the \\$52 billion},\n"
        "  author = {José Núñez and {Procter and Gamble}},\n"
        "  date = {2025-03-04},\n"
        "  year = {2025},\n"
        "  journaltitle = {Tom's Hardware},\n"
        "  url = {https://example.com/a?b=1#c},\n"
        "  keywords = {r-and-d, policy},\n"
        "  abstract = {Costs \\#1\\_2 \\textasciitilde{} \\textbraceleft{}x\\textbraceright{} "
        "\\textasciicircum{} \\textbackslash{} next line}\n"
        "}\n"
    )


def test_bibtex_online_entry_without_source_and_empty_fields_left_out() -> None:
    article = Article(1, "The CHIPS Act, explained", date(2024, 12, 1), url="https://x.org/{a}")
    assert bibtex([article]) == (
        "@online{anon2024chips,\n"
        "  title = {{The} {CHIPS} {Act}, explained},\n"
        "  date = {2024-12-01},\n"
        "  year = {2024},\n"
        "  url = {https://x.org/%7Ba%7D}\n"
        "}\n"
    )


def test_bibtex_keeps_control_characters_and_squashes_only_whitespace() -> None:
    """Controls are data (a terminal gets them escaped by the command line, not here)."""
    article = Article(1, "a\x07b \x1b[1m \x9bc\u202e \x1fd\x85e\x00", date(2024, 1, 2))
    article = replace(article, description="one\n\n two\t\x7fthree ")
    text = bibtex([article])
    assert "  title = {a\x07b \x1b[1m \x9bc\u202e \x1fd\x85e\x00},\n" in text
    assert "  abstract = {one two \x7fthree}\n" in text


def test_bibtex_keys_are_unique() -> None:
    base = Article(0, "Go far", date(2025, 1, 1), ["Jane Doe"])
    articles = [
        replace(base, id=1),
        replace(base, id=2),
        replace(base, id=3, title="Goa trip"),  # its plain key is the second one's suffixed key
        replace(base, id=4, authors=["Doe, Jane"], title="A go-kart"),
        replace(base, id=5, authors=["John Doe Jr."], title="Ünder way"),
    ]
    text = bibtex(articles)
    keys = [line.split("{", 1)[1].rstrip(",") for line in text.splitlines() if line[:1] == "@"]
    assert keys == ["doe2025go", "doe2025goa", "doe2025goaa", "doe2025gob", "doe2025under"]
    assert text.count("\n\n@") == 4  # entries separated by one blank line


def test_bibtex_braces_balance_whatever_the_text() -> None:
    # BibTeX counts every brace, backslash or not: one unbalanced field ends the file.
    nasty = replace(SPECIAL, title="}{ \\} {{ %", description="}}}", authors=["{A} and }B{"])
    text = bibtex([nasty])
    fields = text.splitlines()[1:-1]
    assert len(fields) == 8
    for line in fields:
        depth = 0
        for char in line:
            depth += {"{": 1, "}": -1}.get(char, 0)
            assert depth >= 0, line
        assert depth == 0, line
    assert "{\\textbraceright{}\\textbraceleft{} \\textbackslash{}\\textbraceright{}" in text


def test_bibtex_parses_with_bibtexparser() -> None:
    bibtexparser = pytest.importorskip("bibtexparser")
    articles = [SPECIAL, *make_articles()]
    library = bibtexparser.parse_string(bibtex(articles))
    assert library.failed_blocks == []
    assert [e.entry_type for e in library.entries] == ["article", "article", "online", "online"]
    fields = {f.key: f.value for f in library.entries[1].fields}
    assert fields["author"] == "Ana Núñez and 李明"
    assert fields["title"] == '{Chips}, "fabs" and workers: {Texas}\u2019s 2025'


# -- Markdown ------------------------------------------------------------------------


def small_page() -> TopicPage:
    topic = Topic(
        slug="widgets",
        title="Widgets & Gadgets",
        aliases=["gizmos", "doo-dads"],
        summary="Widgets are **small** parts.\n\nThey come in $1 and $2 sizes.\n",
        key_terms=[
            KeyTerm("Gizmo", "A small widget.", "gizmos"),
            KeyTerm("Sprocket", "A toothed wheel.", "sprockets"),  # no such topic: no link
            KeyTerm("Cog", ""),
        ],
        figures=[Figure("Plants", "12", 2024), Figure("Output", "$5 billion")],
        related=["gizmos", "gone"],
    )
    older = Article(1, "Old news", date(2024, 3, 5), ["Ann Lee"], "First.", source="Daily")
    newer = Article(2, "New news", date(2025, 10, 10), ["Bo Li", "Cy Ma"], url="https://e.com/n")
    return TopicPage(
        topic,
        related=[("gizmos", "Gizmos"), ("gone", None)],
        term_topics={"gizmos"},
        articles=[newer, older],  # in the order the command chose (--sort)
        total_articles=3,
    )


def test_markdown_exact_document() -> None:
    assert topic_markdown(small_page()) == (
        "# Widgets & Gadgets\n"
        "\n"
        "Also known as: gizmos, doo-dads\n"
        "\n"
        "Widgets are **small** parts.\n"
        "\n"
        "They come in $1 and $2 sizes.\n"
        "\n"
        "## Key terms\n"
        "\n"
        "- **[Gizmo](gizmos.md)**: A small widget.\n"
        "- **Sprocket**: A toothed wheel.\n"
        "- **Cog**\n"
        "\n"
        "## Figures\n"
        "\n"
        "| Figure | Value | Year |\n"
        "| --- | --- | --- |\n"
        "| Plants | 12 | 2024 |\n"
        "| Output | $5 billion |  |\n"
        "\n"
        "## Related topics\n"
        "\n"
        "- [Gizmos](gizmos.md)\n"
        "- gone\n"
        "\n"
        "## Articles\n"
        "\n"
        "- **[New news](https://e.com/n)** — Bo Li, Cy Ma, 10 October 2025.\n"
        "- **Old news** — Ann Lee, Daily, 5 March 2024. First.\n"
        "\n"
        "And 1 more article.\n"
    )


def test_markdown_leaves_out_empty_sections() -> None:
    page = TopicPage(
        Topic("bare", "Bare"), related=[], term_topics=set(), articles=[], total_articles=0
    )
    assert topic_markdown(page) == "# Bare\n"


def test_long_date() -> None:
    assert [long_date(date(2025, 10, 10)), long_date(date(2024, 3, 5))] == [
        "10 October 2025",
        "5 March 2024",
    ]


HOSTILE = "A *b* _c_ [d](e) | f `g` <h> # i ~j~ &amp; \\ k\nnext"


def hostile_page() -> TopicPage:
    topic = Topic(
        slug="hostile",
        title=HOSTILE,
        aliases=[HOSTILE],
        key_terms=[KeyTerm(HOSTILE, HOSTILE, "hostile-term")],
        figures=[Figure(HOSTILE, HOSTILE, 2020, HOSTILE)],
    )
    article = Article(
        1,
        HOSTILE,
        date(2025, 1, 2),
        [HOSTILE],
        HOSTILE,
        url="https://e.com/a_(b)<c>",
        source=HOSTILE,
    )
    return TopicPage(
        topic,
        related=[("other", HOSTILE)],
        term_topics={"hostile-term"},
        articles=[article],
        total_articles=1,
    )


def test_markdown_escapes_text_from_the_data() -> None:
    text = topic_markdown(hostile_page())
    escaped = r"A \*b\* \_c\_ \[d\](e) | f \`g\` \<h\> \# i \~j\~ \&amp; \\ k next"
    assert text.startswith(f"# {escaped}\n\nAlso known as: {escaped}\n\n")
    assert f"- **[{escaped}](hostile-term.md)**: {escaped}\n" in text
    cell = escaped.replace("|", "\\|")
    assert f"| {cell} | {cell} | 2020 | {cell} |\n" in text
    assert f"- [{escaped}](other.md)\n" in text
    assert f"- **[{escaped}](https://e.com/a_%28b%29%3Cc%3E)** — {escaped}, {escaped}, " in text
    assert text.endswith(f"2 January 2025. {escaped}\n")
    assert "\n\n\n" not in text and not text.endswith("\n\n")


def test_markdown_link_only_for_web_addresses() -> None:
    page = small_page()
    page = page._replace(articles=[replace(page.articles[-1], url="javascript:alert(1)")])
    assert "- **Old news** — Ann Lee" in topic_markdown(page)


def test_markdown_structure_survives_a_commonmark_parser() -> None:
    markdown_it = pytest.importorskip("markdown_it")
    md = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
    tokens = md.parse(topic_markdown(hostile_page()))
    kinds = [t.type for t in tokens if t.type.endswith("_open") and t.level == 0]
    assert kinds == [
        "heading_open",
        "paragraph_open",  # also known as
        "heading_open",  # key terms
        "bullet_list_open",
        "heading_open",  # figures
        "table_open",
        "heading_open",  # related
        "bullet_list_open",
        "heading_open",  # articles
        "bullet_list_open",
    ]
    heading = tokens[1]
    assert heading.content and heading.children is not None
    shown = "".join(c.content for c in heading.children)
    assert shown == " ".join(HOSTILE.split())
    assert {c.type for c in heading.children} == {"text"}
    assert sum(1 for t in tokens if t.type == "td_open") == 4  # "|" kept in its cell
    cells = [t for prev, t in itertools.pairwise(tokens) if prev.type == "td_open"]
    shown_cells = ["".join(c.content for c in t.children or []) for t in cells]
    flat = " ".join(HOSTILE.split())
    assert shown_cells == [flat, flat, "2020", flat]
    links = [c.attrGet("href") for t in tokens for c in t.children or [] if c.type == "link_open"]
    assert links == ["hostile-term.md", "other.md", "https://e.com/a_%28b%29%3Cc%3E"]


@settings(max_examples=300, deadline=None)
# NUL is left out: CommonMark shows it as U+FFFD whatever is done to it.
@given(
    st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\0"),
        max_size=40,
    )
)
def test_markdown_inline_text_is_shown_as_written(text: str) -> None:
    """Any text, as a heading, a table cell and a bold list item, shows as itself."""
    markdown_it = pytest.importorskip("markdown_it")
    md = markdown_it.MarkdownIt("commonmark").enable(["table", "strikethrough"])
    flat = " ".join(text.split())
    if not flat:
        return
    topic = Topic("t", flat, figures=[Figure(flat, "v")])
    article = Article(1, flat, date(2025, 1, 2), source="S")
    page = TopicPage(topic, related=[], term_topics=set(), articles=[article], total_articles=1)
    inlines = [t for t in md.parse(topic_markdown(page)) if t.type == "inline"]
    # Title, "Figures", 2 header cells, 2 body cells, "Articles", the list item.
    assert len(inlines) == 8, inlines
    heading, cell, item = inlines[0], inlines[4], inlines[7]
    for token in (heading, cell):
        assert {c.type for c in token.children or []} <= {"text"}, token.children
        assert "".join(c.content for c in token.children or []) == flat
    children = [c for c in item.children or [] if c.type != "text" or c.content]
    assert [c.type for c in children[:1]] == ["strong_open"], children
    end = next(i for i, c in enumerate(children) if c.type == "strong_close")
    assert {c.type for c in children[1:end]} <= {"text"}, children
    assert "".join(c.content for c in children[1:end]) == flat
    assert "".join(c.content for c in children[end + 1 :]) == " — S, 2 January 2025."


def test_markdown_of_the_seed_topic() -> None:
    topics, articles = load_seed(STAMP)
    by_slug = {t.slug: t for t in topics}
    topic = by_slug["advanced-manufacturing"]
    articles = [replace(a, id=n) for n, a in enumerate(articles, 1) if topic.slug in a.topics]
    terms = {k.topic for k in topic.key_terms if k.topic}
    page = TopicPage(
        topic,
        related=[(s, by_slug[s].title if s in by_slug else None) for s in topic.related],
        term_topics={s for s in terms if s in by_slug},
        articles=articles,
        total_articles=len(articles),
    )
    text = topic_markdown(page)
    assert text.startswith("# Advanced manufacturing\n")
    assert "Also known as: smart manufacturing" in text
    assert "## Key terms" in text
    assert "- **[Tennessee](tennessee.md)**: US manufacturing hub" in text
    assert "over $2.5 trillion" in text
    assert "## Related topics" in text
    assert "- [CHIPS Act](chips-act.md)" in text
    assert "## Articles\n\n- **Is the US Still the Global Manufacturing Leader?** — " in text
    assert "10 October 2025." in text
    assert text.endswith(".\n") and not text.endswith("\n\n")


def test_bibtex_braces_names_bibtex_would_misread() -> None:
    article = Article(1, "T", date(2025, 1, 2), ["Ben and Jerry", "A, B, C, D", "Doe, Jane"])
    assert "  author = {{Ben and Jerry} and {A, B, C, D} and Doe, Jane},\n" in bibtex([article])
