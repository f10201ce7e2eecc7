"""The context a handler works in: the event, the adapter it came from, the services, and ways to answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from copbot.conversations.ingest import Ingested
from copbot.conversations.threads import Tracked
from copbot.core.adapter import Adapter, Outgoing, SentMessage
from copbot.core.events import AnyEvent, CommandInvoked, Event, Member, Place
from copbot.core.roles import Role, Standing, refusal
from copbot.core.services import Services


class CommandBook(Protocol):
    """The commands of this bot as /help describes them: the dispatcher's registry, of which core knows no more."""

    def help_text(self, prefix: str, name: str = "") -> str:
        """Every command, or the one called ``name`` in detail, written with ``prefix``."""
        ...


@dataclass
class Context:
    """One event being handled."""

    adapter: Adapter
    services: Services
    event: AnyEvent
    registry: CommandBook | None = None
    tracked: Tracked | None = None
    """The stored message and thread this event is about, once tracking (or a command that posts one) stored it."""
    ingested: Ingested | None = None
    """What ingest made of a new message: whether it was fresh, its stored label, the prompt ids it hangs on."""

    @property
    def place(self) -> Place:
        """Where the event happened."""
        return self.event.place

    @property
    def platform(self) -> str:
        """The platform's name."""
        return self.adapter.platform

    async def reply(self, content: Outgoing | str, *, place: Place | None = None) -> SentMessage:
        """Answer in the event's place (its thread, if any), or in ``place``."""
        message = Outgoing.of(content) if isinstance(content, str) else content
        reply_to = getattr(self.event, "id", None) if place is None else None
        return await self.adapter.send(place or self.place, message, reply_to=reply_to)

    async def tell_privately(self, content: Outgoing | str) -> None:
        """Answer only the command's author where the platform can; otherwise answer in place."""
        message = Outgoing.of(content) if isinstance(content, str) else content
        if isinstance(self.event, CommandInvoked):
            await self.adapter.respond_privately(self.event, message)
        else:
            await self.reply(message)

    async def standing(self, member: Member) -> Standing:
        """The role of ``member`` here."""
        return await self.services.permissions.standing(self.adapter, self.place, member)

    async def require(self, member: Member, needed: Role, action: str) -> bool:
        """True if ``member`` has ``needed``; otherwise tell them privately why not and return False."""
        standing = await self.standing(member)
        if standing.role >= needed:
            return True
        await self.tell_privately(refusal(action, needed, standing))
        return False


E = TypeVar("E", bound=Event)


@dataclass(frozen=True, slots=True)
class Subscription(Generic[E]):
    """A feature's reaction to the event types it names; the dispatcher calls it only for those."""

    name: str
    """How a failure is logged: "knowledge: reactions"."""
    events: tuple[type[E], ...]
    handle: Callable[[Context, E], Awaitable[None]]

    def wants(self, event: AnyEvent) -> bool:
        """Whether ``event`` is one of the types this subscription handles."""
        return isinstance(event, self.events)

    async def __call__(self, ctx: Context) -> None:
        """Handle ``ctx.event`` if it is of a handled type."""
        event = ctx.event
        if isinstance(event, self.events):
            await self.handle(ctx, event)


Listener = Subscription[Any]
"""Any subscription, as the dispatcher holds them."""
