"""The whole health report as one string (HTML or JSON) with the gap prompt's list: for `copbot report` and the web."""

from __future__ import annotations

import json
import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from copbot.config.settings import HealthSection
from copbot.health.report import as_data, build_report
from copbot.health.repository import GapTopic
from copbot.health.window import Window, without_jit
from copbot.prompts.kinds import health_gaps
from copbot.store.models import Thread

log = logging.getLogger(__name__)


async def report_gaps(session: AsyncSession, now: datetime, room: str | None) -> list[GapTopic]:
    """The gap prompt's topics of every platform with conversations (in ``room``, if one is given)."""
    platforms = select(Thread.platform).distinct()
    if room is not None:
        platforms = platforms.where(Thread.room == room)
    return [
        gap for platform in list(await session.scalars(platforms)) for gap in await health_gaps(session, platform, now)
    ]


async def health_report_text(
    session: AsyncSession, window: Window, health: HealthSection, now: datetime, *, as_json: bool = False
) -> str:
    """The report of ``window`` as one self-contained HTML page (inline SVG charts), or as JSON with ``as_json``.

    Everything is read in ``session`` (one transaction); ``now`` is when the page says it was made. The caller
    decides who may see it (moderators): the figures name only members who opted in to being suggested. A web
    route builds ``window`` as ``Window(parse_since("90d", now), now, room)`` (both in copbot.health.window).
    """
    await without_jit(session)
    report = await build_report(session, window, health, await report_gaps(session, now, window.room))
    if as_json:
        return json.dumps(as_data(report), indent=2, ensure_ascii=False) + "\n"
    from copbot.health.html import render  # matplotlib is imported only when a page is drawn

    return render(report, now)
