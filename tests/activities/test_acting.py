"""Acting on what was recognised: a named gap reaches the open topics; an experience question links an answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from copbot.activities.topics import open_topics
from copbot.app import Application
from copbot.core.clock import ManualClock
from copbot.knowledge.entries import DraftMessage, EntryDraft, save_entry
from copbot.members.visibility import Audience
from copbot.store import chat
from tests.activities.test_behaviour import bot
from tests.cast import ALICE, BOB, CAROL
from tests.conftest import SettingsFactory
from tests.prompts.support import running, settings_for

GAP = "Who knows what about soil testing, and what are we missing as a group?"
EXPERIENCE = "Has anyone dealt with a landlord who won't return the allotment shed deposit?"


async def answered_by_bob(app: Application, title: str, question: str, answer: str) -> None:
    """An answered entry in the repository: ``question``, answered by Bob."""
    assert app.services is not None
    async with app.services.sessions.begin() as session:
        bob = await chat.get_or_create_member(session, "memory", BOB)
        reply = DraftMessage(author_name=BOB.name, text=answer, author_id=bob.id)
        await save_entry(session, EntryDraft(title=title, question=question, answers=[reply], solved=True))


async def test_a_named_gap_feeds_the_open_topics_and_the_gap_prompt(tmp_path: Path) -> None:
    prompt = '[[prompts]]\nname = "gaps"\nkind = "gap_prompt"\nchannel = "general"\nplatform = "memory"\n'
    clock = ManualClock(datetime(2026, 3, 6, 17, 0, tzinfo=UTC))
    async with running(settings_for(tmp_path, prompt + 'cron = "0 17 * * 5"\n'), clock) as bot:
        await bot.mem.post(ALICE, GAP)
        assert bot.app.services is not None
        async with bot.app.services.sessions() as session:
            topics = {t.name: t for t in await open_topics(session, "memory", clock.now(), Audience.operator())}
        bot.mem.clear()
        await bot.runner.run_now("gaps")
        [text] = bot.mem.said()
    assert {"soil", "testing"} <= set(topics)
    assert (topics["soil"].questions, topics["soil"].named, topics["soil"].is_gap) == (1, 1, True)
    assert text.startswith("These topics have questions waiting and few people answering.")
    assert "soil" in text, "one message naming a gap is enough for the gap prompt to name its topic"


async def test_seeking_experience_links_the_best_answered_entry(
    make_settings: SettingsFactory, clock: ManualClock
) -> None:
    async with bot(make_settings, clock) as (app, mem):
        await answered_by_bob(app, "Landlord kept the shed deposit", EXPERIENCE, "Write to them citing the tenancy.")
        assert app.services is not None
        async with app.services.sessions.begin() as session:
            await save_entry(session, EntryDraft(title="Pruning roses", question="When do I prune roses?", solved=True))
        await mem.post(ALICE, EXPERIENCE)
        [said] = mem.said()
        assert said.startswith("This answered question looks closest to yours:"), "nobody opted in: the entry alone"
        assert "Landlord kept the shed deposit" in said and "roses" not in said.lower()
        async with app.services.sessions.begin() as session:
            (await chat.get_or_create_member(session, "memory", BOB)).suggest_opt_in = True
        clock.advance(timedelta(hours=1))
        mem.clear()
        await mem.post(CAROL, EXPERIENCE)
        [said] = mem.said()
        assert said.startswith("Bob has answered similar questions before")
        assert "Landlord kept the shed deposit" in said


async def test_a_new_communitys_first_answer_is_linked_to_the_same_question_reworded(
    make_settings: SettingsFactory, clock: ManualClock
) -> None:
    async with bot(make_settings, clock) as (app, mem):
        soil = "How do I test soil pH at home?"
        await answered_by_bob(app, soil, soil, "A cheap pH kit and distilled water.")
        await mem.post(ALICE, "Has anyone dealt with testing soil pH in heavy clay?")
        [said] = mem.said()
        assert said.startswith("This answered question looks closest to yours:")
        assert "How do I test soil pH at home?" in said
        clock.advance(timedelta(hours=1))
        mem.clear()
        await mem.post(CAROL, "Has anyone dealt with aphids on broad beans?")
        assert mem.said() == [], "nothing answered matches: the bot says nothing"
