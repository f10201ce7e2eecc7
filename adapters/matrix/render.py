"""Building Matrix event content for outgoing messages, reactions and thread replies."""

from __future__ import annotations

import html
import logging
import re
import unicodedata
from typing import Any

from copbot.core.adapter import Card, Outgoing
from copbot.core.text import safe_url

log = logging.getLogger(__name__)

HTML_FORMAT = "org.matrix.custom.html"
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
"""Light Markdown bold, as search highlights mark the matched words: ``**word**``."""
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_KEPT_CONTROLS = frozenset("\n\t")


def clean(text: str) -> str:
    """``text`` without control characters (but newline and tab) and bidirectional overrides, which
    a member could put in a query to garble or disguise what the bot says back."""
    return "".join(ch for ch in text if ch in _KEPT_CONTROLS or (ch not in _BIDI and unicodedata.category(ch) != "Cc"))


def plain(text: str) -> str:
    """The text body: light Markdown bold markers dropped, the words kept."""
    return _BOLD.sub(r"\1", text)


def text_to_html(text: str) -> str:
    """Plain text escaped for HTML, with line breaks kept and ``**bold**`` as ``<b>``."""
    return _BOLD.sub(r"<b>\1</b>", html.escape(text)).replace("\n", "<br/>")


def card_html(card: Card) -> str:
    """One card as an HTML list item: a linked title, description and footer."""
    title = text_to_html(card.title)
    url = safe_url(card.url)
    parts = [f'<a href="{html.escape(url, quote=True)}">{title}</a>' if url else f"<b>{title}</b>"]
    if card.description:
        parts.append(text_to_html(card.description))
    if card.footer:
        parts.append(f"<em>{text_to_html(card.footer)}</em>")
    return "<li>" + "<br/>".join(parts) + "</li>"


def render_html(content: Outgoing) -> str | None:
    """The ``formatted_body`` for ``content``: its HTML (or escaped text) plus cards as a list."""
    if content.html is None and not content.cards and not _BOLD.search(content.text):
        return None
    body = content.html if content.html is not None else text_to_html(content.text)
    if content.cards:
        body += "<ol>" + "".join(card_html(card) for card in content.cards) + "</ol>"
    return body


def message_content(
    content: Outgoing,
    *,
    msgtype: str = "m.notice",
    thread_root: str | None = None,
    reply_to: str | None = None,
    thread_latest: str | None = None,
) -> dict[str, Any]:
    """An ``m.room.message`` content with plain-text fallback body and, when rich, HTML.

    In a thread, ``reply_to`` makes a real reply (``is_falling_back: false``); without it the
    ``m.in_reply_to`` points at ``thread_latest`` (or the root) only as a fallback for clients
    that do not show threads, as the spec asks.
    """
    result: dict[str, Any] = {"msgtype": msgtype, "body": plain(clean(content.as_plain_text()))}
    formatted = render_html(content)
    if formatted is not None:
        result["format"] = HTML_FORMAT
        result["formatted_body"] = clean(formatted)
    if thread_root is not None:
        result["m.relates_to"] = {
            "rel_type": "m.thread",
            "event_id": thread_root,
            "is_falling_back": reply_to is None,
            "m.in_reply_to": {"event_id": reply_to or thread_latest or thread_root},
        }
    elif reply_to is not None:
        result["m.relates_to"] = {"m.in_reply_to": {"event_id": reply_to}}
    return result


def reaction_content(message_id: str, emoji: str) -> dict[str, Any]:
    """An ``m.reaction`` content annotating ``message_id`` with ``emoji``."""
    return {"m.relates_to": {"rel_type": "m.annotation", "event_id": message_id, "key": emoji}}


ENCRYPTION_NOTICE = Outgoing(
    text=(
        "This room is end-to-end encrypted, and I cannot read encrypted messages, so I will not see "
        "anything posted here. Invite me to an unencrypted room to use me."
    )
)
