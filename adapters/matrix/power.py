"""Matrix power levels, including room version 12 creators who outrank every power level."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

log = logging.getLogger(__name__)

MODERATOR_LEVEL = 50
"""The level Element and the spec's defaults give moderators (kick, ban, redact)."""
CREATOR_LEVEL = 2**53 - 1
"""Stands for the infinite power of room creators in room versions 12 and later."""


def creators_are_privileged(room_version: str) -> bool:
    """Whether creators of a room of this version have unlimited power (MSC4289, room v12+)."""
    if room_version == "org.matrix.hydra.11":
        return True
    return room_version.isdigit() and int(room_version) >= 12


def power_level(state: Iterable[Mapping[str, Any]], user_id: str) -> int:
    """The power level of ``user_id`` given a room's full state events."""
    create: Mapping[str, Any] | None = None
    levels: Mapping[str, Any] | None = None
    for event in state:
        if event.get("state_key") != "":
            continue
        if event.get("type") == "m.room.create":
            create = event
        elif event.get("type") == "m.room.power_levels":
            levels = event.get("content") or {}
    if create is not None:
        content = create.get("content") or {}
        creators = {create.get("sender"), *(content.get("additional_creators") or [])}
        if creators_are_privileged(str(content.get("room_version", "1"))) and user_id in creators:
            return CREATOR_LEVEL
    if levels is None:
        # Without a power levels event the creator has 100 and everyone else 0.
        return 100 if create is not None and create.get("sender") == user_id else 0
    users = levels.get("users") or {}
    return int(users.get(user_id, levels.get("users_default", 0)))
