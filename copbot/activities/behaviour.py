"""What the bot does when it recognises a practice activity: label it, then maybe offer a thread, /share or people."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.activities.cooldown import Cooldown
from copbot.activities.labelling import (
    THREAD_LABEL_UPTO,
    ActivityLabeller,
    Labelled,
    apply_thread_labels,
    is_help_request,
    label_message,
    open_help_thread,
    rekey_thread,
    set_thread_label,
)
from copbot.activities.recognition.recogniser import Recogniser
from copbot.config.settings import ChannelBehaviour, Settings
from copbot.conversations.batch import Batch, Fact
from copbot.conversations.threads import Tracked, title_from
from copbot.core.adapter import Card, Outgoing
from copbot.core.context import Context, Listener, Subscription
from copbot.core.events import MessagePosted, Place
from copbot.core.labels import Activity, Label
from copbot.core.services import Services
from copbot.core.words import keywords
from copbot.knowledge.experts import experts_for
from copbot.knowledge.render import suggestion_cards
from copbot.members.visibility import Audience
from copbot.store import chat
from copbot.store.models import KnowledgeEntry, Message, Thread

log = logging.getLogger(__name__)

ANY_ANSWERED: Fact[bool] = Fact("activities: any answered entry")
"""Whether the knowledge base held any answered entry when the batch was stored (suggestions need one)."""

SHARE_WORTHY = frozenset({Activity.DOCUMENTING_PROJECTS, Activity.REUSING_ASSETS})
EXPERTS_SHOWN = 3
EXPERT_KEYWORDS = 5
"""The first few topical words of a seeking_experience message are looked up for people who answered on them."""


def share_offer(share: str) -> str:
    """The offer to keep a shared resource, naming the share command as written here."""
    return f"Sounds like something worth keeping: {share} DESCRIPTION #tags puts it in the repository."


def thread_offer(solved_emoji: str, with_entries: bool, solved: str = "/solved") -> str:
    """The words that go with a help request's thread, with or without suggested entries."""
    mark = f"when one helps, mark it with {solved} or react {solved_emoji}"
    if with_entries:
        return f"I opened a thread so answers stay together. These saved answers look close to your question; {mark}."
    return f"I opened a thread so answers stay together; {mark}."


def command_prefixes(settings: Settings) -> tuple[str, ...]:
    """What a command typed as text starts with on any platform."""
    prefixes = {"/", settings.bot.command_prefix, settings.matrix.command_prefix or ""}
    return tuple(sorted(prefix for prefix in prefixes if prefix))


class ActivityBehaviour:
    """The listener: labels every tracked message, then answers a few activities, at most once per cool-down."""

    def __init__(self, services: Services, recogniser: Recogniser) -> None:
        self.services = services
        self.settings = services.settings
        self.recogniser = recogniser
        self.cooldown = Cooldown(self.settings.activity.cooldown_minutes, services.clock)
        self._prefixes = command_prefixes(self.settings)

    def _recognises(self, event: MessagePosted) -> bool:
        section = self.settings.activity
        if not section.enabled or not section.behaviour_for(event.place.room).recognise or event.author.is_bot:
            return False
        return not event.text.lstrip().startswith(self._prefixes)

    @property
    def labeller(self) -> ActivityLabeller:
        """The labeller chat and the command line share: these cues, the services' second opinion if any."""
        return ActivityLabeller(self.recogniser, self.settings.activity.min_confidence, self.services.refine_label)

    def prelabel(self, event: MessagePosted) -> Label | None:
        """The label ingest stores with the message (None where this listener labels nothing)."""
        return self.recogniser.label_message(event.text) if self._recognises(event) else None

    def label_thread(self, thread: Thread, runs: Sequence[Sequence[str]]) -> None:
        """Relabel a short thread after each run of its texts while ingest stores its messages."""
        apply_thread_labels(self.recogniser, thread, runs, self.settings.activity.min_confidence)

    async def after_write(self, session: AsyncSession, batch: Batch) -> None:
        """For a batch that may get suggestions, whether any answered entry exists at all (one query for all)."""
        section, labels = self.settings.activity, zip(batch.events, batch.ingested, strict=True)
        confident = [
            event for event, got in labels if got.fresh and got.label and got.label.confidence >= section.min_confidence
        ]
        if any(section.behaviour_for(event.place.room).suggest_entries for event in confident):
            answered = select(KnowledgeEntry.id).where(KnowledgeEntry.solved.is_(True)).limit(1)
            batch.note(ANY_ANSWERED, await session.scalar(answered) is not None)

    def subscription(self) -> Listener:
        """Registered for new messages only."""
        return Subscription("activities", (MessagePosted,), self.on_message)

    async def on_message(self, ctx: Context, event: MessagePosted) -> None:
        """Handle one new message; anything but a tracked member message is ignored."""
        tracked, ingested = ctx.tracked, ctx.ingested
        labelled_at_ingest = ingested is not None and ingested.label is not None  # ``prelabel`` recognised it
        if tracked is None or not (labelled_at_ingest or self._recognises(event)):
            return
        section = self.settings.activity
        behaviour = section.behaviour_for(event.place.room)
        top_level = event.place.thread is None and event.reply_to is None
        capabilities = ctx.adapter.capabilities
        opens_thread = top_level and behaviour.offer_thread and (capabilities.create_threads or capabilities.threads)
        if ingested is not None and ingested.label is not None:
            label = await self._refined(event, tracked, ingested.label) if ingested.fresh else ingested.label
            labelled = await self._stored_label(event, tracked, label, ingested.fresh, opens_thread)
        else:
            async with self.services.sessions.begin() as session:
                labelled = await label_message(
                    session,
                    self.recogniser,
                    tracked.message.id,
                    event,
                    min_confidence=section.min_confidence,
                    platform_thread=opens_thread,
                )
        if labelled is not None and labelled.fresh and labelled.thread_id is not None:
            await self._refine_thread(labelled.thread_id)
        if labelled is None or not labelled.fresh or labelled.label.confidence < section.min_confidence:
            return
        activity = labelled.label.activity
        if labelled.help_request and top_level:
            await self._help(ctx, event, behaviour, labelled)
        elif activity in SHARE_WORTHY and top_level and behaviour.offer_share:
            if self.cooldown.try_take(self._key(event)):
                await ctx.reply(share_offer(ctx.adapter.command_text("share")))
        elif activity is Activity.SEEKING_EXPERIENCE and behaviour.suggest_experts:
            await self._experts(ctx, event, behaviour)

    async def _refine_thread(self, thread_id: int) -> None:
        """A short thread's cue label, too weak to act on, gets the same second opinion `activity label` gives."""
        labeller = self.labeller
        if labeller.refine is None:
            return
        async with self.services.sessions() as session:
            thread = await session.get(Thread, thread_id)
            if thread is None or (thread.activity_confidence or 0.0) >= labeller.min_confidence:
                return
            texts = [message.text for message in await chat.thread_messages(session, thread_id)]
        if not texts or len(texts) > THREAD_LABEL_UPTO:
            return
        label = await labeller.label_thread(texts)
        async with self.services.sessions.begin() as session:
            thread = await session.get(Thread, thread_id)
            if thread is not None:
                set_thread_label(thread, label, texts, labeller.min_confidence)

    async def _refined(self, event: MessagePosted, tracked: Tracked, label: Label) -> Label:
        """A cue label too weak to act on gets the embedding head's second opinion (semantic extra), stored."""
        refined = await self.labeller.second_opinion(event.text, label)
        if refined == label:
            return label
        async with self.services.sessions.begin() as session:
            message = await session.get(Message, tracked.message.id)
            if message is not None:
                message.activity = refined.activity.value
                message.activity_confidence = refined.confidence
                message.activity_reason = refined.reason
        return refined

    async def _stored_label(
        self, event: MessagePosted, tracked: Tracked, label: Label, fresh: bool, opens_thread: bool
    ) -> Labelled | None:
        """Ingest stored the label (and relabelled the thread); only a help request in the channel needs a thread."""
        if not fresh:
            return None
        help_request = is_help_request(label, event.text, self.settings.activity.min_confidence)
        thread_id = tracked.message.thread_id
        if thread_id is None and help_request and event.place.thread is None and event.reply_to is None:
            thread_id = await self._open_help_thread(event, tracked, label, opens_thread)
        return Labelled(label, help_request, thread_id, fresh=True)

    async def _open_help_thread(self, event: MessagePosted, tracked: Tracked, label: Label, opens: bool) -> int | None:
        """The help request's thread; a reply stored meanwhile may have opened it first, then it is joined."""
        for attempt in range(2):
            try:
                async with self.services.sessions.begin() as session:
                    message = await session.get(Message, tracked.message.id)
                    if message is None:
                        return None
                    private = tracked.author.capture_opt_out
                    thread = await open_help_thread(
                        session, message, event, label, private=private, platform_thread=opens
                    )
                    return thread.id
            except IntegrityError:
                if attempt:
                    raise
        return None

    def _key(self, event: MessagePosted) -> str:
        return f"{event.place.platform}:{event.author.id}"

    async def _help(self, ctx: Context, event: MessagePosted, behaviour: ChannelBehaviour, labelled: Labelled) -> None:
        """Offer a thread with the best matching entries; without a thread offer, show good matches only.

        The cool-down never withholds this: a member who asks for help gets their thread however recently the bot
        spoke to them (it still counts, so no unasked-for offer follows at once).
        """
        key = self._key(event)
        cards = await self._entry_cards(ctx, event.text, event.place) if behaviour.suggest_entries else []
        if not behaviour.offer_thread:
            if cards:
                self.cooldown.mark(key)
                await ctx.reply(Outgoing.of("These saved answers look close to your question:", cards))
            return
        self.cooldown.mark(key)
        place = await self._thread_place(ctx, event)
        emoji = next(iter(self.settings.knowledge.solved_emojis), "✅")
        content = Outgoing.of(thread_offer(emoji, bool(cards), ctx.adapter.command_text("solved")), cards)
        if place.thread is None:
            await ctx.adapter.send(place, content, reply_to=event.id)
            return
        await ctx.adapter.send(place, content)
        if labelled.thread_id is not None and place.thread != event.id:
            async with self.services.sessions.begin() as session:
                await rekey_thread(session, labelled.thread_id, place.thread)

    async def _thread_place(self, ctx: Context, event: MessagePosted) -> Place:
        """Discord opens a thread on the message; Matrix replies in a thread on it; elsewhere, the room."""
        capabilities = ctx.adapter.capabilities
        if capabilities.create_threads:
            return await ctx.adapter.open_thread(event, title_from(event.text) or "Question")
        if capabilities.threads:
            return event.place.in_thread(event.id)
        return event.place

    async def _entry_cards(self, ctx: Context, text: str, place: Place) -> list[Card]:
        """Entries that match well enough for /ask to suggest them, as cards, that members in ``place`` may see
        (none, without searching, when the message's batch found no answered entry at all)."""
        batch = ctx.ingested.batch if ctx.ingested is not None else None
        if batch is not None and batch.get(ANY_ANSWERED) is False:
            return []
        return await suggestion_cards(self.services.sessions, self.settings.knowledge, text, place)

    async def _experts(self, ctx: Context, event: MessagePosted, behaviour: ChannelBehaviour) -> None:
        """Name opted-in members who gave accepted answers on the message's topics, and link the best answered
        entry that matches it; say nothing if there is neither."""
        key = self._key(event)
        if not self.cooldown.ready(key):
            return
        names = await self._experience_holders(event)
        cards = (await self._entry_cards(ctx, event.text, event.place))[:1] if behaviour.suggest_entries else []
        if not names and not cards:
            return
        self.cooldown.mark(key)
        text = "This answered question looks closest to yours:"
        if names:
            who = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
            verb = "has" if len(names) == 1 else "have"
            text = f"{who} {verb} answered similar questions before and may be able to share their experience."
            if cards:
                text += " This answered question looks closest to yours:"
        await ctx.reply(Outgoing.of(text, cards))

    async def _experience_holders(self, event: MessagePosted) -> list[str]:
        """Display names of opted-in answerers on the message's keywords, best first, never the author."""
        words = keywords(event.text, EXPERT_KEYWORDS)
        ranked: dict[str, tuple[int, int, str]] = {}
        seen_from = Audience.of(event.place, self.services.settings.knowledge.share)
        async with self.services.sessions() as session:
            for word in words:
                found = await experts_for(
                    session, word, EXPERTS_SHOWN * 2, platform=event.place.platform, audience=seen_from
                )
                for expert in found:
                    if expert.external_id == event.author.id:
                        continue
                    hits, answers, name = ranked.get(expert.external_id, (0, 0, expert.name))
                    ranked[expert.external_id] = (hits + 1, answers + expert.answers, name)
        best = sorted(ranked.values(), key=lambda item: (-item[0], -item[1], item[2].lower()))
        return [name for _, _, name in best[:EXPERTS_SHOWN]]


def activity_listener(services: Services, recogniser: Recogniser | None) -> ActivityBehaviour | None:
    """The activity listener for ``services``, or None when recognition is off."""
    if recogniser is None or not services.settings.activity.enabled:
        return None
    return ActivityBehaviour(services, recogniser)
