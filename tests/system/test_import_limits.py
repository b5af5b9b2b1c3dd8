"""Hostile and large import files, read in a child process a hang or a blow-up cannot harm.

A pipe or a device as the import file, a YAML bomb or deep nesting in a note,
a large BibTeX file and text made to be slow to convert: each is refused, or
read in bounded memory and time, where it once took minutes and gigabytes.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

from childproc import child_env, console_script
from helpers import write


def _child(tmp_path: Path, db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``mfgkb ARGS`` in a child held to 1 GB; the timeout only ends a hung run."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    return subprocess.run(
        [*console_script(), *args],
        env=child_env(tmp_path, db),
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit,
    )


def test_pipes_and_devices_are_refused(seeded: Path, tmp_path: Path) -> None:
    # /dev/zero was read as one endless CSV line (11 GB); a pipe blocked forever.
    before = seeded.read_bytes()
    fifo = tmp_path / "news.jsonl"
    os.mkfifo(fifo)
    for path, kind in ((fifo, "a named pipe"), (Path("/dev/zero"), "a device")):
        out = _child(tmp_path, seeded, "import", str(path))
        assert out.returncode == 1, out.stderr
        assert out.stderr == (
            f"mfgkb: {path} is {kind}, not a file; save its data to a file and import that.\n"
        )
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("---\ntitle: Fine\ndate: 2024-03-01\n---\n", encoding="utf-8")
    os.mkfifo(notes / "b.md")
    out = _child(tmp_path, seeded, "import", str(notes), "--dry-run", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["added"] == 1
    assert report["invalid"] == [{"line": 2, "reason": "b.md: a named pipe, not a file; skipped"}]
    assert seeded.read_bytes() == before


# Started from a small launcher, not from pytest: Linux counts the memory of the
# process a child was forked from in the child's peak (ru_maxrss survives
# exec), and pytest late in a full run holds hundreds of MB.
_LAUNCHER = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
_, status, usage = os.wait4(proc.pid, 0)
proc.returncode = 0  # reaped above
sys.stderr.write(proc.stderr.read().decode("utf-8", "replace"))
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)
"""


def _peak_rss_mb(args: list[str], tmp_path: Path) -> float:
    """Peak resident memory of ``mfgkb ARGS`` in a child process, in MB."""
    db = tmp_path / "kb" / "kb.json"
    db.parent.mkdir(exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, *console_script(), *args],
        env=child_env(tmp_path, db),
        capture_output=True,
        text=True,
        timeout=600,
    )
    code, maxrss = (int(n) for n in done.stdout.split())
    assert code == 0, done.stderr
    # ru_maxrss is in kilobytes on Linux, bytes on macOS.
    return maxrss / (1 << 20 if sys.platform == "darwin" else 1 << 10)


def test_a_large_bibtex_import_stays_in_bounded_memory(tmp_path: Path) -> None:
    # With the cyclic collector off, pylatexenc's reference cycles were never
    # freed: about 170 kB an entry, 840 MB for 5,000 entries.
    entry = (
        "@article{{k{n},\n  title = {{Caf\\'e {{Additive}} study {n}}},\n"
        '  author = {{M\\"uller, Hans and Doe, Jane}},\n  journal = {{J. Mfg}},\n'
        "  date = {{2023-03-05}},\n  abstract = {{Stress in $\\mu$m parts {n}.}},\n}}\n\n"
    )
    bib = write(tmp_path / "many.bib", "".join(entry.format(n=n) for n in range(1500)))
    assert _peak_rss_mb(["import", str(bib), "--dry-run", "--json"], tmp_path) < 150


def _child_import(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``mfgkb import ARGS --json`` in a child process held to 1 GB of address space.

    Hostile inputs run there: without the fix they would take minutes and
    gigabytes. The timeout is far above the second they need with it.
    """
    db = tmp_path / "kb" / "kb.json"
    db.parent.mkdir(exist_ok=True)
    return _child(tmp_path, db, "import", *args, "--json")


BILLION_LAUGHS = (
    "---\ntitle: Lol\ntags:\n  - &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
    + "".join(f"  - &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10))
    + "---\nBody.\n"
)


def test_markdown_yaml_aliases_and_deep_nesting_are_refused(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    write(notes / "a.md", "---\ntitle: Fine\ndate: 2024-03-01\n---\n")
    write(notes / "bomb.md", BILLION_LAUGHS)
    write(notes / "deep.md", "---\ntags: " + "[" * 200 + "\n---\n")
    write(notes / "small.md", "---\nx: &x [a]\ntitle: Small\ntags: *x\n---\n")
    out = _child_import(tmp_path, str(notes), "--dry-run")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["added"] == 1
    assert [(i["line"], i["reason"]) for i in report["invalid"]] == [
        (
            2,
            "bomb.md: front matter is not valid YAML (line 5: found the alias *a0; write the "
            "values out instead of referring to an &anchor); fix it",
        ),
        (
            3,
            "deep.md: front matter is not valid YAML (line 2: nested more than 50 levels "
            "deep); fix it",
        ),
        (
            4,
            "small.md: front matter is not valid YAML (line 4: found the alias *x; write the "
            "values out instead of referring to an &anchor); fix it",
        ),
    ]


# Runs of what Markdown and HTML give meaning to, none of them closed: the old
# patterns rescanned the rest of the text from each one (40,000 "[": 84 s).
ADVERSARIAL = [
    "[",
    "(",
    "*",
    "_",
    "`",
    "<",
    "![",
    "[[",
    "[[a|",
    "[a](",
    "[a](b(",
    "[a][",
    "](",
    "<http://",
    "<a ",
    '<a "',
    "<!--",
    "<![",
    "<?",
    "</",
    "&#",
    " ",
    "a_",
    "# a ",
    " #",
    " and",
    ",",
    "- ",
    "> ",
]


def test_text_from_markdown_and_html_takes_linear_time(tmp_path: Path) -> None:
    # Each input takes milliseconds now; quadratic, the whole list took hours.
    # The child's timeout is only there to end such a run, far above the need.
    code = f"""
from mfgkb.formats import markdown, rows, text as plain
for piece in {ADVERSARIAL!r}:
    text = "a" + piece * 40_000 + "b"
    markdown._markdown_body(text)
    markdown._markdown_body(text.replace("a", "\\n"))
    plain.html_to_text(text)
    rows.split_authors(text)
    rows.as_list(text)
    markdown._meta_list(text)
print("done")
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert (out.returncode, out.stdout.strip()) == (0, "done"), out.stderr[-2000:]
