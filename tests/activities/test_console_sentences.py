"""The console check: plain sentences covering the eleven activities are labelled right, confidently enough to act."""

from __future__ import annotations

from copbot.activities.recognition.recogniser import Recogniser
from copbot.config.settings import ActivitySection
from copbot.core.labels import Activity

A = Activity
SENTENCES: list[tuple[Activity, str]] = [
    (A.PROBLEM_SOLVING, "My sourdough starter stopped rising and I can't figure out why."),
    (A.PROBLEM_SOLVING, "The projector in room 4 keeps failing halfway through every lesson."),
    (A.REQUEST_FOR_INFORMATION, "Where can I find the form for claiming travel expenses?"),
    (A.REQUEST_FOR_INFORMATION, "Is there a guide to setting up the new rota software?"),
    (A.SEEKING_EXPERIENCE, "Has anyone dealt with a landlord who won't return the deposit?"),
    (A.SEEKING_EXPERIENCE, "In your experience, do reading buddies help shy children?"),
    (A.REUSING_ASSETS, "I made a seed-swap checklist last spring, feel free to use it."),
    (A.REUSING_ASSETS, "Happy to share our induction slides, no need to start from scratch."),
    (A.COORDINATION, "Shall we split the cost of the minibus for the trip?"),
    (A.COORDINATION, "Who can take the Tuesday evening shift at the food bank?"),
    (A.BUILDING_AN_ARGUMENT, "I need evidence to convince the council that the bike lane is safer."),
    (A.BUILDING_AN_ARGUMENT, "How do other schools justify a four-day week to parents?"),
    (A.GROWING_CONFIDENCE, "Can I get a sanity check on my grant budget before I submit it?"),
    (A.GROWING_CONFIDENCE, "Am I on the right track with this lesson plan?"),
    (A.DISCUSSING_DEVELOPMENTS, "What do you think of the new planning rules for allotments?"),
    (A.DISCUSSING_DEVELOPMENTS, "Has anyone read the latest report on nurse staffing? Interesting read."),
    (A.DOCUMENTING_PROJECTS, "This keeps coming up, let's write it down in the wiki."),
    (A.DOCUMENTING_PROJECTS, "For future reference, here are the meeting notes from the pilot."),
    (A.VISITS, "Could we visit your community kitchen to see how it runs?"),
    (A.VISITS, "You're welcome to drop by and see the orchard in action."),
    (A.IDENTIFYING_GAPS, "Who knows what about soil testing, and what are we missing as a group?"),
    (A.IDENTIFYING_GAPS, "Nobody here knows much about fundraising; we lack anyone with grant experience."),
]
"""Two plain sentences per activity, written for this check (not taken from the cue examples)."""


def test_all_twenty_two_plain_sentences_are_labelled_right_and_acted_on() -> None:
    recogniser = Recogniser()
    floor = ActivitySection().min_confidence
    misses = []
    for activity, text in SENTENCES:
        label = recogniser.label_message(text)
        if label.activity is not activity or label.confidence < floor:
            misses.append(f"{text!r}: {label.activity.value} {label.confidence:.2f} (wanted {activity.value})")
    assert {activity for activity, _ in SENTENCES} == set(Activity) - {Activity.OTHER}
    assert not misses, "\n".join(misses)
