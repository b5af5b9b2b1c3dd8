"""Shell completion and colour, from the installed console script in a child process.

Completion is asked for as bash, zsh and fish ask (environment variables, no
terminal) and offers the user's own topics, tags and ids, escaped; colour goes
to a pseudo-terminal only, and never with NO_COLOR.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from childproc import run_on_terminal
from helpers import Invoke, add


def complete(db: Path, words: str, env_extra: dict[str, str] | None = None) -> list[str]:
    """Ask the installed console script for bash completions, as bash would."""
    env = {
        **os.environ,
        "MFGKB_DB": str(db),
        "_MFGKB_COMPLETE": "complete_bash",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
        **(env_extra or {}),
    }
    script = Path(sys.executable).parent / "mfgkb"
    done = subprocess.run([str(script)], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_completion_offers_the_users_topics_tags_and_ids(mfgkb: Invoke, db: Path) -> None:
    add(mfgkb, "--title", "Fab news", "--date", "2025-01-01", "--tag", "fabs", "--tag", "fintech")
    assert complete(db, "mfgkb show te") == ["tennessee", "texas"]
    assert complete(db, "mfgkb articles --topic chi") == ["chips-act"]
    assert set(complete(db, "mfgkb articles --tag f")) == {"fabs", "fintech"}
    assert complete(db, "mfgkb article ") == ["2", "1"]


def test_the_topic_life_cycle_commands_complete_topic_slugs(mfgkb: Invoke, db: Path) -> None:
    assert mfgkb("topics").exit_code == 0  # the database, with the shipped topics
    assert complete(db, "mfgkb rename-topic te") == ["tennessee", "texas"]
    assert complete(db, "mfgkb merge-topics chi") == ["chips-act"]
    assert complete(db, "mfgkb merge-topics texas te") == ["tennessee", "texas"]
    assert complete(db, "mfgkb remove-topic north") == ["north-carolina"]
    assert complete(db, "mfgkb rename-topic texas te") == []  # the new slug is new


def _raw_completion(db: Path, words: str, shell: str) -> str:
    """The whole reply of the console script to a ``shell`` completion request."""
    env = {
        **os.environ,
        "MFGKB_DB": str(db),
        "_MFGKB_COMPLETE": f"complete_{shell}",
        "COMP_WORDS": words,
        "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1)),
        "_TYPER_COMPLETE_ARGS": words,  # how zsh and fish pass the words
        "_TYPER_COMPLETE_FISH_ACTION": "get-args",
    }
    script = Path(sys.executable).parent / "mfgkb"
    done = subprocess.run([str(script)], env=env, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return done.stdout


# Escape sequences, an OSC 8 link, a bidi override, a zero-width space.
HOSTILE = "\x1b[31mred\x1b]8;;http://evil\x1b\\click\u202e\u200b"


# Tab is how fish separates a value from its help.
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u202e]")


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_shows_no_control_characters(mfgkb: Invoke, db: Path, shell: str) -> None:
    topic = mfgkb("add-topic", "--slug", "tx-evil", "--title", "Evil " + HOSTILE)
    assert topic.exit_code == 0, topic.output
    add(mfgkb, "--title", "T " + HOSTILE, "--date", "2025-01-01", "--tag", "t" + HOSTILE)
    add(mfgkb, "--title", "Plain", "--date", "2025-01-01", "--tag", "tplain")
    for words in ("mfgkb show tx", "mfgkb articles --tag t", "mfgkb article "):
        reply = _raw_completion(db, words, shell)
        assert RAW.search(reply) is None, (words, reply)
        if shell != "bash" and not words.startswith("mfgkb articles"):
            assert "\\x1b" in reply, (words, reply)  # the help shows titles escaped
    # A tag that cannot be typed as shown is not offered: its escaped form
    # would insert a different tag.
    assert complete(db, "mfgkb articles --tag t") == ["tplain"]


def test_completion_never_creates_a_database(tmp_path: Path) -> None:
    db = tmp_path / "none" / "kb.json"
    assert complete(db, "mfgkb show te") == []
    assert not db.parent.exists()


def _run_script(args: list[str], env: dict[str, str], *, tty: bool) -> bytes:
    """The console script's output through a pipe, or through a pseudo-terminal."""
    if tty:
        return run_on_terminal(args, env)
    script = str(Path(sys.executable).parent / "mfgkb")
    return subprocess.run([script, *args], env=env, capture_output=True, timeout=30).stdout


def test_no_colour_in_pipes_or_with_no_color(db: Path) -> None:
    env = {**os.environ, "MFGKB_DB": str(db), "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    db.parent.mkdir(parents=True, exist_ok=True)
    piped = _run_script(["show", "advanced-manufacturing"], env, tty=False)
    assert b"Jedrik Hastings" in piped and b"\x1b[" not in piped
    coloured = _run_script(["show", "advanced-manufacturing"], env, tty=True)
    assert b"\x1b[" in coloured  # a terminal does get styles...
    plain = _run_script(["show", "advanced-manufacturing"], {**env, "NO_COLOR": "1"}, tty=True)
    assert b"Jedrik Hastings" in plain
    # ...and with NO_COLOR no colour (bold and italic may stay, as NO_COLOR allows)
    assert not any(f"\x1b[{c}".encode() in plain for c in ("31", "32", "33", "35", "36", "38"))


# A pager that records what it was given: its LESS, and the page itself.
FAKE_PAGER = """#!/bin/sh
printf '%s' "${LESS-(unset)}" > "$1/less.txt"
cat > "$1/page.txt"
"""


@pytest.mark.parametrize(
    ("less", "given"),
    [
        (None, "-R"),
        ("-FX", "-FX -R"),
        ("FRX", "FRX -R"),
        ("", "-R"),
        # A long option: "R" pasted on made --quit-if-one-screenR, which less refused.
        ("--quit-if-one-screen", "--quit-if-one-screen -R"),
    ],
)
def test_the_pager_gets_less_r_and_the_page_at_the_terminals_width(
    db: Path, tmp_path: Path, less: str | None, given: str
) -> None:
    """--pager: the page is coloured, so less must be told -R (added to the user's
    LESS), or it shows the escapes as text and wraps the lines again."""
    pager = tmp_path / "pager.sh"
    pager.write_text(FAKE_PAGER, encoding="utf-8")
    pager.chmod(0o755)
    env = {
        **os.environ,
        "MFGKB_DB": str(db),
        "TERM": "xterm-256color",
        "COLUMNS": "60",
        "PAGER": f"{pager} {tmp_path}",
    }
    for name in ("NO_COLOR", "MANPAGER", "LESS"):
        env.pop(name, None)
    if less is not None:
        env["LESS"] = less
    db.parent.mkdir(parents=True, exist_ok=True)
    run_on_terminal(["show", "advanced-manufacturing", "--pager"], env, stdin_too=True)
    assert (tmp_path / "less.txt").read_text(encoding="utf-8") == given
    page = (tmp_path / "page.txt").read_text(encoding="utf-8")
    assert "\x1b[" in page and "Jedrik Hastings" in page  # coloured, for less -R
    shown = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in page.splitlines()]
    assert max(map(len, shown)) == 60  # laid out at the terminal's width, no wider
