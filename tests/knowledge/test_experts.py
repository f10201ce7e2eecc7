"""/experts and its query: accepted answerers on a topic, ranked, naming only members who opted in."""

from __future__ import annotations

from pathlib import Path

from copbot.core.events import Member
from copbot.knowledge.entries import DraftMessage, EntryDraft, save_entry
from copbot.knowledge.experts import answerers_for, experts_for
from copbot.store import chat
from tests.cast import ALICE, BOB, CAROL, DAVE, ERIN
from tests.community_harness import Bot, running_bot


async def add_entry(
    bot: Bot, title: str, answerers: list[Member], *, tags: tuple[str, ...] = (), asker: Member = ERIN, text: str = ""
) -> None:
    """Save an answered entry whose accepted answers come from ``answerers``."""
    async with bot.services.sessions.begin() as session:
        asked_by = await chat.get_or_create_member(session, "memory", asker)
        answers = []
        for member in answerers:
            row = await chat.get_or_create_member(session, "memory", member)
            answers.append(DraftMessage(author_name=member.name, text=text or f"{member.name} knows", author_id=row.id))
        draft = EntryDraft(
            title=title,
            question=title,
            answers=answers,
            tags=list(tags),
            question_author_id=asked_by.id,
            question_author_name=asker.name,
        )
        await save_entry(session, draft)


async def opt_in(bot: Bot, *members: Member) -> None:
    async with bot.services.sessions.begin() as session:
        for member in members:
            (await chat.get_or_create_member(session, "memory", member)).suggest_opt_in = True


async def seed_python(bot: Bot) -> None:
    """Alice answered twice and Bob once about Python, Carol once without opting in, Dave about bread."""
    await add_entry(bot, "How do I pin dependencies?", [ALICE], tags=("python",))
    await add_entry(bot, "Virtualenv or conda?", [ALICE, CAROL], tags=("Python", "tooling"))
    await add_entry(bot, "Python packaging woes", [BOB])
    await add_entry(bot, "Starter for bread", [DAVE], tags=("baking",), text="Feed the sourdough starter daily")
    await add_entry(bot, "Which python version?", [CAROL], tags=("python",), asker=BOB)
    await opt_in(bot, ALICE, BOB, DAVE)


async def test_experts_are_ranked_by_accepted_answers_and_only_opted_in(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        await seed_python(bot)
        async with bot.services.sessions() as session:
            found = await answerers_for(session, "python")

        assert [(expert.name, expert.answers) for expert in found.experts] == [("Alice", 2), ("Bob", 1)]
        assert found.not_opted_in == 1


async def test_topic_matches_tags_case_insensitively_and_with_a_hash(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        await seed_python(bot)
        async with bot.services.sessions() as session:
            for topic in ("Python", "#python", " PYTHON "):
                assert [expert.name for expert in await experts_for(session, topic)] == ["Alice", "Bob"]
            assert [expert.name for expert in await experts_for(session, "tooling")] == ["Alice"]


async def test_topic_matches_answer_text_through_the_search_index(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        await seed_python(bot)
        async with bot.services.sessions() as session:
            assert [expert.name for expert in await experts_for(session, "sourdough")] == ["Dave"]
            assert await experts_for(session, "nothing-like-this") == []


async def test_like_wildcards_in_the_topic_are_literal(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        await seed_python(bot)
        async with bot.services.sessions() as session:
            assert await experts_for(session, "%") == []
            assert await experts_for(session, "_") == []


async def test_limit_and_platform(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        await seed_python(bot)
        async with bot.services.sessions() as session:
            assert [expert.name for expert in await experts_for(session, "python", limit=1)] == ["Alice"]
            assert await experts_for(session, "python", platform="matrix") == []
            assert len(await experts_for(session, "python", platform="memory")) == 2


async def test_experts_command_names_opted_in_members_and_counts_the_rest(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        await seed_python(bot)

        await bot.mem.command(DAVE, "/experts python")

        assert bot.mem.said() == []
        [answer] = bot.mem.private(DAVE)
        assert "Alice: 2 accepted answers" in answer
        assert "Bob: 1 accepted answer" in answer
        assert answer.index("Alice") < answer.index("Bob")
        assert "1 more person answered but has not opted in to being suggested" in answer
        assert "Carol" not in answer


async def test_experts_command_when_nobody_opted_in(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        await add_entry(bot, "Knitting cables", [CAROL, BOB], tags=("knitting",))

        await bot.mem.command(DAVE, "/experts knitting")

        answer = bot.mem.last()
        assert "Nobody who answered about 'knitting' has opted in" in answer
        assert "2 more people answered but have not opted in to being suggested" in answer
        assert "Carol" not in answer
        assert "Bob" not in answer


async def test_experts_command_when_nobody_answered(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        await bot.mem.command(DAVE, "/experts quantum")
        assert "Nobody has an accepted answer about 'quantum' yet" in bot.mem.last()


async def test_opting_in_and_out_with_privacy_suggest(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        await add_entry(bot, "Knitting cables", [CAROL], tags=("knitting",))

        await bot.mem.command(CAROL, "/privacy suggest on")
        await bot.mem.command(DAVE, "/experts knitting")
        assert "Carol: 1 accepted answer" in bot.mem.last()

        await bot.mem.command(CAROL, "/privacy suggest off")
        await bot.mem.command(DAVE, "/experts knitting")
        assert "Carol" not in bot.mem.last()
        assert "1 more person answered" in bot.mem.last()


async def test_experts_takes_the_topic_from_a_slash_command_option(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url) as bot:
        await seed_python(bot)
        await bot.mem.command(DAVE, "/experts", options={"topic": "python"})
        assert "Alice: 2 accepted answers" in bot.mem.last()
