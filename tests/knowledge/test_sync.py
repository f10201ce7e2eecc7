"""Edits and deletions reach entries; opted-out members and deleted questions are never searchable; /kb, /share."""

from __future__ import annotations

from sqlalchemy import select, update

from copbot.adapters.memory import MemoryAdapter
from copbot.app import Application
from copbot.knowledge.entries import refresh_for_member
from copbot.knowledge.search.backend import search
from copbot.store.models import AuditLog, KnowledgeEntry, Member
from tests.cast import ALICE, BOB, CAROL, MOD


async def hits(app: Application, text: str) -> list[str]:
    assert app.services is not None
    async with app.services.sessions() as session:
        return [hit.public_id for hit in await search(session, text)]


async def captured(mem: MemoryAdapter) -> tuple[str, str, str]:
    ask = await mem.command(ALICE, "/ask How do I rotate the nginx logs? #ops")
    answer = await mem.post(BOB, "Use logrotate with the copytruncate option", thread=ask.id)
    await mem.command(ALICE, "/solved", thread=ask.id)
    return ask.id, answer.id, "kb1"


async def test_edit_and_delete_of_an_answer_propagate(running: tuple[Application, MemoryAdapter]) -> None:
    app, mem = running
    _, answer, entry = await captured(mem)
    assert await hits(app, "copytruncate") == [entry]
    await mem.edit_as(BOB, answer, "Use logrotate with the postrotate hook to reload nginx")
    assert await hits(app, "copytruncate") == []
    assert await hits(app, "postrotate") == [entry]
    await mem.delete(answer)
    assert await hits(app, "postrotate") == []
    assert await hits(app, "nginx logs") == [entry]


async def test_deleted_question_makes_the_entry_unsearchable(running: tuple[Application, MemoryAdapter]) -> None:
    app, mem = running
    question, _, _entry = await captured(mem)
    await mem.delete(question)
    assert await hits(app, "nginx logrotate copytruncate rotate") == []
    await mem.command(ALICE, "/solved", thread=question)
    assert await hits(app, "nginx logrotate copytruncate rotate") == []


async def test_opted_out_member_content_is_not_searchable(running: tuple[Application, MemoryAdapter]) -> None:
    app, mem = running
    _, _, entry = await captured(mem)
    assert app.services is not None
    async with app.services.sessions.begin() as session:
        await session.execute(update(Member).where(Member.external_id == BOB.id).values(capture_opt_out=True))
        bob = await session.scalar(select(Member.id).where(Member.external_id == BOB.id))
        assert bob is not None and await refresh_for_member(session, bob) == 1
    assert await hits(app, "copytruncate") == []
    assert await hits(app, "nginx") == [entry]
    async with app.services.sessions.begin() as session:
        await session.execute(update(Member).where(Member.external_id == ALICE.id).values(capture_opt_out=True))
        alice = await session.scalar(select(Member.id).where(Member.external_id == ALICE.id))
        assert alice is not None and await refresh_for_member(session, alice) == 1
    assert await hits(app, "nginx") == []


async def test_opted_out_answer_is_not_captured(running: tuple[Application, MemoryAdapter]) -> None:
    app, mem = running
    ask = await mem.command(ALICE, "/ask Which font do we use for slides?")
    await mem.post(BOB, "Inter, everywhere", thread=ask.id)
    assert app.services is not None
    async with app.services.sessions.begin() as session:
        await session.execute(update(Member).where(Member.external_id == BOB.id).values(capture_opt_out=True))
    await mem.command(ALICE, "/solved", thread=ask.id)
    assert await hits(app, "inter everywhere") == []
    assert await hits(app, "font slides") == ["kb1"]


async def test_kb_edit_and_delete_need_an_editor_and_are_audited(running: tuple[Application, MemoryAdapter]) -> None:
    app, mem = running
    await captured(mem)
    await mem.command(CAROL, "/kb edit kb1 title=Hacked")
    assert any("Sorry" in text for text in mem.private(CAROL))
    await mem.command(MOD, "/kb edit kb1 title=Rotating nginx logs tags=nginx, logging summary=Use logrotate")
    mem.clear()
    await mem.command(CAROL, "/kb show kb1")
    [shown] = mem.said()
    assert "Rotating nginx logs" in shown and "Tags: #logging #nginx\n" in shown
    assert await hits(app, "logging") == ["kb1"]
    await mem.command(MOD, "/kb edit kb1 colour=red")
    assert any("Usage:" in text for text in mem.private(MOD))
    await mem.command(MOD, "/kb delete kb1")
    assert await hits(app, "nginx") == []
    assert app.services is not None
    async with app.services.sessions() as session:
        actions = list(await session.scalars(select(AuditLog.action).order_by(AuditLog.id)))
        assert await session.scalar(select(KnowledgeEntry.id)) is None
    assert actions[-2:] == ["kb.edit", "kb.delete"]


async def test_share_makes_a_resource_entry_with_attribution(running: tuple[Application, MemoryAdapter]) -> None:
    app, mem = running
    await mem.command(BOB, "/share Great intro to property-based testing https://example.org/hypo #testing")
    assert any("Shared as kb1" in text for text in mem.said())
    assert app.services is not None
    async with app.services.sessions() as session:
        entry = await session.scalar(select(KnowledgeEntry))
    assert entry is not None and entry.kind == "resource" and entry.resource_url == "https://example.org/hypo"
    assert entry.title == "Great intro to property-based testing"
    mem.clear()
    await mem.command(CAROL, "/search #testing property")
    assert any("[kb1]" in text for text in mem.said())
    await mem.command(BOB, "/share https://example.org #x")
    assert any("Describe what you share" in text for text in mem.private(BOB))
