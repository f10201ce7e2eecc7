"""Message references typed by members: a Discord, Matrix or console message link, or a bare message id."""

from __future__ import annotations

import re
from urllib.parse import unquote

from copbot.commands.spec import UsageError

DISCORD_LINK = re.compile(r"https?://(?:(?:ptb|canary)\.)?discord(?:app)?\.com/channels/(?:\d+|@me)/\d+/(\d+)")
MATRIX_TO_LINK = re.compile(r"https?://matrix\.to/#/[^/\s?]+/([^/\s?]+)")
MATRIX_URI = re.compile(r"matrix:(?:roomid|r)/[^/\s?]+/e/([^/\s?]+)")
LOCAL_LINK = re.compile(r"(?:console|memory)://[^/\s]+/([\w-]+)")
"""The links the in-process adapters give their messages (``console://general/c3``)."""


def message_id(reference: str) -> str:
    """The message id a member means by ``reference``: the id in a message link, or the reference itself."""
    value = reference.strip().strip("<>")
    if not value or any(space.isspace() for space in value):
        raise UsageError("Name one message: paste its link, or give its id.")
    address = value.split("?", 1)[0]
    for pattern, prefix in ((DISCORD_LINK, ""), (MATRIX_TO_LINK, ""), (MATRIX_URI, "$"), (LOCAL_LINK, "")):
        found = pattern.fullmatch(address)
        if found is not None:
            ident = unquote(found.group(1))
            return ident if ident.startswith(prefix) else prefix + ident
    if value.startswith(("http://", "https://")):
        raise UsageError("That link does not point to a message; copy the message's own link, or give its id.")
    return value
