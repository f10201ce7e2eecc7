"""A private in-memory FTS5 table: rows go in for one question about their tokens and leave by a rollback.

Taking rows out of an FTS5 table with ``DELETE`` tokenizes each of them again to find the index entries to remove
(it cost twice the insert); rolling back the transaction the rows went in with drops the changed pages instead, so
a table that holds rows only for the length of one question costs the insert and the question.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence


class ScratchTable:
    """``docs(columns...)`` with the given tokenizer and ``terms``, its instance vocabulary, in memory of its own."""

    def __init__(self, columns: Sequence[str], tokenize: str) -> None:
        self._lock = threading.Lock()
        self._db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None)
        self._db.execute(f"CREATE VIRTUAL TABLE docs USING fts5({', '.join(columns)}, tokenize='{tokenize}')")
        self._db.execute("CREATE VIRTUAL TABLE terms USING fts5vocab(docs, instance)")
        self._insert = f"INSERT INTO docs(rowid, {', '.join(columns)}) VALUES (?{', ?' * len(columns)})"

    @contextlib.contextmanager
    def holding(self, rows: Iterable[Sequence[object]]) -> Iterator[sqlite3.Connection]:
        """The connection, with ``docs`` holding ``rows`` (rowid, then each column) until the block ends; one
        caller at a time (the table is shared by the application's sessions and threads)."""
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.executemany(self._insert, rows)
                yield self._db
            finally:
                self._db.execute("ROLLBACK")
