"""What users run: suggestions, views and acceptances recorded; /health for moderators; the health_digest kind."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from copbot.adapters.memory import MemoryAdapter
from copbot.app import Application
from copbot.config.settings import HealthSection, PromptSection
from copbot.core.clock import ManualClock
from copbot.health.help import help_figures
from copbot.health.window import Share, Window
from copbot.prompts.kinds import build_content
from copbot.store.models import KnowledgeEntry, Thread
from copbot.store.operations import EntryUse
from tests.cast import ALICE, BOB, CAROL, MOD

QUESTION = "How do I configure the proxy for pip behind the corporate firewall? #python"
ANSWER = "Set HTTPS_PROXY in the environment before running pip install, then it tunnels through."


async def uses(app: Application) -> list[tuple[str, int | None, int | None]]:
    assert app.services is not None
    async with app.services.sessions() as session:
        rows = await session.execute(select(EntryUse.kind, EntryUse.entry_id, EntryUse.thread_id).order_by(EntryUse.id))
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def saved_entry(app: Application, mem: MemoryAdapter) -> int:
    ask = await mem.command(ALICE, f"/ask {QUESTION}")
    await mem.post(BOB, ANSWER, thread=ask.id)
    await mem.command(ALICE, "/solved", thread=ask.id)
    assert app.services is not None
    async with app.services.sessions() as session:
        entry_id = await session.scalar(select(KnowledgeEntry.id))
    assert entry_id is not None
    return int(entry_id)


async def test_the_asker_accepts_a_suggestion_with_a_check_mark(
    running: tuple[Application, MemoryAdapter], clock: ManualClock
) -> None:
    app, mem = running
    entry_id = await saved_entry(app, mem)
    mem.clear()
    ask = await mem.command(CAROL, "/ask configure pip proxy behind a firewall")
    [suggestion] = [p for p in mem.bot_messages() if p.content and "look related" in p.content.text]
    assert app.services is not None
    async with app.services.sessions() as session:
        thread_id = await session.scalar(select(Thread.id).where(Thread.thread_key == ask.id))
    assert await uses(app) == [("suggested", entry_id, thread_id)]
    await mem.react_as(BOB, suggestion.id, "✅")  # not the asker
    await mem.react_as(CAROL, suggestion.id, "👍")  # not a check mark
    assert [kind for kind, _, _ in await uses(app)] == ["suggested"]
    await mem.react_as(CAROL, suggestion.id, "✅")
    await mem.react_as(CAROL, suggestion.id, "✅")
    assert await uses(app) == [("suggested", entry_id, thread_id), ("accepted", entry_id, thread_id)]
    async with app.services.sessions() as session:
        figures = await help_figures(session, Window.ending(clock.now() + timedelta(seconds=1), timedelta(days=7)))
    assert figures.from_repository == Share(1, 2)  # Carol's of the two /ask questions


async def test_kb_show_records_a_view(running: tuple[Application, MemoryAdapter]) -> None:
    app, mem = running
    entry_id = await saved_entry(app, mem)
    async with app.services.sessions() as session:  # type: ignore[union-attr]
        public_id = await session.scalar(select(KnowledgeEntry.public_id))
    await mem.command(CAROL, f"/kb show {public_id}")
    assert ("viewed", entry_id, None) in await uses(app)
    await mem.command(CAROL, "/kb show nosuch")
    assert [kind for kind, _, _ in await uses(app)].count("viewed") == 1


async def test_health_is_for_moderators_and_answers_privately(
    running: tuple[Application, MemoryAdapter], clock: ManualClock
) -> None:
    app, mem = running
    await saved_entry(app, mem)
    clock.advance(timedelta(minutes=1))  # the window ends now, so it holds what was said before
    mem.clear()
    await mem.command(BOB, "/health")
    assert mem.said() == [] and "moderator" in mem.private(BOB)[0].lower()
    mem.clear()
    await mem.command(MOD, "/health")
    [answer] = mem.private(MOD)
    assert mem.said() == []
    assert answer.startswith("Community health, ")
    assert "  Help requests: 1 (+1 on the week before)" in answer.splitlines()
    assert "  Entries added: 1 (+1 on the week before)" in answer.splitlines()
    mem.clear()
    await mem.command(MOD, "/health here", thread=None)
    assert "  Help requests: 1 (+1 on the week before)" in mem.private(MOD)[0].splitlines()


async def test_health_digest_prompt_posts_the_summary(
    running: tuple[Application, MemoryAdapter], clock: ManualClock
) -> None:
    app, mem = running
    await saved_entry(app, mem)
    clock.advance(timedelta(minutes=1))
    prompt = PromptSection(name="health", kind="health_digest", platform="memory", channel="mods", cron="0 8 * * 1")
    assert app.services is not None
    async with app.services.sessions() as session:
        content = await build_content(session, prompt, clock.now(), mem, None, health=HealthSection())
    assert content.text.startswith("Community health, ")
    assert "  Active members: 2 (+2 on the week before)" in content.text.splitlines()
