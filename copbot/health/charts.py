"""SVG charts of the health report, drawn offline with matplotlib's SVG backend (no pyplot, no global state)."""

from __future__ import annotations

import io
import logging
from collections.abc import Sequence
from typing import Any

import matplotlib
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

log = logging.getLogger(__name__)

STYLE: dict[Any, Any] = {
    "svg.fonttype": "none",  # text stays text: smaller, selectable, printable
    "svg.hashsalt": "copbot",  # the same report draws the same ids
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
SIZE = (7.5, 2.8)
"""Inches: fits an A4 or Letter page in portrait."""


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    FigureCanvasSVG(figure)
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def _week_labels(weeks: Sequence[str]) -> list[str]:
    return [f"{week[8:10]}/{week[5:7]}" for week in weeks]


def weekly_lines(title: str, weeks: Sequence[str], series: dict[str, Sequence[int]]) -> str:
    """One line per series over the calendar weeks (``weeks`` are ISO dates of Mondays)."""
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=SIZE)
        figure.subplots_adjust(left=0.07, right=0.98, top=0.88, bottom=0.22)
        axes = figure.add_subplot()
        positions = list(range(len(weeks)))
        for name, values in series.items():
            axes.plot(positions, list(values), marker="o", markersize=3, label=name)
        step = max(1, len(weeks) // 14)
        axes.set_xticks(positions[::step], _week_labels(weeks)[::step])
        axes.set_title(title, loc="left")
        axes.set_ylim(bottom=0)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.tick_params(axis="x", labelrotation=45)
        if len(series) > 1:
            axes.legend(frameon=False, fontsize=8)
        return _svg(figure)


def weekly_stack(title: str, weeks: Sequence[str], series: dict[str, Sequence[int]]) -> str:
    """Stacked areas per week, one colour per series, the legend beside the chart."""
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(SIZE[0], SIZE[1] + 0.8))
        figure.subplots_adjust(left=0.07, right=0.72, top=0.9, bottom=0.18)
        axes = figure.add_subplot()
        positions = list(range(len(weeks)))
        colours = matplotlib.colormaps["tab20"]
        axes.stackplot(
            positions, *[list(v) for v in series.values()], labels=list(series),
            colors=[colours(n) for n in range(len(series))],
        )  # fmt: skip
        step = max(1, len(weeks) // 14)
        axes.set_xticks(positions[::step], _week_labels(weeks)[::step])
        axes.set_title(title, loc="left")
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.tick_params(axis="x", labelrotation=45)
        axes.legend(frameon=False, fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        return _svg(figure)


def bars(title: str, labels: Sequence[str], values: Sequence[float]) -> str:
    """Horizontal bars (a few: levels, not one per prompt) with their values written at the end."""
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=(SIZE[0], 0.3 * len(labels) + 0.8))
        figure.subplots_adjust(left=0.15, right=0.95, top=0.8, bottom=0.1)
        axes = figure.add_subplot()
        positions = list(range(len(labels)))
        drawn = axes.barh(positions, list(values), color="#4c72b0")
        axes.set_yticks(positions, list(labels))
        axes.invert_yaxis()
        axes.bar_label(drawn, padding=3, fmt="%g")
        axes.set_title(title, loc="left")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        return _svg(figure)


def points(title: str, dates: Sequence[str], values: Sequence[float]) -> str:
    """One value per dated item (replies per prompt), as a stem chart over time; ``dates`` are ISO dates."""
    with matplotlib.rc_context(STYLE):
        figure = Figure(figsize=SIZE)
        figure.subplots_adjust(left=0.07, right=0.98, top=0.88, bottom=0.22)
        axes = figure.add_subplot()
        positions = list(range(len(dates)))
        axes.vlines(positions, 0, list(values), color="#4c72b0")
        axes.plot(positions, list(values), "o", color="#4c72b0", markersize=3)
        step = max(1, len(dates) // 14)
        axes.set_xticks(positions[::step], _week_labels(dates)[::step])
        axes.set_title(title, loc="left")
        axes.set_ylim(bottom=0)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.tick_params(axis="x", labelrotation=45)
        return _svg(figure)
