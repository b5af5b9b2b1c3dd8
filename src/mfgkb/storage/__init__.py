"""The database file: the user's data and the only source of truth.

Nothing is imported here, so that loading one part (``files``, to write an
export to a file) does not load TinyDB and orjson with it. The parts, each
importing only those before it:

* ``backups``: which rolling and daily backups a write keeps, their names, pruning;
* ``files``: safe reads, atomic writes (keeping the backups), fsync, temporary files;
* ``records``: the schema, file checks, migrations, records as dataclasses;
* ``codec``: the bytes of the file, and adding an article by splicing them;
* ``locking``: the write lock beside the database;
* ``tables``: TinyDB over the data in memory, and the Transaction;
* ``store``: the Store, which ties them together.
"""
