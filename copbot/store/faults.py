"""When the store cannot be written (a full disk, a read-only or vanished file): told once, counted after.

A full disk drops every message until space is freed; logging each one with its traceback buried the one line that
mattered under hundreds of thousands. ``WriteFailures`` logs the first failure with its reason, then at most one
summary a minute ("N messages could not be stored since HH:MM"), and one line when storing works again.
"""

from __future__ import annotations

import errno
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta

from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.core.clock import Clock
from copbot.store.scope import factory_scope

log = logging.getLogger(__name__)

SUMMARY_EVERY = timedelta(minutes=1)
"""At most one line about failing writes per this interval (the first failure and the recovery are always told)."""
_MESSAGES = (
    "database or disk is full",
    "disk i/o error",
    "readonly database",
    "read-only file system",
    "no space left on device",
    "unable to open database file",
    "could not extend file",
    "could not write",
)
"""How SQLite and PostgreSQL word a write the disk or the file refused."""
_SQLSTATE_CLASSES = ("53", "08", "57P")
"""PostgreSQL: insufficient resources (disk full), connection exceptions, the server shutting down."""
_SQLSTATES = ("25006",)
"""PostgreSQL: a write in a read-only transaction (a read-only replica, ``default_transaction_read_only``)."""
_ERRNOS = {errno.ENOSPC, errno.EROFS, errno.EIO, errno.EFBIG, errno.EDQUOT, errno.EACCES, errno.ECONNREFUSED}


class StoreUnusable(Exception):
    """The store cannot be written at all (read-only, or its file is gone); the message is one sentence for people."""


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        if isinstance(current, DBAPIError) and current.orig is not None:
            yield current.orig
        current = current.__cause__ or current.__context__


def is_write_failure(error: BaseException) -> bool:
    """Whether ``error`` means the store refused or lost a write (not a bug in what was written)."""
    for link in _chain(error):
        if isinstance(link, StoreUnusable | ConnectionError):
            return True
        if isinstance(link, DBAPIError) and link.connection_invalidated:
            return True
        if isinstance(link, OSError) and link.errno in _ERRNOS:
            return True
        state = str(getattr(link, "sqlstate", "") or getattr(link, "pgcode", "") or "")
        if state in _SQLSTATES or state.startswith(_SQLSTATE_CLASSES):
            return True
        if any(words in str(link).lower() for words in _MESSAGES):
            return True
    return False


def reason(error: BaseException) -> str:
    """The first line of the deepest driver message, such as ``database or disk is full``."""
    if isinstance(error, StoreUnusable):
        return str(error)
    deepest = [link for link in _chain(error) if not isinstance(link, DBAPIError)]
    text = str(deepest[-1] if deepest else error).strip()
    return text.splitlines()[0] if text else type(error).__name__


class WriteFailures:
    """Counts writes the store refused and tells of them in a few lines: the first, one a minute, the recovery."""

    def __init__(self, clock: Clock, *, every: timedelta = SUMMARY_EVERY) -> None:
        self.clock = clock
        self.every = every
        self.total = 0
        """Every failure since the start (for tests and health)."""
        self.refused = 0
        """Messages refused because the store is unusable (its file gone): whoever stops the bot tells of them."""
        self._open = False
        """A first-failure line was logged and no recovery line yet."""
        self._pending = [0, 0]
        """Messages, and other writes (a command's, a listener's), not yet told in any line."""
        self._since: datetime | None = None
        self._last_line: datetime | None = None
        self._reason = ""

    def failed(self, error: BaseException, what: str = "a message", *, message: bool = True) -> None:
        """One message (or, with ``message=False``, another write) could not be stored because of ``error``."""
        now = self.clock.now()
        log.debug("could not store %s", what, exc_info=error)
        self.total += 1
        if isinstance(error, StoreUnusable):
            self.refused += int(message)
            return
        self._pending[0 if message else 1] += 1
        self._since = self._since or now
        self._reason = reason(error)
        if not self._due(now):
            return
        if not self._open:
            self._pending[0 if message else 1] -= 1
            earlier = f"; {self._tally()} since {_hhmm(self._since)}" if any(self._pending) else ""
            log.error(
                "could not store %s: %s%s. copbot keeps running; further failures are counted, not logged one by one",
                what,
                self._reason,
                earlier,
            )
            self._open = True
        else:
            log.error("%s could not be stored since %s (%s)", self._tally(), _hhmm(self._since), self._reason)
        self._told(now)

    def succeeded(self) -> None:
        """A write went through: if failures were told, say that storing works again."""
        if not self._open and not any(self._pending):
            return
        now = self.clock.now()
        if self._open or self._due(now):
            missed = f"; {self._tally()} could not be stored since {_hhmm(self._since)}" if any(self._pending) else ""
            log.warning("storing works again%s", missed)
            self._open = False
            self._told(now)

    def close(self) -> None:
        """At shutdown: tell the failures no line has told yet."""
        if any(self._pending):
            log.error("%s could not be stored since %s (%s)", self._tally(), _hhmm(self._since), self._reason)
            self._told(self.clock.now())

    def _tally(self) -> str:
        messages, other = self._pending
        words = [_count(messages, "message")] if messages else []
        return " and ".join([*words, _count(other, "other write")] if other else words)

    def _due(self, now: datetime) -> bool:
        return self._last_line is None or now - self._last_line >= self.every

    def _told(self, now: datetime) -> None:
        self._last_line = now
        self._pending = [0, 0]
        self._since = None


def write_failures(sessions: async_sessionmaker[AsyncSession]) -> WriteFailures:
    """The one failure counter of the application that made ``sessions``."""
    scope = factory_scope(sessions)
    return scope.slot("store.write_failures", lambda: WriteFailures(scope.clock))


def _hhmm(moment: datetime | None) -> str:
    return moment.strftime("%H:%M") if moment is not None else "?"


def _count(number: int, thing: str) -> str:
    return f"1 {thing}" if number == 1 else f"{number} {thing}s"
