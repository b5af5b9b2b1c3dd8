"""Running the installed console script in a child process, with every user path in tmp."""

from __future__ import annotations

import os
import sys
from pathlib import Path


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


def run_on_terminal(
    args: list[str], env: dict[str, str], command: list[str] | None = None
) -> bytes:
    """What the console script writes when its stdout and stderr are a pseudo-terminal.

    ``command`` runs instead of the console script, if given (with ``args`` after it).

    The child's stdin is /dev/null, so this works where the test run has no input.
    The terminal turns each newline into CR LF; the result has them back as LF.
    """
    import subprocess

    master, slave = os.openpty()
    try:
        proc = subprocess.Popen(
            [*(command or console_script()), *args],
            env=env,
            stdin=subprocess.DEVNULL,
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
