"""Chat text as safe HTML: Markdown by markdown-it-py (raw HTML off), then sanitised by nh3; highlighted snippets."""

from __future__ import annotations

import functools
import json
from typing import Any

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

HIGHLIGHT = "**"
"""What the search backends wrap a matched word in (copbot.knowledge.search: FTS5 highlight(), ts_headline)."""
TAGS = {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "del", "h3", "h4", "hr"}
ATTRIBUTES = {"a": {"href"}}


@functools.cache
def _parser() -> MarkdownIt:
    """CommonMark without raw HTML (chat text never becomes markup), with strikethrough; built once per process."""
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("strikethrough")


def markdown(text: str) -> Markup:
    """Chat Markdown as HTML safe to put in a page: only harmless tags, links that open as nofollow."""
    rendered = _parser().render(text or "")
    return Markup(nh3.clean(rendered, tags=TAGS, attributes=ATTRIBUTES, link_rel="nofollow ugc noopener"))


def highlighted(snippet: str) -> Markup:
    """A search snippet, escaped, with each ``**word**`` of the backend as ``<mark>word</mark>``."""
    parts = snippet.split(HIGHLIGHT)
    if len(parts) % 2 == 0:  # an unbalanced marker (a cut snippet): show it as text
        return Markup(escape(snippet.replace(HIGHLIGHT, "")))
    out = [escape(part) if index % 2 == 0 else Markup("<mark>%s</mark>") % part for index, part in enumerate(parts)]
    return Markup("").join(out)


def plain(snippet: str) -> str:
    """A snippet without highlight markers (JSON, feed, meta description)."""
    return snippet.replace(HIGHLIGHT, "")


def json_ld(data: dict[str, Any]) -> Markup:
    """Structured data for a ``<script type="application/ld+json">`` block: no ``<``, ``>`` or ``&`` inside, so chat
    text can never close the block (the block is data, never run: the Content-Security-Policy allows no script)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def cut(text: str, length: int) -> str:
    """One line of at most ``length`` characters, cut at a word."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= length else flat[: length - 1].rsplit(" ", 1)[0] + "…"
