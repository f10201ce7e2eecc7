"""Cues for what a message does (asks, reports), not its topic: asking in a later sentence, reporting, shapes."""

from __future__ import annotations

import pytest

from copbot.activities.recognition.cues import asks_a_question, asks_in_a_sentence
from copbot.activities.recognition.model import features, fit
from copbot.activities.recognition.recogniser import REPORT_CHARS, Recogniser
from copbot.core.labels import Activity


def test_a_question_in_a_later_sentence_counts_as_asking_but_a_question_mark_does_not() -> None:
    text = "I set the bed up last week. Is it normal that the soil stays wet?"
    assert not asks_a_question(text)
    assert asks_in_a_sentence(text)
    assert not asks_in_a_sentence("The soil stays wet? Odd.")
    assert not asks_in_a_sentence("We moved the meeting. Have a nice day")  # "have" opens no question here


def test_a_report_and_a_later_question_is_a_weak_help_request_not_other() -> None:
    label = Recogniser(use_model=False).label_message("I set the bed up last week. Is it normal that it stays wet?")
    assert label.activity is Activity.REQUEST_FOR_INFORMATION
    assert label.confidence < 0.5  # no cue names it: it labels, it never acts


def test_reporting_what_does_not_happen_is_a_problem() -> None:
    recogniser = Recogniser(use_model=False)
    for text in (
        "The issue I'm having is that the rota isn't being saved after I edit it",
        "The behaviour I see is not as expected when the timer runs out",
        "I don't seem to get the projector working with my laptop",
    ):
        assert recogniser.label_message(text).activity is Activity.PROBLEM_SOLVING, text


def test_a_long_opening_with_no_cue_is_weakly_a_seeker_and_a_short_one_is_other() -> None:
    recogniser = Recogniser()
    long = "We moved the seedlings into the greenhouse on Monday and watered them twice a day. " * 3
    assert len(long) >= REPORT_CHARS
    label = recogniser.label_thread([long])
    assert label.activity in (Activity.PROBLEM_SOLVING, Activity.REQUEST_FOR_INFORMATION)
    assert label.confidence < 0.5
    assert recogniser.label_thread(["We moved the seedlings on Monday."]).activity is Activity.OTHER


def test_shape_features_mark_traces_code_links_and_length_and_the_model_learns_them() -> None:
    trace = "it stops with\nFooException: bad\n\tat a.b.C.run(C.java:1)"
    assert {"<trace>"} <= features(trace)
    assert {"<code>", "<link>"} <= features("see `x = 1` at https://example.org")
    assert "<long>" in features("word " * 100) and "<long>" not in features("word")
    assert not any(f.startswith("<") for f in features("how do I plant this?"))
    model = fit([trace, "it crashes, " + trace], ["where is the guide?", "how do I start?"])
    assert model.weights["<trace>"] > 0


def test_the_model_reads_how_others_answer() -> None:
    problems = [["it stopped", "have you tried again after the update?"], ["odd result", "still broken? try again"]]
    informations = [["the guide?", "see the docs, there is an example"], ["which one", "see the example in the guide"]]
    model = fit(problems, informations)
    opening = "about the rota"
    assert model.log_odds(opening, ["have you tried again?"]) > model.log_odds(opening)
    assert model.log_odds(opening, ["see the example in the docs"]) < model.log_odds(opening)


def test_a_message_alone_is_scored_as_an_opening_not_as_a_thread_nobody_answered() -> None:
    problems = [["it stopped", "have you tried again?"], ["odd result", "try again"], ["broken"]]
    informations = [["the guide?", "see the docs"], ["which one", "see the example"]]
    model = fit(problems, informations)
    opening_only = fit([p[0] for p in problems], [i[0] for i in informations])
    assert model.reply_bias != 0.0
    assert model.log_odds("it stopped") == opening_only.log_odds("it stopped")
    assert model.log_odds("it stopped", ["ok"]) == model.log_odds("it stopped") + model.reply_bias


def test_asking_whether_others_have_done_it_and_how_it_went_is_seeking_experience() -> None:
    recogniser = Recogniser()
    for text in (
        "Has anyone here grown peppers in a cold greenhouse? How did it go?",
        "Has anybody built a raised bed on clay soil?",
        "Have any of you run a seed swap before?",
        "We switched the ward rota to self-scheduling. How did that work out for yours?",
    ):
        label = recogniser.label_message(text)
        assert label.activity is Activity.SEEKING_EXPERIENCE and label.confidence >= 0.5, (text, label)
    assert recogniser.label_message("How did the cat get in here?").activity is not Activity.SEEKING_EXPERIENCE


PLAIN_SENTENCES = (
    # Contractions are read as the words they stand for.
    ("What's the best time of year to divide rhubarb?", Activity.REQUEST_FOR_INFORMATION),
    ("Who's the go-to person for the lathe?", Activity.IDENTIFYING_GAPS),
    ("I've uploaded our induction checklist to the drive", Activity.REUSING_ASSETS),
    # Written for the console check of 2026-12-03 (benchmarks/README.md), in several practices' words.
    ("For those of you who've taught evening classes, what surprised you most?", Activity.SEEKING_EXPERIENCE),
    ("Sharing our induction checklist, use it for your group if you like", Activity.REUSING_ASSETS),
    ("Can I run my planting plan past you before I order the seeds?", Activity.GROWING_CONFIDENCE),
    ("Did you see the new rules on peat-free compost? What do you think it means for us?",
     Activity.DISCUSSING_DEVELOPMENTS),
    ("Update on the pond project: liner is in, planting starts next week", Activity.DOCUMENTING_PROJECTS),
    ("I've written up how we built the rainwater harvester so others can follow it", Activity.DOCUMENTING_PROJECTS),
    ("We're organising a trip to the seed bank in May, who's in?", Activity.VISITS),
    ("None of us really knows how to prune fruit trees, should we get someone in to teach us?",
     Activity.IDENTIFYING_GAPS),
    ("What skills are we missing as a group before we take on the orchard?", Activity.IDENTIFYING_GAPS),
    ("We keep getting questions about bees that nobody here can answer", Activity.IDENTIFYING_GAPS),
    # The held-out misses of 2026-12-03, read by the cues of 2026-12-04.
    ("Let's decide who brings the timber", Activity.COORDINATION),
    ("Can someone swap shifts with me on Friday?", Activity.COORDINATION),
    ("What does that mean for our club?", Activity.DISCUSSING_DEVELOPMENTS),
    ("I've written up the steps we used for the kiln firing", Activity.DOCUMENTING_PROJECTS),
    ("Nobody on the team has done manual handling training", Activity.IDENTIFYING_GAPS),
)  # fmt: skip


@pytest.fixture(scope="module")
def shipped() -> Recogniser:
    """One recogniser with the shipped cues and models for the whole table (its score cache is keyed by text)."""
    return Recogniser()


@pytest.mark.parametrize(("text", "activity"), PLAIN_SENTENCES)
def test_plain_sentences_say_what_they_do_whatever_the_practice(
    shipped: Recogniser, text: str, activity: Activity
) -> None:
    label = shipped.label_message(text)
    assert label.activity is activity and label.confidence >= 0.5, label


def test_asking_for_an_update_is_not_documenting_a_project() -> None:
    recogniser = Recogniser()
    assert recogniser.label_message("Any update on the pond project?").activity is not Activity.DOCUMENTING_PROJECTS


def test_what_am_i_missing_asks_for_help_and_names_no_gap_of_the_group() -> None:
    recogniser = Recogniser()
    mine = recogniser.label_message("I adjusted the cable twice and the chain still slips, what am I missing?")
    assert mine.activity is not Activity.IDENTIFYING_GAPS, mine
    ours = recogniser.label_message("What are we missing as a group before we take on the orchard?")
    assert ours.activity is Activity.IDENTIFYING_GAPS, ours
