"""The whole health report of a window, as data (JSON) and as a one-screen summary with week-over-week change."""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from copbot.config.settings import HealthSection
from copbot.health.help import HelpFigures, help_figures
from copbot.health.people import PeopleFigures, people_figures
from copbot.health.practice import ActivityFigures, practice_figures
from copbot.health.repository import GapTopic, RepositoryFigures, repository_figures
from copbot.health.rhythm import RhythmFigures, rhythm_figures
from copbot.health.window import WEEK, Share, Window, without_jit

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class HealthReport:
    """Every figure of one window."""

    window: Window
    help: HelpFigures
    practice: list[ActivityFigures]
    people: PeopleFigures
    repository: RepositoryFigures
    rhythm: RhythmFigures


async def build_report(
    session: AsyncSession, window: Window, health: HealthSection, gaps: list[GapTopic] | None = None
) -> HealthReport:
    """Compute every family of figures for ``window`` with SQL aggregates."""
    await without_jit(session)
    return HealthReport(
        window=window,
        help=await help_figures(session, window),
        practice=await practice_figures(session, window),
        people=await people_figures(session, window, health),
        repository=await repository_figures(session, window, health.stale_months, gaps or []),
        rhythm=await rhythm_figures(session, window),
    )


def _plain(value: Any) -> Any:
    if isinstance(value, Share):
        return {"count": value.count, "total": value.total, "ratio": value.ratio}
    if isinstance(value, datetime):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def as_data(report: HealthReport) -> dict[str, Any]:
    """The report as JSON-ready data: every figure, the window, and the Monday of each week."""
    data: dict[str, Any] = _plain(report)
    data["window"]["weeks"] = [start.isoformat() for start in report.window.week_starts()]
    return data


@dataclass(frozen=True, slots=True)
class KeyFigure:
    """One line of the summary: a label, the value, and its unit."""

    label: str
    value: float | None
    unit: str = ""


def key_figures(report: HealthReport) -> list[KeyFigure]:
    """The figures /health and the health digest lead with, in order."""
    h, p, r = report.help, report.people, report.repository
    ratio = h.unanswered_1d.ratio
    repo = h.from_repository.ratio
    return [
        KeyFigure("Help requests", h.requests),
        KeyFigure("Median time to first reply", h.first_reply_median_hours, " h"),
        KeyFigure("Unanswered after 1 day", None if ratio is None else 100 * ratio, "%"),
        KeyFigure("Answered from the repository", None if repo is None else 100 * repo, "%"),
        KeyFigure("Active members", p.active),
        KeyFigure("Newcomers", p.newcomers.count),
        KeyFigure("Entries added", r.added),
        KeyFigure("Replies to prompts", report.rhythm.replies),
    ]


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    text = f"{value:.1f}" if unit.strip() in ("h", "%") else f"{value:g}"
    return f"{text}{unit}"


def _change(now: float | None, before: float | None, unit: str) -> str:
    if now is None or before is None:
        return ""
    delta = now - before
    if abs(delta) < 1e-9:
        return " (same as the week before)"
    sign = "+" if delta > 0 else "-"
    return f" ({sign}{_number(abs(delta), unit)} on the week before)"


def summary(current: HealthReport, previous: HealthReport) -> str:
    """One screen: the key figures of ``current`` with the change since ``previous``, then what needs care."""
    lines = [f"Community health, {current.window.since:%d %b} to {current.window.until:%d %b %Y}:"]
    for now, before in zip(key_figures(current), key_figures(previous), strict=True):
        lines.append(f"  {now.label}: {_number(now.value, now.unit)}{_change(now.value, before.value, now.unit)}")
    missing = [a.activity.replace("_", " ") for a in current.practice if a.trend == "missing"]
    if missing:
        lines.append(f"Not seen this week: {', '.join(missing)}.")
    lonely = [t for t in current.people.topics if t.answerers == 1]
    if lonely:
        names = ", ".join(t.topic + (f" ({t.sole_answerer})" if t.sole_answerer else "") for t in lonely[:5])
        lines.append(f"Topics only one person answers: {names}.")
    if current.repository.gaps:
        gaps = ", ".join(f"{g.topic} ({g.questions} open)" for g in current.repository.gaps[:3])
        lines.append(f"Open topics with few answerers: {gaps}.")
    return "\n".join(lines)


async def weekly_summary(
    session: AsyncSession, now: datetime, health: HealthSection, room: str | None, gaps: list[GapTopic]
) -> str:
    """The last 7 days against the 7 before them, as ``summary`` writes it."""
    window = Window.ending(now, WEEK, room)
    current = await build_report(session, window, health, gaps)
    previous = await build_report(session, window.previous(), health, [])
    return summary(current, previous)
