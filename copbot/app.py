"""The composition root: builds store, services, dispatcher and adapters from settings; starts and stops them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from copbot.activities.behaviour import activity_listener
from copbot.activities.recognition.recogniser import Recogniser
from copbot.adapters.factory import build_platform_adapters
from copbot.commands.catalog import builtin_registry
from copbot.commands.registry import CommandRegistry
from copbot.config.settings import Settings
from copbot.core.adapter import Adapter
from copbot.core.clock import Clock, SystemClock
from copbot.core.context import Listener
from copbot.core.heap import long_lived
from copbot.core.services import Services
from copbot.dispatch import Dispatcher
from copbot.health.usage import usage_listener
from copbot.knowledge.listener import knowledge_listeners
from copbot.knowledge.search import upkeep
from copbot.knowledge.thanks import ThanksGuess
from copbot.members.permissions import Permissions
from copbot.members.ratelimit import RateLimiter
from copbot.prompts.jobs import PromptScheduler, start_prompt_scheduler
from copbot.prompts.leader import SchedulerLeadership, start_scheduling
from copbot.prompts.listener import prompt_reply_listeners
from copbot.semantic.runtime import SemanticRuntime, build_understanding
from copbot.store import migrate, search_index
from copbot.store.engine import create_engine, session_factory
from copbot.store.faults import is_write_failure, reason, write_failures
from copbot.store.guard import DatabaseFile, check_writable, watch_database_file

if TYPE_CHECKING:
    from copbot.web.server import WebServer

log = logging.getLogger(__name__)

WATCH_SECONDS = 1.0
"""How often a running bot checks that its SQLite file is still the one it opened."""


def build_registry() -> CommandRegistry:
    """Every chat command copbot knows (a new command module is added in copbot.commands.catalog)."""
    return builtin_registry()


def build_services(settings: Settings, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> Services:
    """The one assembly of the services handlers reach, for the bot and for CLI commands that post."""
    return Services(
        settings=settings,
        sessions=sessions,
        clock=clock,
        permissions=Permissions(settings.permissions),
        rate_limiter=RateLimiter(settings.permissions.rate_limit_per_minute, clock),
    )


def build_dispatcher(services: Services, recogniser: Recogniser | None) -> Dispatcher:
    """The dispatcher with every command and every feature's subscriptions (activities first: they label)."""
    activity = activity_listener(services, recogniser)
    listeners: list[Listener] = [activity.subscription()] if activity is not None else []
    thanks = ThanksGuess(services.settings, services.clock)
    listeners += [*prompt_reply_listeners(), *knowledge_listeners(thanks), usage_listener()]
    return Dispatcher(services, build_registry(), listeners, prelabeller=activity, hooks=[thanks])


class Application:
    """copbot, running: call ``start``, then ``wait`` or ``run_until_stopped``, and always ``stop``."""

    def __init__(
        self,
        settings: Settings,
        *,
        adapters: Sequence[Adapter] | None = None,
        clock: Clock | None = None,
        console_announced: bool = False,
    ):
        self.settings = settings
        self.console_announced = console_announced
        """The console's first line is already on the terminal (``copbot run`` prints it before loading the bot)."""
        self.clock = clock or SystemClock()
        self._given_adapters = list(adapters) if adapters is not None else None
        self.adapters: list[Adapter] = []
        self.engine: AsyncEngine | None = None
        self.services: Services | None = None
        self.dispatcher: Dispatcher | None = None
        self.prompt_scheduler: PromptScheduler | None = None
        self.leadership: SchedulerLeadership | None = None
        self.semantic: SemanticRuntime | None = None
        self.web: WebServer | None = None
        self._stopping = asyncio.Event()
        self._on_stop: list[Callable[[], Awaitable[None]]] = []
        self._started = False
        self.database_file: DatabaseFile | None = None
        self.failure: str | None = None
        """Why the application stopped on its own (its database file vanished), for the command line to say."""
        self._watch: asyncio.Task[None] | None = None
        self._index: asyncio.Task[bool] | None = None
        self._upkeep: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Migrate the database, build the services and connect every adapter."""
        settings = self.settings
        self.engine = create_engine(settings.database_url(), echo=settings.database.echo)
        self.database_file = watch_database_file(self.engine, settings.database_url())
        revision = await migrate.upgrade(self.engine, restore_index=False)
        await check_writable(self.engine, settings.database_url(), self.clock.now())  # before any banner
        log.info("database ready at revision %s", revision)
        self.services = build_services(settings, session_factory(self.engine, self.clock), self.clock)
        understanding = await build_understanding(settings, self.services.sessions)
        self.semantic = understanding.semantic
        self.services.refine_label = understanding.labeller.refine
        recogniser = understanding.labeller.recogniser if settings.activity.enabled else None
        self.dispatcher = build_dispatcher(self.services, recogniser)
        if self._given_adapters is not None:
            self.adapters = list(self._given_adapters)
        else:
            registry = self.dispatcher.registry
            announced = self.console_announced
            self.adapters = build_platform_adapters(settings, self.services, registry, console_announced=announced)
        self._started = True
        for adapter in self.adapters:
            await adapter.start(self.dispatcher.sink_for(adapter))
            log.info("%s adapter started", adapter.platform)
        self.leadership = await start_scheduling(settings, self._lead_scheduler, self._stop_scheduler)
        if settings.web.enabled:  # imported only when on: a bot without the web does not pay for its libraries
            from copbot.web.server import WebServer
            from copbot.web.site import Site

            self.web = WebServer(
                Site(settings.web, self.services.sessions, self.clock, name=settings.bot.name, health=settings.health)
            )
            await self.web.start()
        if self.database_file is not None:
            self._watch = asyncio.create_task(self._watch_database(self.database_file), name="copbot-database-watch")
        # A RUM index an interrupted import left missing is built while the bot runs (search meanwhile uses GIN).
        self._index = asyncio.create_task(search_index.restore(self.engine), name="copbot-search-index")
        if (
            self.engine.dialect.name == "postgresql"
        ):  # the word counts follow the captures (SQLite's FTS5 keeps its own)
            self._upkeep = asyncio.create_task(upkeep.keep_current(self.services.sessions), name="copbot-search-upkeep")

    async def _watch_database(self, watched: DatabaseFile) -> None:
        """Stop, with one sentence, when the SQLite file is deleted or replaced under the running bot."""
        while True:  # a file's disappearance sends no event: look every WATCH_SECONDS
            problem = watched.problem()
            if problem is not None:
                break
            await asyncio.sleep(WATCH_SECONDS)
        assert self.services is not None
        refused = write_failures(self.services.sessions).refused
        lost = "1 message after that was" if refused == 1 else f"{refused} messages after that were"
        self.failure = problem + (f"; {lost} not stored" if refused else "")
        self.request_stop()

    async def _lead_scheduler(self) -> None:
        """Start the prompt scheduler (at start-up, or when this process becomes the leader on PostgreSQL)."""
        assert self.services is not None
        self.prompt_scheduler = await start_prompt_scheduler(
            self.settings, self.services.sessions, self.clock, self.adapters
        )

    async def _stop_scheduler(self) -> None:
        if self.prompt_scheduler is not None:
            await self.prompt_scheduler.shutdown()
            self.prompt_scheduler = None

    def on_stop(self, callback: Callable[[], Awaitable[None]]) -> None:
        """Run ``callback`` when the application stops (before the database closes)."""
        self._on_stop.append(callback)

    def request_stop(self) -> None:
        """Ask a running application to stop (what SIGINT and SIGTERM do)."""
        self._stopping.set()

    async def wait(self) -> None:
        """Return when a stop is requested, or when every adapter has ended on its own (console input ended)."""
        stop = asyncio.create_task(self._stopping.wait(), name="copbot-stop-request")
        closed = asyncio.create_task(self._all_closed(), name="copbot-adapters-closed")
        try:
            await asyncio.wait({stop, closed}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (stop, closed):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    async def _all_closed(self) -> None:
        await asyncio.gather(*(adapter.wait_closed() for adapter in self.adapters))
        if not self.adapters:
            await asyncio.Event().wait()

    async def stop(self) -> None:
        """Disconnect adapters, stop background work and close the database; safe to call twice."""
        if not self._started:
            if self.engine is not None:
                await self.engine.dispose()
            return
        self._started = False
        for task in (self._watch, self._index, self._upkeep):
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if self.web is not None:
            await self.web.stop()
            self.web = None
        if self.leadership is not None:
            await self.leadership.stop()
            self.leadership = None
        await self._stop_scheduler()
        if self.dispatcher is not None:
            await self.dispatcher.stop()
        for adapter in reversed(self.adapters):
            try:
                await adapter.stop()
            except Exception as error:
                if not is_write_failure(error):
                    log.exception("%s adapter did not stop cleanly", adapter.platform)
                else:  # the store is told of already (a full disk), or is gone (self.failure says so)
                    level = logging.DEBUG if self.failure else logging.WARNING
                    log.log(level, "%s adapter could not save its state: %s", adapter.platform, reason(error))
        if self.semantic is not None:
            await self.semantic.stop()
            self.semantic = None
        for callback in reversed(self._on_stop):
            try:
                await callback()
            except Exception:
                log.exception("a stop callback failed")
        if self.services is not None:
            write_failures(self.services.sessions).close()
        if self.engine is not None:
            await self.engine.dispose()
        log.info("copbot stopped")

    async def run_until_stopped(self) -> None:
        """Start, run until SIGINT/SIGTERM or end of console input, then stop gracefully."""
        loop = asyncio.get_running_loop()
        handled: list[signal.Signals] = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self.request_stop)
                handled.append(sig)
        try:
            await self.start()
            with long_lived():
                await self.wait()
        finally:
            await self.stop()
            for sig in handled:
                loop.remove_signal_handler(sig)
