"""Ids and history: entry ids never come back, only authors change their messages, pins are audited, exports keep
authors and lose nothing, and a deleted question leaves nothing of its words behind."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import bindparam, select, text

from copbot.core.events import MessageDeleted, MessageEdited
from copbot.knowledge.entries import EntryDraft, delete_entry, get_entry, save_entry
from copbot.knowledge.interchange.jsonl import export_lines, import_lines
from copbot.knowledge.sync import DELETED_TITLE
from copbot.store.engine import create_engine, session_factory
from copbot.store.migrate import downgrade, upgrade
from copbot.store.models import Message, Thread
from copbot.store.operations import AuditLog
from copbot.store.types import AwareDateTime
from tests.cast import ALICE, BOB, CAROL, MOD
from tests.community_harness import Bot, running_bot

FAST = "[permissions]\nrate_limit_per_minute = 1000\n"


async def solved(bot: Bot, question: str, answer: str) -> tuple[str, str, str]:
    """Alice asks, Bob answers in the thread, Alice marks it solved: (entry id, question id, answer id)."""
    asked = await bot.mem.post(ALICE, question)
    reply = await bot.mem.post(BOB, answer, thread=asked.id)
    await bot.mem.command(ALICE, f"/solved {reply.id}", thread=asked.id)
    found = re.search(r"as (kb\d+)", bot.mem.last())
    assert found, bot.mem.last()
    return found.group(1), asked.id, reply.id


async def test_entry_ids_are_never_reused_after_a_delete(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        async with bot.services.sessions.begin() as session:
            first, _ = await save_entry(session, EntryDraft(title="Rye", question="Which rye flour?"))
            second, _ = await save_entry(session, EntryDraft(title="Spelt", question="Which spelt flour?"))
            gone = second.public_id
            assert await delete_entry(session, gone)
        async with bot.services.sessions.begin() as session:
            third, _ = await save_entry(session, EntryDraft(title="Oats", question="Which oats?"))
            assert third.public_id not in {first.public_id, gone}
            assert await get_entry(session, gone) is None


async def test_only_the_author_edits_and_only_the_author_or_a_moderator_deletes(
    tmp_path: Path, database_url: str
) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        entry_id, question, answer = await solved(bot, "how long do I proof rye dough", "about three hours")
        with pytest.raises(PermissionError):
            await bot.mem.edit_as(CAROL, question, "spam")
        now = bot.clock.now()
        place = bot.mem.place(question)
        for target in (question, answer):
            edit = MessageEdited(place=place, created_at=now, message_id=target, text="spam", author=CAROL)
            await bot.mem.deliver(edit)
        await bot.mem.deliver(MessageDeleted(place=place, created_at=now, message_id=answer, member=CAROL))
        async with bot.services.sessions() as session:
            texts = {
                row.external_id: row.text for row in await session.execute(select(Message.external_id, Message.text))
            }
            entry = await get_entry(session, entry_id)
        assert texts[question] == "how long do I proof rye dough" and texts[answer] == "about three hours"
        assert entry is not None and [m.text for m in entry.messages] == [texts[question], texts[answer]]

        await bot.mem.edit_as(BOB, answer, "about three hours, warm")
        await bot.mem.delete(question, by=MOD)
        async with bot.services.sessions() as session:
            stored = {m.external_id: m for m in await session.scalars(select(Message))}
            entry = await get_entry(session, entry_id)
            thread = await session.scalar(select(Thread).where(Thread.thread_key == question))
        assert stored[answer].text == "about three hours, warm"
        assert stored[question].deleted_at is not None and stored[question].text == ""
        assert entry is not None and entry.title == DELETED_TITLE and entry.question == ""
        assert thread is not None and thread.title == ""
        exported = [line async for line in export_lines(bot.services.sessions)]
        assert "proof rye dough" not in "".join(exported)


async def test_a_native_pin_is_audited_like_the_command(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        asked = await bot.mem.post(ALICE, "where are the oven gloves kept")
        reply = await bot.mem.post(BOB, "in the drawer under the oven", thread=asked.id)
        await bot.mem.pin_as(MOD, reply.id)
        await bot.mem.pin_as(MOD, reply.id, unpin=True)
        async with bot.services.sessions() as session:
            lines = list(await session.scalars(select(AuditLog).order_by(AuditLog.id)))
        assert [(line.action, line.actor_id) for line in lines] == [("kb.pin", MOD.id), ("kb.unpin", MOD.id)]
        assert lines[0].target.startswith("kb") and "native" in lines[0].detail


async def test_export_import_round_trip_keeps_answer_authors(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path / "a", extra_toml=FAST) as bot:
        await solved(bot, "how do I clean a banneton", "brush it dry, never wash it")
        await bot.mem.command(BOB, "/privacy suggest on")
        bot.mem.room = "private-room"
        bot.mem.private_rooms.add("private-room")
        await solved(bot, "who holds the key to the hall", "the caretaker has it")
        first = [line async for line in export_lines(bot.services.sessions)]
    records = [json.loads(line) for line in first]
    assert [answer["author"] for record in records for answer in record["answers"]] == ["Bob", "Bob"]
    assert records[0]["asked_by"] == "Alice" and records[0]["answers"][0]["author_id"] == BOB.id
    assert records[1]["source"]["public"] is False

    engine = create_engine(database_url)
    try:
        await upgrade(engine)
        sessions = session_factory(engine)
        report = await import_lines(sessions, first)
        assert report.created == 2 and not report.errors
        second = [line async for line in export_lines(sessions)]
        assert second == first, "an export, imported and exported again, is the same"
        from copbot.knowledge.experts import answerers_for

        async with sessions() as session:
            found = await answerers_for(session, "banneton")
        assert found.not_opted_in == 1, "Bob's answer still counts for /experts after the import"
    finally:
        await engine.dispose()


async def test_upgrading_a_database_with_entries_keeps_new_ids_above_the_old_ones(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await downgrade(engine, "base")  # the PostgreSQL test database may come at head
        await upgrade(engine, "0003")
        async with engine.begin() as connection:
            for number in (3, 7):
                await connection.execute(
                    text(
                        "INSERT INTO knowledge_entries (id, public_id, kind, title, question, summary, solved,"
                        " captured_via, source_platform, created_at, updated_at) VALUES (:id, :public_id, 'question',"
                        " 'Old', 'Old?', '', true, 'import', '', :now, :now)"
                    ).bindparams(bindparam("now", type_=AwareDateTime())),
                    {"id": number, "public_id": f"kb{number}", "now": datetime(2026, 1, 1, tzinfo=UTC)},
                )
            await connection.execute(text("DELETE FROM knowledge_entries WHERE id = 7"))
        await upgrade(engine)
        sessions = session_factory(engine)
        async with sessions.begin() as session:
            old = await get_entry(session, "kb3")
            assert old is not None and old.source_public is True
            entry, _ = await save_entry(session, EntryDraft(title="New", question="New?"))
        assert int(entry.public_id.removeprefix("kb")) > 3
    finally:
        await engine.dispose()
