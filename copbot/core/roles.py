"""Roles a member can hold, how a standing was decided, and the sentence that explains a refusal."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Role(enum.IntEnum):
    """A member's standing; each role can do everything the ones below it can."""

    MEMBER = 0
    EDITOR = 1
    MODERATOR = 2


@dataclass(frozen=True, slots=True)
class Standing:
    """A member's role and how it was decided, for explaining refusals."""

    role: Role
    basis: str


def refusal(action: str, needed: Role, standing: Standing) -> str:
    """The private answer to a member who may not do ``action``."""
    who = "moderators" if needed is Role.MODERATOR else "knowledge editors and moderators"
    return f"Sorry, only {who} can {action}. Here that is decided by {standing.basis}."
