"""Reading feeds, BibTeX files and Markdown notes into import rows (``mfgkb.formats``).

The samples in ``tests/data/sources`` are hand-written with what real exports
carry: an RSS 2.0 feed (dc:creator lists, an author e-mail, HTML in CDATA and
escaped, a story dated in the evening in New York, an item without a date), an
Atom feed (several authors, ``updated`` only, HTML content, a partial date), a
BibTeX file (LaTeX accents and braces, @string macros, a month macro, a DOI
only, a malformed entry) and a folder of notes (nested, a YAML date, a title
from the heading, bad YAML, a hidden .trash folder).

Each reader's rows are compared whole, then pushed through
``RowConverter({}).convert`` as the importer does.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from helpers import TEST_DATA, rss_feed, write
from mfgkb.errors import ImportFileError, MfgkbError
from mfgkb.formats import bibtex, detect
from mfgkb.formats.bibtex import read as read_bibtex
from mfgkb.formats.feed import read as read_feed
from mfgkb.formats.markdown import markdown_notes
from mfgkb.formats.markdown import read as read_markdown_dir
from mfgkb.formats.rows import AnyRow, BadRow, Row
from mfgkb.formats.text import html_to_text
from mfgkb.importer import RowConverter

DATA = TEST_DATA / "sources"
RSS = DATA / "industry-news.rss"
ATOM = DATA / "nist-updates.atom"
BIB = DATA / "papers.bib"
NOTES = DATA / "notes"


def rows(found: Any) -> list[tuple[int, dict[str, Any]] | BadRow]:
    """Each row as (line, data), each bad row as it is."""
    return [(row.line, row.data) if isinstance(row, Row) else row for row in found]


def convert(found: list[AnyRow]) -> dict[int, Any]:
    """line -> the Article, or the reason the importer would give for the row."""
    converter = RowConverter({})
    out: dict[int, Any] = {}
    for row in found:
        try:
            out[row.line] = converter.convert(row)
        except MfgkbError as err:
            out[row.line] = err.message
    return out


# -- feeds ---------------------------------------------------------------------------

RSS_ROWS = [
    (
        1,
        {
            "title": "Cobots move from pilot lines to full production",
            "authors": ["Jane Doe", "John Roe"],
            # 21:30 at -05:00: the publisher's day, not the UTC one (June 11).
            "published": "2025-06-10",
            "description": "Collaborative robots are leaving the pilot stage at mid-size "
            "plants — and a new survey says 41% plan more. Integrators report wait times "
            "of six months.",
            "url": "https://news.example.com/2025/06/cobots-full-production?utm_source=rss",
            "tags": ["Robotics", "Supply Chain"],
            "source": "Manufacturing Daily",
        },
    ),
    (
        2,
        {
            "title": "Steel tariffs: what buyers need to know & when",
            "authors": ["Sam Lee"],
            "published": "2025-06-09",
            "description": "Import duties rise to 50% on June 4. Here is who pays.",
            "url": "https://news.example.com/2025/06/steel-tariffs-explainer",
            "tags": ["Policy"],
            "source": "Manufacturing Daily",
        },
    ),
    (
        3,
        {
            "title": "Webinar: Digital twins for small shops",
            "authors": ["Mfg Daily Staff"],
            "description": "Register for the free session.",
            "url": "https://news.example.com/events/digital-twins-webinar",
            "source": "Manufacturing Daily",
        },
    ),
    (
        4,
        {
            "title": "Ohio battery plant adds 600 jobs",
            "authors": ["Carla K. Johnson"],  # ", AP" is a credit, not a person
            "published": "2025-06-08",
            "description": "The plant in Lordstown will build cells for electric trucks.",
            "url": "https://news.example.com/2025/06/ohio-battery-plant",
            "tags": ["Batteries", "robotics"],
            "source": "Manufacturing Daily",
        },
    ),
]

ATOM_ROWS = [
    (
        1,
        {
            "title": "A reference architecture for digital twins",
            "authors": ["Ana Ruiz", "Tomás Varga", "Li Wei"],
            "published": "2025-03-03",
            "description": "The report defines five layers of a twin, from sensors to "
            "decisions. Open data models Test beds Comments close April 30.",
            "url": "https://labs.example.gov/news/2025/03/digital-twin-architecture",
            "tags": ["digital-twins", "standards"],
            "source": "NIST Manufacturing Updates",
        },
    ),
    (
        2,
        {
            "title": "Measuring residual stress in printed parts",
            "authors": ["Ana Ruiz"],
            "published": "2025-02-18",
            # type="text": "&amp;" and "&lt;" are decoded once, not twice.
            "description": "Yields rose 5% & scrap fell; costs stay < $2M a line.",
            "url": "https://labs.example.gov/news/2025/02/residual-stress",
            "source": "NIST Manufacturing Updates",
        },
    ),
    (
        3,
        {
            # No link: feedparser offers the urn: id as one, which is no web address.
            "title": "Annual report on advanced manufacturing",
            "authors": ["Office of Advanced Manufacturing"],
            "published": "2025-01",
            "description": "Summary of the year's programmes.",
            "source": "NIST Manufacturing Updates",
        },
    ),
]


def test_rss_rows() -> None:
    assert rows(read_feed(RSS)) == RSS_ROWS


def test_atom_rows() -> None:
    assert rows(read_feed(ATOM)) == ATOM_ROWS


def test_feeds_convert_to_articles() -> None:
    rss = convert(list(read_feed(RSS)))
    assert [rss[n].published for n in (1, 2, 4)] == [
        date(2025, 6, 10),
        date(2025, 6, 9),
        date(2025, 6, 8),
    ]
    assert rss[1].tags == ["robotics", "supply-chain"]
    assert rss[1].authors == ["Jane Doe", "John Roe"]
    assert rss[4].source == "Manufacturing Daily"
    assert rss[3] == "no publication date"

    atom = convert(list(read_feed(ATOM)))
    assert atom[1].title == "A reference architecture for digital twins"
    assert atom[1].published == date(2025, 3, 3)
    assert atom[2].url == "https://labs.example.gov/news/2025/02/residual-stress"
    assert "gives no day" in atom[3]  # "2025-01": partial dates are the converter's call


@pytest.mark.filterwarnings("error")  # feedparser warns when "updated" is read carelessly
def test_feed_dates_fall_back_to_feedparser(tmp_path: Path) -> None:
    feed = write(
        tmp_path / "odd.rss",
        """<rss version="2.0"><channel><title>Odd dates</title>
        <item><title>A</title><pubDate>2025-06-10T08:00:00Z</pubDate></item>
        <item><title>B</title><pubDate>10 June 2025</pubDate></item>
        <item><title>C</title><pubDate>not a date</pubDate></item>
        </channel></rss>""",
    )
    assert [row.data.get("published") for row in read_feed(feed)] == [
        "2025-06-10",
        "2025-06-10",
        "not a date",  # kept, so the invalid row's reason quotes it
    ]


@pytest.mark.parametrize(
    ("item", "title"),
    [
        (
            "<item><title>A &#xD800; b</title><link>https://example.com/2</link></item>",
            "A \ufffd b",
        ),
        (
            "<item><title>A &#x110000; b</title><link>https://example.com/2</link></item>",
            "A \ufffd b",
        ),
        (
            "<item><title>A &#99999999999999999999; b</title><link>https://example.com/2</link></item>",
            "A \ufffd b",
        ),
        ("<item><title>A &#0; b</title><link>https://example.com/2</link></item>", "A \ufffd b"),
        ("<item><title>A &#x41; b</title><link>https://example.com/2</link></item>", "A A b"),
    ],
)
def test_character_references_to_no_character_read_as_replacement(
    tmp_path: Path, item: str, title: str
) -> None:
    feed = write(tmp_path / "refs.rss", rss_feed(item))
    assert [row.data["title"] for row in read_feed(feed)] == [
        "Good one",
        title,
    ]


@pytest.mark.parametrize("encoding", ["punycode", "zlib", "base64", "no-such-encoding", "utf-8'"])
def test_a_declared_encoding_that_is_no_text_encoding_still_reads(
    tmp_path: Path, encoding: str
) -> None:
    feed = write(tmp_path / "enc.rss", rss_feed("", f'<?xml version="1.0" encoding="{encoding}"?>'))
    assert [row.data["title"] for row in read_feed(feed)] == ["Good one"]


def test_valid_feed_without_items_imports_nothing(tmp_path: Path) -> None:
    feed = write(
        tmp_path / "empty.xml",
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet</title></channel></rss>',
    )
    assert list(read_feed(feed)) == []


@pytest.mark.parametrize(
    "text",
    [
        "<html><head><title>News</title></head><body><p>Read our feed</p></body></html>",
        "this is not xml at all",
        "",
    ],
)
def test_not_a_feed_is_refused(tmp_path: Path, text: str) -> None:
    page = write(tmp_path / "news.xml", text)
    with pytest.raises(ImportFileError) as err:
        list(read_feed(page))
    assert str(err.value).startswith(f"{page} is not an RSS or Atom feed")
    assert str(err.value).endswith("save the feed's XML itself, not the web page that links to it.")


def test_missing_feed_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match=r"does not exist; check the path\.$"):
        list(read_feed(tmp_path / "nope.rss"))


def test_html_to_text() -> None:
    assert html_to_text("<p>One&amp;two</p><p>three<br/>four</p><style>p{}</style>") == (
        "One&two three four"
    )


# -- BibTeX --------------------------------------------------------------------------

BIB_ROWS = [
    (
        6,
        {
            "title": "The CHIPS Act and U.S. Semiconductor R&D",
            "authors": ["Hans Müller", "José García"],  # "and others" is not a person
            "published": "2023-05-17",
            "description": "We trace how the 2022 CHIPS and Science Act changed private R&D "
            "spending, using 1,200 firm filings.",
            # Verbatim: "%20" and "~" are not LaTeX here.
            "url": "https://example.org/papers/chips%20act~v2",
            "tags": ["semiconductors", "industrial policy", "CHIPS Act"],
            "source": "Journal of Manufacturing Systems",  # the @string macro
        },
    ),
    (
        20,
        {
            "title": "Options for a National Plan for Smart Manufacturing",
            "authors": ["National Academies of Sciences, Engineering, and Medicine"],
            "published": "2022",
            "source": "The National Academies Press",
        },
    ),
    (
        27,
        {
            "title": "Qualifying Additive Parts with in-situ Monitoring: A μCT Study",
            "authors": ["Chidi Okafor", "Søren Østergaard", "Adam Smith Jr."],
            "published": "2021-10",
            "source": "Proceedings of the Solid Freeform Fabrication Symposium",
        },
    ),
    (
        35,
        {
            "title": "Digital twins in practice",
            "authors": ["Jay Lee", "Behrad Bagheri"],
            "published": "2021-04-12",
            "url": "https://doi.org/10.1016/j.mfglet.2021.03.011",
            "source": "Manufacturing Letters",
        },
    ),
    BadRow(
        45,
        "@misc{broken2020 is not valid BibTeX (Unexpected block start: "
        "`@techreport`. Was still looking for field-value closing `}`); fix its braces "
        "and commas",
    ),
    (
        50,
        {
            "title": "Enabling Smart Manufacturing Research and Development",
            "authors": ["Moneer Helu", "Thomas Hedberg"],
            "published": "2019-09",
            "url": "https://doi.org/10.6028/NIST.AMS.100-25",
            "source": "National Institute of Standards and Technology",
        },
    ),
]


def test_bibtex_rows(capfd: pytest.CaptureFixture[str]) -> None:
    assert rows(read_bibtex(BIB)) == BIB_ROWS
    # bibtexparser logs the broken entry; it is a row, not noise on stderr.
    assert capfd.readouterr().err == ""


def test_bibtex_converts_to_articles() -> None:
    found = convert(list(read_bibtex(BIB)))
    chips, twins = found[6], found[35]
    assert (chips.published, chips.authors) == (date(2023, 5, 17), ["Hans Müller", "José García"])
    assert chips.tags == ["semiconductors", "industrial-policy", "chips-act"]
    assert (twins.published, twins.url) == (
        date(2021, 4, 12),
        "https://doi.org/10.1016/j.mfglet.2021.03.011",
    )
    assert found[45].startswith("@misc{broken2020 is not valid BibTeX")
    assert all("gives no day" in found[n] for n in (20, 27, 50))


def test_bibtex_dates_and_doi_forms(tmp_path: Path) -> None:
    bib = write(
        tmp_path / "dates.bib",
        """@misc{a, title = {A}, date = {2024-03-05/2024-03-07}}
@misc{b, title = {B}, year = {2020}, month = {Feb.}, day = {31}}
@misc{c, title = {C}, year = {forthcoming}, doi = {doi:10.1000/a b}}
@misc{d, title = {D}, Year = 2019, MONTH = 12, url = {https://x.example/1 https://x.example/2}}
@misc{e, title = {E}, url = {www.x.example/e}, doi = {10.1000/e}}
@misc{f, title = {F}, url = {www.x.example/f}}
""",
    )
    assert rows(read_bibtex(bib)) == [
        (1, {"title": "A", "published": "2024-03-05"}),
        (2, {"title": "B", "published": "2020-02"}),  # no February 31: the month stays
        (3, {"title": "C", "url": "https://doi.org/10.1000/a%20b"}),
        (4, {"title": "D", "published": "2019-12", "url": "https://x.example/1"}),
        (5, {"title": "E", "url": "https://doi.org/10.1000/e"}),  # no scheme: the DOI instead
        (6, {"title": "F", "url": "www.x.example/f"}),  # the converter will say what is wrong
    ]


def test_bibtex_duplicate_key_is_an_invalid_row(tmp_path: Path) -> None:
    bib = write(tmp_path / "dup.bib", "@misc{k, title={One}, year=2020}\n\n@misc{k, title={Two}}\n")
    assert rows(read_bibtex(bib)) == [
        (1, {"title": "One", "published": "2020"}),
        BadRow(3, "entry key 'k' is used twice (first at line 1); give each entry its own key"),
    ]


@pytest.mark.parametrize("chunk", [1, 2, 3])
def test_bibtex_read_in_chunks_gives_the_same_rows(
    chunk: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Macros, duplicate keys and line numbers must all carry across chunks.
    monkeypatch.setattr(bibtex, "BIBTEX_CHUNK", chunk)
    assert rows(read_bibtex(BIB)) == BIB_ROWS
    bib = write(
        tmp_path / "dup.bib",
        "@string{j = {Jour}}\n@misc{k, title={One}, journal=j}\n\n@misc{x, title={X}}\n"
        "@misc{k, title={Two}}\n@string{j = {Again}}\n",
    )
    assert rows(read_bibtex(bib)) == [
        (2, {"title": "One", "source": "Jour"}),
        (4, {"title": "X"}),
        BadRow(5, f"entry key 'k' is used twice (first at line 2); {OWN_KEY}"),
        BadRow(6, f"entry key 'j' is used twice (first at line 1); {OWN_KEY}"),
    ]


OWN_KEY = "give each entry its own key"


def test_bibtex_without_entries_is_refused(tmp_path: Path) -> None:
    bib = write(tmp_path / "empty.bib", "% nothing here\n@comment{just a comment}\n")
    with pytest.raises(ImportFileError, match=r"empty\.bib holds no BibTeX entries; check"):
        list(read_bibtex(bib))


def test_bibtex_not_utf8_is_refused(tmp_path: Path) -> None:
    bib = write(tmp_path / "latin1.bib", "@misc{k, title={Müller}}\n".encode("latin-1"))
    with pytest.raises(ImportFileError, match=r"is not UTF-8 text .*; convert it to UTF-8\.$"):
        list(read_bibtex(bib))


# -- Markdown notes ------------------------------------------------------------------

NOTES_ROWS = [
    (
        1,
        {
            "title": "Binder jetting reaches series production",
            "authors": ["Priya Natarajan", "Lee, Ann"],  # a YAML list item is one person
            "published": "2024-05-17",
            "description": "An automotive supplier now prints 12,000 brackets a month on "
            "binder jetting lines, with sintering done in-house.",
            "url": "https://example.com/am/binder-jetting-series",
            "tags": ["additive", "Binder Jetting"],
            "topics": ["additive-manufacturing", "Metal 3D printing"],
            "source": "Additive Weekly",
        },
    ),
    (
        2,
        {
            "title": "Twins for small shops",
            "authors": ["Marco Bianchi"],
            "published": "2024-02-01",  # the datetime's own day, not UTC's
            "description": "Low-cost digital twins for job shops.",
            "url": "https://example.com/twins-small-shops",
            "tags": ["digital twins", "simulation"],
        },
    ),
    BadRow(
        3,
        "reshoring/bad-yaml.md: front matter is not valid YAML (line 4: "
        "did not find expected ',' or ']'); fix it",
    ),
    (
        4,
        {
            "title": "Plant openings in the Midwest, Q1",  # from the '# heading'
            "authors": ["Ann Lee", "Bo Chen"],
            "published": "2024-03",
            "description": "Battery, chip and steel plants opened in Ohio and Indiana; "
            "see the tracker.",
            "tags": ["reshoring", "supply chain"],
            "source": "Reuters",  # the wire credit, as there is no source
        },
    ),
]


def test_markdown_rows() -> None:
    assert rows(read_markdown_dir(NOTES)) == NOTES_ROWS


def test_markdown_notes_order_skips_hidden_and_other_files() -> None:
    assert [p.relative_to(NOTES).as_posix() for p in markdown_notes(NOTES)] == [
        "additive-manufacturing.md",
        "digital-twins.md",
        "reshoring/bad-yaml.md",
        "reshoring/plant-openings.md",
    ]


def test_markdown_converts_to_articles() -> None:
    found = convert(list(read_markdown_dir(NOTES)))
    assert found[1].published == date(2024, 5, 17)
    assert found[1].topics == ["additive-manufacturing", "Metal 3D printing"]
    assert found[1].tags == ["additive", "binder-jetting"]
    assert found[2].published == date(2024, 2, 1)
    assert found[3].startswith("reshoring/bad-yaml.md: front matter is not valid YAML")
    assert "gives no day" in found[4]


def test_markdown_links_headings_and_emphasis() -> None:
    from mfgkb.formats.markdown import _markdown_body

    body = (
        "# Title ##\n\nSee [the wiki](https://en.wikipedia.org/wiki/Lathe_(tool)) and "
        "![a pic](p.png) [[Note|shown]] [[Plain]] [ref][1] <https://x.example/a> `co_de` "
        "**bold** _it_ snake_case ~~old~~ [unclosed (\n"
    )
    assert _markdown_body(body) == (
        "Title",
        "See the wiki and shown Plain ref https://x.example/a co_de bold it snake_case old "
        "[unclosed (",
    )
    assert _markdown_body("# Hash#\n") == ("Hash#", "")
    assert _markdown_body("# ##\nText") == ("", "Text")


def test_markdown_odd_notes(tmp_path: Path) -> None:
    write(tmp_path / "a.md", "---\n- just\n- a list\n---\n# Title\n")
    write(tmp_path / "b.md", "---\ndate: 2024-13-45\n---\n")
    write(tmp_path / "c.md", b"---\ntitle: caf\xe9\n---\n")
    write(tmp_path / "d.md", "\n\n---\ntitle: Year only\ndate: 2023\n---\n")
    write(tmp_path / "e.md", "No front matter, no heading.\n\nSecond.\n")
    write(tmp_path / "f.md", "Setext title\n============\n\n1. First *item*\n2. Second\n")
    write(tmp_path / "g.md", "---\ntitle: Lists\ntags: {a: 1}\n---\nSub\n---\n- one\n")
    assert rows(read_markdown_dir(tmp_path)) == [
        BadRow(1, "a.md: front matter must be 'key: value' lines, not a list"),
        BadRow(2, "b.md: front matter is not valid (month must be in 1..12); fix it"),
        BadRow(3, "c.md: the file is not UTF-8 text; convert it to UTF-8"),
        (4, {"title": "Year only", "published": "2023"}),
        (5, {"description": "No front matter, no heading."}),
        (6, {"title": "Setext title", "description": "First item Second"}),
        (7, {"title": "Lists", "description": "one"}),
    ]


def test_markdown_folder_errors(tmp_path: Path) -> None:
    with pytest.raises(ImportFileError, match=r"does not exist; check the path\.$"):
        list(read_markdown_dir(tmp_path / "nope"))
    note = write(tmp_path / "one.md", "# One\n")
    with pytest.raises(ImportFileError, match=r"is not a folder; give the folder of Markdown"):
        list(read_markdown_dir(note))
    (tmp_path / "empty").mkdir()
    with pytest.raises(ImportFileError, match=r"holds no Markdown notes \(\*\.md\)"):
        list(read_markdown_dir(tmp_path / "empty"))


def test_html_to_text_edge_cases() -> None:
    assert html_to_text('<a href="x>y">link</a> &lt;b&gt; 5 < 6 <![if x] <!-- gone') == (
        "link <b> 5 < 6 <![if x]"
    )
    assert html_to_text("<SCRIPT>x<p>y</p></script >z<br/>w<div/>v") == "z w v"
    assert html_to_text("<td>a</td><td>b</td><!DOCTYPE html><?php x ?>c") == "a b c"


# -- detection and start-up ----------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "head", "expected"),
    [
        ("feed.rss", b"", "feed"),
        ("feed.ATOM", b"", "feed"),
        ("export.xml", b"", "feed"),
        ("download", b'\xef\xbb\xbf  <?xml version="1.0"?><rss>', "feed"),
        ("download", b"\n<rss version='2.0'>", "feed"),
        ("download", b'<feed xmlns="http://www.w3.org/2005/Atom">', "feed"),
        ("refs.bib", b"% comment", "bibtex"),
        ("refs.txt", b"\n@article{k,", "bibtex"),
        ("data.csv", b"title,url\n", "csv"),
        ("data.jsonl", b'{"title": "x"}', "jsonl"),
    ],
)
def test_detect_source_format(name: str, head: bytes, expected: str) -> None:
    assert detect(Path(name), head).name == expected


def test_detect_directory_is_markdown() -> None:
    assert detect(NOTES, b"").name == "markdown"


@pytest.mark.parametrize(
    ("month", "day"), [("²", "1"), ("3", "²"), ("9" * 5000, "1"), ("3", "9" * 5000)]
)
def test_bibtex_month_and_day_of_other_digits_are_not_a_traceback(
    tmp_path: Path, month: str, day: str
) -> None:
    bib = write(
        tmp_path / "odd.bib",
        f"@article{{k, title={{T}}, year={{2024}}, month={{{month}}}, day={{{day}}}}}\n",
    )
    [row] = read_bibtex(bib)
    assert row.data.get("published", "").startswith("2024")
