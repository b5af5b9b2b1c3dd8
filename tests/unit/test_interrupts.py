"""A Ctrl-C that Python swallows (in a weakref callback, say) prints no traceback.

The whole run, in a child process, is in tests/system/test_interrupts_and_limits.py.
"""

from __future__ import annotations

import types

import pytest

from mfgkb import edge, interrupts


def test_only_a_ctrl_c_is_kept_quiet(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[object] = []
    monkeypatch.setattr("sys.__unraisablehook__", seen.append)
    interrupts.quiet_hook(types.SimpleNamespace(exc_value=KeyboardInterrupt()))
    assert seen == []
    other = types.SimpleNamespace(exc_value=ValueError("a destructor failed"))
    interrupts.quiet_hook(other)
    assert seen == [other]  # reported as Python would


def test_the_hook_is_the_users_again_after_the_command() -> None:
    import sys

    before = sys.unraisablehook
    with edge.Command():
        assert sys.unraisablehook is interrupts.quiet_hook
    assert sys.unraisablehook is before
