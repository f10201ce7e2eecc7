"""A small community's replayed history, written row by row with known times, for hand-checked health figures.

The window the tests read is 8 weeks: Monday 2 Feb 2026 12:00 to Monday 30 Mar 2026 12:00 UTC (the clock's now),
calendar weeks 0..8 starting on Mondays 2 Feb, 9 Feb, ..., 30 Mar. Erin opted out of capture; the bot is a bot;
Alice agreed to be suggested. The hand-computed figures are in test_figures.py next to each assertion.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from copbot.store import migrate
from copbot.store.engine import create_engine, session_factory
from copbot.store.models import EntryMessage, EntryTag, KnowledgeEntry, Member, Message, Tag, Thread
from copbot.store.operations import AuditLog, EntryUse, PromptRun

NOW = datetime(2026, 3, 30, 12, 0, tzinfo=UTC)
SINCE = NOW - timedelta(weeks=8)
PEOPLE = ("alice", "bob", "carol", "dave", "erin", "frank", "gina", "hank", "botty")


def at(month: int, day: int, hour: int = 10, year: int = 2026) -> datetime:
    """A moment of the history, in UTC."""
    return datetime(year, month, day, hour, tzinfo=UTC)


# thread key: (asker, room, created, answered, is_help_request); the open ones from 17 Mar on are about kubernetes
TITLES = {"T3": "kubernetes pods restart", "T4": "kubernetes ingress timeout", "T8": "kubernetes secrets"}
THREADS: dict[str, tuple[str, str, datetime, datetime | None, bool]] = {
    "T0": ("alice", "help", at(1, 20), None, True),
    "T1": ("alice", "help", at(3, 3), at(3, 4), True),
    "T2": ("carol", "help", at(3, 10, 9), at(3, 12, 9), True),
    "T3": ("dave", "help", at(3, 17, 8), None, True),
    "T4": ("bob", "help", at(3, 20, 12), None, True),
    "T5": ("alice", "help", at(3, 29, 12), None, True),
    "T6": ("erin", "help", at(3, 5), None, True),
    "T8": ("carol", "general", at(3, 24), None, True),
    "P1": ("bob", "general", at(3, 30, 8), None, False),
}
# (author, room, created, thread, activity, deleted)
MESSAGES: list[tuple[str, str, datetime, str | None, str | None, bool]] = [
    ("frank", "general", at(1, 15), None, "other", False),
    ("alice", "help", at(1, 20), "T0", "problem_solving", False),
    ("bob", "general", at(1, 25), None, None, False),
    ("carol", "general", at(1, 26), None, None, False),
    ("dave", "general", at(2, 10), None, "seeking_experience", False),
    ("gina", "general", at(2, 15), None, None, False),
    ("gina", "general", at(2, 15, 20), None, None, False),
    ("dave", "general", at(2, 20), None, "coordination", False),
    ("bob", "general", at(2, 24), None, "visits", False),
    ("alice", "help", at(3, 3), "T1", "problem_solving", False),
    ("bob", "help", at(3, 3, 12), "T1", "reusing_assets", False),
    ("erin", "help", at(3, 5), "T6", "problem_solving", False),
    ("carol", "help", at(3, 10, 9), "T2", "request_for_information", False),
    ("carol", "help", at(3, 10, 10), "T2", None, False),
    ("alice", "help", at(3, 10, 13), "T2", "reusing_assets", False),
    ("alice", "general", at(3, 16), None, "problem_solving", True),
    ("dave", "help", at(3, 17, 8), "T3", "problem_solving", False),
    ("botty", "help", at(3, 17, 8) + timedelta(minutes=30), "T3", None, False),
    ("erin", "help", at(3, 17, 9), "T3", "seeking_experience", False),
    ("bob", "help", at(3, 19, 8), "T3", "growing_confidence", False),
    ("bob", "help", at(3, 20, 12), "T4", "problem_solving", False),
    ("gina", "general", at(3, 20), None, None, False),
    ("hank", "general", at(3, 20, 11), None, "discussing_developments", False),
    ("carol", "general", at(3, 24), "T8", "problem_solving", False),
    ("alice", "general", at(3, 24, 11), "T8", None, False),
    ("carol", "general", at(3, 26), None, "visits", False),
    ("alice", "help", at(3, 29, 12), "T5", "problem_solving", False),
    ("carol", "help", at(3, 29, 18), "T5", None, False),
    ("bob", "general", at(3, 30, 9), "P1", None, False),
    ("carol", "general", at(3, 30, 10), "P1", None, False),
]
# entry: (room, created, updated, tags, answers as (author or None, written))
ENTRIES: dict[str, tuple[str, datetime, datetime, tuple[str, ...], list[tuple[str | None, datetime]]]] = {
    "E1": ("help", at(3, 4), at(3, 4), ("python", "packaging"), [("bob", at(3, 3, 12))]),
    "E2": ("help", at(3, 12), at(3, 12), ("python",), [("alice", at(3, 10, 13)), (None, at(3, 10, 14))]),
    "E3": ("general", at(3, 25), at(3, 25), ("docker",), [("alice", at(3, 24, 11))]),
    "E4": ("help", at(3, 18), at(3, 18), ("ci",), [("erin", at(3, 17, 9))]),
    "E5": ("help", at(1, 10), at(1, 10), ("legacy",), [("bob", at(1, 10))]),
    "E6": ("general", at(3, 1, 10, 2025), at(3, 1, 10, 2025), (), []),
}
# prompt run: (status, started, room)
RUNS: dict[str, tuple[str, datetime, str]] = {
    "R0": ("posted", at(1, 26, 8), "general"),
    "R2": ("posted", at(3, 23, 8), "general"),
    "R3": ("failed", at(3, 16, 8), "general"),
    "R1": ("posted", at(3, 30, 8), "general"),
}


@dataclass
class Community:
    """The stored history and the ids the tests need."""

    sessions: async_sessionmaker[AsyncSession]
    members: dict[str, int] = field(default_factory=dict)
    threads: dict[str, int] = field(default_factory=dict)
    entries: dict[str, int] = field(default_factory=dict)


async def _write(session: AsyncSession, community: Community) -> None:
    for name in PEOPLE:
        member = Member(
            platform="memory", external_id=f"u-{name}", display_name=name.title(), is_bot=name == "botty",
            capture_opt_out=name == "erin", suggest_opt_in=name == "alice",
        )  # fmt: skip
        session.add(member)
        await session.flush()
        community.members[name] = member.id
    runs: dict[str, int] = {}
    for key, (status, started, room) in RUNS.items():
        run = PromptRun(
            prompt_name="weekly-q", scheduled_for=started, started_at=started, status=status, platform="memory",
            room=room, message_id=f"msg-{key}",
        )  # fmt: skip
        session.add(run)
        await session.flush()
        runs[key] = run.id
    for key, (asker, room, created, answered, help_request) in THREADS.items():
        thread = Thread(
            platform="memory", room=room, thread_key=key, asker_id=community.members[asker],
            title=TITLES.get(key, f"question {key}"), status="answered" if answered else "open",
            is_help_request=help_request, created_at=created,
            last_message_at=created, answered_at=answered, prompt_run_id=runs["R1"] if key == "P1" else None,
        )  # fmt: skip
        session.add(thread)
        await session.flush()
        community.threads[key] = thread.id
    for number, (author, room, created, thread_key, activity, deleted) in enumerate(MESSAGES):
        session.add(
            Message(
                platform="memory", external_id=f"m{number}", room=room, author_id=community.members[author],
                thread_id=community.threads[thread_key] if thread_key else None, text=f"message {number}",
                activity=activity, created_at=created, deleted_at=created + timedelta(hours=1) if deleted else None,
            )
        )  # fmt: skip
    tags: dict[str, Tag] = {}
    for key, (room, created, updated, names, answers) in ENTRIES.items():
        entry = KnowledgeEntry(
            public_id=key.lower(), title=f"entry {key}", source_room=room, created_at=created, updated_at=updated
        )
        session.add(entry)
        await session.flush()
        community.entries[key] = entry.id
        for name in names:
            if name not in tags:
                tags[name] = Tag(name=name)
                session.add(tags[name])
                await session.flush()
            session.add(EntryTag(entry_id=entry.id, tag_id=tags[name].id))
        for position, (answerer, written) in enumerate(answers):
            session.add(
                EntryMessage(
                    entry_id=entry.id, role="answer", position=position + 1, author_name=answerer or "someone",
                    author_id=community.members[answerer] if answerer else None, created_at=written, text="an answer",
                )
            )  # fmt: skip
    for target, action, when in (("e1", "kb.edit", at(3, 15)), ("e1", "kb.edit", at(3, 16)),
                                 ("e5", "kb.edit", at(1, 5)), ("e2", "kb.delete", at(3, 20))):  # fmt: skip
        session.add(AuditLog(at=when, platform="memory", actor_id="u-mod", action=action, target=target))
    uses = [
        ("viewed", "E1", at(3, 20), None),
        ("viewed", "E1", at(3, 21), None),
        ("viewed", "E3", at(3, 26), None),
        ("viewed", "E1", at(1, 1), None),
        ("suggested", "E1", at(3, 3, 10), "T1"),
        ("suggested", "E2", at(3, 3, 10), "T1"),
    ]
    for kind, entry_key, when, thread_key in uses:
        session.add(
            EntryUse(
                kind=kind, entry_id=community.entries[entry_key], platform="memory", at=when,
                thread_id=community.threads[thread_key] if thread_key else None,
                message_id="sugg-1" if thread_key else None,
            )
        )  # fmt: skip
    session.add(
        EntryUse(kind="accepted", platform="memory", at=at(3, 3, 11), thread_id=community.threads["T1"], message_id="s")
    )


async def replayed(database_url: str) -> AsyncIterator[Community]:
    """A migrated store holding the history; the engine is closed afterwards."""
    engine = create_engine(database_url)
    try:
        await migrate.upgrade(engine)
        community = Community(session_factory(engine))
        async with community.sessions.begin() as session:
            await _write(session, community)
        yield community
    finally:
        await engine.dispose()
