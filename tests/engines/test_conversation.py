"""Consultative-selling analysis: questions without punctuation, acts, metrics, the score."""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from onstrategy.engines.acts import build_lexicon, classify_act, classify_need
from onstrategy.engines.conversation import ConsultativeTargets, analyze_call
from onstrategy.engines.questions import classify_question
from onstrategy.errors import InvalidInput
from onstrategy.ingest.transcripts import Transcript, Utterance, parse_transcript

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data" / "transcripts"
MRDA = REPO.parent / "shared" / "data" / "dialogue-acts" / "mrda.psv"


def _call(name: str, seller: str) -> tuple[Transcript, list[str]]:
    return parse_transcript(DATA / name), [seller]


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("what are your priorities for next year", "open"),
        ("so um how do you decide which accounts to call", "open"),
        ("uh why did that deal slip", "open"),
        ("tell me about your team", "open"),
        ("walk me through the hand off from marketing", "open"),
        ("can you describe how the renewal works", "open"),
        ("yeah so what about the healthcare segment", "open"),
        ("do you use salesforce today", "closed"),
        ("is the budget approved", "closed"),
        ("could we meet on tuesday", "closed"),
        ("have you looked at the churn numbers", "closed"),
        ("does anna own the decision", "closed"),
        ("who signs off on this", "closed"),
        ("how many reps do you have", "closed"),
        ("when is the renewal", "closed"),
        ("is it the price or the timing", "closed"),
        ("do do you track win rates by segment", "closed"),
        ("okay and then what happens after the lead is qualified", "open"),
        ("what keeps you up at night", "open"),
        ("could you say more about that", "open"),
        ("i'm curious how you ended up with salesforce", "open"),
        ("anything else i should know", "open"),
        ("any questions so far", "closed"),
        ("how are you doing today", "closed"),
    ],
)
def test_questions_without_punctuation(text: str, kind: str) -> None:
    assert classify_question(text) == kind


@pytest.mark.parametrize(
    "text",
    [
        "what i mean is we need more pipeline",
        "how about we pick this up on friday",
        "i wonder if that is the real issue",
        "when we get the data we will know",
        "which is fine by me",
        "how we do it today is mostly spreadsheets",
        "what happens is the lead sits in a queue",
        "what i'm hearing is that routing is the bottleneck",
        "we grew thirty percent last year",
        "right",
        "okay",
    ],
)
def test_statements_are_not_questions(text: str) -> None:
    assert classify_question(text) is None


def test_a_question_mark_is_a_hint_for_declarative_questions() -> None:
    assert classify_question("you have a renewal in march") is None
    assert classify_question("you have a renewal in March?") == "closed"


def test_acts_of_single_utterances() -> None:
    assert classify_act("what keeps you up at night about pipeline", question="open") == (
        "discovery"
    )
    assert classify_act("we're seeing companies like yours cut ramp time by a third") == "insight"
    assert classify_act("have you considered routing by segment", question="closed") == "insight"
    assert classify_act("our platform has forty dashboards out of the box") == "pitch"
    assert classify_act("pricing is ninety dollars per user per month") == "pitch"
    assert classify_act("can you see my screen", question="closed") == "other"
    assert classify_act("does that make sense", question="closed") == "other"
    assert classify_act("did you have a good weekend", question="closed") == "other"
    assert classify_act("so what i'm hearing is that the reps don't trust the data") == (
        "discovery"
    )
    assert classify_act("in our experience the biggest lever is the first month") == "insight"
    assert classify_act("today i want to walk you through our new release") == "pitch"
    assert classify_need("our goal is to double healthcare revenue") == "objective"
    assert classify_need("we struggle to get reps to follow up") == "problem"
    assert classify_need("the weather is lovely") is None


def test_the_lexicon_file_is_checked_strictly() -> None:
    with pytest.raises(ValidationError):
        build_lexicon(
            data={"acts": {"discovery": {"strong": ["goal*"], "strnog": []}}, "needs": {}}
        )
    lexicon = build_lexicon(data={"acts": {"pitch": {"strong": ["widget*"]}}, "needs": {}})
    assert classify_act("our widgets are great", lexicon=lexicon) == "pitch"
    assert classify_need("we have a problem", lexicon=lexicon) is None


def test_discovery_call_is_consultative_and_pitch_call_is_not() -> None:
    good = analyze_call(parse_transcript(DATA / "consultative.teams.vtt"), sellers=["Maya Chen"])
    bad = analyze_call(parse_transcript(DATA / "pitch.txt"), sellers=["rick"])
    assert good.metrics["acts"]["discovery"] > good.metrics["acts"]["pitch"]
    assert good.metrics["acts"]["insight"] >= 2
    assert bad.metrics["acts"]["pitch"] > 2 * bad.metrics["acts"]["discovery"]
    assert good.score >= 80 > 40 >= bad.score
    assert good.metrics["customer_objectives"] >= 1
    assert good.metrics["customer_problems"] >= 2


def test_acts_on_the_sample_calls() -> None:
    good = analyze_call(parse_transcript(DATA / "consultative.txt"), sellers=["Maya Chen"])
    by_text = {u.text[:30]: u for u in good.utterances}
    assert by_text["Have you considered tying the "].act == "insight"
    assert by_text["One thing we've noticed with c"].act == "insight"
    assert by_text["Walk me through what happens w"].act == "discovery"
    assert by_text["Walk me through what happens w"].question == "open"
    assert by_text["Our platform can show routing "].act == "pitch"
    assert by_text["Shall I send over a short summ"].act == "other"
    assert all(u.act is None for u in good.utterances if u.role == "customer")


def test_score_reasons_add_up_and_explain_each_component() -> None:
    analysis = analyze_call(parse_transcript(DATA / "pitch.json"), sellers=["SPEAKER_00"])
    components = [r.component for r in analysis.reasons]
    assert components == ["talk_ratio", "questions", "open_questions", "discovery", "insight",
                          "pitch", "monologue"]  # fmt: skip
    assert round(sum(r.points for r in analysis.reasons)) == analysis.score
    pitch = analysis.reasons[5]
    assert pitch.points == 0
    assert "pitch" in pitch.message


def test_timestamps_give_time_basis_and_patience() -> None:
    timed = analyze_call(parse_transcript(DATA / "consultative.srt"), sellers=["Maya Chen"])
    assert timed.metrics["talk_ratio_basis"] == "time"
    assert timed.metrics["patience_seconds"] == pytest.approx(0.6, abs=0.01)
    assert timed.metrics["questions_per_hour"] > 100
    assert timed.metrics["interactivity_per_minute"] > 1


def test_without_timestamps_talk_is_counted_in_words() -> None:
    analysis = analyze_call(parse_transcript(DATA / "pitch.txt"), sellers=["Rick Palmer"])
    metrics = analysis.metrics
    assert metrics["talk_ratio_basis"] == "words"
    assert metrics["talk_ratio"] == pytest.approx(190 / 217, abs=0.001)
    assert metrics["longest_monologue_basis"] == "words"
    assert metrics["patience_seconds"] is None
    assert metrics["questions_per_hour"] is None


def test_questions_survive_removing_punctuation() -> None:
    transcript = parse_transcript(DATA / "consultative.txt")
    stripped = Transcript(
        transcript.source,
        transcript.format,
        tuple(
            Utterance(u.speaker, re.sub(r"[?.,!]", "", u.text).lower(), u.start, u.end)
            for u in transcript.utterances
        ),
    )
    with_marks = analyze_call(transcript, sellers=["Maya Chen"]).metrics
    without = analyze_call(stripped, sellers=["Maya Chen"]).metrics
    assert without["questions"] == with_marks["questions"] == 13
    assert without["questions_open"] == with_marks["questions_open"]


def test_sellers_match_by_email_first_name_or_explicit_role() -> None:
    transcript = parse_transcript(DATA / "consultative.txt")
    by_email = analyze_call(transcript, sellers=["maya.chen@northwind.example"])
    assert by_email.roles == {"Maya Chen": "seller", "David Okafor": "customer"}
    by_role = analyze_call(transcript, seller_role_by_speaker={"David Okafor": "seller"})
    assert by_role.roles["David Okafor"] == "seller"


def test_no_seller_lists_the_speakers() -> None:
    with pytest.raises(InvalidInput) as err:
        analyze_call(parse_transcript(DATA / "pitch.json"), sellers=["Someone Else"])
    assert "SPEAKER_00, SPEAKER_01" in err.value.message
    assert "--seller" in err.value.hint


def test_targets_forbid_unknown_keys_and_can_be_overridden() -> None:
    with pytest.raises(ValidationError):
        ConsultativeTargets.model_validate({"talk_ratio": 0.4, "talk_rato": 0.5})
    with pytest.raises(ValidationError):
        ConsultativeTargets(questions_min=20, questions_max=10)
    transcript = parse_transcript(DATA / "pitch.txt")
    strict = analyze_call(transcript, sellers=["rick"])
    lenient = analyze_call(
        transcript, sellers=["rick"], targets=ConsultativeTargets(pitch_share_max=0.8)
    )
    assert lenient.score == strict.score + 10


@pytest.mark.realdata
@pytest.mark.skipif(not MRDA.exists(), reason="../shared/data is not here")
def test_question_detection_on_real_meeting_speech_without_punctuation() -> None:
    spec = importlib.util.spec_from_file_location(
        "bench_questions_accuracy", REPO / "benchmarks" / "bench_questions_accuracy.py"
    )
    assert spec
    assert spec.loader
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # dataclasses look their module up
    spec.loader.exec_module(bench)
    rows = [row for row in bench.read_rows(MRDA) if row.split == "test"]
    plain = bench.evaluate(rows, punctuation=False)
    worded = bench.evaluate(rows, punctuation=False, min_words=3)
    worded_form = bench.evaluate(rows, punctuation=False, intonation_only=False)
    marked = bench.evaluate(rows, punctuation=True)
    speaking = bench.turns(rows)
    # The levels reached (test split: P 0.82, R 0.47, F1 0.60; 3+ words F1 0.71; with
    # punctuation F1 0.94; whole turns 0.94 punctuated, 0.54 not): the F1 0.85
    # without punctuation is NOT met - declarative questions ("you have spare headsets")
    # and one-word checks ("right?") differ from statements only in pitch.
    assert plain.precision >= 0.80
    assert plain.f1 >= 0.58
    assert worded.f1 >= 0.69
    assert worded_form.f1 >= 0.76  # questions that only intonation marks left out
    assert plain.type_accuracy >= 0.95
    assert marked.f1 >= 0.93
    assert bench.evaluate(speaking, punctuation=True).f1 >= 0.93
    assert bench.evaluate(speaking, punctuation=False).f1 >= 0.52


def test_the_demo_companys_consultative_calls_outscore_its_pitch_calls() -> None:
    from onstrategy.demo import generate_demo  # another team's generator: calls we did not write

    company = generate_demo(scale=0.2)
    scores: dict[bool, list[int]] = {True: [], False: []}
    for call in company.rows["calls"]:
        text = company.transcripts[call["File"]]
        analysis = analyze_call(
            parse_transcript(text, source=call["File"]), sellers=[call["Seller"]]
        )
        scores["walk me through" in text.lower() or "tell me about" in text.lower()].append(
            analysis.score
        )
    mean = {kind: sum(values) / len(values) for kind, values in scores.items() if values}
    assert mean[True] > mean[False] + 20
