"""English cue phrases for each practice activity (one module per family), small talk, and English thanks."""

from __future__ import annotations

from copbot.activities.recognition import cues_en_help as H
from copbot.activities.recognition import cues_en_plans as P
from copbot.activities.recognition import cues_en_sharing as S
from copbot.activities.recognition.cues_en_help import Cue
from copbot.core.labels import Activity

__all__ = ["EN_CUES", "EN_THANKS", "Cue"]

A = Activity

# Small talk: greetings, wishes, jokes (matched like the other cues, see cues_en_help).
OTHER: tuple[Cue, ...] = (
    (
        r"(?:hi|hello|hey|hiya|howdy|good (?:morning|afternoon|evening)|greetings)(?: (?:all|"
        r"everyone|everybody|guys|folks|team|there|people))?[\s!,.:)]*\Z",
        1.0,
    ),
    (r"(?:welcome|congrat\w*|happy (?:birthday|friday|holidays|new year|easter|weekend)|merry christmas)\b", 1.5),
    (r"(?:have a (?:good|great|nice|lovely) (?:day|weekend|week|evening|holiday))", 1.5),
    (r"(?:lol|haha\w*|lmao|rofl|:d|xd)\b", 0.75),
    (r"(?:how(?:'s| is| are) (?:everyone|everybody|you all|it going|things)|how are you)", 1.5),
    (r"(?:coffee|lunch|drinks|party|celebrat\w+|social|cake|weather)\b", 0.5),
    (r"(?:nice to meet|glad to be here|just joined|introduce myself|new here)", 1.5),
)
"""Cues of social chat, which is no practice activity."""

EN_CUES: dict[Activity, tuple[Cue, ...]] = {
    # The order matters: cues of equal weight are tried in this order at one position.
    A.PROBLEM_SOLVING: H.PROBLEM_SOLVING,
    A.REQUEST_FOR_INFORMATION: H.REQUEST_FOR_INFORMATION,
    A.SEEKING_EXPERIENCE: S.SEEKING_EXPERIENCE,
    A.REUSING_ASSETS: S.REUSING_ASSETS,
    A.COORDINATION: P.COORDINATION,
    A.BUILDING_AN_ARGUMENT: S.BUILDING_AN_ARGUMENT,
    A.GROWING_CONFIDENCE: S.GROWING_CONFIDENCE,
    A.DISCUSSING_DEVELOPMENTS: P.DISCUSSING_DEVELOPMENTS,
    A.DOCUMENTING_PROJECTS: P.DOCUMENTING_PROJECTS,
    A.VISITS: S.VISITS,
    A.IDENTIFYING_GAPS: S.IDENTIFYING_GAPS,
    A.OTHER: OTHER,
}
"""The English cue table: activity to (pattern, weight) cues; see the family modules for how they are written."""

EN_THANKS: tuple[str, str] = (
    # positive: gratitude or a report that the answer worked
    r"\b(?:thanks?|thank ?(?:you|u)|thx|tnx|ty|tysm|cheers|much appreciated|appreciate (?:it|that|"
    r"your help)|"
    r"(?:that|this|it) (?:worked|works|did it|did the trick|fixed it|helped|solved it)|"
    r"(?:solved|fixed|sorted|resolved) (?:it|now|!)|problem solved|works now|working now|all sorted|"
    r"you(?:'re| are) (?:a )?(?:star|legend|lifesaver|life saver)|saved my (?:day|life|bacon))\b",
    # negative: thanks that come before any answer
    r"\b(?:thanks?|thank ?(?:you|u)|thx|ty|cheers)(?: a lot| so much| very much)?,? (?:in advance|"
    r"ahead of time|for (?:any|your) (?:help|input|ideas|advice|replies|"
    r"suggestions)(?: in advance)?|for reading)\b|"
    r"\bno thanks\b|\bthanks? but (?:it|that|this) (?:did ?n[o']?t|does ?n[o']?t|still)|"
    r"\b(?:still|not) (?:working|solved|fixed)\b|\bdid ?n[o']?t (?:work|help)\b",
)
