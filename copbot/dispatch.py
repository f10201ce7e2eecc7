"""Routes incoming events: ignore bots, track messages and threads, run commands, then notify listeners."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Sequence

from copbot.commands.registry import CommandRegistry, UsageError
from copbot.conversations.ingest import IngestBatcher, Prelabeller
from copbot.conversations.tracking import track_deletion, track_edit, track_thread_closed
from copbot.core.adapter import Adapter, EventSink
from copbot.core.context import Context, Listener
from copbot.core.events import (
    AnyEvent,
    CommandInvoked,
    Member,
    MessageDeleted,
    MessageEdited,
    MessagePinned,
    MessagePosted,
    ReactionAdded,
    ReactionRemoved,
    ThreadClosed,
)
from copbot.core.labels import Label
from copbot.core.roles import Role
from copbot.core.services import Services

log = logging.getLogger(__name__)


def _actor(event: AnyEvent) -> Member | None:
    if isinstance(event, MessagePosted | CommandInvoked):
        return event.author
    if isinstance(event, ReactionAdded | ReactionRemoved):
        return event.member
    if isinstance(event, MessageEdited):
        return event.author
    return None


class Dispatcher:
    """Hands each event to tracking, commands and listeners; a failing handler is logged, not fatal."""

    def __init__(self, services: Services, registry: CommandRegistry, listeners: Sequence[Listener] = ()) -> None:
        self.services = services
        self.registry = registry
        self.listeners = list(listeners)
        self.prelabeller: Prelabeller | None = None
        for listener in self.listeners:
            if isinstance(listener, Prelabeller):
                self.prelabeller = listener
                break
        labeller = self.prelabeller.label_thread if self.prelabeller is not None else None
        self.ingest = IngestBatcher(services.sessions, labeller=labeller)
        """New messages are tracked in batches of concurrent events, one transaction each."""

    def sink_for(self, adapter: Adapter) -> EventSink:
        """The callback ``adapter`` delivers its events to."""

        async def sink(event: AnyEvent) -> None:
            await self.handle(adapter, event)

        return sink

    def _from_bot(self, adapter: Adapter, event: AnyEvent) -> bool:
        actor = _actor(event)
        if actor is None:
            return False
        own = adapter.bot_member
        return actor.is_bot or (own is not None and actor.id == own.id)

    async def handle(self, adapter: Adapter, event: AnyEvent) -> None:
        """Process one event to the end."""
        if self._from_bot(adapter, event):
            return
        ctx = Context(adapter=adapter, services=self.services, event=event, registry=self.registry)
        try:
            await self._track(ctx)
        except Exception:
            log.exception("tracking failed for %s", type(event).__name__)
        if isinstance(event, CommandInvoked):
            await self._guarded(self.run_command(ctx, event), f"command /{event.name}")
        for listener in self.listeners:
            await self._guarded(listener(ctx), getattr(listener, "__qualname__", repr(listener)))

    async def _guarded(self, work: Awaitable[None], what: str) -> None:
        try:
            await work
        except Exception:
            log.exception("%s failed; carrying on", what)

    async def _track(self, ctx: Context) -> None:
        event = ctx.event
        if isinstance(event, MessagePosted):
            ingested = await self.ingest.track(event, self._prelabel(event))
            ctx.notes["tracked"] = ingested.tracked
            ctx.notes["ingested"] = ingested
            return
        if isinstance(event, MessagePinned | ReactionAdded | CommandInvoked):
            await self.ingest.drain()  # a pin, a ✅ or /pin may name a message handed in just before it
            return
        if not isinstance(event, MessageEdited | MessageDeleted | ThreadClosed):
            return
        await self.ingest.drain()  # an edit or deletion applies to messages handed in before it
        async with self.services.sessions.begin() as session:
            if isinstance(event, MessageEdited):
                await track_edit(session, event)
            elif isinstance(event, MessageDeleted):
                await track_deletion(session, event)
            else:
                await track_thread_closed(session, event)

    def _prelabel(self, event: MessagePosted) -> Label | None:
        if self.prelabeller is None:
            return None
        try:
            return self.prelabeller.prelabel(event)
        except Exception:
            log.exception("labelling before storage failed; the listener will label the message")
            return None

    async def run_command(self, ctx: Context, command: CommandInvoked) -> None:
        """Rate-limit, look up, check rights and arguments, then run one command."""
        limiter = self.services.rate_limiter
        if not limiter.allow(f"{ctx.platform}:{command.author.id}"):
            await ctx.tell_privately("You are sending commands faster than this community allows; try in a minute.")
            return
        spec = self.registry.get(command.name)
        if spec is None or spec.handler is None:
            suggestion = self.registry.closest(command.name)
            hint = f" Did you mean /{suggestion}?" if suggestion else ""
            await ctx.tell_privately(f"I don't know the command /{command.name}.{hint} Type /help to see them all.")
            return
        has_input = bool(command.args.strip() or command.options or command.target_message_id)
        if spec.needs_args and not has_input:
            await ctx.tell_privately(f"/{spec.name} needs more. Usage: {spec.usage}")
            return
        if spec.role > Role.MEMBER and not await ctx.require(command.author, spec.role, spec.action):
            return
        try:
            await spec.handler(ctx, command)
        except UsageError as error:
            await ctx.tell_privately(f"{error}\nUsage: {spec.usage}")
        except Exception:
            log.exception("command /%s failed; carrying on", spec.name)
            await ctx.tell_privately(f"Sorry, /{spec.name} failed on my side; the error is logged. Please try again.")
