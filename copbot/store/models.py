"""SQLAlchemy ORM models of chat and the knowledge base, dialect-neutral; search indexes come from migrations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from copbot.store import backfill as backfill  # registers the backfill tables with the schema
from copbot.store import operations as operations  # registers the operational tables with the schema
from copbot.store.base import Base
from copbot.store.types import AwareDateTime, stored_now


class Space(Base):
    """A community: a Discord guild, a set of Matrix rooms, the console."""

    __tablename__ = "spaces"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255), default="")


class Channel(Base):
    """A channel or room inside a space."""

    __tablename__ = "channels"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(255))
    space_id: Mapped[int | None] = mapped_column(ForeignKey("spaces.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(255), default="")


class Member(Base):
    """A person (or bot) on a platform, with their privacy choices."""

    __tablename__ = "members"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(255), default="")
    is_bot: Mapped[bool] = mapped_column(Boolean, default=False)
    capture_opt_out: Mapped[bool] = mapped_column(Boolean, default=False)
    """The member asked not to have their messages captured."""
    suggest_opt_in: Mapped[bool] = mapped_column(Boolean, default=False)
    """The member agreed to be suggested as an expert."""
    web_opt_out: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """The member asked that nothing of theirs appear on the web (/privacy web off)."""
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=stored_now)


class Thread(Base):
    """A conversation: a platform thread, a forum post, or a reply chain rooted at a message."""

    __tablename__ = "threads"
    __table_args__ = (
        UniqueConstraint("platform", "room", "thread_key"),
        Index("ix_threads_status_created", "status", "created_at"),
        Index("ix_threads_help_created", "is_help_request", "created_at", "asker_id", "answered_at", "room"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    room: Mapped[str] = mapped_column(String(255))
    thread_key: Mapped[str] = mapped_column(String(255))
    """The platform's thread id, or the id of the message the reply chain starts at."""
    is_platform_thread: Mapped[bool] = mapped_column(Boolean, default=True)
    root_message_id: Mapped[str | None] = mapped_column(String(255))
    asker_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="open")
    """open, answered or closed."""
    is_help_request: Mapped[bool] = mapped_column(Boolean, default=False)
    activity: Mapped[str | None] = mapped_column(String(32))
    activity_confidence: Mapped[float | None] = mapped_column(Float)
    prompt_run_id: Mapped[int | None] = mapped_column(ForeignKey("prompt_runs.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=stored_now)
    last_message_at: Mapped[datetime] = mapped_column(AwareDateTime, default=stored_now)
    answered_at: Mapped[datetime | None] = mapped_column(AwareDateTime)


class Message(Base):
    """A chat message the bot has seen, with its activity label."""

    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("platform", "external_id"),
        Index("ix_messages_room_created", "platform", "room", "created_at"),
        Index("ix_messages_created_cover", "created_at", "author_id", "activity", "thread_id", "deleted_at"),
        Index("ix_messages_thread_cover", "thread_id", "created_at", "author_id", "deleted_at"),
        Index("ix_messages_author_created", "author_id", "created_at", "deleted_at"),
        Index("ix_messages_reply_to", "platform", "reply_to"),
        Index("ix_messages_activity_cover", "activity", "created_at", "author_id", "deleted_at", "room"),
        Index("ix_messages_room_author", "room", "author_id", "created_at", "deleted_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(255))
    room: Mapped[str] = mapped_column(String(255))
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id", ondelete="SET NULL"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    reply_to: Mapped[str | None] = mapped_column(String(255))
    activity: Mapped[str | None] = mapped_column(String(32))
    activity_confidence: Mapped[float | None] = mapped_column(Float)
    activity_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=stored_now)
    edited_at: Mapped[datetime | None] = mapped_column(AwareDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(AwareDateTime)
    asker_reaction: Mapped[str | None] = mapped_column(String(64))
    """The reaction the thread's asker gave this message, if any: a sign it answered them."""


entry_tags_table_name = "entry_tags"


class Tag(Base):
    """A topic label on knowledge entries."""

    __tablename__ = "tags"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)


class EntryTag(Base):
    """Which tags an entry carries."""

    __tablename__ = entry_tags_table_name
    entry_id: Mapped[int] = mapped_column(ForeignKey("knowledge_entries.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True)


class KnowledgeEntry(Base):
    """One item of the community's repository: an answered question or a shared resource."""

    __tablename__ = "knowledge_entries"
    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(128), unique=True)
    """The id users see: given at import, or assigned at capture."""
    kind: Mapped[str] = mapped_column(String(16), default="question")
    """question or resource."""
    title: Mapped[str] = mapped_column(Text)
    question: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    resource_url: Mapped[str | None] = mapped_column(Text)
    activity: Mapped[str | None] = mapped_column(String(32), index=True)
    solved: Mapped[bool] = mapped_column(Boolean, default=False)
    captured_via: Mapped[str] = mapped_column(String(16), default="import")
    source_platform: Mapped[str] = mapped_column(String(16), default="")
    source_room: Mapped[str | None] = mapped_column(String(255), index=True)
    source_public: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    """Whether the place it came from was public when it was captured; a private place's entries stay there."""
    source_url: Mapped[str | None] = mapped_column(Text)
    thread_id: Mapped[int | None] = mapped_column(ForeignKey("threads.id", ondelete="SET NULL"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=stored_now, index=True)
    updated_at: Mapped[datetime] = mapped_column(AwareDateTime, default=stored_now)
    messages: Mapped[list[EntryMessage]] = relationship(
        back_populates="entry", cascade="all, delete-orphan", order_by="EntryMessage.position"
    )


class EntryNumber(Base):
    """The numbers of ``kbN`` entry ids: a counter that never goes back, so a deleted entry's id is never reused."""

    __tablename__ = "entry_numbers"
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(primary_key=True)


class EntryMessage(Base):
    """A message kept in an entry: the question, an accepted answer, or another useful message."""

    __tablename__ = "entry_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("knowledge_entries.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    """question, answer or message."""
    position: Mapped[int] = mapped_column(Integer, default=0)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"), index=True)
    author_name: Mapped[str] = mapped_column(String(255), default="")
    external_id: Mapped[str | None] = mapped_column(String(255), index=True)
    text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime | None] = mapped_column(AwareDateTime)
    entry: Mapped[KnowledgeEntry] = relationship(back_populates="messages")


class SearchDocument(Base):
    """The searchable text of one entry; FTS5 (SQLite) or a tsvector (PostgreSQL) indexes it."""

    __tablename__ = "search_documents"
    entry_id: Mapped[int] = mapped_column(ForeignKey("knowledge_entries.id", ondelete="CASCADE"), primary_key=True)
    title: Mapped[str] = mapped_column(Text, default="")
    question: Mapped[str] = mapped_column(Text, default="")
    answers: Mapped[str] = mapped_column(Text, default="")
    discussion: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[str] = mapped_column(Text, default="")


class EntryEmbedding(Base):
    """The embedding of one entry's searchable text (semantic extra): float32 vector bytes, model and size."""

    __tablename__ = "entry_embeddings"
    entry_id: Mapped[int] = mapped_column(ForeignKey("knowledge_entries.id", ondelete="CASCADE"), primary_key=True)
    model: Mapped[str] = mapped_column(String(255))
    dim: Mapped[int] = mapped_column(Integer)
    vector: Mapped[bytes | None] = mapped_column(LargeBinary)
    """dim little-endian float32 values, L2-normalised; NULL while waiting to be (re)computed."""


class CaptureProposal(Base):
    """The bot guessed a thread was answered and asked the asker to confirm."""

    __tablename__ = "capture_proposals"
    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    prompt_message_id: Mapped[str] = mapped_column(String(255), index=True)
    answer_message_ids: Mapped[str] = mapped_column(Text, default="")
    """The answers the asker's thanks points at, space-separated message ids."""
    asker_external_id: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(AwareDateTime, default=stored_now)
