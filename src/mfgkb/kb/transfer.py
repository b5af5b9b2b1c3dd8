"""Records in and out in bulk: import, full dump and restore, backups.

Whatever comes in, an id once handed out is never handed out again: a
restore raises the counter past every counter on disk (the file, its
backups) and past every id the index remembers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from mfgkb.errors import DuplicateError, ValidationError
from mfgkb.filestamp import same_file
from mfgkb.kb.lifecycle import Lifecycle
from mfgkb.models import Article, Topic, now_utc, url_key

if TYPE_CHECKING:
    from mfgkb.results import BackupInfo, BackupList, ImportReport, Whereabouts


class Transfer(Lifecycle):
    """The import, dump, restore and backup operations of ``KnowledgeBase``."""

    def import_articles(
        self,
        drafts: list[tuple[int, Article]],
        *,
        invalid: list[tuple[int, str]] | None = None,
        dry_run: bool = False,
    ) -> ImportReport:
        """Store validated drafts in one write, skipping duplicate URLs and unknown topics.

        ``drafts`` carry the line they came from, for the report. The list is
        emptied as it is used, so the drafts need not be held twice in memory.
        """
        from mfgkb.results import ImportReport  # not at the top: search needs none

        report = ImportReport(invalid=list(invalid or []), dry_run=dry_run)
        with contextlib.ExitStack() as stack:
            # A dry run only reads: no lock, and no database created for it.
            tx, idx = (None, self.reader()) if dry_run else stack.enter_context(self.writer())
            seen = idx.url_keys()
            slugs: dict[str, str | None] = {}
            now = now_utc()
            accepted: list[Article] = []
            drafts.reverse()  # pop() from the end keeps the file's order
            while drafts:
                line, draft = drafts.pop()
                topics: list[str] = []
                for name in draft.topics:
                    if name not in slugs:
                        slugs[name] = idx.resolve_topic(name)
                    slug = slugs[name]
                    if slug is None:
                        break
                    topics.append(slug)
                else:
                    if draft.url:
                        key = url_key(draft.url)
                        if key in seen:
                            owner = seen[key]
                            where = f"article {owner}" if owner > 0 else f"line {-owner}"
                            report.duplicates.append((line, f"URL already in {where}"))
                            continue
                        seen[key] = -line  # later rows repeating it point at this line
                    accepted.append(replace(draft, topics=list(dict.fromkeys(topics)), added=now))
                    continue
                report.invalid.append((line, f"unknown topic '{name}'"))
            del seen
            report.invalid.sort()
            report.added = accepted if tx is None else tx.add_articles(accepted)
            del accepted
        return report

    # -- export and full restore ------------------------------------------------
    def everything(self) -> tuple[list[Topic], list[Article], int]:
        """Every record (topics in stored order) and the id counter, for a full dump."""
        from mfgkb.storage.records import article_of, topic_of

        self.ensure()
        data, _ = self.store.read()
        topics = [topic_of(d) for _, d in sorted(data["topics"].items(), key=lambda kv: int(kv[0]))]
        articles = [article_of(k, d) for k, d in data["articles"].items()]
        return (
            topics,
            sorted(articles, key=lambda a: a.id),
            int(data["meta"]["1"]["next_article_id"]),
        )

    def check_restorable(self) -> None:
        """Refuse to restore a dump over records: a dump goes into a new or empty database."""
        from mfgkb.storage.store import load

        if self.path.exists():
            data, _, _ = load(self.path)
            if data["topics"] or data["articles"]:
                raise DuplicateError(
                    f"The database {self.path} is not empty; a full dump is restored only into "
                    f"a new one: mfgkb --db NEW.json import DUMP.json"
                )

    def restore_dump(self, topics: list[Topic], articles: list[Article], next_id: int) -> None:
        """Fill a new (or empty) database with a dump, ids, times and counter as they were."""
        from mfgkb.storage.records import empty_data

        self.check_restorable()
        if not self.path.exists() and self._create_parents:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        floor = self._indexed_high_water()
        with self.store.transaction(create=empty_data, on_commit=self._sync_index) as tx:
            for topic in topics:
                tx.put_topic(topic)
            # Ids an earlier file at this path gave out (its backups, its index) stay used.
            tx.restore_articles(articles, max(next_id, floor, self.store.high_water()))

    def _indexed_high_water(self) -> int:
        """One past the highest id in the index, or 0: ids some version of the file held.

        The index survives a database file that was damaged or replaced, so it
        remembers ids that no file on disk may hold any more.
        """
        return self._peek_index(lambda idx: idx.max_id() + 1, 0)

    # -- backups ---------------------------------------------------------------
    def backups(self) -> list[Path]:
        return self.store.backups()

    def backup_list(self) -> BackupList:
        """The automatic backups with their times, sizes and article counts."""
        from mfgkb.results import BackupList

        return BackupList(self.path, self._backup_infos())

    def _backup_infos(self) -> list[BackupInfo]:
        from mfgkb.errors import MfgkbError
        from mfgkb.results import BackupInfo
        from mfgkb.storage.backups import backups_of
        from mfgkb.storage.store import article_count

        infos: list[BackupInfo] = []
        # A daily backup is usually a hard link to a rolling one: read each file once.
        read: dict[tuple[int, int], tuple[int | None, str | None]] = {}
        for backup in backups_of(self.path):
            try:
                st = backup.path.stat()
            except OSError:  # pruned by a writer meanwhile
                continue
            key = (st.st_dev, st.st_ino)
            if key not in read:
                try:
                    read[key] = (article_count(backup.path), None)
                except MfgkbError:
                    read[key] = (None, "not a usable database")
            articles, problem = read[key]
            kind = "rolling" if backup.n is not None else "daily"
            path = backup.path.absolute()  # to restore from anywhere
            infos.append(BackupInfo(path, kind, st.st_mtime, st.st_size, articles, problem))
        return infos

    def where(self, given: Path) -> Whereabouts:
        """Where the database is (``given`` as the user named it), its index and backups.

        Creates nothing, not even a database that does not exist yet: the
        answer then says where one would be made.
        """
        from mfgkb.errors import MfgkbError
        from mfgkb.filestamp import stamp
        from mfgkb.results import Whereabouts
        from mfgkb.storage.store import counts

        absolute = given.absolute()
        try:
            real = absolute.resolve()
        except (OSError, RuntimeError):  # a loop of links: as far as it goes
            real = absolute
        problem: str | None = None
        try:
            st = stamp(self.path)
        except OSError as exc:  # a folder on the way that may not be entered
            st, problem = None, f"{self.path} cannot be read ({exc.strerror or exc})."
        indexed = self._peek_index(lambda idx: (idx.stamp(), idx.counts()), None)
        if indexed is None:
            index = "missing" if not self.index_path.exists() else "out of date"
        else:
            index = "current" if st is not None and indexed[0] == st.encode() else "out of date"
        topics = articles = None
        if indexed is not None and index == "current":
            topics, articles = indexed[1]  # the index holds what the file holds
        elif st is not None:
            try:
                topics, articles = counts(self.path)
            except MfgkbError as err:
                problem = str(err)
        return Whereabouts(
            path=absolute,
            real_path=real,
            is_link=absolute.is_symlink(),
            exists=st is not None,
            size=st.size if st is not None else None,
            articles=articles,
            topics=topics,
            problem=problem,
            index_path=self.index_path.absolute(),
            index_state=index,
            backups=self._backup_infos(),
            folder_exists=self.path.parent.is_dir(),
        )

    def backup_to(self, dest: Path, *, force: bool = False) -> Path:
        self.ensure()
        return self.store.backup_to(dest, force=force)

    def restore_from(self, src: Path, confirm: Callable[[], bool] | None = None) -> bool:
        """Replace the database with ``src``; False if ``confirm`` (asked once
        ``src`` is known to be restorable) said no."""
        if same_file(src, self.path):
            raise ValidationError("That is the database itself; name a backup file to restore.")
        if self.store.restore_from(src, self._indexed_high_water(), confirm) is None:
            return False
        self.reader()  # rebuild the index for the restored content now, not on next use
        return True
