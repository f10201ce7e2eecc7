"""Guard rails in the dispatcher: per-member rate limit, unknown commands with suggestions, usage on bad arguments."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.cast import ALICE, BOB
from tests.community_harness import running_bot

RATE_LIMIT_REFUSAL = "faster than this community allows"


async def test_thirteenth_command_in_a_minute_is_refused_privately(tmp_path: Path) -> None:
    async with running_bot(tmp_path, extra_toml="[permissions]\nrate_limit_per_minute = 12\n") as bot:
        for _ in range(12):
            await bot.mem.command(ALICE, "/help")
            bot.clock.advance(timedelta(seconds=1))
        assert not any(RATE_LIMIT_REFUSAL in text for text in bot.mem.private(ALICE))
        bot.mem.clear()

        await bot.mem.command(ALICE, "/help")

        assert len(bot.mem.private(ALICE)) == 1
        assert RATE_LIMIT_REFUSAL in bot.mem.private(ALICE)[0]
        assert "try again in 48 seconds" in bot.mem.private(ALICE)[0], (
            "the first command of the minute frees up at 60 s"
        )
        assert bot.mem.said() == []


async def test_another_member_is_not_affected_by_the_limit(tmp_path: Path) -> None:
    async with running_bot(tmp_path, extra_toml="[permissions]\nrate_limit_per_minute = 12\n") as bot:
        for _ in range(13):
            await bot.mem.command(ALICE, "/help")
        bot.mem.clear()

        await bot.mem.command(BOB, "/help")

        assert len(bot.mem.private(BOB)) == 1
        assert bot.mem.private(BOB)[0].startswith("Commands")


async def test_the_limit_lifts_after_a_minute(tmp_path: Path) -> None:
    async with running_bot(tmp_path, extra_toml="[permissions]\nrate_limit_per_minute = 12\n") as bot:
        for _ in range(13):
            await bot.mem.command(ALICE, "/help")
        bot.clock.advance(timedelta(seconds=30))
        bot.mem.clear()
        await bot.mem.command(ALICE, "/help")
        assert RATE_LIMIT_REFUSAL in bot.mem.last()

        bot.clock.advance(timedelta(seconds=31))
        bot.mem.clear()
        await bot.mem.command(ALICE, "/help")

        assert bot.mem.private(ALICE)[0].startswith("Commands")


async def test_the_limit_comes_from_the_config(tmp_path: Path) -> None:
    async with running_bot(tmp_path, extra_toml="[permissions]\nrate_limit_per_minute = 2\n") as bot:
        await bot.mem.command(ALICE, "/help")
        await bot.mem.command(ALICE, "/help")
        bot.mem.clear()
        await bot.mem.command(ALICE, "/help")
        assert RATE_LIMIT_REFUSAL in bot.mem.last()


async def test_unknown_command_gets_a_friendly_private_answer_with_a_suggestion(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        await bot.mem.command(ALICE, "/hlep")

        assert bot.mem.said() == []
        [answer] = bot.mem.private(ALICE)
        assert "I don't know the command /hlep" in answer
        assert "Did you mean /help?" in answer


async def test_unknown_command_without_a_close_match_points_to_help(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        await bot.mem.command(ALICE, "/zzzzqqq")

        [answer] = bot.mem.private(ALICE)
        assert "Did you mean" not in answer
        assert "/help" in answer


async def test_a_typo_of_privacy_is_suggested(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        await bot.mem.command(ALICE, "/privcy stop")
        assert "Did you mean /privacy?" in bot.mem.last()


async def test_missing_arguments_show_the_usage(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        await bot.mem.command(ALICE, "/experts")

        [answer] = bot.mem.private(ALICE)
        assert "Usage: /experts TOPIC" in answer
        assert bot.mem.said() == []


async def test_wrong_arguments_show_what_is_wrong_and_the_usage(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        await bot.mem.command(ALICE, "/privacy frobnicate")

        [answer] = bot.mem.private(ALICE)
        assert "frobnicate" in answer
        assert "Usage: /privacy [stop|resume|delete|export|suggest on|suggest off|web off|web on]" in answer


async def test_ask_without_a_question_shows_the_usage(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as bot:
        await bot.mem.command(ALICE, "/ask")
        assert "Usage: /ask QUESTION" in bot.mem.last()
