"""/privacy: show settings, stop and resume capture, delete and export a member's data; all answers private."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from copbot.commands.privacy import EXPORT_PART_LENGTH, export_parts
from copbot.core.events import Member
from copbot.knowledge.entries import DraftMessage, EntryDraft, get_entry, save_entry
from copbot.store import chat
from copbot.store.models import Message
from tests.cast import ALICE, BOB, CAROL
from tests.community_harness import Bot, running_bot


async def seed(bot: Bot) -> None:
    """Alice asked about sourdough (Bob answered); Bob asked about kombucha (Alice answered); chat messages."""
    await bot.mem.post(ALICE, "my sourdough starter smells odd")
    await bot.mem.post(ALICE, "also the crust burns")
    await bot.mem.post(BOB, "feed it twice a day")
    async with bot.services.sessions.begin() as session:
        alice = await chat.get_or_create_member(session, "memory", ALICE)
        bob = await chat.get_or_create_member(session, "memory", BOB)
        for title, asker, answerer, answer in (
            ("Sourdough starter smells odd", alice, bob, "Feed the starter twice daily"),
            ("Kombucha too sour", bob, alice, "Shorten the fermentation, try a scoby hotel"),
        ):
            draft = EntryDraft(
                title=title,
                question=title,
                answers=[DraftMessage(author_name=answerer.display_name, text=answer, author_id=answerer.id)],
                tags=["fermenting"],
                question_author_id=asker.id,
                question_author_name=asker.display_name,
                public_id="kb-sourdough" if asker is alice else "kb-kombucha",
            )
            await save_entry(session, draft)


async def searchable(bot: Bot, word: str) -> bool:
    async with bot.services.sessions() as session:
        query = text("SELECT rowid FROM search_fts WHERE search_fts MATCH :q")
        if session.get_bind().dialect.name == "postgresql":
            query = text("SELECT entry_id FROM search_documents WHERE search_vector @@ plainto_tsquery('english', :q)")
        rows = await session.execute(query, {"q": word})
        return bool(rows.all())


async def texts_of(bot: Bot, member_id: str) -> list[str]:
    async with bot.services.sessions() as session:
        member = await chat.find_member(session, "memory", member_id)
        assert member is not None
        return list(await session.scalars(select(Message.text).where(Message.author_id == member.id)))


async def test_privacy_alone_shows_settings_and_choices_privately(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        await seed(bot)
        bot.mem.clear()

        await bot.mem.command(ALICE, "/privacy")

        assert bot.mem.said() == []
        [answer] = bot.mem.private(ALICE)
        assert "capturing your messages: yes" in answer
        assert "suggesting you as an expert: no" in answer
        assert "stored: 2 messages, 2 knowledge entries" in answer
        for choice in ("/privacy stop", "/privacy resume", "/privacy delete", "/privacy export", "/privacy suggest"):
            assert choice in answer


async def test_stop_hides_existing_content_from_search_at_once_and_resume_brings_it_back(
    tmp_path: Path, database_url: str
) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        await seed(bot)
        assert await searchable(bot, "scoby")
        assert await searchable(bot, "sourdough")
        bot.mem.clear()

        await bot.mem.command(ALICE, "/privacy stop")

        assert bot.mem.said() == []
        assert "will not capture your messages" in bot.mem.private(ALICE)[0]
        assert not await searchable(bot, "scoby"), "Alice's answer must leave the search index"
        assert not await searchable(bot, "sourdough"), "the entry Alice asked must leave the search index"
        assert await searchable(bot, "kombucha"), "Bob's question stays searchable"
        await bot.mem.command(ALICE, "/privacy")
        assert "capturing your messages: no" in bot.mem.last()

        await bot.mem.command(ALICE, "/privacy resume")

        assert "captured into the knowledge base again" in bot.mem.last()
        assert await searchable(bot, "scoby")
        assert await searchable(bot, "sourdough")


async def test_delete_removes_captured_content_and_blanks_messages(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        await seed(bot)
        bot.mem.clear()

        await bot.mem.command(ALICE, "/privacy delete")

        assert bot.mem.said() == []
        [answer] = bot.mem.private(ALICE)
        assert "your content in 2 knowledge entries" in answer
        assert "the text of 2 stored messages" in answer
        assert await texts_of(bot, ALICE.id) == ["", ""]
        assert await texts_of(bot, BOB.id) == ["feed it twice a day"]
        async with bot.services.sessions() as session:
            assert await get_entry(session, "kb-sourdough") is None
            kombucha = await get_entry(session, "kb-kombucha")
            assert kombucha is not None
            assert [message.role for message in kombucha.messages] == ["question"]
        assert not await searchable(bot, "scoby")
        assert await searchable(bot, "kombucha")

        await bot.mem.command(ALICE, "/privacy delete")
        assert "your content in 0 knowledge entries" in bot.mem.last()
        assert "the text of 0 stored messages" in bot.mem.last()


def export_of(bot: Bot, member: Member) -> dict[str, Any]:
    """The JSON a member's /privacy export produced (after the introduction)."""
    answers = bot.mem.private(member)
    assert answers[0].startswith("Your data as JSON follows")
    data = json.loads("".join(answers[1:]))
    assert isinstance(data, dict)
    return data


async def test_export_sends_the_members_data_as_json_privately(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        await seed(bot)
        await bot.mem.command(ALICE, "/privacy suggest on")
        bot.mem.clear()

        await bot.mem.command(ALICE, "/privacy export")

        assert bot.mem.said() == []
        data = export_of(bot, ALICE)
        assert data["member"]["id"] == ALICE.id
        assert data["member"]["name"] == "Alice"
        assert data["member"]["suggest_opt_in"] is True
        assert data["member"]["capture_opt_out"] is False
        assert [message["text"] for message in data["messages"]] == [
            "my sourdough starter smells odd",
            "also the crust burns",
        ]
        assert {(m["entry"], m["role"]) for m in data["entry_messages"]} == {
            ("kb-sourdough", "question"),
            ("kb-kombucha", "answer"),
        }
        assert [entry["id"] for entry in data["entries_asked"]] == ["kb-sourdough"]
        assert [entry["id"] for entry in data["entries_contributed_to"]] == ["kb-kombucha"]
        assert "feed it twice a day" not in json.dumps(data), "nobody else's messages"


async def test_export_of_a_member_never_seen(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        await bot.mem.command(CAROL, "/privacy export")

        data = export_of(bot, CAROL)
        assert data["member"]["stored"] is False
        assert data["messages"] == []
        assert data["entries_asked"] == []


async def test_a_long_export_comes_in_parts_that_join_into_json(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        for number in range(40):
            await bot.mem.post(ALICE, f"message {number}: " + "lorem ipsum " * 8)
        bot.mem.clear()

        await bot.mem.command(ALICE, "/privacy export")

        answers = bot.mem.private(ALICE)
        assert len(answers) > 2
        assert f"in {len(answers) - 1} messages" in answers[0]
        assert all(len(part) <= EXPORT_PART_LENGTH for part in answers[1:])
        assert len((export_of(bot, ALICE))["messages"]) == 40


def test_export_parts_round_trip() -> None:
    assert export_parts("") == [""]
    assert export_parts("abcdefg", 3) == ["abc", "def", "g"]
    assert "".join(export_parts("x" * 5000)) == "x" * 5000


async def test_suggest_needs_on_or_off(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        await bot.mem.command(ALICE, "/privacy suggest maybe")
        [answer] = bot.mem.private(ALICE)
        assert "/privacy suggest on" in answer
        assert "Usage:" in answer
