"""``copbot backfill --from``: DiscordChatExporter and Element exports stored once, answered threads queued."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from copbot.cli.main import main
from copbot.store import migrate
from copbot.store.backfill import BackfillCandidate
from copbot.store.engine import create_engine, session_factory
from copbot.store.models import EntryMessage, KnowledgeEntry, Member, Message
from tests.backfill.exports import (
    dce_file,
    dce_message,
    dce_user,
    element_event,
    element_file,
    element_reaction,
)

ALICE, BOB, CAROL = dce_user("1", "alice"), dce_user("2", "bob"), dce_user("3", "carol")
DAVE, ERIN, HELPER = dce_user("4", "dave"), dce_user("5", "erin"), dce_user("99", "helperbot", bot=True)
ROOM = "!garden:example.org"


def config(tmp_path: Path, database_url: str, channels: str) -> Path:
    path = tmp_path / "copbot.toml"
    path.write_text(f'[database]\nurl = "{database_url}"\n[backfill]\nchannels = [{channels}]\n', encoding="utf-8")
    return path


async def _run(database_url: str, work: Any) -> Any:
    engine = create_engine(database_url)
    try:
        await migrate.upgrade(engine)
        async with session_factory(engine).begin() as session:
            return await work(session)
    finally:
        await engine.dispose()


def on_db(database_url: str, work: Any) -> Any:
    return asyncio.run(_run(database_url, work))


def discord_exports(tmp_path: Path) -> list[Path]:
    """A help channel with a ✅-answered reply chain, a pin, a bot and a join; a thread answered with thanks; and a
    forum post tagged solved (DiscordChatExporter has no tags: its name says so)."""
    channel = [
        dce_message("10", ALICE, "How do I keep basil from bolting?", 0),
        dce_message(
            "11",
            BOB,
            "Pinch off the flower buds as soon as they show.",
            3,
            reply_to="10",
            channel="100",
            reacted=[ALICE],
        ),
        dce_message("12", HELPER, "Reminder: be kind.", 4),
        dce_message("13", DAVE, "My secret: shade cloth at noon.", 5, reply_to="10", channel="100"),
        dce_message("14", ERIN, "erin joined", 6, kind="GuildMemberJoin"),
        dce_message("15", CAROL, "Watering schedule: mornings, at the roots, twice a week.", 8, pinned=True),
        dce_message("40", ERIN, "Which compost for tomatoes?", 9),
    ]
    thread = [
        dce_message("41", BOB, "Well-rotted manure mixed in at planting, and a mulch on top.", 12),
        dce_message("42", ERIN, "Thanks bob, that worked!", 30),
    ]
    forum = [
        dce_message("300", CAROL, "Aphids on my peppers: what helps?", 0),
        dce_message("301", BOB, "Spray them off with water and bring in ladybirds.", 10),
    ]
    return [
        dce_file(tmp_path / "help.json", "100", "help", channel),
        dce_file(tmp_path / "thread.json", "40", "Which compost", thread, kind="GuildPublicThread", parent="100"),
        dce_file(tmp_path / "post.json", "300", "[Solved] Aphids", forum, kind="GuildPublicThread", parent="200"),
    ]


def element_export(tmp_path: Path) -> Path:
    """A room with a thread whose asker reacted ✅ to a reply, a bot's notice and an opted-out member."""
    events = [
        {
            "type": "m.room.member",
            "sender": "@alice:example.org",
            "state_key": "@alice:example.org",
            "content": {"membership": "join", "displayname": "Alice"},
            "event_id": "$m1",
            "room_id": ROOM,
            "origin_server_ts": 0,
        },
        element_event("$q", "@alice:example.org", "When do I sow leeks?", 0, room=ROOM),
        element_event("$a", "@bob:example.org", "Sow leeks indoors in late winter.", 2, room=ROOM, thread="$q"),
        element_event("$n", "@bot:example.org", "Notice from a bot", 3, room=ROOM, msgtype="m.notice"),
        element_event("$d", "@dave:example.org", "Dave's leeks tip", 4, room=ROOM, thread="$q"),
        element_reaction("$r", "@alice:example.org", "$a", 5, room=ROOM),
    ]
    return element_file(tmp_path / "room.json", "Garden", events)


async def _opt_out(session: Any, platform: str, ident: str) -> None:
    session.add(Member(platform=platform, external_id=ident, display_name="Dave", capture_opt_out=True))


async def _messages(session: Any) -> list[tuple[str, str, str | None]]:
    rows = await session.execute(select(Message.external_id, Message.text, Message.asker_reaction).order_by(Message.id))
    return [tuple(row) for row in rows]


async def _candidates(session: Any) -> dict[str, tuple[str, str]]:
    rows = await session.execute(
        select(BackfillCandidate.signal, BackfillCandidate.answer_ids, BackfillCandidate.status)
    )
    return {signal: (answers, status) for signal, answers, status in rows}


def review(config_path: Path, capsys: pytest.CaptureFixture[str], *words: str) -> str:
    capsys.readouterr()
    assert main(["kb", "review", *words, "--config", str(config_path)]) == 0
    return capsys.readouterr().out


def test_a_discordchatexporter_export_is_stored_once_and_its_answered_threads_reviewed(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = config(tmp_path, database_url, '{ id = "100", public = true }, { id = "200" }')
    on_db(database_url, lambda s: _opt_out(s, "discord", "4"))
    files = [arg for path in discord_exports(tmp_path) for arg in ("--from", str(path))]

    assert main(["backfill", "--config", str(cfg), "--quiet", *files]) == 0
    stored = on_db(database_url, _messages)
    assert [ident for ident, _, _ in stored] == ["10", "11", "15", "40", "41", "42", "300", "301"]  # no bot, join, Dave
    assert ("11", "Pinch off the flower buds as soon as they show.", "✅") in stored
    assert on_db(database_url, _candidates) == {
        "reaction": ("11", "pending"), "pinned": ("", "pending"), "thanks": ("41", "pending"),
        "solved_tag": ("", "pending"),
    }  # fmt: skip

    assert main(["backfill", "--config", str(cfg), "--quiet", *files]) == 0  # a second run adds nothing
    assert on_db(database_url, _messages) == stored
    assert len(on_db(database_url, _candidates)) == 4

    listed = json.loads(review(cfg, capsys, "list", "--json"))
    by_signal = {item["signal"]: item for item in listed}
    assert sorted(by_signal) == ["pinned", "reaction", "solved_tag", "thanks"]
    assert "Dave" not in json.dumps(listed) and "secret" not in json.dumps(listed)
    first = by_signal["reaction"]
    assert first["url"] == "https://discord.com/channels/9000/100/10"
    assert "Saved as kb" in review(cfg, capsys, "accept", str(first["id"])).replace("saved as", "Saved as")
    assert "Rejected" in review(cfg, capsys, "reject", str(by_signal["pinned"]["id"]))
    capsys.readouterr()
    assert main(["kb", "review", "accept", str(first["id"]), "--config", str(cfg)]) == 1
    assert "already accepted" in capsys.readouterr().err

    async def entry(session: Any) -> tuple[Any, ...]:
        found = await session.scalar(select(KnowledgeEntry))
        roles = await session.execute(
            select(EntryMessage.role, EntryMessage.text).where(EntryMessage.entry_id == found.id)
        )
        facts = (found.captured_via, found.source_url, found.source_public, found.solved, found.activity)
        return *facts, sorted(roles)

    via, url, public, solved, activity, roles = on_db(database_url, entry)
    assert (via, url, public, solved) == ("backfill", "https://discord.com/channels/9000/100/10", True, True)
    assert activity is not None, "labelled as a live capture's thread is"
    assert ("answer", "Pinch off the flower buds as soon as they show.") in roles
    assert not any("secret" in text for _, text in roles)

    assert main(["backfill", "--remove", "--config", str(cfg)]) == 0
    assert on_db(database_url, _messages) == []
    assert on_db(database_url, lambda s: s.scalar(select(func.count()).select_from(KnowledgeEntry))) == 0


def test_an_element_export_through_from(tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    cfg = config(tmp_path, database_url, f'{{ id = "{ROOM}", auto_accept = true, public = true }}')
    on_db(database_url, lambda s: _opt_out(s, "matrix", "@dave:example.org"))

    assert main(["backfill", "--config", str(cfg), "--quiet", "--from", str(element_export(tmp_path))]) == 0

    stored = on_db(database_url, _messages)
    assert [ident for ident, _, _ in stored] == ["$q", "$a"]
    assert stored[1][2] == "✅"
    assert on_db(database_url, _candidates) == {"reaction": ("$a", "accepted")}  # auto_accept
    out = review(cfg, capsys, "list")
    assert out.startswith("0 candidates waiting")

    async def entry(session: Any) -> tuple[Any, ...]:
        found = await session.scalar(select(KnowledgeEntry))
        return found.title, found.source_url, found.captured_via

    title, url, via = on_db(database_url, entry)
    assert (title, via) == ("When do I sow leeks?", "backfill")
    assert url.startswith("https://matrix.to/#/!garden:example.org/$q")


def test_a_channel_not_named_in_the_config_is_not_read(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = config(tmp_path, database_url, '{ id = "200" }')
    files = [arg for path in discord_exports(tmp_path) for arg in ("--from", str(path))]
    assert main(["backfill", "--config", str(cfg), "--quiet", *files]) == 0
    assert [ident for ident, _, _ in on_db(database_url, _messages)] == ["300", "301"]
    empty = tmp_path / "empty.toml"
    empty.write_text(f'[database]\nurl = "{database_url}"\n', encoding="utf-8")
    assert main(["backfill", "--config", str(empty), *files]) == 2
    assert "nothing is read by default" in capsys.readouterr().err


def test_since_passes_over_older_messages(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = config(tmp_path, database_url, '{ id = "100" }')
    files = [arg for path in discord_exports(tmp_path) for arg in ("--from", str(path))]
    assert main(["backfill", "--config", str(cfg), "--quiet", "--since", "2024-05-01T09:07:00+00:00", *files]) == 0
    assert [ident for ident, _, _ in on_db(database_url, _messages)] == ["15", "40", "41", "42"]
    assert main(["backfill", "--config", str(cfg), "--since", "last tuesday", *files]) == 2
    assert "is not a date" in capsys.readouterr().err


def test_a_later_export_that_starts_elsewhere_loses_nothing(tmp_path: Path, database_url: str) -> None:
    cfg = config(tmp_path, database_url, '{ id = "100" }')
    first = discord_exports(tmp_path)[0]
    assert main(["backfill", "--config", str(cfg), "--quiet", "--from", str(first)]) == 0
    data = json.loads(first.read_text(encoding="utf-8"))
    data["messages"] = [*data["messages"][2:], dce_message("16", BOB, "Later: mulch keeps the roots cool.", 60)]
    first.write_text(json.dumps(data), encoding="utf-8")  # exported again from a later date, one message newer
    assert main(["backfill", "--config", str(cfg), "--quiet", "--from", str(first)]) == 0
    assert [ident for ident, _, _ in on_db(database_url, _messages)] == ["10", "11", "13", "15", "40", "16"]


def test_a_message_stored_live_is_not_stored_again_and_stays_after_remove(tmp_path: Path, database_url: str) -> None:
    from copbot.conversations.tracking import track_message
    from copbot.core.events import Member as EventMember
    from copbot.core.events import MessagePosted, Place
    from tests.backfill.exports import START

    cfg = config(tmp_path, database_url, '{ id = "100" }')
    live = MessagePosted(place=Place("discord", "100"), created_at=START, id="15", author=EventMember("3", "Carol"),
                         text="Watering schedule: mornings, at the roots, twice a week.")  # fmt: skip
    on_db(database_url, lambda session: track_message(session, live))
    assert main(["backfill", "--config", str(cfg), "--quiet", "--from", str(discord_exports(tmp_path)[0])]) == 0
    ids = [ident for ident, _, _ in on_db(database_url, _messages)]
    assert sorted(ids) == ["10", "11", "13", "15", "40"] and ids.count("15") == 1
    assert main(["backfill", "--remove", "--config", str(cfg)]) == 0
    assert [ident for ident, _, _ in on_db(database_url, _messages)] == ["15"], "what the bot stored live stays"


def test_each_channel_has_a_progress_bar_with_its_total(
    tmp_path: Path, database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = config(tmp_path, database_url, '{ id = "100" }')
    files = [arg for path in discord_exports(tmp_path)[:2] for arg in ("--from", str(path))]
    assert main(["backfill", "--config", str(cfg), *files]) == 0
    err = capsys.readouterr().err
    assert "help: 100%" in err and "7/7" in err, err
    assert "Which compost: 100%" in err and "2/2" in err, err
    assert "backfilled 2 sources: 7 messages stored, 2 skipped" in err, err
