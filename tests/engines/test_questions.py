"""Question detection beyond the first words: weak forms, a full stop, and the neighbours."""

from __future__ import annotations

import pytest

from onstrategy.engines.questions import classify_question, detect_questions


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("really", "closed"),
        ("what", "closed"),
        ("sorry what", "closed"),
        ("with what", "closed"),
        ("you're not on the mailing list or what", "closed"),
        ("you mean the renewal in march", "closed"),
        ("this is the eighteen gig drive or is it the thirty six", "closed"),
        ("why not", "open"),
        ("what's it made of", "open"),
        ("what's that", "open"),
        ("what if the champion leaves", "open"),
        ("what else is going on", "open"),
        ("what kind of data is that", "open"),
        ("which is it", "closed"),
    ],
)
def test_short_checks_and_fragments_without_punctuation(text: str, kind: str) -> None:
    assert classify_question(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "really.",
        "what.",
        "you mean the renewal in march.",
        "which is the english net",
        "what happened was that they bought all the racks",
        "what would be nice is if we met on friday",
        "what's great about this is it is systematic",
        "what that means is we have an hour of data",
        "what one would expect is more pipeline",
        "do it",
        "do the same thing for the west region",
    ],
)
def test_statements_that_look_like_questions(text: str) -> None:
    assert classify_question(text) is None


def test_a_lone_or_continues_the_speakers_question() -> None:
    texts = ["do you want to go first", "or", "we can start"]
    assert detect_questions(texts, ["rep", "rep", "buyer"]) == ["closed", "closed", None]


def test_a_lone_or_handing_over_the_floor_is_a_question() -> None:
    texts = ["we could start with the west region", "or", "the east is fine too"]
    assert detect_questions(texts, ["rep", "rep", "buyer"])[1] == "closed"
    assert detect_questions(texts, ["rep", "rep", "rep"])[1] is None


def test_a_transcript_that_marks_questions_is_trusted_on_full_stops() -> None:
    texts = [
        "Do you use Salesforce today?",
        "Is the budget approved?",
        "Is that the only team using it.",
        "Walk me through the hand-off.",
    ]
    speakers = ["rep"] * 4
    assert detect_questions(texts, speakers) == ["closed", "closed", None, "open"]
    unmarked = [text.rstrip("?.") for text in texts]
    assert detect_questions(unmarked, speakers) == ["closed", "closed", "closed", "open"]


def test_texts_and_speakers_must_line_up() -> None:
    with pytest.raises(ValueError, match="same length"):
        detect_questions(["do you"], [])


def test_a_transcript_that_puts_full_stops_on_its_questions_is_not_trusted_on_them() -> None:
    texts = ["Do you use Salesforce today.", "Is the budget approved.", "Is that right?"]
    assert detect_questions(texts, ["rep", "rep", "rep"]) == ["closed", "closed", "closed"]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("That makes sense. How do you decide which accounts to call?", "open"),
        ("Got it, thanks. Who signs off on it? We can wait.", "closed"),
        ("we looked at the p. file format", None),
        ("that makes sense so how do you decide which accounts to call", "open"),
        ("we tried that before but is the budget still there", "closed"),
        ("we grew thirty percent so the team is bigger now", None),
    ],
)
def test_a_question_later_in_a_speakers_turn(text: str, kind: str | None) -> None:
    assert classify_question(text) == kind


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("How are you measuring whether that's working?", "open"),
        ("how is your team handling the migration", "open"),
        ("how are you doing today", "closed"),
        ("how was your weekend", "closed"),
    ],
)
def test_a_greeting_prefix_does_not_make_a_real_question_small_talk(text: str, kind: str) -> None:
    assert classify_question(text) == kind
