"""Practice-activity ids and the label the recogniser gives a message or thread."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

logger = logging.getLogger(__name__)


class Activity(StrEnum):
    """What members of a community of practice are doing in a message or thread (stable ids)."""

    PROBLEM_SOLVING = "problem_solving"
    """"I'm stuck on this, any ideas?" """
    REQUEST_FOR_INFORMATION = "request_for_information"
    """"Where can I find ...?" """
    SEEKING_EXPERIENCE = "seeking_experience"
    """"Has anyone dealt with ...?" """
    REUSING_ASSETS = "reusing_assets"
    """"I have a template from last year you can tweak." """
    COORDINATION = "coordination"
    """"Can we combine our purchases?" """
    BUILDING_AN_ARGUMENT = "building_an_argument"
    """"How do other countries do this?" """
    GROWING_CONFIDENCE = "growing_confidence"
    """"Before I do it, I'll run it past you." """
    DISCUSSING_DEVELOPMENTS = "discussing_developments"
    """"What do you think of the new ...?" """
    DOCUMENTING_PROJECTS = "documenting_projects"
    """"We have faced this five times, let's write it down." """
    VISITS = "visits"
    """"Can we come and see your programme?" """
    IDENTIFYING_GAPS = "identifying_gaps"
    """"Who knows what, and what are we missing?" """
    OTHER = "other"
    """Social talk and anything that is none of the above."""


def parse_activity(value: str) -> Activity:
    """Return the activity with id ``value``; raise ValueError naming it if there is none."""
    try:
        return Activity(value.strip().lower())
    except ValueError:
        known = ", ".join(a.value for a in Activity)
        raise ValueError(f"unknown activity id {value!r}; known ids: {known}") from None


@dataclass(frozen=True, slots=True)
class Label:
    """An activity with a confidence in [0, 1] and a human-readable reason (the cue that matched)."""

    activity: Activity
    confidence: float
    reason: str

    def __post_init__(self) -> None:
        if not isinstance(self.activity, Activity):
            object.__setattr__(self, "activity", parse_activity(str(self.activity)))
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence must be between 0 and 1, got {self.confidence!r}")

    def as_dict(self) -> dict[str, str | float]:
        """A JSON-ready form: activity id, confidence rounded to 3 places, reason."""
        return {
            "activity": self.activity.value,
            "confidence": round(self.confidence, 3),
            "reason": self.reason,
        }
