"""Store activity labels on tracked messages and threads, and mark help requests."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.activities.recognition.cues import asks_a_question
from copbot.activities.recognition.recogniser import OPENING_RUN, THREAD_READ, Recogniser
from copbot.config.errors import ConfigError
from copbot.config.settings import ActivitySection
from copbot.conversations.threads import OPTED_OUT_REASON as OPTED_OUT_REASON
from copbot.conversations.threads import title_from
from copbot.core.events import MessagePosted
from copbot.core.labels import Activity, Label
from copbot.store import chat
from copbot.store.models import Member, Message, Thread

log = logging.getLogger(__name__)

THREAD_LABEL_UPTO = THREAD_READ
"""A thread's label is recomputed while it has at most this many messages; later ones change little."""
THREAD_MESSAGES = 3
THREAD_CHARS = 1000
Refine = Callable[[str, Label], Awaitable[Label]]
"""A second opinion on a cue label (the semantic extra's embedding head)."""


def build_recogniser(section: ActivitySection) -> Recogniser:
    """The recogniser the config asks for; a language without cues is a config error."""
    try:
        return Recogniser(section.language, section.cues)
    except ValueError as error:
        raise ConfigError(f"activity: {error}") from None


def thread_text(messages: Sequence[str]) -> str:
    """What a second opinion reads of a thread: its first messages, clipped."""
    return "\n".join(text.strip() for text in messages[:THREAD_MESSAGES] if text.strip())[:THREAD_CHARS]


@dataclass(frozen=True, slots=True)
class ActivityLabeller:
    """The one way copbot labels text, in chat and on the command line: cues, then a second opinion when weak."""

    recogniser: Recogniser
    min_confidence: float
    refine: Refine | None = None

    async def second_opinion(self, text: str, label: Label) -> Label:
        """``label`` refined by the embedding head when it is too weak to act on and a head runs; else unchanged."""
        if self.refine is None or label.confidence >= self.min_confidence or not text.strip():
            return label
        return await self.refine(text, label)

    async def label_message(self, text: str) -> Label:
        """The label one message gets."""
        return await self.second_opinion(text, self.recogniser.label_message(text))

    async def label_thread(self, messages: Sequence[str]) -> Label:
        """The label a thread gets, first message first."""
        return await self.second_opinion(thread_text(messages), self.recogniser.label_thread(messages))


def is_question(text: str) -> bool:
    """Whether ``text`` is phrased as a question: a question mark, or it opens with a question word."""
    return "?" in text or "\uff1f" in text or asks_a_question(text)


def is_help_request(label: Label, text: str, min_confidence: float) -> bool:
    """A confident problem_solving label, or a confident request_for_information phrased as a question."""
    if label.confidence < min_confidence:
        return False
    if label.activity is Activity.PROBLEM_SOLVING:
        return True
    return label.activity is Activity.REQUEST_FOR_INFORMATION and is_question(text)


@dataclass(frozen=True, slots=True)
class Labelled:
    """What labelling made of one message."""

    label: Label
    help_request: bool
    thread_id: int | None
    fresh: bool
    """False when the message had been labelled before (the platform delivered it twice)."""


async def relabel_thread(session: AsyncSession, recogniser: Recogniser, thread: Thread, min_confidence: float) -> None:
    """Label ``thread`` from its stored messages (first first) while it is short; a help request stays one."""
    count = await session.scalar(
        select(func.count(Message.id)).where(Message.thread_id == thread.id, Message.deleted_at.is_(None))
    )
    if not count or count > THREAD_LABEL_UPTO:
        return
    texts = [message.text for message in await chat.thread_messages(session, thread.id)]
    apply_thread_label(recogniser, thread, texts, min_confidence)


def apply_thread_label(recogniser: Recogniser, thread: Thread, texts: Sequence[str], min_confidence: float) -> None:
    """Set ``thread``'s label from its message texts, first first; a help request stays one."""
    set_thread_label(thread, recogniser.label_thread(texts), texts, min_confidence)


def apply_thread_labels(
    recogniser: Recogniser, thread: Thread, runs: Sequence[Sequence[str]], min_confidence: float
) -> None:
    """Relabel ``thread`` after each run of its texts in turn, as relabelling after each new message does: only the
    last label stays and a help request stays one, so once the thread is one only the last run is read."""
    last = len(runs) - 1
    for number, texts in enumerate(runs):
        if number == last or not thread.is_help_request:
            apply_thread_label(recogniser, thread, texts, min_confidence)


def set_thread_label(thread: Thread, label: Label, texts: Sequence[str], min_confidence: float) -> None:
    """Store ``label`` as the label of ``thread`` (whose messages are ``texts``); a help request stays one."""
    thread.activity = label.activity.value
    thread.activity_confidence = label.confidence
    # The opening can run over a few messages when the first is a bare greeting (as in label_thread).
    if is_help_request(label, "\n".join(texts[: OPENING_RUN + 1]), min_confidence):
        thread.is_help_request = True


async def label_message(
    session: AsyncSession,
    recogniser: Recogniser,
    message_id: int,
    event: MessagePosted,
    *,
    min_confidence: float,
    platform_thread: bool,
) -> Labelled | None:
    """Label the stored message ``message_id`` (tracked from ``event``) and its thread.

    A help request written in the channel itself (not in a thread, not a reply) becomes a thread keyed by
    the message, so digests and open topics see it even before anyone answers; ``platform_thread`` says
    whether the bot will open a platform thread for it. Returns None if the message is not stored.
    """
    message = await session.get(Message, message_id)
    if message is None:
        return None
    if message.activity is not None:
        label = Label(Activity(message.activity), message.activity_confidence or 0.0, message.activity_reason or "")
        return Labelled(label, False, message.thread_id, fresh=False)
    label = recogniser.label_message(event.text)
    message.activity = label.activity.value
    message.activity_confidence = label.confidence
    author = await session.get(Member, message.author_id) if message.author_id is not None else None
    private = author is not None and author.capture_opt_out
    # A member who opted out of capture keeps their words out of storage: no cue text, no title.
    message.activity_reason = OPTED_OUT_REASON if private else label.reason
    help_request = is_help_request(label, event.text, min_confidence)
    thread: Thread | None = None
    if message.thread_id is not None:
        thread = await session.get(Thread, message.thread_id)
        if thread is not None:
            await relabel_thread(session, recogniser, thread, min_confidence)
    elif help_request and event.place.thread is None and event.reply_to is None:
        thread = await open_help_thread(
            session, message, event, label, private=private, platform_thread=platform_thread
        )
    await session.flush()
    return Labelled(label, help_request, thread.id if thread is not None else None, fresh=True)


async def open_help_thread(
    session: AsyncSession, message: Message, event: MessagePosted, label: Label, *, private: bool, platform_thread: bool
) -> Thread:
    """Make a help request written in the channel a thread keyed by the message, labelled and marked as help."""
    thread, _ = await chat.get_or_create_thread(
        session,
        event.place,
        event.id,
        created_at=event.created_at,
        is_platform_thread=platform_thread,
        root_message_id=event.id,
        title="" if private else title_from(event.text) or "Question",
    )
    thread.asker_id = thread.asker_id or message.author_id
    thread.activity = label.activity.value
    thread.activity_confidence = label.confidence
    thread.is_help_request = True
    message.thread_id = thread.id
    await session.flush()
    return thread


async def rekey_thread(session: AsyncSession, thread_id: int, thread_key: str) -> bool:
    """Key a thread by the platform thread the bot opened for it, when that id differs from the message's."""
    thread = await session.get(Thread, thread_id)
    if thread is None or thread.thread_key == thread_key:
        return False
    if await chat.find_thread(session, thread.platform, thread.room, thread_key) is not None:
        log.warning("thread %s already tracked; leaving thread %d keyed by its message", thread_key, thread_id)
        return False
    thread.thread_key = thread_key
    thread.is_platform_thread = True
    return True
