"""Each application's session factory carries its own clock and extensions; nothing is shared process-wide."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from copbot.core.clock import ManualClock
from copbot.knowledge import hooks
from copbot.store import chat, migrate
from copbot.store.engine import create_engine, session_factory
from copbot.store.models import KeyValue, Member
from copbot.store.scope import scope_of


async def test_two_factories_keep_their_own_clock_and_hooks(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'scope.sqlite3'}")
    try:
        await migrate.upgrade(engine)
        early, late = ManualClock(datetime(2021, 3, 4, 5, 6, tzinfo=UTC)), ManualClock(datetime(2030, 1, 1, tzinfo=UTC))
        first, second = session_factory(engine, early), session_factory(engine, late)
        heard: list[list[int]] = []
        hooks.install(first, None, heard.append)
        async with first.begin() as session:
            session.add(Member(platform="console", external_id="a", display_name="a", is_bot=False))
            assert scope_of(session).clock is early
        async with second.begin() as session:
            session.add(Member(platform="console", external_id="b", display_name="b", is_bot=False))
            hooks.note_changed(session, [9])
        async with first.begin() as session:
            hooks.note_changed(session, [7])
        await chat.set_state(first, "first", "1")
        await chat.set_state(second, "second", "2")
        async with first() as session:
            stamps = {
                key: at for key, at in (await session.execute(select(Member.external_id, Member.created_at))).all()
            }
            states = {key: at for key, at in (await session.execute(select(KeyValue.key, KeyValue.updated_at))).all()}
    finally:
        await engine.dispose()
    assert stamps == {"a": early.now(), "b": late.now()}, "a column default takes the inserting app's clock"
    assert states == {"first": early.now(), "second": late.now()}
    assert heard == [[7]], "only the factory that installed the listener hears its changes"
