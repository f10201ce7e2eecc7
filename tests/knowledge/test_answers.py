"""Accepted answers chosen as a person would: no thanks or chatter, the reply the asker marked, ask when unsure;
thanks credit everyone named; /solved MESSAGE_ID takes a wrongly accepted answer back."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select

from copbot.store.models import EntryMessage, KnowledgeEntry
from tests.cast import ALICE, BOB, CAROL, DAVE, MOD
from tests.community_harness import Bot, running_bot

QUESTION = "How do I get pip to work behind the office proxy?"
BOB_ANSWER = "Set HTTPS_PROXY to the proxy address before running pip install."
CAROL_ANSWER = "Put proxy = http://proxy:3128 into pip.conf and it sticks for good."
FAST = "[permissions]\nrate_limit_per_minute = 1000\n"


async def answers(bot: Bot) -> dict[str, list[str]]:
    """Each entry's accepted answer texts."""
    async with bot.services.sessions() as session:
        rows = await session.execute(
            select(KnowledgeEntry.public_id, EntryMessage.text)
            .join(EntryMessage, EntryMessage.entry_id == KnowledgeEntry.id)
            .where(EntryMessage.role == "answer")
            .order_by(EntryMessage.position)
        )
        found: dict[str, list[str]] = {}
        for public_id, text in rows:
            found.setdefault(public_id, []).append(text)
        return found


async def thread_with_two_answers(bot: Bot) -> tuple[str, str, str]:
    asked = await bot.mem.post(ALICE, QUESTION)
    bob = await bot.mem.post(BOB, BOB_ANSWER, thread=asked.id)
    carol = await bot.mem.post(CAROL, CAROL_ANSWER, thread=asked.id)
    return asked.id, bob.id, carol.id


async def test_plain_solved_skips_thanks_and_social_messages(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url, extra_toml=FAST) as bot:
        asked = await bot.mem.post(ALICE, QUESTION)
        await bot.mem.post(BOB, BOB_ANSWER, thread=asked.id)
        await bot.mem.post(DAVE, "thanks Bob, good to know", thread=asked.id)
        await bot.mem.post(CAROL, "+1", thread=asked.id)
        await bot.mem.command(ALICE, "/solved", thread=asked.id)
        assert list((await answers(bot)).values()) == [[BOB_ANSWER]]


async def test_plain_solved_prefers_the_reply_the_asker_reacted_or_replied_to(
    tmp_path: Path, database_url: str
) -> None:
    async with running_bot(tmp_path, database_url=database_url, extra_toml=FAST) as bot:
        thread, bob, _carol = await thread_with_two_answers(bot)
        await bot.mem.react_as(ALICE, bob, "👍")
        await bot.mem.command(ALICE, "/solved", thread=thread)
        assert list((await answers(bot)).values()) == [[BOB_ANSWER]]

        other, _bob, carol = await thread_with_two_answers(bot)
        await bot.mem.post(ALICE, "where is pip.conf on Windows?", thread=other, reply_to=carol)
        await bot.mem.command(ALICE, "/solved", thread=other)
        assert sorted((await answers(bot)).values()) == sorted([[BOB_ANSWER], [CAROL_ANSWER]])


async def test_when_unsure_the_asker_is_asked_to_pick_with_one_reaction(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url, extra_toml=FAST) as bot:
        thread, bob, carol = await thread_with_two_answers(bot)
        bot.mem.clear()
        await bot.mem.command(ALICE, "/solved", thread=thread)
        asked = bot.mem.last()
        assert "which reply answered" in asked and "React ✅" in asked
        assert bob in asked and carol in asked
        assert await answers(bot) == {}, "nothing is saved until the asker picks"
        await bot.mem.react_as(ALICE, carol, "✅")
        assert list((await answers(bot)).values()) == [[CAROL_ANSWER]]


async def test_thanks_credits_everyone_thanked_who_answered(tmp_path: Path, database_url: str) -> None:
    async with running_bot(tmp_path, database_url=database_url, extra_toml=FAST) as bot:
        thread, _bob, _carol = await thread_with_two_answers(bot)
        await bot.mem.post(ALICE, "Thanks Bob and Carol, that fixed it!", thread=thread)
        proposal = bot.mem.bot_messages()[-1]
        assert "React ✅" in proposal.text
        await bot.mem.react_as(ALICE, proposal.id, "✅")
        assert list((await answers(bot)).values()) == [[BOB_ANSWER, CAROL_ANSWER]]


async def test_solved_with_an_accepted_answer_takes_it_back_and_kb_show_lists_the_rest(
    tmp_path: Path, database_url: str
) -> None:
    async with running_bot(tmp_path, database_url=database_url, extra_toml=FAST) as bot:
        thread, bob, carol = await thread_with_two_answers(bot)
        await bot.mem.command(ALICE, f"/solved {bob}", thread=thread)
        found = re.search(r"as (kb\d+)", bot.mem.last())
        assert found
        entry = found.group(1)
        await bot.mem.command(DAVE, f"/solved {bob}", thread=thread)
        assert list((await answers(bot)).values()) == [[BOB_ANSWER]], "only the asker or a moderator"

        await bot.mem.command(ALICE, f"/solved {bob}", thread=thread)
        assert "Took the answer back" in bot.mem.last() and "no accepted answer now" in bot.mem.last()
        assert await answers(bot) == {}
        await bot.mem.command(CAROL, f"/kb show {entry}")
        shown = bot.mem.last()
        assert "Answer" not in shown.replace("answered", "")
        assert f"Also useful by Bob [{bob}]" in shown and f"Also useful by Carol [{carol}]" in shown

        await bot.mem.command(MOD, f"/solved {carol}", thread=thread)
        await bot.mem.command(MOD, f"/solved {carol}", thread=thread)
        assert await answers(bot) == {}, "a moderator can take an answer back too"
