"""The health report as one self-contained, printable HTML page with inline SVG charts (no scripts, no links out)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from html import escape

from copbot.health import charts
from copbot.health.report import HealthReport
from copbot.health.window import Share

log = logging.getLogger(__name__)

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; } td, th { padding: .2rem .8rem .2rem 0; text-align: left; }
td.n { text-align: right; font-variant-numeric: tabular-nums; } th { border-bottom: 1px solid #999; }
.risk { color: #a00; } .note { color: #555; font-size: .9rem; } svg { max-width: 100%; height: auto; }
@media print { body { margin: 0; max-width: none; } section { break-inside: avoid; } }
"""


def _hours(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f} h"


def _share(share: Share) -> str:
    ratio = share.ratio
    return "n/a" if ratio is None else f"{100 * ratio:.0f}% ({share.count} of {share.total})"


def _table(headers: Sequence[str], rows: Sequence[Sequence[object]], numeric_from: int = 1) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=n' if index >= numeric_from else ''}>{escape(str(cell))}</td>"
            for index, cell in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _help(report: HealthReport, weeks: list[str]) -> str:
    h = report.help
    rows = [
        ("Help requests", h.requests),
        ("Got a reply from someone else", h.replied),
        ("Time to first reply, median (CHAOSS Time to First Response)", _hours(h.first_reply_median_hours)),
        ("Time to first reply, 90th percentile", _hours(h.first_reply_p90_hours)),
        ("Marked answered", h.solved),
        ("Time to answered, median (CHAOSS Time to Close)", _hours(h.solved_median_hours)),
        ("Time to answered, 90th percentile", _hours(h.solved_p90_hours)),
        ("Still unanswered after 1 day", _share(h.unanswered_1d)),
        ("Still unanswered after 7 days", _share(h.unanswered_7d)),
        ("Answered from the repository", _share(h.from_repository)),
    ]
    chart = charts.weekly_lines(
        "Help requests and active members per week",
        weeks,
        {"help requests": h.weekly, "active members": report.people.weekly_active},
    )
    return f"<section><h2>Help requests</h2>{_table(('Figure', 'Value'), rows)}{chart}</section>"


def _practice(report: HealthReport, weeks: list[str]) -> str:
    rows = [
        (a.activity.replace("_", " "), a.total, a.recent, a.before, a.trend)
        for a in sorted(report.practice, key=lambda a: -a.total)
    ]
    chart = charts.weekly_stack(
        "Messages per activity per week (CHAOSS Activity Dates and Times)",
        weeks,
        {a.activity.replace("_", " "): a.weekly for a in report.practice},
    )
    table = _table(("Activity", "In the period", "Last 28 days", "28 days before", "Trend"), rows)
    return f"<section><h2>The practice</h2>{chart}{table}</section>"


def _people(report: HealthReport) -> str:
    p = report.people
    new = p.newcomers
    summary = (
        f"<p>{p.active} people wrote in the period. {new.count} were new; of the {new.judged} who arrived at least "
        f"4 weeks ago, {new.returned} came back within 4 weeks.</p>"
    )
    levels = charts.bars("Levels of participation (Wenger)", list(p.levels), list(p.levels.values()))
    rows = [(t.topic, t.answerers, "yes" if t.answerers == 1 else "", t.sole_answerer or "") for t in p.topics]
    topics = _table(("Topic", "People answering", "One person only", "Who (if they agreed)"), rows)
    return (
        f"<section><h2>People</h2>{summary}{levels}<h3>Who answers each topic (CHAOSS Contributor Absence Factor)"
        f"</h3>{topics if rows else '<p>No accepted answers in the period.</p>'}</section>"
    )


def _repository(report: HealthReport) -> str:
    r = report.repository
    rows = [
        ("Entries added", r.added),
        ("Entries edited", r.edited),
        ("Entry views (different entries)", f"{r.viewed.times} ({r.viewed.entries})"),
        ("Suggestions for /ask (different entries)", f"{r.suggested.times} ({r.suggested.entries})"),
        ("Entries in all", r.entries),
        ("Stale entries", r.stale),
    ]
    gap_rows = [(g.topic, g.questions, g.answerers) for g in r.gaps]
    gaps = _table(("Open topic", "Questions waiting", "People answering"), gap_rows)
    return (
        f"<section><h2>The repository</h2>{_table(('Figure', 'Value'), rows)}"
        f"<h3>Open topics with many questions and few answerers</h3>"
        f"{gaps if r.gaps else '<p>None stands out.</p>'}</section>"
    )


def _rhythm(report: HealthReport) -> str:
    r = report.rhythm
    if not r.prompts:
        return "<section><h2>The rhythm</h2><p>No prompt was posted in the period.</p></section>"
    median = "n/a" if r.median_replies is None else f"{r.median_replies:g}"
    dates = [p.posted_at.date().isoformat() for p in r.prompts]
    chart = charts.points("Replies each prompt drew", dates, [p.replies for p in r.prompts])
    return (
        f"<section><h2>The rhythm</h2><p>{r.posted} prompts posted, {r.replies} replies in all, "
        f"a median of {median} per prompt.</p>{chart}</section>"
    )


def render(report: HealthReport, generated: datetime) -> str:
    """The whole page."""
    window = report.window
    weeks = [start.date().isoformat() for start in window.week_starts()]
    where = f", channel {escape(window.room)}" if window.room else ""
    title = f"Community health, {window.since:%d %b %Y} to {window.until:%d %b %Y}{where}"
    body = "".join(
        [_help(report, weeks), _practice(report, weeks), _people(report), _repository(report), _rhythm(report)]
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{STYLE}</style></head><body><h1>{title}</h1>"
        f'<p class="note">Made by copbot on {generated:%d %b %Y %H:%M %Z}. Figures count no bots and nobody who '
        f"opted out of capture; only members who agreed to be suggested are named.</p>{body}</body></html>\n"
    )
