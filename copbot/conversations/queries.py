"""The reads a batch sends, each built once with expanding parameters (an IN of hundreds of literal values costs more
to build than to run)."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import BindParameter, Select, bindparam, select, union_all
from sqlalchemy.sql.selectable import ExecutableReturnsRows

from copbot.conversations.stored import STORED_COLUMNS
from copbot.store.models import Member, Message, Thread
from copbot.store.operations import PromptRun


def _many(name: str) -> Any:
    return bindparam(name, expanding=True)


@cache
def members_named() -> Select[Member]:
    """The ``platform``'s members whose ids are in ``ids``."""
    return select(Member).where(Member.platform == bindparam("platform"), Member.external_id.in_(_many("ids")))


@cache
def messages_named() -> Select[*tuple[Any, ...]]:
    """The ``platform``'s stored messages whose ids are in ``refs``, as ``StoredMessage`` rows."""
    return select(*STORED_COLUMNS).where(
        Message.platform == bindparam("platform"), Message.external_id.in_(_many("refs"))
    )


@cache
def threads_named() -> ExecutableReturnsRows:
    """The ``platform``'s threads keyed by one of ``keys`` in one of ``rooms`` (the caller checks the pairs), and the
    threads of its messages in ``refs``: one statement of two index lookups (an OR over rooms reads every thread)."""
    platform: BindParameter[str] = bindparam("platform")
    keyed = select(Thread).where(
        Thread.platform == platform, Thread.room.in_(_many("rooms")), Thread.thread_key.in_(_many("keys"))
    )
    of_refs = select(Message.thread_id).where(Message.platform == platform, Message.external_id.in_(_many("refs")))
    referred = select(Thread).where(Thread.id.in_(of_refs))
    return select(Thread).from_statement(union_all(keyed, referred))


@cache
def posted_prompts() -> Select[str | None]:
    """The message ids among ``keys`` of the ``platform``'s posted prompts."""
    where = (PromptRun.platform == bindparam("platform"), PromptRun.status == "posted")
    return select(PromptRun.message_id).where(*where, PromptRun.message_id.in_(_many("keys")))
