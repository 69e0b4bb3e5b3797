"""Write transactions on a database server that survive deadlocks and serialization failures.

PostgreSQL (SQLSTATE ``40P01`` deadlock, ``40001`` serialization failure) and
MySQL/MariaDB (InnoDB ``1213`` deadlock, ``1205`` lock wait timeout) abort a
transaction that loses a lock conflict and expect the client to try it again.
:class:`ReplayingConnection` stands for the SQLAlchemy connection of one write
transaction: it remembers every statement the transaction ran (with its
parameters, its row count and its rows), and when a statement fails with such an
error it rolls back, waits a little, runs the remembered statements again in a
new transaction and then the failed one. The code that opened the transaction
(a store method or a whole :meth:`~cairn.metadata_stores.SQLMetadataStore.batch`)
never notices, and it keeps the ids and values it already holds, since the
replayed statements carry the same parameters.

If a replayed statement does not give what it gave the first time (another
writer changed a row meanwhile: a different row count or different rows), the
replay stops and the original error is raised: the transaction fails as it did
before, and nothing of it is recorded. A lost connection (the server went away)
is never replayed either: the write fails, and the run with it.

SQLite does not need this (writers take the lock up front with ``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

#: PostgreSQL SQLSTATEs and MySQL/MariaDB error numbers worth a new attempt.
TRANSIENT_SQLSTATES = frozenset({"40001", "40P01"})
TRANSIENT_MYSQL_ERRORS = frozenset({1213, 1205})
#: Attempts after the first, and the first wait (doubled each time, with jitter).
RETRIES = 6
FIRST_WAIT_S = 0.02


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` (a SQLAlchemy ``DBAPIError``) is a deadlock or serialization failure."""
    if getattr(exc, "connection_invalidated", False):
        return False
    orig = getattr(exc, "orig", None)
    if orig is None:
        return False
    if getattr(orig, "sqlstate", None) in TRANSIENT_SQLSTATES:
        return True
    args: tuple[Any, ...] = tuple(getattr(orig, "args", ()))
    return bool(args) and args[0] in TRANSIENT_MYSQL_ERRORS


class _ReplayMismatch(Exception):
    """A replayed statement gave another result than the first time."""


class ReplayingConnection:
    """A SQLAlchemy ``Connection`` in a write transaction, replayed after a lock conflict.

    Only ``execute``, ``exec_driver_sql`` and ``begin_nested`` are intercepted;
    everything else goes to the connection.

    Attributes:
        retries: how many replays were needed so far (for tests and benchmarks).
    """

    def __init__(self, connection: Any) -> None:
        self._conn = connection
        self._log: list[tuple[str, tuple[Any, ...], dict[str, Any], Any]] = []
        self.retries = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)

    def execute(self, *args: Any, **kwargs: Any) -> Any:
        return self._run("execute", args, kwargs)

    def exec_driver_sql(self, *args: Any, **kwargs: Any) -> Any:
        return self._run("exec_driver_sql", args, kwargs)

    @contextmanager
    def begin_nested(self) -> Iterator[Any]:
        """A savepoint; statements rolled back to it are forgotten (they are not replayed)."""
        mark = len(self._log)
        try:
            with self._conn.begin_nested() as nested:
                yield nested
        except BaseException:
            del self._log[mark:]
            raise

    def commit(self) -> None:
        """Commit; a commit refused for a lock conflict replays the whole transaction first."""
        from sqlalchemy.exc import DBAPIError

        try:
            self._conn.commit()
        except DBAPIError as exc:
            if not is_transient(exc):
                raise
            self._recover(exc, None)
            self._conn.commit()

    # ------------------------------------------------------------ internals
    def _run(self, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        from sqlalchemy.exc import DBAPIError

        try:
            result = getattr(self._conn, method)(*args, **kwargs)
        except DBAPIError as exc:
            if not is_transient(exc):
                raise
            result = self._recover(exc, (method, args, kwargs))
        return self._remember(method, args, kwargs, result)

    def _remember(
        self, method: str, args: tuple[Any, ...], kwargs: dict[str, Any], result: Any
    ) -> Any:
        if result.returns_rows:
            frozen = result.freeze()
            self._log.append((method, args, kwargs, ("rows", frozen.data)))
            return frozen()
        self._log.append((method, args, kwargs, ("count", result.rowcount)))
        return result

    def _recover(
        self, exc: BaseException, failed: tuple[str, tuple[Any, ...], dict[str, Any]] | None
    ) -> Any:
        """Roll back, replay the log in a new transaction, then run ``failed`` again."""
        from sqlalchemy.exc import DBAPIError

        wait = FIRST_WAIT_S
        for _attempt in range(RETRIES):
            time.sleep(wait * (1 + random.random()))
            wait *= 2
            self.retries += 1
            try:
                self._conn.rollback()
                self._conn.begin()
                self._replay()
                if failed is None:
                    return None
                method, args, kwargs = failed
                return getattr(self._conn, method)(*args, **kwargs)
            except DBAPIError as again:
                if not is_transient(again):
                    raise
            except _ReplayMismatch:
                break
        raise exc

    def _replay(self) -> None:
        for method, args, kwargs, (kind, expected) in self._log:
            result = getattr(self._conn, method)(*args, **kwargs)
            got = result.freeze().data if kind == "rows" else result.rowcount
            if got != expected:
                raise _ReplayMismatch
