"""Questions asked at a terminal: the console script on a pseudo-terminal, answered by the test.

A bad answer is refused and asked again; a declined confirmation says so and
changes nothing.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from helpers import Invoke, load_db, ok


def _dialogue(args: list[str], env: dict[str, str], steps: list[tuple[str, int, str]]) -> str:
    """Run the script at a pseudo-terminal: wait until ``text`` has been shown ``times``
    times, then type ``answer``, for each step; return everything it showed."""
    import select
    import subprocess
    import sys

    script = str(Path(sys.executable).parent / "mfgkb")
    master, slave = os.openpty()
    out = bytearray()
    try:
        proc = subprocess.Popen([script, *args], env=env, stdin=slave, stdout=slave, stderr=slave)
        os.close(slave)

        def shown(text: str) -> int:
            return out.decode(errors="replace").count(text)

        def read_until(text: str, times: int) -> None:
            # Wide margin: the child only has to start and print a prompt.
            while shown(text) < times and select.select([master], [], [], 120)[0]:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    return
                if not chunk:
                    return
                out.extend(chunk)

        for text, times, answer in steps:
            read_until(text, times)
            assert shown(text) >= times, out.decode()
            os.write(master, answer.encode())
        read_until("\0never shown", 1)  # to the end
        proc.wait(timeout=120)
    finally:
        os.close(master)
    return out.decode(errors="replace").replace("\r\n", "\n")


def test_add_article_prompts_ask_again_after_a_bad_answer(seeded: Path) -> None:
    from childproc import child_env

    env = child_env(seeded.parent, seeded)
    shown = _dialogue(
        ["add-article", "--author", "Dana Ruiz"],
        env,
        [
            ("Title:", 1, "   \n"),  # only spaces: refused at once, asked again
            ("Title:", 2, "Fab news\n"),
            ("Publication date:", 1, "someday soon\n"),  # not a date: asked again
            ("Publication date:", 2, "October 10\n"),  # no year: asked again
            ("Publication date:", 3, "2025-03-04\n"),
        ],
    )
    assert "The title is empty" in shown
    assert "someday soon" in shown and shown.count("mfgkb: ") == 3, shown
    assert "Added article 2." in shown
    article = load_db(seeded)["articles"]["2"]
    assert (article["title"], article["published"]) == ("Fab news", "2025-03-04")
    assert article["authors"] == ["Dana Ruiz"]


@pytest.mark.parametrize(
    ("args", "answer", "message"),
    [
        (["remove-article", "2"], "\x04", "Article 2 was not removed: not confirmed."),
        (["remove-article", "2"], "n\n", "Article 2 was not removed: not confirmed."),
        (["remove-article", "2"], "maybe\nno\n", "Article 2 was not removed: not confirmed."),
    ],
    ids=["ctrl-d", "no", "asked-again"],
)
def test_declining_a_confirmation_says_so_and_changes_nothing(
    seeded: Path, mfgkb: Invoke, args: list[str], answer: str, message: str
) -> None:
    from childproc import child_env

    ok(mfgkb("add-article", "--title", "Keep me", "--date", "2025-01-01"))
    before = seeded.read_bytes()
    env = child_env(seeded.parent, seeded)
    shown = _dialogue(args, env, [("[y/N]:", 1, answer)])
    assert f"mfgkb: {message}" in shown, shown
    assert seeded.read_bytes() == before


@pytest.mark.parametrize("answer", ["n\n", "y\n"])
def test_remove_topic_asks_at_a_terminal(seeded: Path, mfgkb: Invoke, answer: str) -> None:
    from childproc import child_env

    ok(mfgkb("add-topic", "--title", "Chip foundries", "--slug", "foundries"))
    ok(mfgkb("add-article", "--title", "A fab", "--date", "2025-01-01", "--topic", "foundries"))
    before = seeded.read_bytes()
    env = child_env(seeded.parent, seeded)
    shown = _dialogue(["remove-topic", "foundries"], env, [("[y/N]:", 1, answer)])
    shown = re.sub("\x1b\\[[0-9;]*m", "", shown)  # the styles a terminal gets
    assert "Remove the topic foundries (Chip foundries)? 1 article will lose the link" in shown
    slugs = [t["slug"] for t in load_db(seeded)["topics"].values()]
    if answer.startswith("n"):
        assert "mfgkb: The topic foundries was not removed: not confirmed." in shown, shown
        assert seeded.read_bytes() == before
    else:
        assert "Removed the topic foundries (Chip foundries)." in shown, shown
        assert "foundries" not in slugs
        assert [a["topics"] for a in load_db(seeded)["articles"].values()].count([]) >= 1
