"""Which replies answered a question, chosen as a person would: not thanks or chatter, the one the asker marked."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from copbot.activities.recognition.cues import looks_like_thanks
from copbot.store.models import Message

SOCIAL_MAX_WORDS = 10
"""A thanks this short is social ("thanks xavier, good to know"); a longer one may carry an answer."""
SOCIAL = re.compile(
    r"^\W*(?:\+1|lol|haha+|same(?: here)?|nice|great|cool|ok(?:ay)?|wow|agreed|me too|good (?:one|point))\W*$",
    re.IGNORECASE,
)
"""Whole messages that only react to others."""


@dataclass(frozen=True, slots=True)
class Choice:
    """The answer chosen, or (when unsure) the replies the asker should pick from."""

    answer: str | None
    candidates: list[Message] = field(default_factory=list)


def is_social(text: str, language: str = "en") -> bool:
    """A thanks, an agreement or a laugh: talk about answers rather than an answer."""
    stripped = text.strip()
    if not stripped or SOCIAL.match(stripped) or not any(character.isalnum() for character in stripped):
        return True
    try:
        thanks = looks_like_thanks(stripped, language)
    except ValueError:
        thanks = looks_like_thanks(stripped)
    return thanks and len(stripped.split()) <= SOCIAL_MAX_WORDS


def replies_to_consider(
    rows: Sequence[Message], question: Message, asker_id: int | None, language: str = "en"
) -> list[Message]:
    """Replies by others that could be answers: not the question, not social talk."""
    return [
        row for row in rows if row is not question and row.author_id != asker_id and not is_social(row.text, language)
    ]


def choose_answer(rows: Sequence[Message], question: Message, asker_id: int | None, language: str = "en") -> Choice:
    """The reply that answered: the one the asker reacted to or replied to; the only reply; else unsure."""
    replies = replies_to_consider(rows, question, asker_id, language)
    replied_to = {row.reply_to for row in rows if row.author_id == asker_id and row.reply_to}
    signalled = [row for row in replies if row.asker_reaction or row.external_id in replied_to]
    pool = signalled or replies
    if len(pool) == 1:
        return Choice(pool[0].external_id)
    return Choice(None, pool)


def thanked(
    text: str, replies: Sequence[Message], names: Mapping[int, str], reply_to: str | None = None
) -> list[Message]:
    """One answer per author ``text`` names ("Thanks bob and carol" credits both): the reply the thanks answers,
    else that author's last reply; oldest first."""
    low = text.casefold()
    named = {
        author_id
        for author_id, name in names.items()
        if name.strip() and re.search(rf"(?<!\w){re.escape(name.strip().casefold())}(?!\w)", low)
    }
    chosen: dict[int, Message] = {}
    for reply in replies:
        if reply.author_id is None or reply.author_id not in named:
            continue
        current = chosen.get(reply.author_id)
        if current is not None and current.external_id == reply_to:
            continue  # the reply the thanks answers wins over the author's later ones
        chosen[reply.author_id] = reply
    return sorted(chosen.values(), key=lambda reply: (reply.created_at, reply.id))
