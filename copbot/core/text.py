"""Text and links from outside made safe once: ``clean_text`` where text enters, ``safe_url`` where links leave."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
"""NUL (PostgreSQL ``text`` cannot hold it) and lone surrogates (not encodable as UTF-8, e.g. from
``surrogateescape``-decoded bytes)."""
LINK_SCHEMES = frozenset({"http", "https"})
"""The only URL schemes copbot puts into a link or an embed, on every platform."""


def clean_text(text: str) -> str:
    """``text`` as both stores can hold it: NUL dropped, each lone surrogate replaced by U+FFFD."""
    if text.isascii() and "\x00" not in text:
        return text
    return _UNSTORABLE.sub(lambda found: "" if found.group() == "\x00" else "\ufffd", text)


def safe_url(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) link with a host, else None (``javascript:``, ``data:``, relative)."""
    if not url:
        return None
    candidate = url.strip()
    if any(character.isspace() or ord(character) < 0x20 for character in candidate):
        return None
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return None
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.hostname:
        return None
    return candidate
