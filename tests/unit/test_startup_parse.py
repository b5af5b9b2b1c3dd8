"""What the start-up fast path (``mfgkb.quicksearch.parse_search``) reads from a command line.

Any command line it does not take is left to the full app (None); the tests
that run both paths in child processes are in system/test_startup.py.
"""

from __future__ import annotations

import pytest

from mfgkb.quicksearch import parse_search

# -- what is left to the full app ---------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["search"],
        ["search", "--json"],
        ["search", "--help"],
        ["search", "chips", "-h"],
        ["search", "-robots", "chips"],  # "-word" excludes a word: Click's reading
        ["search", "chips", "-"],
        ["search", "--", "chips"],
        ["search", "chips", "--limit", "0"],
        ["search", "chips", "--limit", "+5"],
        ["search", "chips", "--limit", "\u0665"],  # an Arabic-Indic five: int() takes it
        ["search", "chips", "--limit", "9223372036854775808"],
        ["search", "chips", "--limit"],
        ["search", "chips", "--topic", "--json"],
        ["search", "chips", "--source"],
        ["search", "chips", "--kind", "Topic"],
        ["search", "chips", "--json=yes"],
        ["search", "chips", "--lim", "3"],
        # The root's options after the command: the full app says where they go.
        ["search", "texas", "--db", "/tmp/other.json"],
        ["search", "texas", "--db=/tmp/other.json"],
        ["search", "texas", "--version"],
        ["--db", "search", "chips"],
        ["--db"],
        ["--version", "search", "chips"],
        ["--help"],
        ["show", "search"],
        ["searc", "chips"],
        [],
    ],
    ids=" ".join,
)
def test_other_command_lines_go_to_the_full_app(argv: list[str]) -> None:
    assert parse_search(argv, {}) is None


def test_shell_completion_goes_to_the_full_app() -> None:
    assert parse_search(["search", "chips"], {}) is not None
    assert parse_search(["search", "chips"], {"_MFGKB_COMPLETE": "complete_bash"}) is None


def test_what_the_fast_path_reads() -> None:
    args = parse_search(
        [
            "--db",
            "a.json",
            "--db=b.json",
            "search",
            "chips",
            "--limit",
            "3",
            "--topic=x",
            "act",
            "--topic",
            "y",
            "--kind",
            "article",
            "--json",
            "--since",
            "2025",
        ],
        {"MFGKB_DB": "env.json"},
    )
    assert args is not None
    assert (args.db, args.words, args.limit, args.topic) == (
        "b.json",
        ["chips", "act"],
        3,
        ["x", "y"],
    )
    assert (args.kind, args.json, args.since, args.until, args.pager) == (
        "article",
        True,
        "2025",
        None,
        False,
    )
    sources = parse_search(["search", "chips", "--source", "AP", "--source=Trade Weekly"], {})
    assert sources is not None and sources.source == ["AP", "Trade Weekly"]
    env = parse_search(["search", "chips"], {"MFGKB_DB": "env.json"})
    assert env is not None and env.db == "env.json"
    unset = parse_search(["search", "chips"], {"MFGKB_DB": ""})
    assert unset is not None and unset.db is None
