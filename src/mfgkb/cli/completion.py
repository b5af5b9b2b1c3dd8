"""Shell completion: the scripts (--install-completion, --show-completion) and the values.

The values a shell offers on Tab come from the user's own database: topic
slugs, tags, article ids, each with its title as help (zsh and fish show it).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import typer

from mfgkb.cli.context import default_db, fail
from mfgkb.errors import Exit
from mfgkb.models import printable

_SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")
_COMPLETION_OPTIONS = ("--install-completion", "--show-completion")
SHELL_KEY = "mfgkb.completion_shell"


def completion_shell(args: list[str]) -> tuple[list[str], str | None]:
    """``args`` without the shell named after a completion option, and that shell.

    Only the options before the command are looked at (they are the app's own);
    the word after the option is the shell unless it is an option itself.
    """
    i = 0
    while i < len(args):
        name, eq, value = args[i].partition("=")
        if name in _COMPLETION_OPTIONS:
            if eq:
                return [*args[:i], name, *args[i + 1 :]], value
            if i + 1 < len(args) and not args[i + 1].startswith("-"):
                return [*args[: i + 1], *args[i + 2 :]], args[i + 1]
            return args, None
        if args[i] == "--db":
            i += 1  # its value, whatever it looks like
        elif not args[i].startswith("-"):
            break  # the command
        i += 1
    return args, None


def _completion(ctx: typer.Context, value: bool, *, install: bool) -> None:
    """Print, or install, the completion script of the named (else the current) shell."""
    if not value or ctx.resilient_parsing:
        return
    from typer._completion_shared import _get_shell_name, get_completion_script
    from typer._completion_shared import install as install_script

    option = _COMPLETION_OPTIONS[0 if install else 1]
    shell = ctx.meta.get(SHELL_KEY) or _get_shell_name()
    if shell is None:
        fail(f"The shell could not be detected; name it, e.g. mfgkb {option} bash.", Exit.USAGE)
    if shell not in _SHELLS:
        fail(
            f"Shell {shell!r} is not supported; name one of bash, zsh, fish or powershell, "
            f"e.g. mfgkb {option} zsh.",
            Exit.USAGE,
        )
    prog = ctx.find_root().info_name or "mfgkb"
    var = "_{}_COMPLETE".format(prog.replace("-", "_").upper())
    if not install:
        sys.stdout.write(get_completion_script(prog_name=prog, complete_var=var, shell=shell))
        sys.stdout.write("\n")
        raise typer.Exit(0)
    import subprocess

    try:
        _, path = install_script(shell=shell, prog_name=prog, complete_var=var)
    except (OSError, subprocess.SubprocessError) as exc:
        fail(f"Could not install {shell} completion ({exc}); use --show-completion instead.", 1)
    from mfgkb import views

    views.notice(f"Installed {shell} completion in {path}; it works in a new terminal.")
    raise typer.Exit(0)


def install_completion(ctx: typer.Context, value: bool) -> None:
    _completion(ctx, value, install=True)


def show_completion(ctx: typer.Context, value: bool) -> None:
    _completion(ctx, value, install=False)


def completer(what: str) -> Any:
    """A Typer autocompletion function listing ``what`` from the user's own database."""

    def complete(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
        from mfgkb.kb import KnowledgeBase

        db = ctx.find_root().params.get("db") or os.environ.get("MFGKB_DB")
        kb = KnowledgeBase(Path(db).expanduser() if db else default_db())
        try:
            candidates = kb.complete(what, incomplete)
        finally:
            kb.close()
        # The shell prints the values and (zsh, fish) the help: control
        # characters escaped. A value that needs escaping is left out, as its
        # escaped form would insert a different tag than the one stored.
        return [(v, printable(h)) for v, h in candidates if printable(v) == v]

    return complete


complete_topic = completer("topic")
complete_tag = completer("tag")
complete_id = completer("id")
