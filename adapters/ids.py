"""Message ids that never repeat across runs: what earlier runs of a local adapter gave out, kept in the database."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from copbot.core.services import Services
from copbot.store import chat


@dataclass(frozen=True, slots=True)
class IdLedger:
    """What earlier runs on the same database used, so a local adapter's message ids never repeat."""

    used: Callable[[], Awaitable[Iterable[str]]]
    """Every id the database mentions, and the last one a run gave out."""
    remember: Callable[[str], Awaitable[None]]
    """Keep the last id given out, at stop (bot messages and commands are not stored themselves)."""


def id_ledger(services: Services, platform: str) -> IdLedger:
    """The message ids earlier runs gave out on a local ``platform``, from the database, so none repeats."""
    key = f"{platform}.last_message_id"

    async def used() -> list[str]:
        async with services.sessions() as session:
            stored = await chat.used_message_ids(session, platform)
        last = await chat.get_state(services.sessions, key)
        return [*stored, *([last] if last else [])]

    async def remember(last: str) -> None:
        await chat.set_state(services.sessions, key, last)

    return IdLedger(used, remember)
