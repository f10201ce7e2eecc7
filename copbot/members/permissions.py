"""Who may do what: members, knowledge editors and moderators, from config or the platform's own rights."""

from __future__ import annotations

from copbot.config.settings import PermissionsSection
from copbot.core.adapter import Adapter, MemberInfo
from copbot.core.events import Member, Place
from copbot.core.roles import Role, Standing


class Permissions:
    """Decides roles: configured Discord roles or Matrix power levels, else the platform's own rights."""

    def __init__(self, settings: PermissionsSection) -> None:
        self._settings = settings

    async def standing(self, adapter: Adapter, place: Place, member: Member) -> Standing:
        """The role of ``member`` in ``place``."""
        info = await adapter.member_info(place, member)
        if adapter.platform == "discord":
            return self._discord(info)
        if adapter.platform == "matrix":
            return self._matrix(info)
        role = Role.MODERATOR if info.platform_moderator else Role.MEMBER
        return Standing(role, "the console moderators listed in the config")

    def _discord(self, info: MemberInfo) -> Standing:
        moderator_roles = set(self._settings.discord_moderator_roles)
        editor_roles = set(self._settings.discord_editor_roles)
        if moderator_roles:
            if info.roles & moderator_roles:
                return Standing(Role.MODERATOR, "a moderator role from the config")
        elif info.platform_moderator:
            return Standing(Role.MODERATOR, 'the Discord "Manage Messages" permission')
        if editor_roles and info.roles & editor_roles:
            return Standing(Role.EDITOR, "an editor role from the config")
        basis = (
            f"the roles {', '.join(sorted(moderator_roles))}"
            if moderator_roles
            else 'the Discord "Manage Messages" permission'
        )
        return Standing(Role.MEMBER, basis)

    def _matrix(self, info: MemberInfo) -> Standing:
        level = info.power_level or 0
        moderator_level = self._settings.matrix_moderator_power_level
        editor_level = self._settings.matrix_editor_power_level
        threshold = moderator_level if moderator_level is not None else 50
        if level >= threshold:
            return Standing(Role.MODERATOR, f"Matrix power level {threshold} or more")
        if editor_level is not None and level >= editor_level:
            return Standing(Role.EDITOR, f"Matrix power level {editor_level} or more")
        return Standing(Role.MEMBER, f"Matrix power level {threshold} or more (yours is {level})")
