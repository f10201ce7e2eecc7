"""The activity listener on the memory adapter: labels stored, threads offered, /share and people suggested."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from copbot.activities.labelling import OPTED_OUT_REASON
from copbot.adapters.local import LOCAL_CAPABILITIES
from copbot.adapters.memory import MemoryAdapter
from copbot.app import Application
from copbot.core.adapter import Capabilities
from copbot.core.clock import ManualClock
from copbot.core.events import Member, MessagePosted, Place
from copbot.knowledge.entries import DraftMessage, EntryDraft, save_entry
from copbot.store import chat
from copbot.store.models import Message, Thread
from tests.cast import ALICE, BOB, CAROL
from tests.community_harness import running_bot
from tests.conftest import SettingsFactory

MATRIX_LIKE = Capabilities(threads=True, create_threads=False, reactions=True)
HELP = "My tomato seedlings keep wilting even though I water them daily. Any idea what is wrong?"
BACKUP = "I am trying to get the backup script to work and it keeps failing with permission denied."
EXAMPLES = {
    "problem_solving": HELP,
    "request_for_information": "Where can I find the volunteer rota template?",
    "seeking_experience": "Has anyone had experience with composting toilets at allotments?",
    "reusing_assets": "I have a grant application template from last year you can reuse.",
    "coordination": "Can we combine our seed orders this spring?",
    "building_an_argument": "How do other councils handle this? I need evidence for the committee.",
    "growing_confidence": "Before I send this to the funder, could I run it past you?",
    "discussing_developments": "What do you think of the new county guidelines on water use?",
    "documenting_projects": "We keep losing track of who has the trailer. Let's write it down in a how-to.",
    "visits": "Can we come and see your programme next month?",
    "identifying_gaps": "What are we missing? Nobody seems to know about irrigation.",
    "other": "Lovely weather at the plot this morning, see you all Saturday!",
}


class ThreadingMemory(MemoryAdapter):
    """A memory adapter that records the threads the bot opens; like Discord, a thread gets its own id."""

    def __init__(self, *, clock: ManualClock, capabilities: Capabilities) -> None:
        super().__init__(clock=clock, capabilities=capabilities)
        self.opened: list[tuple[str, str]] = []

    async def open_thread(self, message: MessagePosted, title: str) -> Place:
        self.opened.append((message.id, title))
        return message.place.in_thread(f"th-{message.id}")


@contextlib.asynccontextmanager
async def bot(
    make_settings: SettingsFactory, clock: ManualClock, extra: str = "", capabilities: Capabilities = LOCAL_CAPABILITIES
) -> AsyncIterator[tuple[Application, ThreadingMemory]]:
    mem = ThreadingMemory(clock=clock, capabilities=capabilities)
    async with running_bot(Path(), settings=make_settings(extra), clock=clock, mem=mem) as running:
        yield running.app, mem


async def stored(app: Application, message_id: str) -> Message | None:
    assert app.services is not None
    async with app.services.sessions() as session:
        return await chat.find_message(session, "memory", message_id)


async def thread_of(app: Application, key: str) -> Thread | None:
    assert app.services is not None
    async with app.services.sessions() as session:
        return await chat.find_thread(session, "memory", "general", key)


async def add_entry(app: Application, title: str, answer: str, answerers: list[Member], url: str | None = None) -> None:
    assert app.services is not None
    async with app.services.sessions.begin() as session:
        answers = []
        for member in answerers:
            row = await chat.get_or_create_member(session, "memory", member)
            answers.append(DraftMessage(author_name=member.name, text=answer, author_id=row.id))
        await save_entry(session, EntryDraft(title=title, question=title, answers=answers, source_url=url))


async def test_realistic_messages_get_their_activity_stored(make_settings: SettingsFactory, clock: ManualClock) -> None:
    async with bot(make_settings, clock, "[activity]\ncooldown_minutes = 0\n") as (app, mem):
        labels: dict[str, str | None] = {}
        for expected, text in EXAMPLES.items():
            message = await stored(app, (await mem.post(ALICE, text)).id)
            assert message is not None
            labels[expected] = message.activity
            assert message.activity_reason and message.activity_confidence is not None
        assert labels == {activity: activity for activity in EXAMPLES}
        other = await stored(app, (await mem.post(BOB, EXAMPLES["other"])).id)
        assert other is not None and other.activity_confidence is not None and other.activity_confidence < 0.5


async def test_help_request_on_discord_opens_a_thread_and_answers_there(
    make_settings: SettingsFactory, clock: ManualClock
) -> None:
    async with bot(make_settings, clock) as (app, mem):
        question = await mem.post(ALICE, HELP)
        assert mem.opened == [(question.id, HELP)]
        [reply] = mem.bot_messages()
        assert reply.place == question.place.in_thread(f"th-{question.id}")
        assert "I opened a thread so answers stay together" in reply.text and "/solved or react ✅" in reply.text
        thread = await thread_of(app, f"th-{question.id}")
        assert thread is not None and thread.is_help_request and thread.activity == "problem_solving"
        assert thread.root_message_id == question.id and thread.is_platform_thread

        answer = await mem.post(BOB, "Check the roots: overwatering rots them.", thread=f"th-{question.id}")
        answer_row = await stored(app, answer.id)
        assert answer_row is not None and answer_row.thread_id == thread.id
        assert len(mem.bot_messages()) == 1, "no reply inside the thread"


async def test_help_request_on_matrix_replies_in_a_thread_on_the_message(
    make_settings: SettingsFactory, clock: ManualClock
) -> None:
    async with bot(make_settings, clock, capabilities=MATRIX_LIKE) as (app, mem):
        question = await mem.post(ALICE, BACKUP)
        assert mem.opened == []
        [reply] = mem.bot_messages()
        assert reply.place == question.place.in_thread(question.id)
        assert reply.text.startswith("I opened a thread so answers stay together;")
        thread = await thread_of(app, question.id)
        assert thread is not None and thread.is_help_request and thread.is_platform_thread


async def test_help_request_shows_matching_entries_as_cards(make_settings: SettingsFactory, clock: ManualClock) -> None:
    async with bot(make_settings, clock) as (app, mem):
        await add_entry(
            app,
            "Tomato seedlings wilting even though watered daily",
            "Daily watering drowns the roots of seedlings; water when the top of the soil is dry.",
            [CAROL],
            url="https://kb.example.org/tomato",
        )
        await add_entry(app, "Bread starter recipe", "Feed the sourdough starter daily.", [BOB])
        await mem.post(ALICE, HELP)
        [said] = mem.said()
        assert "These saved answers look close to your question" in said
        assert "Tomato seedlings wilting even though watered daily <https://kb.example.org/tomato>" in said
        assert "Bread starter" not in said


async def test_share_offer_for_documenting_and_reusing(make_settings: SettingsFactory, clock: ManualClock) -> None:
    async with bot(make_settings, clock) as (_, mem):
        await mem.post(ALICE, EXAMPLES["documenting_projects"])
        await mem.post(BOB, EXAMPLES["reusing_assets"])
        assert (
            mem.said()
            == ["Sounds like something worth keeping: /share DESCRIPTION #tags puts it in the repository."] * 2
        )
        mem.clear()
        await mem.post(CAROL, EXAMPLES["coordination"])
        await mem.post(CAROL, EXAMPLES["other"])
        assert mem.said() == []


async def test_seeking_experience_names_opted_in_answerers_only(
    make_settings: SettingsFactory, clock: ManualClock
) -> None:
    async with bot(make_settings, clock) as (app, mem):
        await mem.post(ALICE, EXAMPLES["seeking_experience"])
        assert mem.said() == [], "nobody answered before: stay quiet"
        await add_entry(app, "Composting toilets at the allotment", "We use sawdust and empty it monthly.", [BOB])
        await add_entry(app, "Which composting toilets are allowed?", "The council allows sealed units.", [CAROL])
        assert app.services is not None
        async with app.services.sessions.begin() as session:
            (await chat.get_or_create_member(session, "memory", BOB)).suggest_opt_in = True
        clock.advance(timedelta(hours=1))
        await mem.post(ALICE, "Has anyone dealt with composting toilets before?")
        [said] = mem.said()
        assert said.startswith("Bob has answered similar questions before")
        assert "Carol" not in said


async def test_in_thread_only_experience_suggestions(make_settings: SettingsFactory, clock: ManualClock) -> None:
    async with bot(make_settings, clock, "[activity]\ncooldown_minutes = 0\n") as (app, mem):
        await add_entry(app, "Composting toilets at the allotment", "Sawdust, emptied monthly.", [BOB])
        assert app.services is not None
        async with app.services.sessions.begin() as session:
            (await chat.get_or_create_member(session, "memory", BOB)).suggest_opt_in = True
        root = await mem.post(CAROL, EXAMPLES["other"])
        await mem.post(ALICE, BACKUP, thread=root.id)
        await mem.post(ALICE, EXAMPLES["documenting_projects"], reply_to=root.id)
        assert mem.said() == []
        await mem.post(ALICE, EXAMPLES["seeking_experience"], thread=root.id)
        [reply] = mem.bot_messages()
        assert reply.place.thread == root.id and reply.text.startswith("Bob has answered")


async def test_thread_label_follows_its_first_messages(make_settings: SettingsFactory, clock: ManualClock) -> None:
    async with bot(make_settings, clock) as (app, mem):
        root = await mem.post(CAROL, "Morning all")
        assert await thread_of(app, root.id) is None
        await mem.post(ALICE, EXAMPLES["request_for_information"], thread=root.id)
        thread = await thread_of(app, root.id)
        assert thread is not None and thread.activity == "request_for_information" and thread.is_help_request
        assert thread.activity_confidence is not None and thread.activity_confidence >= 0.5
        chat_root = await mem.post(BOB, EXAMPLES["visits"])
        await mem.post(CAROL, "Yes, come on Saturday.", reply_to=chat_root.id)
        visit = await thread_of(app, chat_root.id)
        assert visit is not None and visit.activity == "visits" and not visit.is_help_request


async def test_channel_table_disables_recognition_and_thread_offers(
    make_settings: SettingsFactory, clock: ManualClock
) -> None:
    extra = "[activity.channels.quiet]\nrecognise = false\n[activity.channels.noffer]\noffer_thread = false\n"
    async with bot(make_settings, clock, extra) as (app, mem):
        mem.room = "quiet"
        quiet = await mem.post(ALICE, HELP)
        row = await stored(app, quiet.id)
        assert row is not None and row.activity is None
        mem.room = "noffer"
        offered = await mem.post(BOB, HELP)
        row = await stored(app, offered.id)
        assert row is not None and row.activity == "problem_solving"
        assert mem.said() == [] and mem.opened == []
        mem.room = "general"
        await mem.post(CAROL, HELP)
        assert len(mem.said()) == 1 and len(mem.opened) == 1


async def test_cooldown_limits_unasked_offers_never_a_help_thread(
    make_settings: SettingsFactory, clock: ManualClock
) -> None:
    async with bot(make_settings, clock, "[activity]\ncooldown_minutes = 30\n") as (app, mem):
        await mem.post(ALICE, HELP)
        assert len(mem.said()) == 1
        clock.advance(timedelta(minutes=10))
        second = await mem.post(ALICE, BACKUP)
        assert len(mem.said()) == 2, "a member who asks for help gets a thread, however recently the bot spoke"
        thread = await thread_of(app, f"th-{second.id}")
        assert thread is not None and thread.is_help_request
        await mem.post(ALICE, EXAMPLES["reusing_assets"])
        assert len(mem.said()) == 2, "an offer nobody asked for waits for the cool-down"
        await mem.post(BOB, EXAMPLES["reusing_assets"])
        assert len(mem.said()) == 3, "another member is unaffected"
        clock.advance(timedelta(minutes=31))
        await mem.post(ALICE, EXAMPLES["documenting_projects"])
        assert len(mem.said()) == 4


async def test_bots_commands_and_repeats_get_no_reply(make_settings: SettingsFactory, clock: ManualClock) -> None:
    other_bot = Member(id="b-helper", name="helperbot", is_bot=True)
    async with bot(make_settings, clock) as (app, mem):
        from_bot = await mem.post(other_bot, HELP)
        own = await mem.post(mem.me, BACKUP)
        assert await stored(app, from_bot.id) is None and await stored(app, own.id) is None
        assert [p.author for p in mem.log] == [other_bot, mem.me], "only the two bot posts themselves"
        mem.clear()
        command = await mem.post(ALICE, "/share keeps failing with permission denied #backup")
        row = await stored(app, command.id)
        assert row is not None and row.activity is None
        assert mem.said() == []
        question = await mem.post(BOB, HELP)
        await mem.deliver(question)
        assert len(mem.said()) == 1, "a redelivered message is not answered twice"
        assert app.services is not None
        async with app.services.sessions() as session:
            assert await session.scalar(select(func.count(Thread.id))) == 1


async def test_opted_out_member_gets_a_label_but_no_stored_words(
    make_settings: SettingsFactory, clock: ManualClock
) -> None:
    async with bot(make_settings, clock) as (app, mem):
        assert app.services is not None
        async with app.services.sessions.begin() as session:
            (await chat.get_or_create_member(session, "memory", ALICE)).capture_opt_out = True
        question = await mem.post(ALICE, HELP)
        row = await stored(app, question.id)
        assert row is not None and row.activity == "problem_solving"
        assert row.activity_reason == OPTED_OUT_REASON
        thread = await thread_of(app, f"th-{question.id}")
        assert thread is not None and thread.is_help_request and "tomato" not in thread.title


async def test_recognition_off_means_no_labels(make_settings: SettingsFactory, clock: ManualClock) -> None:
    async with bot(make_settings, clock, "[activity]\nenabled = false\n") as (app, mem):
        message = await mem.post(ALICE, HELP)
        row = await stored(app, message.id)
        assert row is not None and row.activity is None and mem.said() == []
        assert app.dispatcher is not None
        assert app.dispatcher.prelabeller is None
        assert [listener.name for listener in app.dispatcher.listeners if listener.name == "activities"] == []
