"""``copbot backfill`` against the real Synapse: history written before the bot joined, read through /messages."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from nio import AsyncClient, RoomCreateResponse, RoomPreset, RoomSendResponse, RoomVisibility

from copbot.cli.main import main
from tests.adapters.matrix.homeserver import unique
from tests.adapters.matrix.synapse import RegisteredUser, Synapse


async def client_of(synapse: Synapse, user: RegisteredUser) -> AsyncClient:
    client = AsyncClient(synapse.url, user.user_id, device_id=user.device_id)
    client.restore_login(user.user_id, user.device_id, user.access_token)
    return client


async def send(client: AsyncClient, room: str, kind: str, content: dict[str, Any]) -> str:
    response = await client.room_send(room, kind, content)
    assert isinstance(response, RoomSendResponse), response
    return str(response.event_id)


async def test_history_written_before_the_bot_joined_is_backfilled(
    synapse: Synapse, bot_user: RegisteredUser, member: AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    created = await member.room_create(visibility=RoomVisibility.public, preset=RoomPreset.public_chat, name="Garden")
    assert isinstance(created, RoomCreateResponse), created
    room = created.room_id
    answerer = await client_of(synapse, await synapse.register(unique("answerer")))
    bot = await client_of(synapse, bot_user)
    try:
        await answerer.join(room)
        question = await send(member, room, "m.room.message", {"msgtype": "m.text", "body": "When do I sow leeks?"})
        thread = {"rel_type": "m.thread", "event_id": question}
        reply = {"msgtype": "m.text", "body": "Indoors, in late winter.", "m.relates_to": thread}
        answer = await send(answerer, room, "m.room.message", reply)
        await send(member, room, "m.reaction", {"m.relates_to": {"rel_type": "m.annotation", "event_id": answer,
                                                                 "key": "✅"}})  # fmt: skip
        await send(answerer, room, "m.room.message", {"msgtype": "m.notice", "body": "a bot's notice"})
        await bot.join(room)  # only now: everything above was written before the bot came
    finally:
        await answerer.close()
        await bot.close()
    monkeypatch.setenv("COPBOT_TEST_MATRIX_TOKEN", bot_user.access_token)
    config = tmp_path / "copbot.toml"
    config.write_text(
        f'[database]\nurl = "sqlite+aiosqlite:///{tmp_path / "c.sqlite3"}"\n'
        f'[matrix]\nenabled = true\nhomeserver = "{synapse.url}"\nuser_id = "{bot_user.user_id}"\n'
        f'access_token = {{ env = "COPBOT_TEST_MATRIX_TOKEN" }}\nallowed_rooms = ["{room}"]\n'
        f'[backfill]\nchannels = [{{ id = "{room}" }}]\n'
    )

    assert await asyncio.to_thread(main, ["backfill", "--quiet", "--config", str(config)]) == 0

    with sqlite3.connect(tmp_path / "c.sqlite3") as db:
        stored = dict(db.execute("SELECT external_id, asker_reaction FROM messages"))
        signals = list(db.execute("SELECT signal, answer_ids FROM backfill_candidates"))
    assert stored == {question: None, answer: "✅"}
    assert signals == [("reaction", answer)]
    assert await asyncio.to_thread(main, ["backfill", "--quiet", "--config", str(config)]) == 0
    with sqlite3.connect(tmp_path / "c.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM messages").fetchone() == (2,)
