"""MatrixAdapter against a real Synapse: invites, encryption, restarts, gaps, rate limits, outages."""

from __future__ import annotations

import asyncio
from typing import Any

from nio import AsyncClient, RoomGetStateEventResponse, RoomSendError

from copbot.core.adapter import Outgoing
from copbot.core.events import MessagePosted, Place
from tests.adapters.matrix.conftest import JsonFileState, StartAdapter
from tests.adapters.matrix.helpers import (
    SlowCollector,
    create_room,
    eventually,
    messages_from,
    room_with_bot,
    say,
    wait_joined,
)
from tests.adapters.matrix.synapse import RegisteredUser, Synapse


async def membership(member: AsyncClient, room_id: str, user_id: str) -> str | None:
    response = await member.room_get_state_event(room_id, "m.room.member", user_id)
    if isinstance(response, RoomGetStateEventResponse):
        return str(response.content.get("membership"))
    return None


async def test_invites_are_accepted_only_from_the_allow_list(
    start_adapter: StartAdapter, member: AsyncClient, bot_user: RegisteredUser
) -> None:
    allowed_room = await create_room(member, [])
    other_room = await create_room(member, [])
    await start_adapter(allowed=[allowed_room])
    await member.room_invite(other_room, bot_user.user_id)
    await member.room_invite(allowed_room, bot_user.user_id)
    await wait_joined(member, allowed_room, bot_user.user_id)

    async def declined() -> bool:
        return await membership(member, other_room, bot_user.user_id) == "leave"

    await eventually(declined)


async def test_encrypted_room_gets_one_notice_instead_of_silence(
    start_adapter: StartAdapter, member: AsyncClient, bot_user: RegisteredUser
) -> None:
    adapter, _ = await start_adapter()
    room = await create_room(member, [bot_user.user_id], encrypted=True)
    await wait_joined(member, room, bot_user.user_id)

    async def notices() -> list[dict[str, Any]]:
        return await messages_from(member, room, bot_user.user_id)

    [notice] = await eventually(notices)
    assert "encrypted" in notice["content"]["body"]
    assert notice["content"]["msgtype"] == "m.notice"
    await adapter.stop()
    restarted, _ = await start_adapter()
    restarted.sync_loop.synced.clear()
    await say(member, room, "plaintext nudge so a sync happens")
    await asyncio.wait_for(restarted.sync_loop.synced.wait(), 20)
    assert len(await notices()) == 1


async def test_restart_resumes_from_stored_token_without_replay_or_loss(
    start_adapter: StartAdapter, member: AsyncClient, bot_user: RegisteredUser, state: JsonFileState
) -> None:
    first, sink = await start_adapter()
    room = await room_with_bot(member, bot_user.user_id)
    before = await say(member, room, "before the restart")
    await sink.wait_for(MessagePosted, lambda e: e.id == before)
    await first.stop()
    assert await state.get(f"matrix:{bot_user.user_id}:next_batch")
    assert await state.get(f"matrix:{bot_user.user_id}:device_id") == bot_user.device_id

    during = await say(member, room, "while the bot was away")
    _, resumed = await start_adapter()
    after = await say(member, room, "after the restart")
    await resumed.wait_for(MessagePosted, lambda e: e.id == after)
    assert [e.id for e in resumed.of(MessagePosted)] == [during, after]


async def test_long_stop_fills_the_timeline_gap_in_order(
    start_adapter: StartAdapter, member: AsyncClient, bot_user: RegisteredUser
) -> None:
    first, sink = await start_adapter()
    room = await room_with_bot(member, bot_user.user_id)
    marker = await say(member, room, "marker")
    await sink.wait_for(MessagePosted, lambda e: e.id == marker)
    await first.stop()
    missed = [await say(member, room, f"missed {n}") for n in range(70)]
    _, resumed = await start_adapter()
    await resumed.wait_for(MessagePosted, lambda e: e.id == missed[-1])
    assert [e.id for e in resumed.of(MessagePosted)] == missed


async def test_first_start_skips_history_from_before(
    synapse: Synapse, start_adapter: StartAdapter, member: AsyncClient, bot_user: RegisteredUser, tmp_path: Any
) -> None:
    first, _ = await start_adapter()
    room = await room_with_bot(member, bot_user.user_id)
    await first.stop()
    await say(member, room, "old history")
    _, sink = await start_adapter(state=JsonFileState(tmp_path / "fresh.json"))
    new = await say(member, room, "new message")
    await sink.wait_for(MessagePosted, lambda e: e.id == new)
    assert [e.text for e in sink.of(MessagePosted)] == ["new message"]


async def test_rate_limited_sends_wait_and_retry(
    synapse: Synapse, start_adapter: StartAdapter, member: AsyncClient, bot_user: RegisteredUser
) -> None:
    admin = await synapse.register("admin" + bot_user.user_id.split(":")[0].lstrip("@"), admin=True)
    adapter, _ = await start_adapter()
    room = await room_with_bot(member, bot_user.user_id)
    limits = {"messages_per_second": 1, "burst_count": 1}
    path = f"/_synapse/admin/v1/users/{bot_user.user_id}/override_ratelimit"
    await synapse.admin_request(admin.access_token, "POST", path, limits)
    limited: list[RoomSendError] = []

    async def on_error(response: RoomSendError) -> None:
        if response.status_code == "M_LIMIT_EXCEEDED":
            limited.append(response)

    adapter.client.add_response_callback(on_error, RoomSendError)
    sent = [await adapter.send(Place("matrix", room), Outgoing(f"burst {n}")) for n in range(3)]
    assert limited, "Synapse never rate limited the bot; the test proves nothing"
    assert limited[0].retry_after_ms
    bodies = [m["content"]["body"] for m in await messages_from(member, room, bot_user.user_id)]
    assert bodies[:3] == ["burst 2", "burst 1", "burst 0"]
    assert len({s.id for s in sent}) == 3


async def test_synapse_restart_mid_session_reconnects(
    synapse: Synapse, start_adapter: StartAdapter, member: AsyncClient, bot_user: RegisteredUser
) -> None:
    adapter, sink = await start_adapter()
    room = await room_with_bot(member, bot_user.user_id)
    before = await say(member, room, "before the outage")
    await sink.wait_for(MessagePosted, lambda e: e.id == before)
    await asyncio.to_thread(synapse.restart)
    after = await say(member, room, "after the outage")
    await sink.wait_for(MessagePosted, lambda e: e.id == after, within=30)
    reply = await adapter.send(Place("matrix", room), Outgoing("still here"))
    assert reply.id.startswith("$")
    assert [e.id for e in sink.of(MessagePosted)] == [before, after]


async def test_password_login_keeps_its_device_across_restarts(
    start_adapter: StartAdapter, bot_user: RegisteredUser, state: JsonFileState
) -> None:
    first, _ = await start_adapter(access_token=None, password=bot_user.password)
    device = await state.get(f"matrix:{bot_user.user_id}:device_id")
    assert device and device != bot_user.device_id
    assert first.bot_member is not None and first.bot_member.id == bot_user.user_id
    await first.stop()
    second, _ = await start_adapter(access_token=None, password=bot_user.password)
    assert second.client.device_id == device


async def test_wait_closed_lasts_until_stopped_or_the_token_is_revoked(
    synapse: Synapse, start_adapter: StartAdapter, bot_user: RegisteredUser
) -> None:
    adapter, _ = await start_adapter()
    waiting = asyncio.create_task(adapter.wait_closed())
    await asyncio.sleep(1.5)
    assert not waiting.done(), "wait_closed returned while the adapter was running"
    await adapter.stop()
    await asyncio.wait_for(waiting, 5)

    revoked, _ = await start_adapter()
    waiting = asyncio.create_task(revoked.wait_closed())
    await synapse.admin_request(bot_user.access_token, "POST", "/_matrix/client/v3/logout", {})
    await asyncio.wait_for(waiting, 20)
    assert revoked.sync_loop.failure is not None and "M_UNKNOWN_TOKEN" in revoked.sync_loop.failure


async def test_stop_part_way_through_a_batch_then_restart_delivers_each_event_once(
    start_adapter: StartAdapter, member: AsyncClient, bot_user: RegisteredUser
) -> None:
    first, sink = await start_adapter()
    room = await room_with_bot(member, bot_user.user_id)
    marker = await say(member, room, "marker")
    await sink.wait_for(MessagePosted, lambda e: e.id == marker)
    await first.stop()
    sent = [await say(member, room, f"queued {n}") for n in range(8)]  # one sync batch on restart
    second, slow = await start_adapter(sink=SlowCollector(0.3))
    await slow.wait_for(MessagePosted, lambda e: e.id == sent[1])
    await second.stop()
    handled = [e.id for e in slow.of(MessagePosted)]
    assert 2 <= len(handled) < len(sent), handled
    _, rest = await start_adapter()
    await rest.wait_for(MessagePosted, lambda e: e.id == sent[-1])
    assert handled + [e.id for e in rest.of(MessagePosted)] == sent
