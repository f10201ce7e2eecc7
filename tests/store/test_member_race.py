"""Two transactions meeting a new member at once (a burst of commands) both get the one stored row."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import async_sessionmaker

from copbot.core.events import Member as EventMember
from copbot.store import chat, migrate
from copbot.store.engine import create_engine
from copbot.store.models import Member


async def test_concurrent_first_sightings_of_a_member_share_one_row(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await migrate.upgrade(engine)
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        alice = EventMember(id="alice", name="Alice")
        both_looked = asyncio.Barrier(2)

        async def first_sighting() -> int:
            async with sessions.begin() as session:
                await session.scalar(select(Member.id).where(Member.external_id == "nobody"))
                await both_looked.wait()
                return (await chat.get_or_create_member(session, "discord", alice)).id

        ids = await asyncio.gather(first_sighting(), first_sighting())
        async with sessions() as session:
            assert await session.scalar(select(func.count()).select_from(Member)) == 1
        assert ids[0] == ids[1]
    finally:
        await engine.dispose()


async def test_creating_members_some_of_which_are_stored_returns_them_all(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await migrate.upgrade(engine)
        sessions = async_sessionmaker(engine, expire_on_commit=False)
        async with sessions.begin() as session:  # another writer created Bob just before
            (
                await chat.get_or_create_member(session, "discord", EventMember(id="bob", name="Bob"))
            ).capture_opt_out = True
        wanted = [EventMember(id=ident, name=ident.title()) for ident in ("carol", "bob", "alice")]
        async with sessions.begin() as session:
            created = await chat.create_members(session, "discord", wanted)
            assert sorted(m.external_id for m in created) == ["alice", "bob", "carol"]
            assert {m.external_id: m.capture_opt_out for m in created} == {"alice": False, "bob": True, "carol": False}
            assert all(m.id is not None for m in created)
        async with sessions() as session:
            assert await session.scalar(select(func.count()).select_from(Member)) == 3
    finally:
        await engine.dispose()
