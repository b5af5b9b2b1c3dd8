"""Running the installed console script in a child process, with every user path in tmp."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import AnyStr


def console_script() -> list[str]:
    """The installed ``mfgkb`` script, or ``python -m mfgkb`` where there is none."""
    script = Path(sys.executable).parent / "mfgkb"
    return [str(script)] if script.exists() else [sys.executable, "-m", "mfgkb"]


def child_env(
    tmp_path: Path, db: Path, pycache: Path | None = None, **extra: str
) -> dict[str, str]:
    """An environment whose HOME, XDG folders and database all point into ``tmp_path``.

    ``pycache`` lets many short child runs share compiled modules even where
    PYTHONDONTWRITEBYTECODE is set (common in CI).
    """
    home = tmp_path / "child-home"
    home.mkdir(exist_ok=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MFGKB_", "XDG_", "PYTHONDONTWRITEBYTECODE"))
    }
    if pycache is not None:
        env["PYTHONPYCACHEPREFIX"] = str(pycache)
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / "data"),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_STATE_HOME=str(home / "state"),
        MFGKB_DB=str(db),
        MFGKB_LOCK_TIMEOUT="5",
        NO_COLOR="1",
        COLUMNS="120",
        LC_ALL="C.UTF-8",
        PYTHONIOENCODING="utf-8",
    )
    env.update(extra)
    return env


def run_script(
    tmp_path: Path, db: Path, *args: str, timeout: float = 120, **env: str
) -> subprocess.CompletedProcess[str]:
    """The real console script on ``db``, stdin /dev/null; the timeout only catches a hang."""
    return subprocess.run(
        [*console_script(), *args],
        env=child_env(tmp_path, db, **env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )


def one_line(proc: subprocess.CompletedProcess[str]) -> str:
    """The one stderr line of a child refused with exit 1 (no traceback)."""
    assert proc.returncode == 1, (proc.returncode, proc.stdout, proc.stderr)
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("mfgkb: "), lines[0]
    assert "Traceback" not in proc.stderr
    return lines[0]


def finish(proc: subprocess.Popen[AnyStr]) -> AnyStr:
    """Wait for ``proc`` (generously bounded) and return its stderr."""
    try:
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
    return err


# Python reports each import on stderr as it completes: a child's start-up,
# step by step, to signal at (by count, not by clock).
IMPORT_TIMES = {"PYTHONPROFILEIMPORTTIME": "1"}


def start_up_points(steps: int, *last: int) -> list[int]:
    """A dozen import counts spread over a start-up of ``steps`` imports, and ``last``."""
    return sorted({1, 2, 3, *range(4, steps, max(1, steps // 8)), *last})


def sigint_after_import(proc: subprocess.Popen[str], point: int) -> tuple[int, list[str]]:
    """SIGINT ``proc`` (run with IMPORT_TIMES) right after its ``point``-th import of mfgkb's.

    The count starts at the ``mfgkb`` package's own line (step 0). Should the
    step never come, the child would wait (for a lock, say) for ever: a
    generous watchdog ends it, and the caller's checks fail. The exit code,
    and the child's stderr without the import reports.
    """
    assert proc.stderr is not None
    watchdog = threading.Timer(120, proc.kill)
    watchdog.start()
    try:
        seen = -1
        while seen < point:
            line = proc.stderr.readline()
            assert line, (point, proc.wait(timeout=60))
            if seen >= 0 or line.rsplit("|", 1)[-1].strip() == "mfgkb":
                seen += 1
        proc.send_signal(signal.SIGINT)
        err = finish(proc)
    finally:
        watchdog.cancel()
    return proc.returncode, [
        line for line in err.splitlines() if not line.startswith("import time:")
    ]


# Records ``sys.modules`` as the program leaves: main ends in ``os._exit``, so the
# hook sits there.
PROBE = """\
import os, sys
out = sys.argv[1]
real_exit = os._exit
def _exit(code):
    with open(out, "w", encoding="utf-8") as fh:
        fh.write("\\n".join(sorted(sys.modules)))
    real_exit(code)
os._exit = _exit
sys.argv = ["mfgkb", *sys.argv[2:]]
from mfgkb.startup import main
main()
"""


def loaded_modules(tmp_path: Path, env: dict[str, str], *args: str) -> set[str]:
    """The modules loaded when ``mfgkb ARGS`` exits (it must succeed)."""
    out = tmp_path / "modules.txt"
    out.unlink(missing_ok=True)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, str(out), *args],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return set(out.read_text(encoding="utf-8").split("\n"))


def run_on_terminal(
    args: list[str],
    env: dict[str, str],
    command: list[str] | None = None,
    *,
    stdin_too: bool = False,
) -> bytes:
    """What the console script writes when its stdout and stderr are a pseudo-terminal.

    ``command`` runs instead of the console script, if given (with ``args`` after it).

    The child's stdin is /dev/null, so this works where the test run has no input;
    with ``stdin_too`` it is the terminal as well (a pager needs both), never typed at.
    The terminal turns each newline into CR LF; the result has them back as LF.
    """
    master, slave = os.openpty()
    try:
        proc = subprocess.Popen(
            [*(command or console_script()), *args],
            env=env,
            stdin=slave if stdin_too else subprocess.DEVNULL,
            stdout=slave,
            stderr=slave,
        )
        os.close(slave)
        out = bytearray()
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            out.extend(chunk)
        proc.wait(timeout=60)
    finally:
        os.close(master)
    return bytes(out).replace(b"\r\n", b"\n")
