"""/privacy: show settings, stop and resume capture, delete and export a member's data; all answers private."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from copbot.adapters.console import ConsoleAdapter
from copbot.commands.privacy import EXPORT_FILENAME
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
    """The JSON file attached to the one private message a member's /privacy export produced."""
    [sent] = [posted for posted in bot.mem.bot_messages() if posted.private_to == member.id]
    assert sent.content is not None
    [attached] = sent.content.files
    assert attached.filename == EXPORT_FILENAME and attached.content_type == "application/json"
    data = json.loads(attached.data.decode("utf-8"))
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


async def test_a_long_export_is_one_private_message_with_the_whole_json_attached(
    tmp_path: Path, database_url: str
) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        for number in range(40):
            await bot.mem.post(ALICE, f"message {number}: " + "lorem ipsum " * 8)
        bot.mem.clear()

        await bot.mem.command(ALICE, "/privacy export")

        assert bot.mem.said() == [], "nothing of the export is posted where others read"
        assert len(bot.mem.private(ALICE)) == 1
        assert len(export_of(bot, ALICE)["messages"]) == 40


async def test_the_console_shows_the_attached_export_whole(tmp_path: Path) -> None:
    import io

    from copbot.app import Application
    from copbot.config.settings import parse_settings

    out = io.StringIO()
    console = ConsoleAdapter(user="alice", stdin=io.StringIO(""), stdout=out)
    settings = parse_settings(f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path}/c.sqlite3"\n', base_dir=tmp_path)
    app = Application(settings, adapters=[console])
    await app.start()
    try:
        await console.handle_line("hello, my name is alice and I like rye")
        await console.handle_line("/privacy export")
    finally:
        await app.stop()
    shown = out.getvalue()
    assert "(only to alice)" in shown and f"--- {EXPORT_FILENAME} ---" in shown
    body = shown.split(f"--- {EXPORT_FILENAME} ---\n", 1)[1].split(f"\n--- end of {EXPORT_FILENAME} ---", 1)[0]
    assert json.loads(body)["messages"][0]["text"] == "hello, my name is alice and I like rye"


async def test_suggest_needs_on_or_off(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        await bot.mem.command(ALICE, "/privacy suggest maybe")
        [answer] = bot.mem.private(ALICE)
        assert "/privacy suggest on" in answer
        assert "Usage:" in answer


WORD = "quokkafernbrew"


async def rows_containing(bot: Bot, word: str) -> list[str]:
    """Every table.column holding ``word`` in some row (text columns), and the PostgreSQL index's matches."""
    from sqlalchemy import String, Text, func

    from copbot.store.schema import METADATA

    found: list[str] = []
    async with bot.services.sessions() as session:
        for table in METADATA.sorted_tables:
            for column in table.columns:
                if isinstance(column.type, String | Text):
                    query = select(func.count()).select_from(table).where(func.lower(column).contains(word))
                    if await session.scalar(query):
                        found.append(f"{table.name}.{column.name}")
        if session.get_bind().dialect.name == "postgresql":
            indexed = text("SELECT count(*) FROM search_documents WHERE search_vector @@ plainto_tsquery(:q)")
            if await session.scalar(indexed, {"q": word}):
                found.append("search_documents.search_vector")
    return found


async def test_delete_leaves_no_copy_of_the_words_in_the_database_files(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        asked = await bot.mem.post(ALICE, f"how do I keep a {WORD} culture alive?")
        reply = await bot.mem.post(BOB, "keep it cool and feed it weekly", thread=asked.id)
        await bot.mem.command(ALICE, f"/solved {reply.id}", thread=asked.id)
        other = await bot.mem.post(BOB, "what flour suits rye bread?")
        tip = await bot.mem.post(ALICE, f"my {WORD} trick: use a light rye", thread=other.id)
        await bot.mem.command(BOB, f"/solved {tip.id}", thread=other.id)
        for number in range(30):
            await bot.mem.post(ALICE, f"note {number} about {WORD}")
        assert await searchable(bot, WORD)
        assert await rows_containing(bot, WORD)

        await bot.mem.command(ALICE, "/privacy delete")

        assert "Deleted: your content in 2 knowledge entries" in bot.mem.last()
        assert await rows_containing(bot, WORD) == [], "no row or index entry keeps the words"
        assert not await searchable(bot, WORD)
        assert_not_in_files(database_url, WORD)
    assert_not_in_files(database_url, WORD)


def assert_not_in_files(database_url: str, word: str) -> None:
    """SQLite: neither the database file nor its write-ahead log holds ``word`` anywhere in their bytes."""
    if not database_url.startswith("sqlite"):
        return
    database = Path(database_url.split("///", 1)[1])
    assert database.exists()
    for path in (database, database.with_name(database.name + "-wal")):
        if path.exists():
            assert word.encode() not in path.read_bytes(), f"{path.name} still holds the words"


async def test_counts_are_said_in_words_that_fit_them(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        await seed(bot)
        await bot.mem.post(CAROL, "my kefir grains went slimy")
        async with bot.services.sessions.begin() as session:
            carol = await chat.get_or_create_member(session, "memory", CAROL)
            answer = DraftMessage(author_name=carol.display_name, text="Rinse them in milk", author_id=carol.id)
            await save_entry(session, EntryDraft(title="Slimy kefir", question="Slimy kefir", answers=[answer]))
        bot.mem.clear()

        await bot.mem.command(CAROL, "/privacy")
        assert "stored: 1 message, 1 knowledge entry you took part in" in bot.mem.private(CAROL)[-1]
        await bot.mem.command(CAROL, "/privacy stop")
        assert "what was captured of yours (1 entry) no longer shows" in bot.mem.private(CAROL)[-1]
        await bot.mem.command(ALICE, "/privacy stop")
        assert "what was captured of yours (2 entries) no longer shows" in bot.mem.private(ALICE)[-1]
