"""Routes incoming events: ignore bots, track messages and threads, run commands, then notify listeners."""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Awaitable, Sequence
from dataclasses import replace

from copbot.commands.parse import bind
from copbot.commands.registry import CommandRegistry, UsageError
from copbot.commands.spec import SUBCOMMAND
from copbot.conversations.batch import BatchHook
from copbot.conversations.batcher import IngestBatcher
from copbot.conversations.ingest import Prelabeller
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
from copbot.core.text import clean_text
from copbot.members.authorship import change_allowed
from copbot.store.faults import is_write_failure, write_failures

log = logging.getLogger(__name__)


def _actor(event: AnyEvent) -> Member | None:
    if isinstance(event, MessagePosted | CommandInvoked):
        return event.author
    if isinstance(event, ReactionAdded | ReactionRemoved):
        return event.member
    if isinstance(event, MessageEdited):
        return event.author
    return None


STOP_GRACE_SECONDS = 10.0
"""How long stopping waits for events already being handled."""


class DispatcherStopped(RuntimeError):
    """The event arrived after stop began; the adapter must not count it as handled."""


class Dispatcher:
    """Hands each event to tracking, commands and listeners; a failing handler is logged, not fatal."""

    def __init__(
        self,
        services: Services,
        registry: CommandRegistry,
        listeners: Sequence[Listener] = (),
        *,
        prelabeller: Prelabeller | None = None,
        hooks: Sequence[BatchHook] = (),
    ) -> None:
        self.services = services
        self.registry = registry
        self.listeners = tuple(listeners)
        self.prelabeller = prelabeller
        """Labels a new message before it is stored, so ingest writes message and label in one statement."""
        labeller = self.prelabeller.label_thread if self.prelabeller is not None else None
        own: list[BatchHook] = [prelabeller] if isinstance(prelabeller, BatchHook) else []
        self.ingest = IngestBatcher(services.sessions, labeller=labeller, hooks=[*own, *hooks])
        """New messages are tracked in batches of concurrent events, one transaction each; ``hooks`` read what
        listeners need for a whole batch in that transaction, and listeners' writes join a later one."""
        self._by_type: dict[type, list[Listener]] = {}
        self._in_flight: set[asyncio.Task[object]] = set()
        self._closed = False

    async def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Refuse new events, let the ones being handled finish (up to ``grace`` s) and commit pending writes.

        Call it before the adapters stop and the store closes: a batch still being written never outlives shutdown.
        """
        self._closed = True
        pending = {task for task in self._in_flight if task is not asyncio.current_task() and not task.done()}
        if pending:
            _, late = await asyncio.wait(pending, timeout=grace)
            if late:
                log.warning("%d events were still being handled %.0f s after stop was asked", len(late), grace)
        await self.ingest.drain()

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
        """Process one event to the end; after ``stop`` an event is refused with ``DispatcherStopped``."""
        if self._closed:
            raise DispatcherStopped(f"copbot is stopping; {type(event).__name__} was not handled")
        if self._from_bot(adapter, event):
            return
        task = asyncio.current_task()
        if task is not None:
            self._in_flight.add(task)
        try:
            await self._handle(adapter, event)
        finally:
            if task is not None:
                self._in_flight.discard(task)

    async def _handle(self, adapter: Adapter, event: AnyEvent) -> None:
        ctx = Context(adapter=adapter, services=self.services, event=event, registry=self.registry)
        if isinstance(event, MessageEdited | MessageDeleted):
            await self.ingest.drain()  # the message may still be waiting in a batch
            if not await change_allowed(ctx):
                return
        try:
            await self._track(ctx)
        except Exception as error:
            message = isinstance(event, MessagePosted)
            if not self._store_refused(error, "a message" if message else "an event", message=message):
                log.exception("tracking failed for %s", type(event).__name__)
        if isinstance(event, CommandInvoked):
            await self._guarded(self.run_command(ctx, event), f"command /{event.name}")
        for listener in self._listening(event):
            try:
                await listener.handle(ctx, event)
            except Exception as error:
                if not self._store_refused(error, f"what {listener.name} wrote"):
                    log.exception("%s failed; carrying on", listener.name)

    def _listening(self, event: AnyEvent) -> list[Listener]:
        """The listeners that want events of ``event``'s type, in order (looked up once per type)."""
        kind = type(event)
        found = self._by_type.get(kind)
        if found is None:
            found = self._by_type[kind] = [listener for listener in self.listeners if listener.wants(event)]
        return found

    async def _guarded(self, work: Awaitable[None], what: str) -> None:
        try:
            await work
        except Exception as error:
            if not self._store_refused(error, f"what {what} wrote"):
                log.exception("%s failed; carrying on", what)

    def _store_refused(self, error: BaseException, what: str, *, message: bool = False) -> bool:
        """Count a write the store refused (a full disk) instead of logging a traceback per event."""
        if not is_write_failure(error):
            return False
        write_failures(self.services.sessions).failed(error, what, message=message)
        return True

    async def _track(self, ctx: Context) -> None:
        event = ctx.event
        if isinstance(event, MessagePosted):
            ingested = await self.ingest.track(event, self._prelabel(event))
            ctx.tracked = ingested.tracked
            ctx.ingested = ingested
            return
        if isinstance(event, MessagePinned | ReactionAdded | CommandInvoked):
            await self.ingest.drain()  # a pin, a ✅ or /pin may name a message handed in just before it
            return
        if not isinstance(event, MessageEdited | MessageDeleted | ThreadClosed):
            return
        await self.ingest.drain()  # an edit or deletion applies to messages handed in before it
        async with self.services.sessions.begin() as session:
            if isinstance(event, MessageEdited):
                await track_edit(session, replace(event, text=clean_text(event.text)))
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
        """Rate-limit, look up, check rights and arguments, then run one command with its options bound."""
        command = replace(command, args=clean_text(command.args),
                          options={name: clean_text(value) for name, value in command.options.items()})  # fmt: skip
        limiter, key = self.services.rate_limiter, f"{ctx.platform}:{command.author.id}"
        if not limiter.allow(key):
            wait = max(1, math.ceil(limiter.retry_after(key)))
            unit = "second" if wait == 1 else "seconds"
            await ctx.tell_privately(
                f"You are sending commands faster than this community allows; try again in {wait} {unit}."
            )
            return
        written = ctx.adapter.command_text
        spec = self.registry.get(command.name)
        if spec is None or spec.handler is None:
            suggestion = self.registry.closest(command.name)
            hint = f" Did you mean {written(suggestion)}?" if suggestion else ""
            unknown = f"I don't know the command {written(command.name)}.{hint}"
            await ctx.tell_privately(f"{unknown} Type {written('help')} to see them all.")
            return
        usage = spec.usage(ctx.adapter.command_prefix)
        has_input = bool(command.args.strip() or command.options or command.target_message_id)
        if spec.needs_args and not has_input:
            await ctx.tell_privately(f"{written(spec.name)} needs more. Usage: {usage}")
            return
        if spec.role > Role.MEMBER and not await ctx.require(
            command.author, spec.role, spec.action or f"use {written(spec.name)}"
        ):
            return
        try:
            bound = bind(spec, command, ctx.adapter.command_prefix)
            subcommand = bound.options.get(SUBCOMMAND, "")
            role, action = spec.role_for(subcommand)
            used = written(spec.name, subcommand)
            if role > spec.role and not await ctx.require(command.author, role, action or f"use {used}"):
                return
            await spec.handler(ctx, bound)
        except UsageError as error:
            await ctx.tell_privately(f"{error}\nUsage: {usage}")
        except Exception as error:
            name = written(spec.name)
            if self._store_refused(error, f"what {name} wrote"):
                await ctx.tell_privately(f"Sorry, {name} could not be saved: the bot cannot write its database now.")
                return
            log.exception("command /%s failed; carrying on", spec.name)
            await ctx.tell_privately(f"Sorry, {name} failed on my side; the error is logged. Please try again.")
