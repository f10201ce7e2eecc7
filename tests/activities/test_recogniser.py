"""Tests for the practice-activity recogniser: cues per activity, threads, config cues, thanks."""

from __future__ import annotations

import time

import pytest

from copbot.activities.labelling import THREAD_LABEL_UPTO
from copbot.activities.recognition.cues import CUES, looks_like_thanks
from copbot.activities.recognition.recogniser import THREAD_READ, Recogniser
from copbot.activities.recognition.scan import first_chars
from copbot.core.labels import Activity

A = Activity

EXAMPLES: dict[Activity, list[str]] = {
    A.PROBLEM_SOLVING: [
        "I'm stuck on this, any ideas?",
        "My tomato leaves are turning yellow and curling, what am I doing wrong?",
        "The infusion pump keeps failing with an occlusion alarm even after we reprime the line",
        "After upgrading to 2.3 the app fails to start with a NoSuchMethodError, any idea why?",
        "We're having a real problem with Year 9 behaviour after lunch, nothing seems to work",
    ],
    A.REQUEST_FOR_INFORMATION: [
        "Where can I find the new safeguarding policy?",
        "Is there a guide for setting up the raised beds?",
        "Does anyone know where the wound care protocol is kept?",
        "What is the best way to store seeds over winter?",
        "How do I configure the port for the management endpoints?",
    ],
    A.SEEKING_EXPERIENCE: [
        "Has anyone dealt with a parent who refuses to sign the consent form?",
        "Has anybody tried companion planting with marigolds against aphids",
        "In your experience, does bedside handover work on a busy ward",
        "Anyone have experience running a mentoring scheme for new teachers",
    ],
    A.REUSING_ASSETS: [
        "I have a template from last year you can tweak",
        "Feel free to use my lesson plans for the fractions unit",
        "Happy to share our discharge checklist, no need to reinvent the wheel",
        "Here's mine, you can adapt it for your allotment plot",
    ],
    A.COORDINATION: [
        "Can we combine our purchases?",
        "Let's pool our orders for compost and split the delivery cost",
        "Who can cover the Saturday shift at the community garden?",
        "Could we coordinate the mock exams so they don't clash",
    ],
    A.BUILDING_AN_ARGUMENT: [
        "How do other countries do this?",
        "I need evidence to support a second nurse on nights, management wants numbers",
        "Help me make the case to the head for smaller reading groups",
        "What do other schools do about phones in class",
    ],
    A.GROWING_CONFIDENCE: [
        "Before I do it, I'll run it past you",
        "Can I get a sanity check on this care plan before I submit it",
        "Am I on the right track with this pruning plan",
        "Does this email to parents sound okay",
    ],
    A.DISCUSSING_DEVELOPMENTS: [
        "What do you think of the new curriculum framework?",
        "Thoughts on the latest NICE guidance on sepsis?",
        "Have you seen the new hosepipe rules that were just announced",
        "Interesting article on no-dig gardening, what do people think about it",
    ],
    A.DOCUMENTING_PROJECTS: [
        "We have faced this five times, let's write it down",
        "This keeps coming up, we should add it to the wiki",
        "For future reference, here's a write-up of how we fixed the rota",
        "Let's document what we learned from the pilot, lessons learned and all",
    ],
    A.VISITS: [
        "Can we come and see your programme?",
        "Would a site visit to your ward be possible next month",
        "Could I shadow your reading intervention for a morning",
        "You're welcome to drop by and see the polytunnel in action",
    ],
    A.IDENTIFYING_GAPS: [
        "Who knows what, and what are we missing?",
        "We should do a skills audit, nobody here knows much about grant writing",
        "Who is our go-to person for diabetes education",
        "What are we missing in our induction for new staff",
    ],
    A.OTHER: [
        "Good morning everyone!",
        "Happy Friday all, have a lovely weekend",
        "Congratulations on the new baby!",
        "haha that's brilliant",
    ],
}


@pytest.fixture(scope="module")
def recogniser() -> Recogniser:
    return Recogniser()


def test_activity_ids_are_exactly_the_issue_ids() -> None:
    assert [a.value for a in Activity] == [
        "problem_solving", "request_for_information", "seeking_experience", "reusing_assets",
        "coordination", "building_an_argument", "growing_confidence", "discussing_developments",
        "documenting_projects", "visits", "identifying_gaps", "other",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("activity", "text"), [(activity, text) for activity, texts in EXAMPLES.items() for text in texts]
)
def test_each_activity_is_recognised(recogniser: Recogniser, activity: Activity, text: str) -> None:
    label = recogniser.label_message(text)
    assert label.activity is activity, label
    assert 0.0 < label.confidence <= 1.0
    assert label.reason


def test_reason_names_the_cue_and_activity(recogniser: Recogniser) -> None:
    label = recogniser.label_message("I'm stuck on this, any ideas?")
    assert label.reason.startswith('cue "')
    assert "(problem_solving)" in label.reason
    assert label.confidence > 0.5


def test_no_cue_is_other_with_low_confidence(recogniser: Recogniser) -> None:
    label = recogniser.label_message("the bus was late today")
    assert (label.activity, label.reason) == (Activity.OTHER, "no cue matched") and label.confidence < 0.2


def test_thread_opening_dominates(recogniser: Recogniser) -> None:
    thread = [
        "Where can I find the new phonics guidance?",
        "Try the shared drive under curriculum",
        "I had a problem with that folder too, it kept crashing",
    ]
    assert recogniser.label_thread(thread).activity is A.REQUEST_FOR_INFORMATION


def test_thread_later_messages_help_after_a_bare_greeting(recogniser: Recogniser) -> None:
    thread = ["Hi everyone!", "Has anyone dealt with powdery mildew on courgettes?", "Yes, milk spray"]
    label = recogniser.label_thread(thread)
    assert label.activity is A.SEEKING_EXPERIENCE
    assert "message 2" in label.reason


def test_thread_replies_break_a_weak_opening(recogniser: Recogniser) -> None:
    opening = "quick one about Monday"
    alone = recogniser.label_thread([opening])
    with_replies = recogniser.label_thread([opening, "let's schedule a meeting", "who can take Monday?"])
    assert alone.activity is not A.COORDINATION
    assert with_replies.activity is A.COORDINATION


def test_thanks_replies_do_not_change_the_thread(recogniser: Recogniser) -> None:
    base = ["How do I request annual leave in the new system?"]
    assert recogniser.label_thread([*base, "thanks, that worked!"]) == recogniser.label_thread(base)


def test_a_thread_is_read_as_far_as_the_bot_relabels_it(recogniser: Recogniser) -> None:
    opening = ["quick one about Monday"] + ["ok"] * (THREAD_READ - 1)
    late = [*opening, "let's schedule a meeting", "who can take Monday?"]
    assert THREAD_READ == THREAD_LABEL_UPTO
    assert recogniser.label_thread(late) == recogniser.label_thread(opening)


@pytest.mark.parametrize(
    "text",
    [
        "What's your take on moving the allotment AGM online?",
        "It would be nice if the rota showed who swapped shifts, WDYT?",
        "Would it make sense to split the beginners' session in two?",
        "Just a suggestion: the glossary could link to the examples.",
    ],
)
def test_asking_for_opinions_and_proposing_changes_is_discussing_developments(
    recogniser: Recogniser, text: str
) -> None:
    label = recogniser.label_message(text)
    assert label.activity is A.DISCUSSING_DEVELOPMENTS and label.confidence >= 0.5, label


def test_it_would_be_great_if_someone_helped_is_not_a_proposal(recogniser: Recogniser) -> None:
    label = recogniser.label_message("It would be great if someone could help me, the build keeps failing")
    assert label.activity is A.PROBLEM_SOLVING, label


def test_empty_thread_is_other(recogniser: Recogniser) -> None:
    assert recogniser.label_thread([]).activity is A.OTHER


def test_extra_cues_from_config_take_effect() -> None:
    text = "anyone up for a seed swap at the allotment"
    assert Recogniser().label_message(text).activity is not A.COORDINATION
    configured = Recogniser(extra_cues={"coordination": ["seed swap", "Working Bee"]})
    label = configured.label_message(text)
    assert label.activity is A.COORDINATION
    assert 'cue "seed swap" (coordination)' in label.reason
    assert configured.label_message("working   bee on Sunday!").activity is A.COORDINATION


def test_extra_cues_are_literal_phrases_not_regex() -> None:
    configured = Recogniser(extra_cues={"visits": ["open day (farm)"]})
    assert configured.label_message("see you at the open day (farm) then").activity is A.VISITS
    assert configured.label_message("a. b c").activity is A.OTHER


def test_unknown_activity_id_in_config_is_named() -> None:
    with pytest.raises(ValueError, match="gossip"):
        Recogniser(extra_cues={"gossip": ["did you hear"]})


def test_cue_list_given_as_string_is_rejected() -> None:
    with pytest.raises(ValueError, match="list"):
        Recogniser(extra_cues={"visits": "come and see"})


def test_unknown_language_is_rejected() -> None:
    with pytest.raises(ValueError, match="xx"):
        Recogniser(language="xx")


def test_cues_are_keyed_by_language_and_cover_every_activity() -> None:
    assert set(CUES["en"]) == set(Activity)


def test_first_chars_is_exact_or_unknown() -> None:
    assert first_chars(r"(?:a|bc)?d") == {"a", "b", "d"}
    assert first_chars(r"stuck") == {"s"}
    assert first_chars(r"(?:ab|)c") is None
    assert first_chars(r"\w+") is None
    for cues in CUES.values():
        for patterns in cues.values():
            assert all(first_chars(pattern) for pattern, _ in patterns)


@pytest.mark.parametrize(
    "text",
    ["thanks!", "Thank you so much", "ty", "Cheers, that worked", "solved it, you're a star",
     "That did the trick", "perfect, works now", "thx"],
)  # fmt: skip
def test_thanks_positives(text: str) -> None:
    assert looks_like_thanks(text)


@pytest.mark.parametrize(
    "text",
    ["Thanks in advance!", "any ideas? thanks in advance", "thank you for any help",
     "thanks but it still fails", "that didn't work", "the tyre is flat", "Where can I find it?",
     "it's still not working"],
)  # fmt: skip
def test_thanks_negatives(text: str) -> None:
    assert not looks_like_thanks(text)


def test_thanks_in_advance_plus_real_thanks_counts() -> None:
    assert looks_like_thanks("thanks in advance was premature - thank you, that fixed it")


def test_label_message_is_fast(recogniser: Recogniser) -> None:
    texts = [text for texts in EXAMPLES.values() for text in texts] * 50
    start = time.perf_counter()
    for text in texts:
        recogniser.label_message(text)
    rate = len(texts) / (time.perf_counter() - start)
    assert rate > 2000, f"only {rate:.0f} messages/s"
