"""A whole community on the memory adapter: ask, answer, solve, pin, share, opt out, export; and refusals."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from copbot.knowledge.entries import get_entry
from copbot.store.models import AuditLog, KnowledgeEntry, Thread
from tests.cast import ALICE, BOB, CAROL, DAVE, MOD
from tests.community_harness import Bot, running_bot

QUESTION = "How do I calibrate the spectrometer before a run?"
ANSWER = "Take a dark-frame first, then do the wavelength check against the neon lamp."


async def count(bot: Bot, model: type[KnowledgeEntry] | type[AuditLog]) -> int:
    async with bot.services.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def search(bot: Bot, query: str) -> str:
    """What /search answers, as plain text."""
    bot.mem.clear()
    await bot.mem.command(DAVE, f"/search {query}")
    return bot.mem.last()


async def ask_and_answer(bot: Bot) -> str:
    """Alice asks with /ask and Bob answers in the thread; returns the thread id."""
    ask = await bot.mem.command(ALICE, f"/ask {QUESTION}")
    await bot.mem.post(BOB, ANSWER, thread=ask.id)
    return ask.id


async def pinnable_thread(bot: Bot) -> str:
    """Carol starts a conversation and Dave answers in its thread; returns the thread id."""
    opener = await bot.mem.post(CAROL, "Where do we book time on the electron microscope?")
    await bot.mem.post(DAVE, "Use the booking sheet on the lab wiki, two weeks ahead.", thread=opener.id)
    return opener.id


async def test_a_community_day(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        # A member asks, another answers, the asker marks it solved.
        thread = await ask_and_answer(bot)
        bot.mem.clear()
        await bot.mem.command(ALICE, "/solved", thread=thread)
        assert any("Saved to the knowledge base as" in text for text in bot.mem.said())
        async with bot.services.sessions() as session:
            entry = await session.scalar(select(KnowledgeEntry).where(KnowledgeEntry.captured_via == "solved"))
            assert entry is not None
            solved_id = entry.public_id
        assert solved_id in await search(bot, "spectrometer calibrate")
        assert solved_id in await search(bot, "wavelength")

        # A moderator pins another thread.
        other = await pinnable_thread(bot)
        bot.mem.clear()
        await bot.mem.command(MOD, "/pin", thread=other)
        assert any("Saved to the knowledge base as" in text for text in bot.mem.said())
        assert "microscope" in await search(bot, "electron microscope booking")
        async with bot.services.sessions() as session:
            actions = list(await session.scalars(select(AuditLog.action).where(AuditLog.actor_id == MOD.id)))
        assert actions == ["kb.pin"]

        # A member shares a resource.
        bot.mem.clear()
        await bot.mem.command(DAVE, "/share Lab safety checklist https://example.org/safety.pdf #safety")
        assert "Shared as" in bot.mem.last()
        assert "Lab safety checklist" in await search(bot, "safety checklist")

        # Bob opts out: his answer leaves search at once, Alice's question stays findable.
        bot.mem.clear()
        await bot.mem.command(BOB, "/privacy stop")
        assert bot.mem.said() == []
        assert "will not capture your messages" in bot.mem.private(BOB)[0]
        assert solved_id not in await search(bot, "wavelength")
        assert "Nothing in the knowledge base matches" in bot.mem.last()
        assert solved_id in await search(bot, "spectrometer calibrate")

        # Alice exports her data.
        bot.mem.clear()
        await bot.mem.command(ALICE, "/privacy export")
        assert bot.mem.said() == []
        data = json.loads("".join(bot.mem.private(ALICE)[1:]))
        assert data["member"]["id"] == ALICE.id
        assert any(QUESTION in message["text"] for message in data["messages"])
        assert [entry["id"] for entry in data["entries_asked"]] == [solved_id]
        assert {"entry": solved_id, "role": "question"}.items() <= data["entry_messages"][0].items()
        assert ANSWER not in json.dumps(data), "Bob's answer is not Alice's data"


async def test_experts_after_a_solved_thread(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        thread = await ask_and_answer(bot)
        await bot.mem.command(ALICE, "/solved", thread=thread)
        await bot.mem.command(DAVE, "/experts spectrometer")
        assert "1 more person answered but has not opted in" in bot.mem.last()

        await bot.mem.command(BOB, "/privacy suggest on")
        await bot.mem.command(DAVE, "/experts spectrometer")
        assert "Bob: 1 accepted answer" in bot.mem.last()


# ----- privileged actions: a member without the right is refused privately and nothing changes -----


def assert_refused(bot: Bot, who: str) -> None:
    assert bot.mem.said() == []
    [answer] = bot.mem.private(BOB)
    assert answer.startswith(f"Sorry, only {who} can")
    assert "Here that is decided by" in answer


async def test_pin_by_a_member_is_refused(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        other = await pinnable_thread(bot)
        bot.mem.clear()

        await bot.mem.command(BOB, "/pin", thread=other)

        assert_refused(bot, "moderators")
        assert await count(bot, KnowledgeEntry) == 0
        assert await count(bot, AuditLog) == 0


async def test_unpin_by_a_member_is_refused(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        other = await pinnable_thread(bot)
        await bot.mem.command(MOD, "/pin", thread=other)
        assert await count(bot, KnowledgeEntry) == 1
        bot.mem.clear()

        await bot.mem.command(BOB, "/unpin", thread=other)

        assert_refused(bot, "moderators")
        assert await count(bot, KnowledgeEntry) == 1
        assert await count(bot, AuditLog) == 1


async def solved_entry(bot: Bot) -> str:
    thread = await ask_and_answer(bot)
    await bot.mem.command(ALICE, "/solved", thread=thread)
    async with bot.services.sessions() as session:
        public_id: str | None = await session.scalar(select(KnowledgeEntry.public_id))
    assert public_id is not None
    return public_id


async def test_kb_edit_by_a_member_is_refused(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        public_id = await solved_entry(bot)
        bot.mem.clear()

        await bot.mem.command(BOB, f"/kb edit {public_id} title=Vandalised")

        assert_refused(bot, "knowledge editors and moderators")
        async with bot.services.sessions() as session:
            entry = await get_entry(session, public_id)
            assert entry is not None
            assert entry.title != "Vandalised"
        assert await count(bot, AuditLog) == 0


async def test_kb_delete_by_a_member_is_refused(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        public_id = await solved_entry(bot)
        bot.mem.clear()

        await bot.mem.command(BOB, f"/kb delete {public_id}")

        assert_refused(bot, "knowledge editors and moderators")
        assert await count(bot, KnowledgeEntry) == 1
        assert await count(bot, AuditLog) == 0


async def test_solved_by_someone_who_did_not_ask_is_refused(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        ask = await bot.mem.command(ALICE, f"/ask {QUESTION}")
        await bot.mem.post(CAROL, ANSWER, thread=ask.id)
        bot.mem.clear()

        await bot.mem.command(BOB, "/solved", thread=ask.id)

        assert_refused(bot, "moderators")
        assert await count(bot, KnowledgeEntry) == 0
        async with bot.services.sessions() as session:
            status = await session.scalar(select(Thread.status).where(Thread.thread_key == ask.id))
        assert status == "open"


async def test_a_moderator_may_do_each_of_them(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        ask = await bot.mem.command(ALICE, f"/ask {QUESTION}")
        await bot.mem.post(CAROL, ANSWER, thread=ask.id)
        await bot.mem.command(MOD, "/solved", thread=ask.id)
        async with bot.services.sessions() as session:
            public_id = await session.scalar(select(KnowledgeEntry.public_id))
        assert public_id is not None

        await bot.mem.command(MOD, f"/kb edit {public_id} title=Spectrometer calibration")
        await bot.mem.command(MOD, f"/kb delete {public_id}")

        assert await count(bot, KnowledgeEntry) == 0
        async with bot.services.sessions() as session:
            actions = list(await session.scalars(select(AuditLog.action).order_by(AuditLog.id)))
        assert actions == ["kb.edit", "kb.delete"]
