"""Roles from the config (Discord roles, Matrix power levels) or from the platform's own rights, and refusals."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from copbot.adapters.memory import MemoryAdapter
from copbot.commands.registry import CommandRegistry, command
from copbot.config.settings import PermissionsSection
from copbot.core.context import Context
from copbot.core.events import CommandInvoked, Member
from copbot.core.roles import Role, Standing, refusal
from copbot.members.permissions import Permissions
from tests.cast import ALICE, MOD
from tests.community_harness import running_bot


async def standing(section: PermissionsSection, mem: MemoryAdapter, member: Member) -> Standing:
    return await Permissions(section).standing(mem, mem.place(), member)


# ----- Discord: configured roles by id or name, else "Manage Messages" -----


@pytest.mark.parametrize("role", ["111222333", "Stewards"])
async def test_discord_moderator_role_by_id_or_name(role: str) -> None:
    mem = MemoryAdapter(platform="discord")
    mem.roles[ALICE.id] = frozenset({"999", role})
    section = PermissionsSection(discord_moderator_roles=["111222333", "Stewards"])

    result = await standing(section, mem, ALICE)

    assert result.role is Role.MODERATOR
    assert "moderator role from the config" in result.basis


async def test_discord_configured_roles_override_manage_messages() -> None:
    mem = MemoryAdapter(platform="discord", moderators=[ALICE.id])
    section = PermissionsSection(discord_moderator_roles=["Stewards"])

    result = await standing(section, mem, ALICE)

    assert result.role is Role.MEMBER
    assert "Stewards" in result.basis


async def test_discord_editor_role() -> None:
    mem = MemoryAdapter(platform="discord")
    mem.roles[ALICE.id] = frozenset({"Librarians"})
    section = PermissionsSection(discord_moderator_roles=["Stewards"], discord_editor_roles=["Librarians"])

    result = await standing(section, mem, ALICE)

    assert result.role is Role.EDITOR


async def test_discord_without_config_uses_manage_messages() -> None:
    mem = MemoryAdapter(platform="discord", moderators=[MOD.id])
    section = PermissionsSection()

    assert (await standing(section, mem, MOD)).role is Role.MODERATOR
    plain = await standing(section, mem, ALICE)
    assert plain.role is Role.MEMBER
    assert "Manage Messages" in plain.basis


# ----- Matrix: configured power levels, else 50 -----


async def test_matrix_configured_power_levels() -> None:
    mem = MemoryAdapter(platform="matrix")
    section = PermissionsSection(matrix_moderator_power_level=75, matrix_editor_power_level=25)
    mem.power_levels[MOD.id] = 75
    mem.power_levels[ALICE.id] = 50

    assert (await standing(section, mem, MOD)).role is Role.MODERATOR
    assert (await standing(section, mem, ALICE)).role is Role.EDITOR
    mem.power_levels[ALICE.id] = 10
    low = await standing(section, mem, ALICE)
    assert low.role is Role.MEMBER
    assert "75" in low.basis
    assert "yours is 10" in low.basis


async def test_matrix_without_config_uses_power_level_50() -> None:
    mem = MemoryAdapter(platform="matrix")
    mem.power_levels[MOD.id] = 50
    mem.power_levels[ALICE.id] = 49
    section = PermissionsSection()

    assert (await standing(section, mem, MOD)).role is Role.MODERATOR
    assert (await standing(section, mem, ALICE)).role is Role.MEMBER


async def test_matrix_member_without_power_level_counts_as_level_0() -> None:
    mem = MemoryAdapter(platform="matrix")
    result = await standing(PermissionsSection(matrix_editor_power_level=0), mem, ALICE)
    assert result.role is Role.EDITOR
    assert (await standing(PermissionsSection(), mem, ALICE)).role is Role.MEMBER


# ----- other platforms: the platform's own rights -----


async def test_other_platforms_use_the_platform_moderator_flag() -> None:
    mem = MemoryAdapter(moderators=["Morgan"])
    section = PermissionsSection(discord_moderator_roles=["Stewards"], matrix_moderator_power_level=100)

    assert (await standing(section, mem, MOD)).role is Role.MODERATOR
    assert (await standing(section, mem, ALICE)).role is Role.MEMBER


def test_refusal_says_who_may_and_why() -> None:
    text = refusal("pin threads", Role.MODERATOR, Standing(Role.MEMBER, "Matrix power level 50 or more"))
    assert text == "Sorry, only moderators can pin threads. Here that is decided by Matrix power level 50 or more."
    editor_text = refusal("edit entries", Role.EDITOR, Standing(Role.MEMBER, "x"))
    assert "knowledge editors and moderators" in editor_text


# ----- through the dispatcher: every denied action answers privately, saying why -----


@command("sweep", "/sweep", "Moderator-only test command.", role=Role.MODERATOR, action="sweep the room")
async def sweep(ctx: Context, cmd: CommandInvoked) -> None:
    await ctx.reply("swept")


@command("tidy", "/tidy", "Editor-only test command.", role=Role.EDITOR, action="tidy entries")
async def tidy(ctx: Context, cmd: CommandInvoked) -> None:
    await ctx.reply("tidied")


def _add_test_commands(registry: CommandRegistry) -> None:
    """Register /sweep and /tidy, the role-restricted commands defined in this module."""
    registry.collect([sys.modules[__name__]])


@pytest.mark.parametrize(
    ("platform", "toml", "setup", "allowed"),
    [
        ("discord", '[permissions]\ndiscord_moderator_roles = ["Stewards"]\n', "role:Stewards", True),
        ("discord", '[permissions]\ndiscord_moderator_roles = ["Stewards"]\n', "role:Other", False),
        ("discord", "", "platform", True),
        ("discord", "", "none", False),
        ("matrix", "[permissions]\nmatrix_moderator_power_level = 90\n", "level:90", True),
        ("matrix", "[permissions]\nmatrix_moderator_power_level = 90\n", "level:50", False),
        ("matrix", "", "level:50", True),
        ("memory", "", "platform", True),
        ("memory", "", "none", False),
    ],
)
async def test_moderator_command_through_the_dispatcher(
    tmp_path: Path, platform: str, toml: str, setup: str, allowed: bool
) -> None:
    async with running_bot(tmp_path, extra_toml=toml, platform=platform, moderators=()) as bot:
        assert bot.app.dispatcher is not None
        _add_test_commands(bot.app.dispatcher.registry)
        kind, _, value = setup.partition(":")
        if kind == "role":
            bot.mem.roles[ALICE.id] = frozenset({value})
        elif kind == "level":
            bot.mem.power_levels[ALICE.id] = int(value)
        elif kind == "platform":
            bot.mem.moderators.add(ALICE.id)

        await bot.mem.command(ALICE, "/sweep")

        if allowed:
            assert bot.mem.said() == ["swept"]
            assert bot.mem.private(ALICE) == []
        else:
            assert bot.mem.said() == []
            [answer] = bot.mem.private(ALICE)
            assert answer.startswith("Sorry, only moderators can sweep the room.")
            assert "Here that is decided by" in answer


async def test_editor_command_needs_an_editor_role(tmp_path: Path) -> None:
    toml = '[permissions]\ndiscord_moderator_roles = ["Stewards"]\ndiscord_editor_roles = ["Librarians"]\n'
    async with running_bot(tmp_path, extra_toml=toml, platform="discord", moderators=()) as bot:
        assert bot.app.dispatcher is not None
        _add_test_commands(bot.app.dispatcher.registry)

        await bot.mem.command(ALICE, "/tidy")
        [answer] = bot.mem.private(ALICE)
        assert "only knowledge editors and moderators can tidy entries" in answer
        assert bot.mem.said() == []

        bot.mem.roles[ALICE.id] = frozenset({"Librarians"})
        bot.mem.clear()
        await bot.mem.command(ALICE, "/tidy")
        assert bot.mem.said() == ["tidied"]
        bot.mem.clear()
        await bot.mem.command(ALICE, "/sweep")
        assert "only moderators" in bot.mem.private(ALICE)[0]
