"""The record types and the pure helpers in ``mfgkb.models``: no files, no CLI."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mfgkb.errors import ValidationError
from mfgkb.models import (
    MAX_DESCRIPTION,
    MAX_SLUG,
    MAX_TAG,
    MAX_TAGS,
    MAX_TITLE,
    MAX_URL,
    Article,
    Figure,
    KeyTerm,
    Topic,
    clean_tags,
    file_size,
    slugify,
    url_key,
    validate_slug,
    validate_url,
)

# -- url_key -------------------------------------------------------------------------

BASE = "https://example.com/news/story?id=7"


@pytest.mark.parametrize(
    "variant",
    [
        BASE,
        "http://example.com/news/story?id=7",
        "https://EXAMPLE.COM/news/story?id=7",
        "HTTPS://Example.com/news/story?id=7",
        "https://example.com/news/story/?id=7",
        "https://example.com/news/story?id=7#section-2",
        "https://example.com/news/story?id=7&utm_source=newsletter",
        "https://example.com/news/story?utm_medium=email&id=7&utm_campaign=fall",
        "https://example.com/news/story?id=7&UTM_Source=x",
        "https://example.com/news/story?id=7&fbclid=abc&gclid=def",
        "https://example.com:443/news/story?id=7",
        "http://example.com:80/news/story?id=7",
        "  https://example.com/news/story?id=7  ",
    ],
)
def test_url_key_merges_equivalent_urls(variant: str) -> None:
    assert url_key(variant) == url_key(BASE)


def test_url_key_ignores_query_order() -> None:
    assert url_key("https://x.org/p?a=1&b=2") == url_key("https://x.org/p?b=2&a=1")


@pytest.mark.parametrize(
    "other",
    [
        "https://example.com/news/story?id=8",
        "https://example.com/news/story",
        "https://example.com/news/Story?id=7",
        "https://www.example.com/news/story?id=7",
        "https://example.com:8443/news/story?id=7",
        "https://example.org/news/story?id=7",
        "https://example.com/news/story/more?id=7",
    ],
)
def test_url_key_keeps_different_pages_apart(other: str) -> None:
    assert url_key(other) != url_key(BASE)


def test_url_key_form() -> None:
    assert url_key("HTTP://Example.COM/a/b/?utm_source=x&q=1#frag") == "https://example.com/a/b?q=1"
    assert url_key("https://example.com/") == "https://example.com"


@settings(max_examples=60, deadline=None)
@given(
    path=st.lists(st.text("abcXYZ019-_", min_size=1, max_size=6), max_size=3),
    params=st.lists(st.tuples(st.sampled_from("abcq"), st.text("xyz0", max_size=3)), max_size=3),
)
def test_url_key_is_idempotent(path: list[str], params: list[tuple[str, str]]) -> None:
    query = "&".join(f"{k}={v}" for k, v in params)
    url = "http://Example.com/" + "/".join(path) + (f"?{query}" if query else "")
    key = url_key(url)
    assert url_key(key) == key
    assert key.startswith("https://example.com")


# -- validate_url --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/article", "https://example.com/article"),
        ("http://example.com", "http://example.com"),
        ("HTTPS://EXAMPLE.COM/A", "HTTPS://EXAMPLE.COM/A"),
        ("  https://example.com/a?b=c#d  ", "https://example.com/a?b=c#d"),
        ("https://example.com:8080/x", "https://example.com:8080/x"),
        ("https://[::1]/x", "https://[::1]/x"),
    ],
)
def test_validate_url_accepts_http_urls(url: str, expected: str) -> None:
    assert validate_url(url) == expected


@pytest.mark.parametrize(
    "url",
    [
        "ftp://x",
        "ftp://example.com/file",
        "javascript:alert(1)",
        "example.com",
        "example.com/path",
        "file:///etc/passwd",
        "mailto:someone@example.com",
        "https://",
        "http:///path",
        "",
        "https://exa mple.com/a",
        "https://example.com/a b",
        "https://example.com/" + "a" * MAX_URL,
    ],
)
def test_validate_url_refuses(url: str) -> None:
    with pytest.raises(ValidationError):
        validate_url(url)


@pytest.mark.parametrize("url", ["https://[::1/x", "https://example.com:99999/", "http://a.com:x/"])
def test_validate_url_refuses_malformed_hosts_and_ports(url: str) -> None:
    with pytest.raises(ValidationError):
        validate_url(url)


# -- slugs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("CHIPS Act", "chips-act"),
        ("Advanced manufacturing", "advanced-manufacturing"),
        ("Production Linked Incentive (PLI) schemes", "production-linked-incentive-pli-schemes"),
        ("  Hello,   World!  ", "hello-world"),
        ("Zoë's Café", "zoe-s-cafe"),
        ("Skilled-workforce gap", "skilled-workforce-gap"),
        ("3D printing", "3d-printing"),
        ("---", ""),
        ("", ""),
        ("日本", ""),
    ],
)
def test_slugify(title: str, slug: str) -> None:
    assert slugify(title) == slug


def test_slugify_long_title_is_cut_to_a_valid_slug() -> None:
    slug = slugify("word " * 40)
    assert len(slug) <= MAX_SLUG
    assert validate_slug(slug) == slug
    assert not slug.endswith("-")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=120))
def test_slugify_gives_a_valid_slug_or_nothing(text: str) -> None:
    slug = slugify(text)
    assert slug == "" or validate_slug(slug) == slug


@pytest.mark.parametrize("slug", ["chips-act", "a", "x1", "3d-printing", "a" * MAX_SLUG])
def test_validate_slug_accepts(slug: str) -> None:
    assert validate_slug(slug) == slug


@pytest.mark.parametrize(
    "slug",
    ["", "Chips-Act", "chips act", "chips--act", "-chips", "chips-", "chips_act", "a" * 65, "é"],
)
def test_validate_slug_refuses(slug: str) -> None:
    with pytest.raises(ValidationError):
        validate_slug(slug)


# -- tags ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        (["Supply Chain"], ["supply-chain"]),
        (["  Policy  ", "policy", "POLICY"], ["policy"]),
        (["a", "", "   ", "b"], ["a", "b"]),
        (["United   States", "united-states"], ["united-states"]),
        (["b", "a", "b"], ["b", "a"]),
        ([], []),
    ],
)
def test_clean_tags(raw: list[str], cleaned: list[str]) -> None:
    assert clean_tags(raw) == cleaned


def test_clean_tags_limits() -> None:
    assert clean_tags(["t" * MAX_TAG]) == ["t" * MAX_TAG]
    with pytest.raises(ValidationError):
        clean_tags(["t" * (MAX_TAG + 1)])
    with pytest.raises(ValidationError):
        clean_tags([f"t{n}" for n in range(MAX_TAGS + 1)])


# -- Topic ---------------------------------------------------------------------------


def _topic(**changes: object) -> Topic:
    base = Topic(
        slug="additive-manufacturing",
        title="Additive manufacturing",
        aliases=["3D printing"],
        summary="Layer by layer.",
        key_terms=[KeyTerm("Powder bed", "A process", "texas"), KeyTerm("SLA", "Resin")],
        figures=[Figure("Market", "$20B", 2024, "Wohlers"), Figure("Units", "1M")],
        related=["advanced-manufacturing", "texas"],
        created="2025-01-01T00:00:00Z",
        updated="2025-01-02T00:00:00Z",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_topic_validated_cleans() -> None:
    topic = _topic(
        title="  Additive manufacturing  ",
        aliases=["3D printing", " 3d PRINTING ", "", "AM"],
        summary="  Layer by layer.\n",
        related=["texas", "texas", "additive-manufacturing", "chips-act"],
    ).validated()
    assert topic.title == "Additive manufacturing"
    assert topic.aliases == ["3D printing", "AM"]
    assert topic.summary == "Layer by layer."
    assert topic.related == ["texas", "chips-act"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"slug": "Not A Slug"}, "slug"),
        ({"slug": ""}, "slug"),
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "t" * (MAX_TITLE + 1)}, "title"),
        ({"related": ["Bad Slug"]}, "slug"),
        ({"key_terms": [KeyTerm("", "definition")]}, "key term"),
        ({"key_terms": [KeyTerm("Term", "d", "Bad Slug")]}, "slug"),
        ({"figures": [Figure("", "1")]}, "figure label"),
        ({"figures": [Figure("Label", " ")]}, "figure value"),
    ],
)
def test_topic_validated_refuses(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        _topic(**changes).validated()
    assert field in str(info.value)


def test_topic_round_trip() -> None:
    topic = _topic()
    data = topic.to_dict()
    assert set(data) == {
        "slug",
        "title",
        "aliases",
        "summary",
        "key_terms",
        "figures",
        "related",
        "created",
        "updated",
    }
    assert data["key_terms"][0] == {
        "term": "Powder bed",
        "definition": "A process",
        "topic": "texas",
    }
    assert data["figures"][1] == {"label": "Units", "value": "1M", "year": None, "source": None}
    assert Topic.from_dict(data) == topic
    assert Topic.from_dict(data).to_dict() == data


def test_topic_from_minimal_dict() -> None:
    topic = Topic.from_dict({"slug": "x", "title": "X"})
    assert topic == Topic(slug="x", title="X")
    assert topic.names() == ["x", "X"]


def test_key_term_and_figure_round_trip() -> None:
    term = KeyTerm("CHIPS Act", "A US law", "chips-act")
    assert KeyTerm.from_dict(term.to_dict()) == term
    assert KeyTerm.from_dict({"term": "T", "topic": ""}) == KeyTerm("T", "", None)
    figure = Figure("Output", "over $2.5 trillion", 2024, "Census")
    assert Figure.from_dict(figure.to_dict()) == figure
    assert Figure.from_dict({"label": "L", "value": "V", "year": "2020"}) == Figure("L", "V", 2020)


# -- Article -------------------------------------------------------------------------


def _article(**changes: object) -> Article:
    base = Article(
        id=3,
        title="Is the US Still the Global Manufacturing Leader?",
        published=date(2025, 10, 10),
        authors=["Jedrik Hastings"],
        description="Asks whether the United States remains the leading manufacturer.",
        url="https://example.com/us-leader",
        topics=["advanced-manufacturing"],
        tags=["united-states", "policy"],
        source="Industry Weekly",
        added="2025-10-11T08:00:00Z",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_article_validated_cleans() -> None:
    article = _article(
        title="  Title  ",
        authors=["Ada", " ada ", "", "Grace"],
        url="   ",
        topics=["texas", "texas", "chips-act"],
        tags=["Supply Chain", "supply-chain", "AI"],
        source=" Source ",
        description=" d ",
    ).validated()
    assert article.title == "Title"
    assert article.authors == ["Ada", "Grace"]
    assert article.url is None
    assert article.topics == ["texas", "chips-act"]
    assert article.tags == ["supply-chain", "ai"]
    assert article.source == "Source"
    assert article.description == "d"


def test_article_validated_keeps_a_good_url() -> None:
    assert _article(url=" https://example.com/a ").validated().url == "https://example.com/a"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": " \t "}, "title"),
        ({"title": "t" * (MAX_TITLE + 1)}, "title"),
        ({"url": "ftp://example.com/x"}, "http"),
        ({"url": "javascript:alert(1)"}, "http"),
        ({"topics": ["Not A Slug"]}, "slug"),
        ({"description": "d" * (MAX_DESCRIPTION + 1)}, "description"),
        ({"authors": [""] * 101}, "author"),
    ],
)
def test_article_validated_refuses(changes: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as info:
        _article(**changes).validated()
    assert field in str(info.value)


def test_article_round_trip() -> None:
    article = _article()
    stored = article.to_dict()
    assert "id" not in stored
    assert stored["published"] == "2025-10-10"
    assert Article.from_dict(article.id, stored) == article
    as_json = article.to_json()
    assert next(iter(as_json)) == "id"
    assert as_json == {"id": 3, **stored}
    assert set(as_json) == {
        "id",
        "title",
        "authors",
        "published",
        "added",
        "description",
        "url",
        "topics",
        "tags",
        "source",
    }


def test_article_from_minimal_dict() -> None:
    article = Article.from_dict(9, {"title": "T", "published": "2024-02-29", "url": ""})
    assert article == Article(id=9, title="T", published=date(2024, 2, 29))
    assert article.url is None


def test_errors_are_one_sentence_messages() -> None:
    with pytest.raises(ValidationError) as info:
        _article(title="").validated()
    err = info.value
    assert str(err) == err.message
    assert "\n" not in err.message
    assert err.exit_code == 1


@pytest.mark.parametrize(
    ("n", "shown"),
    [
        (0, "0 B"),
        (1023, "1023 B"),
        (1024, "1.0 KiB"),
        (1536, "1.5 KiB"),
        (5 << 20, "5.0 MiB"),
        (2 << 30, "2.0 GiB"),
        (3 << 40, "3.0 TiB"),
        (2000 << 40, "2000.0 TiB"),
    ],
)
def test_file_size_is_in_powers_of_1024_labelled_so(n: int, shown: str) -> None:
    assert file_size(n) == shown
