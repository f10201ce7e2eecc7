"""Tables of the backfill: a checkpoint per channel, what each backfill added, and the review queue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from copbot.store.base import Base
from copbot.store.types import AwareDateTime, stored_now


class BackfillCheckpoint(Base):
    """How far the backfill of one source (a channel, thread or room; a file's channel) has come."""

    __tablename__ = "backfill_checkpoints"
    __table_args__ = (UniqueConstraint("platform", "source"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(255))
    """The channel, thread or room id read (its messages are stored in that order)."""
    room: Mapped[str] = mapped_column(String(255))
    position: Mapped[int] = mapped_column(Integer, default=0)
    """How many of the source's messages, in reading order, are done (stored or skipped)."""
    last_message_id: Mapped[str | None] = mapped_column(String(255))
    stored: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime, default=stored_now)


class BackfillRow(Base):
    """A message or thread a backfill stored, so ``copbot backfill --remove`` takes exactly those away."""

    __tablename__ = "backfill_rows"
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    """message or thread."""
    row_id: Mapped[int] = mapped_column(Integer, primary_key=True)


class BackfillCandidate(Base):
    """A past thread that looks answered, waiting for review (or accepted, or rejected)."""

    __tablename__ = "backfill_candidates"
    __table_args__ = (Index("ix_backfill_candidates_status", "status", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), unique=True)
    signal: Mapped[str] = mapped_column(String(32))
    """What showed it was answered: reaction, thanks, solved_tag or pinned."""
    answer_ids: Mapped[str] = mapped_column(Text, default="")
    """The answers the signal points at, space-separated message ids (empty: chosen as a person would)."""
    status: Mapped[str] = mapped_column(String(16), default="pending")
    """pending, accepted or rejected."""
    source_url: Mapped[str | None] = mapped_column(Text)
    source_public: Mapped[bool] = mapped_column(Boolean, default=False)
    entry_id: Mapped[int | None] = mapped_column(ForeignKey("knowledge_entries.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=stored_now)
    decided_at: Mapped[datetime | None] = mapped_column(AwareDateTime)
    decided_by: Mapped[str] = mapped_column(String(255), default="")
