"""The context a handler works in: the event, the adapter it came from, the services, and ways to answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from copbot.core.adapter import Adapter, Outgoing, SentMessage
from copbot.core.events import AnyEvent, CommandInvoked, Member, Place
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
    notes: dict[str, Any] = field(default_factory=dict)
    """Results earlier handlers leave for later ones (the tracked message and thread, say)."""

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


Listener = Callable[[Context], Awaitable[None]]
"""A service's reaction to events; it checks the event type itself and returns quickly if not concerned."""
