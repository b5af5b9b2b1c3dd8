"""The search index: ranking, snippets, and fast listings. Derived, never the truth.

A SQLite file next to the database (``<db>.index``) holds a copy of every record
in a shape that answers queries without parsing the JSON file:

* an FTS5 table over topics (title, slug and aliases, key terms, summary) and
  articles (title, tags, description, authors, source), tokenised with the
  Porter stemmer and with case and accents folded, ranked by BM25 with field
  weights;
* plain tables for listing articles by topic, tag, author and date, newest
  first, and for counting tags, authors and sources, with indexes, so
  ``show``, ``articles`` and the counts stay fast at 100k articles;
* a vocabulary of unstemmed words for "did you mean" suggestions.

The index records the stamp (size, mtime, inode) of the database file it was
built from. When the file's stamp differs (edited by hand, replaced by a git
pull, written by a crashed process) the index is rebuilt from the file. Delete
the index at any time: the next command rebuilds it.

Why FTS5 rather than a pure-Python index (whoosh, a pickled inverted index):
it ships with Python, queries run in C without loading the index into memory,
it updates incrementally in a transaction, and it brings BM25, phrase and
prefix queries and snippets. A pickled index would be loaded whole by every
search, which is what makes the peers slow at 100k records.

Nothing is imported here, so that a command needing only ``query`` (the
filters of the command line) does not load SQLite. The parts, each importing
only those before it:

* ``stopwords``: the words a query drops;
* ``query``: query parsing, the folding of words, and listing filters;
* ``schema``: the index's tables, columns and their weights;
* ``reads``: listings, counts, stats and shell completion;
* ``ranking``: search, hits and snippets, "did you mean" suggestions;
* ``store``: the Index itself: opening the file, and every write to it.
"""
