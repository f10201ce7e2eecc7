"""Tables about how the bot runs, not what was said: entry uses, prompt runs, audit log, state, scheduler jobs."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from copbot.store.base import Base
from copbot.store.types import AwareDateTime, stored_now


class EntryUse(Base):
    """An entry shown to someone: suggested for a question, viewed with /kb show, or accepted by the asker."""

    __tablename__ = "entry_uses"
    __table_args__ = (Index("ix_entry_uses_kind_at", "kind", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    """suggested, viewed or accepted."""
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("knowledge_entries.id", ondelete="CASCADE"), index=True)
    """The entry; NULL for an acceptance of a suggestion message that showed several entries."""
    platform: Mapped[str] = mapped_column(String(16), default="")
    room: Mapped[str] = mapped_column(String(255), default="")
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id", ondelete="SET NULL"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    message_id: Mapped[str | None] = mapped_column(String(255), index=True)
    """The bot's message that showed the suggestion (what the asker reacts to)."""
    at: Mapped[datetime] = mapped_column(AwareDateTime, default=stored_now)


class PromptRun(Base):
    """One scheduled (or manual) run of a prompt, with the message it produced."""

    __tablename__ = "prompt_runs"
    __table_args__ = (UniqueConstraint("prompt_name", "scheduled_for"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    prompt_name: Mapped[str] = mapped_column(String(64), index=True)
    scheduled_for: Mapped[datetime] = mapped_column(AwareDateTime)
    started_at: Mapped[datetime] = mapped_column(AwareDateTime, default=stored_now)
    status: Mapped[str] = mapped_column(String(16), default="claimed")
    """claimed, posted, skipped or failed."""
    text_index: Mapped[int | None] = mapped_column(Integer)
    platform: Mapped[str] = mapped_column(String(16), default="")
    room: Mapped[str] = mapped_column(String(255), default="")
    message_id: Mapped[str | None] = mapped_column(String(255), index=True)
    detail: Mapped[str] = mapped_column(Text, default="")


class AuditLog(Base):
    """A moderator action, for accountability."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(AwareDateTime, default=stored_now, index=True)
    platform: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[str] = mapped_column(String(255))
    actor_name: Mapped[str] = mapped_column(String(255), default="")
    action: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(255), default="")
    detail: Mapped[str] = mapped_column(Text, default="")


class KeyValue(Base):
    """Small persistent state: sync tokens, device ids, leader markers."""

    __tablename__ = "kv_state"
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime, default=stored_now)


class SchedulerJob(Base):
    """APScheduler 3.x SQLAlchemyJobStore's table, owned by our migrations so nothing drifts."""

    __tablename__ = "apscheduler_jobs"
    id: Mapped[str] = mapped_column(String(191), primary_key=True)
    next_run_time: Mapped[float | None] = mapped_column(Float(precision=25), index=True)
    job_state: Mapped[bytes] = mapped_column(LargeBinary)
