"""Calibrated confidence: a small monotone table from a raw score to the observed share of right labels."""

from __future__ import annotations

import bisect
import itertools
import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

logger = logging.getLogger(__name__)

CALIBRATION_FILE = "calibration.json"
"""The shipped tables, fitted on held-out labels of the earlier threads by benchmarks/fit_activity.py."""


@dataclass(frozen=True, slots=True)
class Calibration:
    """Piecewise-linear and non-decreasing through ``points`` (raw, calibrated); flat beyond the ends."""

    points: tuple[tuple[float, float], ...]

    def __call__(self, raw: float) -> float:
        """The calibrated confidence of a raw one, rounded to 3 places, in [0, 1]."""
        points = self.points
        if not points:
            return round(min(1.0, max(0.0, raw)), 3)
        at = bisect.bisect_left(points, (raw,))  # the first point whose raw value is at least ``raw``
        if at == 0:
            value = points[0][1]
        elif at == len(points):
            value = points[-1][1]
        else:
            (x0, y0), (x1, y1) = points[at - 1], points[at]
            value = y0 if x1 == x0 else y0 + (y1 - y0) * (raw - x0) / (x1 - x0)
        return round(min(1.0, max(0.0, value)), 3)

    def to_json(self) -> list[list[float]]:
        """The points, rounded, as JSON lists."""
        return [[round(x, 4), round(y, 4)] for x, y in self.points]

    @classmethod
    def from_json(cls, data: Sequence[Sequence[float]]) -> Calibration:
        """Rebuild a table from :meth:`to_json` output; raw values must increase and calibrated ones not fall."""
        points = tuple((float(x), float(y)) for x, y in data)
        if any(b[0] < a[0] or b[1] < a[1] for a, b in itertools.pairwise(points)):
            raise ValueError("calibration points must be sorted and non-decreasing")
        return cls(points)


IDENTITY = Calibration(())


def fit_isotonic(raw: Sequence[float], correct: Sequence[bool], *, min_block: int = 15) -> Calibration:
    """Isotonic regression (pool adjacent violators) of correctness on raw confidence.

    Blocks of fewer than ``min_block`` labels are pooled with a neighbour so the table stays small and stable;
    each block becomes one point at its mean raw confidence.
    """
    if len(raw) != len(correct) or not raw:
        raise ValueError("need as many correctness flags as confidences, and at least one")
    blocks: list[list[float]] = []  # [sum raw, sum correct, count]

    def pool_last_two() -> None:
        last = blocks.pop()
        for i in range(3):
            blocks[-1][i] += last[i]

    def violated(require_size: bool) -> bool:
        before, last = blocks[-2], blocks[-1]
        small = before[2] < min_block or (require_size and last[2] < min_block)
        return small or before[1] / before[2] >= last[1] / last[2]

    for x, ok in sorted(zip(raw, correct, strict=True)):
        blocks.append([x, float(ok), 1.0])
        while len(blocks) > 1 and violated(require_size=False):
            pool_last_two()
    while len(blocks) > 1 and violated(require_size=True):
        pool_last_two()
    return Calibration(tuple((s / n, c / n) for s, c, n in blocks))


@lru_cache(maxsize=4)
def load_default_calibration(name: str) -> Calibration:
    """The shipped table ``name`` ("cues" or "embeddings"); the identity (and a warning) if missing."""
    try:
        raw = resources.files("copbot.activities.recognition").joinpath(CALIBRATION_FILE).read_text(encoding="utf-8")
        data: dict[str, Any] = json.loads(raw)
        return Calibration.from_json(data["tables"][name])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        logger.warning("calibration %s from %s not loaded, confidences are raw: %s", name, CALIBRATION_FILE, exc)
        return IDENTITY
