"""Text entering copbot is normalised once: no NUL, no lone surrogate, valid UTF-8 on both stores."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from copbot.adapters.matrix.render import render_html
from copbot.adapters.memory import MemoryAdapter
from copbot.app import Application
from copbot.core.adapter import Card, Outgoing
from copbot.core.text import clean_text, safe_url
from copbot.knowledge.interchange.jsonl import import_lines
from copbot.store.models import EntryMessage, KnowledgeEntry, Message
from tests.cast import ALICE, BOB, CAROL, MOD


@given(st.text())
def test_clean_text_is_valid_utf8_without_nul(text: str) -> None:
    cleaned = clean_text(text)
    assert "\x00" not in cleaned
    assert cleaned.encode("utf-8").decode("utf-8") == cleaned
    assert clean_text(cleaned) == cleaned


def test_clean_text_keeps_ordinary_text_and_replaces_lone_surrogates() -> None:
    assert clean_text("pip\x00 proxy") == "pip proxy"
    assert clean_text("caf\udce9 ok") == "caf\ufffd ok"
    assert clean_text("Grüße 😀\ttab\nline") == "Grüße 😀\ttab\nline"


REPLY = "Set HTTPS_PROXY before pip install, it tunnels through."


async def asked_with_nul(mem: MemoryAdapter, question: str) -> str:
    ask = await mem.command(ALICE, f"/ask {question}\x00 behind a firewall?")
    await mem.post(BOB, REPLY.replace("HTTPS_PROXY", "HTTPS_PROXY\x00"), thread=ask.id)
    return ask.id


async def test_a_nul_in_a_question_and_a_reply_then_solved_pin_and_search(
    running: tuple[Application, MemoryAdapter],
) -> None:
    app, mem = running
    solved = await asked_with_nul(mem, "How do I set the proxy for pip")
    await mem.command(ALICE, "/solved", thread=solved)
    pinned = await asked_with_nul(mem, "Why does npm ignore the proxy")
    await mem.command(MOD, "/pin", thread=pinned)
    saved = [text for text in mem.said() if text.startswith("Saved to the knowledge base as")]
    assert len(saved) == 2, mem.said()
    mem.clear()
    await mem.command(CAROL, "/search HTTPS_PROXY\x00 tunnels")
    assert sum("tunnels" in text for text in mem.said()) >= 1, mem.said()
    assert app.services is not None
    async with app.services.sessions() as session:
        stored = list(await session.scalars(select(Message.text).where(Message.text.like("Set HTTPS_PROXY%"))))
        entries = list(await session.scalars(select(KnowledgeEntry.captured_via).order_by(KnowledgeEntry.id)))
        answers = list(await session.scalars(select(EntryMessage.text).where(EntryMessage.role == "answer")))
    assert stored == [REPLY, REPLY] and entries == ["solved", "pin"] and answers == [REPLY, REPLY]


async def test_an_import_line_with_an_escaped_nul(running: tuple[Application, MemoryAdapter]) -> None:
    app, _ = running
    assert app.services is not None
    lines = [json.dumps({"id": "n1", "title": "nul\u0000 title", "question": "pip\u0000 proxy",
                         "messages": [{"author": "a\u0000", "text": "x\u0000y"}]}),
             json.dumps({"id": "n2", "title": "fine", "question": "ok"}),
             json.dumps({"id": "n3", "title": "caf\udce9", "question": "lone \ud800 surrogate escapes"})]  # fmt: skip
    report = await import_lines(app.services.sessions, lines)
    assert (report.created, report.errors) == (3, [])
    async with app.services.sessions() as session:
        titles = list(await session.scalars(select(KnowledgeEntry.title).order_by(KnowledgeEntry.id)))
        texts = list(await session.scalars(select(EntryMessage.text).order_by(EntryMessage.id)))
    assert titles == ["nul title", "fine", "caf\ufffd"] and texts == [
        "pip proxy",
        "xy",
        "ok",
        "lone \ufffd surrogate escapes",
    ]


def test_only_absolute_http_links_are_safe() -> None:
    for bad in ("javascript:alert(1)", "JAVASCRIPT:x", "data:text/html,x", "/kb/1", "https://", "mailto:a@b",
                "https://exa mple.org", "https://example.org/\nx", None, ""):  # fmt: skip
        assert safe_url(bad) is None, bad
    assert safe_url("https://discord.com/channels/1/2/3") == "https://discord.com/channels/1/2/3"
    assert safe_url(" HTTP://example.org ") == "HTTP://example.org"


def test_matrix_cards_link_only_http() -> None:
    content = Outgoing.of("Found:", [Card("bad", url="javascript:alert(1)"), Card("good", url="https://a.org/x")])
    html = render_html(content) or ""
    assert "javascript" not in html and 'href="https://a.org/x"' in html
