"""``/kb review`` in chat (memory adapter and console): editors list, accept and reject what a backfill found."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

from sqlalchemy import select

from copbot.adapters.console import ConsoleAdapter
from copbot.app import Application
from copbot.backfill.exports import read_exports
from copbot.cli.main import main
from copbot.config.settings import parse_settings
from copbot.store.models import KnowledgeEntry, Member
from tests.backfill.test_from_files import discord_exports
from tests.cast import ALICE, MOD
from tests.community_harness import running_bot, settings_text

BACKFILL = '[backfill]\nchannels = [{ id = "100", public = true }, { id = "200", public = true }]\n'


async def test_editors_review_candidates_in_chat(tmp_path: Path, database_url: str) -> None:
    from copbot.cli.backfill import backfill_job

    async with running_bot(tmp_path, extra_toml=BACKFILL, database_url=database_url) as bot:
        settings = bot.app.settings
        for reader in read_exports(discord_exports(tmp_path)):
            await backfill_job(settings, bot.services.sessions, progress=False).run(reader, ["100", "200"])

        await bot.mem.command(ALICE, "/kb review")
        assert "review backfilled threads" in bot.mem.private(ALICE)[-1]

        await bot.mem.command(MOD, "/kb review")
        listing = bot.mem.private(MOD)[-1]
        assert listing.startswith("4 past threads wait for review; the oldest 3:")
        assert "My secret" not in listing  # Dave's words stay out: he is no answer here, and never shown
        number = next(line.split(".")[0] for line in listing.splitlines() if "basil" in line)
        await bot.mem.command(MOD, f"/kb review edit {number} title:Stop basil bolting")
        assert bot.mem.private(MOD)[-1] == f"Candidate {number} will be saved as: Stop basil bolting"
        await bot.mem.command(MOD, f"/kb review accept {number}")
        assert bot.mem.private(MOD)[-1].startswith(f"Accepted candidate {number}: saved as kb")
        await bot.mem.command(MOD, f"/kb review accept {number}")
        assert bot.mem.private(MOD)[-1] == f"Candidate {number} was already accepted."
        other = next(line.split(".")[0] for line in listing.splitlines() if "Aphids" in line)
        await bot.mem.command(MOD, f"/kb review reject {other}")
        assert bot.mem.private(MOD)[-1].startswith(f"Rejected candidate {other}")

        await bot.mem.command(MOD, "/kb review")
        assert bot.mem.private(MOD)[-1].startswith("2 past threads wait for review")
        async with bot.services.sessions.begin() as session:  # Erin opts out: her thread leaves the queue
            erin = await session.scalar(select(Member).where(Member.external_id == "5"))
            assert erin is not None
            erin.capture_opt_out = True
        await bot.mem.command(MOD, "/kb review")
        assert bot.mem.private(MOD)[-1].startswith("1 past threads wait for review")
        assert "compost" not in bot.mem.private(MOD)[-1]

        await bot.mem.command(MOD, "/search basil")
        assert "Stop basil bolting" in bot.mem.last()
        async with bot.services.sessions() as session:
            entry = await session.scalar(select(KnowledgeEntry).where(KnowledgeEntry.title == "Stop basil bolting"))
            assert entry is not None and entry.captured_via == "backfill"


async def test_the_console_reviews_too(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'c.sqlite3'}"
    config = tmp_path / "copbot.toml"
    config.write_text(settings_text(tmp_path, BACKFILL, url), encoding="utf-8")
    files = [arg for path in discord_exports(tmp_path) for arg in ("--from", str(path))]
    assert await asyncio.to_thread(main, ["backfill", "--quiet", "--config", str(config), *files]) == 0
    settings = parse_settings(config.read_text(encoding="utf-8"), base_dir=tmp_path)
    out = io.StringIO()
    lines = ":as mod\n/kb review\n/kb review reject 1\n/kb review accept 2\n"
    console = ConsoleAdapter(moderators=["mod"], stdin=io.StringIO(lines), stdout=out, command_prefix="/")
    app = Application(settings, adapters=[console])
    await app.start()
    try:
        await console.wait_closed()
    finally:
        await app.stop()
    printed = out.getvalue()
    assert "4 past threads wait for review" in printed
    assert "Rejected candidate 1" in printed
    assert "Accepted candidate 2: saved as kb1" in printed
