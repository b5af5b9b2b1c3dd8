"""``check`` and ``check --fix``: what is wrong with the file, and repairing what is safe.

The rules themselves are in ``mfgkb.check``; this part gathers the problems
of one state of the file (its data, its bytes, what lies beside it, its
index) and, to repair, does it all again under the lock.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from mfgkb.kb.lifecycle import Lifecycle

if TYPE_CHECKING:
    from mfgkb.check import Problem
    from mfgkb.results import CheckReport


class Checking(Lifecycle):
    """The check operation of ``KnowledgeBase``."""

    def check(self, *, fix: bool) -> CheckReport:
        """Verify the file (and with ``fix``, repair what is safe, after a backup)."""
        from mfgkb.results import CheckReport  # not at the top: search needs none
        from mfgkb.storage.files import orphan_temp_files
        from mfgkb.storage.store import load

        self.ensure()
        data, st, _ = load(self.path)  # raises for a file that cannot be used at all
        orphans = orphan_temp_files(self.path)
        problems = self._problems(data, self.path.read_bytes(), st.encode(), orphans)
        report = CheckReport(
            problems=problems,
            topics=len(data["topics"]),
            articles=len(data["articles"]),
            path=str(self.path),
        )
        del data
        if fix and any(p.fixable for p in problems):
            return self._fix(orphans)
        report.remaining = list(problems)
        return report

    def _problems(
        self, data: dict[str, Any], raw: bytes, stamp_: str | None, orphans: list[Path]
    ) -> list[Problem]:
        """Every problem of one snapshot of the file: its data, its bytes, what lies beside it."""
        from mfgkb.check import Problem, check_data, duplicate_keys

        problems = check_data(data)
        problems += [
            Problem("file", f"the key '{k}' appears twice in one object; only the last is used")
            for k in duplicate_keys(raw)
        ]
        problems += [
            Problem(str(p.name), "is a temporary file left by an interrupted write", True)
            for p in orphans
        ]
        if self._open_index().stamp() != stamp_:
            problems.append(Problem("index", "is out of date with the database file", True))
        return problems

    def _fix(self, orphans: list[Path]) -> CheckReport:
        """Check again and repair, all under the lock, so that what is listed, what is
        repaired and what remains come from one state of the file (writers wait)."""
        from mfgkb.check import check_data, repair
        from mfgkb.results import CheckReport

        with self.store.transaction(on_commit=self._sync_index) as tx:
            # The lock removed the temporary files left by killed writers (the
            # ones seen before it was taken; no writer can leave one meanwhile).
            expected = tx.stamp.encode() if tx.stamp else None
            data = tx.data
            raw = self.path.read_bytes()  # the bytes tx read: writers wait for the lock
            report = CheckReport(
                problems=self._problems(data, raw, expected, orphans),
                topics=len(data["topics"]),
                articles=len(data["articles"]),
                path=str(self.path),
            )
            report.fixed = tx.repair(repair)
            remaining = check_data(tx.data)
            if not tx.dirty:  # the file stays as it is: its bytes and its index are checked
                remaining += [p for p in report.problems if p.where == "file"]
                idx = self._open_index()
                if idx.stamp() != expected:
                    self._rebuild_from(idx, tx.data, expected or "", canonical=False)
            # Written (if dirty) when the block ends, with the index brought in step.
            report.remaining = remaining
        return report
