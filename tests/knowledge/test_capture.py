"""Capture on the memory adapter: each of the four answered signals makes one entry, found and suggested later."""

from __future__ import annotations

from sqlalchemy import func, select

from copbot.adapters.memory import MemoryAdapter
from copbot.app import Application
from copbot.store.models import CaptureProposal, EntryMessage, KnowledgeEntry, Thread
from tests.cast import ALICE, BOB, CAROL, MOD

QUESTION = "How do I configure the proxy for pip behind the corporate firewall? #python"
ANSWER = "Set HTTPS_PROXY in the environment before running pip install, then it tunnels through."


async def entries(app: Application) -> list[KnowledgeEntry]:
    assert app.services is not None
    async with app.services.sessions() as session:
        return list(await session.scalars(select(KnowledgeEntry).order_by(KnowledgeEntry.id)))


async def answers_of(app: Application, entry_id: int) -> list[str]:
    assert app.services is not None
    async with app.services.sessions() as session:
        rows = await session.scalars(
            select(EntryMessage.text).where(EntryMessage.entry_id == entry_id, EntryMessage.role == "answer")
        )
        return list(rows)


async def asked_and_answered(mem: MemoryAdapter) -> tuple[str, str]:
    ask = await mem.command(ALICE, f"/ask {QUESTION}")
    answer = await mem.post(BOB, ANSWER, thread=ask.id)
    return ask.id, answer.id


async def assert_findable(app: Application, mem: MemoryAdapter, public_id: str) -> None:
    mem.clear()
    await mem.command(CAROL, "/search pip proxy")
    assert any(f"[{public_id}]" in text and "**pip**" in text for text in mem.said()), mem.said()
    mem.clear()
    await mem.command(CAROL, "/ask configure pip proxy behind a firewall")
    assert any(f"[{public_id}]" in text and "look related" in text for text in mem.said()), mem.said()


async def test_solved_command_captures_last_other_reply(running: tuple[Application, MemoryAdapter]) -> None:
    app, mem = running
    thread, _ = await asked_and_answered(mem)
    await mem.post(ALICE, "Where exactly do I put it?", thread=thread)
    await mem.command(ALICE, "/solved", thread=thread)
    [entry] = await entries(app)
    assert entry.solved and entry.captured_via == "solved"
    assert await answers_of(app, entry.id) == [ANSWER]
    assert any(f"Saved to the knowledge base as {entry.public_id}" in text for text in mem.said())
    assert app.services is not None
    async with app.services.sessions() as session:
        status = await session.scalar(select(Thread.status).where(Thread.thread_key == thread))
    assert status == "answered"
    await assert_findable(app, mem, entry.public_id)


async def test_solved_twice_is_one_entry_with_both_answers(running: tuple[Application, MemoryAdapter]) -> None:
    app, mem = running
    thread, first = await asked_and_answered(mem)
    second = await mem.post(CAROL, "Or put proxy = ... into pip.conf", thread=thread)
    await mem.command(ALICE, f"/solved {first}", thread=thread)
    await mem.command(ALICE, f"/solved {second.id}", thread=thread)
    await mem.command(ALICE, f"/solved {second.id}", thread=thread)
    [entry] = await entries(app)
    assert sorted(await answers_of(app, entry.id)) == sorted([ANSWER, "Or put proxy = ... into pip.conf"])
    assert entry.title.startswith("How do I configure the proxy")


async def test_solved_by_someone_else_is_refused_privately(running: tuple[Application, MemoryAdapter]) -> None:
    app, mem = running
    thread, _ = await asked_and_answered(mem)
    await mem.command(CAROL, "/solved", thread=thread)
    assert await entries(app) == []
    assert any("moderators" in text for text in mem.private(CAROL))
    await mem.command(MOD, "/solved", thread=thread)
    assert len(await entries(app)) == 1


async def test_check_mark_reaction_by_asker_captures(running: tuple[Application, MemoryAdapter]) -> None:
    app, mem = running
    _, answer = await asked_and_answered(mem)
    await mem.react_as(CAROL, answer, "✅")
    assert await entries(app) == []
    await mem.react_as(ALICE, answer, "👍")
    assert await entries(app) == []
    await mem.react_as(ALICE, answer, "✅")
    [entry] = await entries(app)
    assert entry.captured_via == "reaction" and await answers_of(app, entry.id) == [ANSWER]
    await assert_findable(app, mem, entry.public_id)


async def test_moderator_pin_captures_and_member_native_pin_is_ignored(
    running: tuple[Application, MemoryAdapter],
) -> None:
    app, mem = running
    thread, answer = await asked_and_answered(mem)
    await mem.pin_as(CAROL, answer)
    assert await entries(app) == []
    await mem.command(CAROL, "/pin", thread=thread)
    assert await entries(app) == []
    await mem.pin_as(MOD, answer)
    [entry] = await entries(app)
    assert entry.captured_via == "pin" and await answers_of(app, entry.id) == [ANSWER]
    await mem.command(MOD, "/pin", thread=thread)
    assert len(await entries(app)) == 1
    await assert_findable(app, mem, entry.public_id)
    await mem.command(MOD, f"/unpin {entry.public_id}")
    assert await entries(app) == []


async def test_pin_of_a_channel_reply_chain_and_of_a_lone_message(running: tuple[Application, MemoryAdapter]) -> None:
    app, mem = running
    root = await mem.post(ALICE, "Which linter do you use for YAML files?")
    reply = await mem.post(BOB, "yamllint, with the relaxed preset", reply_to=root.id)
    lone = await mem.post(CAROL, "Reminder: the staging database is reset every Sunday night.")
    await mem.command(MOD, f"/pin {reply.id}")
    await mem.command(MOD, f"/pin {lone.id}")
    chain, alone = await entries(app)
    assert await answers_of(app, chain.id) == ["yamllint, with the relaxed preset"]
    assert alone.question.startswith("Reminder: the staging database") and not alone.solved
    mem.clear()
    await mem.command(BOB, "/search staging database reset")
    assert any(alone.public_id in text for text in mem.said())


async def test_thanks_guess_asks_first_and_captures_only_after_confirmation(
    running: tuple[Application, MemoryAdapter],
) -> None:
    app, mem = running
    thread, _ = await asked_and_answered(mem)
    mem.clear()
    await mem.post(ALICE, "Thanks Bob, that worked!", thread=thread)
    assert await entries(app) == []
    [prompt_text] = mem.said()
    assert "React ✅" in prompt_text
    prompt = mem.bot_messages()[-1]
    await mem.post(ALICE, "Thank you so much!", thread=thread)
    assert app.services is not None
    async with app.services.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(CaptureProposal)) == 1
    await mem.react_as(BOB, prompt.id, "✅")
    assert await entries(app) == []
    await mem.react_as(ALICE, prompt.id, "✅")
    [entry] = await entries(app)
    assert entry.captured_via == "guess" and await answers_of(app, entry.id) == [ANSWER]
    await assert_findable(app, mem, entry.public_id)


async def test_ask_without_a_good_match_says_so(running: tuple[Application, MemoryAdapter]) -> None:
    _app, mem = running
    thread, _ = await asked_and_answered(mem)
    await mem.command(ALICE, "/solved", thread=thread)
    mem.clear()
    await mem.command(CAROL, "/ask What is the best knitting pattern for a winter scarf with proxy wool?")
    [text] = [t for t in mem.said() if "Question from Carol" in t]
    assert "Nothing in the knowledge base answers this yet" in text and "[kb" not in text
