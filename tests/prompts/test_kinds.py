"""What the digests say, built from threads, messages and entries seeded in a real database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from copbot.core.clock import ManualClock
from copbot.store.models import EntryTag, KnowledgeEntry, Member, Message, Tag, Thread
from tests.prompts.support import running, settings_for

NOW = datetime(2026, 3, 6, 17, 0, tzinfo=UTC)


def _prompt(name: str, kind: str, extra: str = "") -> str:
    return f"""
[[prompts]]
name = "{name}"
kind = "{kind}"
channel = "digests"
platform = "memory"
cron = "0 17 * * 5"
{extra}
"""


async def _members(session: AsyncSession, *names: str) -> list[Member]:
    members = [Member(platform="memory", external_id=f"u-{name}", display_name=name) for name in names]
    session.add_all(members)
    await session.flush()
    return members


def _thread(key: str, title: str, age_days: float, asker: Member, **fields: object) -> Thread:
    created = NOW - timedelta(days=age_days)
    values: dict[str, object] = {
        "platform": "memory",
        "room": "help",
        "thread_key": key,
        "root_message_id": key,
        "is_platform_thread": True,
        "title": title,
        "status": "open",
        "is_help_request": True,
        "asker_id": asker.id,
        "created_at": created,
        "last_message_at": created,
    }
    values.update(fields)
    return Thread(**values)


async def test_unanswered_digest_lists_old_open_help_requests_oldest_first_with_links(tmp_path: Path) -> None:
    prompts = _prompt("unanswered", "unanswered_digest", "older_than_days = 3")
    async with running(settings_for(tmp_path, prompts), ManualClock(NOW)) as bot:
        assert bot.app.services is not None
        async with bot.app.services.sessions.begin() as session:
            (alice,) = await _members(session, "alice")
            session.add_all(
                [
                    _thread("m10", "How do I rotate TLS certs?", 4, alice),
                    _thread("m5", "Proxy drops websockets", 9, alice),
                    _thread("m20", "Fresh question", 1, alice),
                    _thread("m7", "Answered already", 8, alice, status="answered"),
                    _thread("m8", "Just chatting", 8, alice, is_help_request=False),
                    _thread("m9", "Elsewhere", 8, alice, platform="discord"),
                ]
            )
        assert (await bot.runner.run_now("unanswered")).status == "posted"
        [text] = bot.mem.said()
    lines = text.splitlines()
    assert lines[0].startswith("2 questions are still waiting for an answer after more than 3 days, oldest first")
    assert "Proxy drops websockets <memory://help/m5>" in lines[1]
    assert "How do I rotate TLS certs? <memory://help/m10>" in lines[3]
    assert "asked 9 days ago in help" in text and "asked 4 days ago in help" in text
    for absent in ("Fresh question", "Answered already", "Just chatting", "Elsewhere"):
        assert absent not in text


async def test_unanswered_digest_says_so_when_nothing_waits(tmp_path: Path) -> None:
    async with running(settings_for(tmp_path, _prompt("u", "unanswered_digest")), ManualClock(NOW)) as bot:
        await bot.runner.run_now("u")
        assert bot.mem.said() == [
            "No questions have been waiting for an answer for more than 3 days. Thank you, everyone!"
        ]


async def test_repository_digest_lists_this_weeks_entries_with_ids_and_links(tmp_path: Path) -> None:
    async with running(settings_for(tmp_path, _prompt("repo", "repository_digest")), ManualClock(NOW)) as bot:
        assert bot.app.services is not None
        async with bot.app.services.sessions.begin() as session:
            session.add_all(
                [
                    KnowledgeEntry(
                        public_id="K-2",
                        title="Pinning Python deps",
                        created_at=NOW - timedelta(days=2),
                        source_url="https://chat.example/m/2",
                    ),
                    KnowledgeEntry(
                        public_id="K-1",
                        title="Reading flame graphs",
                        created_at=NOW - timedelta(days=6),
                        kind="resource",
                        resource_url="https://example.org/flame",
                    ),
                    KnowledgeEntry(public_id="K-0", title="Old news", created_at=NOW - timedelta(days=8)),
                ]
            )
        await bot.runner.run_now("repo")
        [text] = bot.mem.said()
    lines = text.splitlines()
    assert lines[0] == "2 new entries in the repository this week."
    assert lines[1] == "  1. Reading flame graphs <https://example.org/flame>"
    assert lines[2] == "     id K-1"
    assert lines[3] == "  2. Pinning Python deps <https://chat.example/m/2>"
    assert lines[4] == "     id K-2"
    assert "Old news" not in text


async def test_repository_digest_when_nothing_is_new(tmp_path: Path) -> None:
    async with running(settings_for(tmp_path, _prompt("repo", "repository_digest")), ManualClock(NOW)) as bot:
        await bot.runner.run_now("repo")
        assert bot.mem.said()[0].startswith("Nothing new in the repository this week.")


async def test_gap_prompt_ranks_topics_by_unanswered_questions_per_answerer(tmp_path: Path) -> None:
    async with running(settings_for(tmp_path, _prompt("gaps", "gap_prompt")), ManualClock(NOW)) as bot:
        assert bot.app.services is not None
        async with bot.app.services.sessions.begin() as session:
            alice, bob, carol, dave = await _members(session, "alice", "bob", "carol", "dave")
            tag = Tag(name="kubernetes")
            entry = KnowledgeEntry(public_id="K-9", title="k8s basics", created_at=NOW - timedelta(days=40))
            session.add_all([tag, entry])
            await session.flush()
            session.add(EntryTag(entry_id=entry.id, tag_id=tag.id))
            k1 = _thread("k1", "Kubernetes pod keeps restarting", 5, alice)
            k2 = _thread("k2", "kubernetes ingress returns 404 for grafana", 3, bob)
            k3 = _thread("k3", "Our kubernetes upgrade failed", 2, carol)
            g1 = _thread("g1", "grafana dashboard variables", 4, alice)
            g2 = _thread("g2", "grafana alert rules", 4, bob)
            g3 = _thread("g3", "grafana login loop", 1, carol)
            session.add_all([k1, k2, k3, g1, g2, g3, _thread("s1", "sqlite locking", 2, carol)])
            await session.flush()
            for thread, author in ((g1, carol), (g2, dave), (k1, dave)):
                session.add(
                    Message(
                        platform="memory",
                        external_id=f"r-{thread.thread_key}",
                        room="help",
                        thread_id=thread.id,
                        author_id=author.id,
                        text="try this",
                        created_at=NOW - timedelta(days=1),
                    )
                )
            session.add(
                Message(
                    platform="memory",
                    external_id="gap-1",
                    room="general",
                    author_id=dave.id,
                    text="Nobody here knows kubernetes networking",
                    activity="identifying_gaps",
                    created_at=NOW - timedelta(days=1),
                )
            )
        await bot.runner.run_now("gaps")
        [text] = bot.mem.said()
    lines = text.splitlines()
    assert lines[0].startswith("These topics have questions waiting and few people answering.")
    assert lines[1] == "  1. kubernetes <memory://help/k1>"
    assert lines[2] == "     4 open questions, 1 person answering"
    assert lines[3].startswith("  2. grafana")
    assert lines[4] == "     3 open questions, 2 people answering"
    assert "sqlite" not in text  # one open question is not a gap
    assert "ingress" not in text  # a title naming a known tag counts for the tag, not for its other words


async def test_gap_prompt_says_plainly_when_there_is_none(tmp_path: Path) -> None:
    async with running(settings_for(tmp_path, _prompt("gaps", "gap_prompt")), ManualClock(NOW)) as bot:
        await bot.runner.run_now("gaps")
        assert bot.mem.said() == [
            "No gaps stand out this month: no topic has several open questions with few people answering them."
        ]
