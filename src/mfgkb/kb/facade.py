"""``KnowledgeBase``: the one object per database path that the commands use.

Assembled from one part per job, each a subclass of ``Lifecycle`` (opening
the database, keeping the index fresh, recovering a damaged one): ``Topics``,
``TopicLife`` (rename, merge, remove), ``Articles`` (with the add-article
fast path), ``Transfer`` (import, dump, restore, backups), ``Checking``
(check, check --fix) and ``Searching`` (search, stats, counts, completion).
The parts share no state but what ``Lifecycle`` holds.
"""

from __future__ import annotations

from mfgkb.kb.articles import Articles
from mfgkb.kb.checking import Checking
from mfgkb.kb.searching import Searching
from mfgkb.kb.topic_life import TopicLife
from mfgkb.kb.topics import Topics
from mfgkb.kb.transfer import Transfer


class KnowledgeBase(Topics, TopicLife, Articles, Transfer, Checking, Searching):
    """Operations on one database file."""
