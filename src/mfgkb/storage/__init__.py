"""The database file: the user's data and the only source of truth.

Nothing is imported here, so that loading one part (``files``, to write an
export to a file) does not load TinyDB and orjson with it. The parts, each
importing only those before it:

* ``files``: safe reads, atomic writes, fsync, temporary files, backups;
* ``records``: the schema, file checks, migrations, records as dataclasses;
* ``codec``: the bytes of the file, and adding an article by splicing them;
* ``locking``: the write lock beside the database;
* ``tables``: TinyDB over the data in memory, and the Transaction;
* ``store``: the Store, which ties them together.
"""
