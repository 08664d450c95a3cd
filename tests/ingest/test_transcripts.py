"""Transcripts in: the formats people have, each line one utterance, errors that say where."""

from __future__ import annotations

from pathlib import Path

import pytest

from onstrategy.errors import InvalidInput
from onstrategy.ingest.transcripts import parse_seconds, parse_transcript

DATA = Path(__file__).resolve().parents[1] / "data" / "transcripts"
CONSULTATIVE = ["consultative.txt", "consultative.teams.vtt", "consultative.zoom.vtt",
                "consultative.srt", "consultative.json"]  # fmt: skip


@pytest.mark.parametrize("name", CONSULTATIVE)
def test_every_format_gives_the_same_utterances_in_order(name: str) -> None:
    reference = parse_transcript(DATA / "consultative.txt")
    transcript = parse_transcript(DATA / name)
    assert [(u.speaker, u.text) for u in transcript.utterances] == [
        (u.speaker, u.text) for u in reference.utterances
    ]
    assert transcript.speakers == ["Maya Chen", "David Okafor"]
    assert transcript.timed


@pytest.mark.parametrize(
    ("name", "fmt"),
    [("consultative.txt", "text"), ("consultative.teams.vtt", "vtt"),
     ("consultative.srt", "srt"), ("pitch.json", "json")],
)  # fmt: skip
def test_format_is_detected_from_content(name: str, fmt: str) -> None:
    assert parse_transcript(DATA / name).format == fmt


def test_teams_voice_tag_names_the_speaker_and_joins_wrapped_lines() -> None:
    transcript = parse_transcript(DATA / "consultative.teams.vtt")  # has a BOM too
    third = transcript.utterances[2]
    assert third.speaker == "Maya Chen"
    assert third.text.startswith("Before I say anything about us, I'd love to understand")
    assert (third.start, third.end) == (6.0, 11.4)


def test_consecutive_lines_of_one_speaker_are_not_merged() -> None:
    text = "Anna: Hello.\nAnna: What are your goals?\nBo: Growth.\nAnna: Why growth?\n"
    transcript = parse_transcript(text)
    assert [u.text for u in transcript.utterances] == [
        "Hello.", "What are your goals?", "Growth.", "Why growth?"
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("line", "start"),
    [("[00:01:02] Anna: hi", 62.0), ("00:01:02 Anna: hi", 62.0), ("01:02 Anna: hi", 62.0),
     ("00:01:02.500 Anna: hi", 62.5), ("Anna [00:01:02]: hi", 62.0), ("Anna: hi", None),
     ("[00:01:02 - 00:01:09] Anna: hi", 62.0)],
)  # fmt: skip
def test_text_timestamps(line: str, start: float | None) -> None:
    utterance = parse_transcript(line).utterances[0]
    assert (utterance.speaker, utterance.text, utterance.start) == ("Anna", "hi", start)


def test_bom_crlf_blank_lines_emails_and_wrapped_lines() -> None:
    text = (
        "\ufeffanna.berg@acme.com: Thanks for joining.\r\n\r\n"
        "Bo Lind (Globex): Sure: glad to.\r\nStill Bo, wrapped.\r\n"
    )
    transcript = parse_transcript(text)
    assert transcript.speakers == ["anna.berg@acme.com", "Bo Lind (Globex)"]
    assert transcript.utterances[1].text == "Sure: glad to. Still Bo, wrapped."
    assert transcript.utterances[1].line == 3


def test_zoom_vtt_speaker_inside_cue_and_cue_without_speaker_keeps_the_last() -> None:
    vtt = (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:04.000\nAnna Berg: How do you route leads?\n\n"
        "2\n00:00:04.000 --> 00:00:06.000\nand who owns that?\n"
    )
    transcript = parse_transcript(vtt)
    assert [(u.speaker, u.text) for u in transcript.utterances] == [
        ("Anna Berg", "How do you route leads?"), ("Anna Berg", "and who owns that?")
    ]  # fmt: skip


def test_srt_times_use_a_comma() -> None:
    srt = "1\r\n00:00:01,000 --> 00:00:04,250\r\nAnna: hi\r\n"
    utterance = parse_transcript(srt).utterances[0]
    assert (utterance.start, utterance.end) == (1.0, 4.25)


def test_whisperx_segments_with_clock_times() -> None:
    text = '[{"speaker": "SPEAKER_00", "start": "00:00:01.5", "end": 3, "text": " hi "}]'
    utterance = parse_transcript(text).utterances[0]
    assert (utterance.speaker, utterance.text, utterance.start, utterance.end) == (
        "SPEAKER_00", "hi", 1.5, 3.0
    )  # fmt: skip


def test_plain_prose_names_the_file_line_and_what_was_expected(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("\n\nMeeting notes from Tuesday\nAnna: hi\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as err:
        parse_transcript(path)
    assert str(path) in err.value.message
    assert "line 3" in err.value.message
    assert "Speaker: text" in err.value.message


def test_cue_without_any_speaker_is_an_error_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "call.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:02,000\nhello there\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"call\.srt, line 3: expected a speaker"):
        parse_transcript(path)


def test_broken_json_says_which_line(tmp_path: Path) -> None:
    path = tmp_path / "call.json"
    path.write_text('{"segments": [\n {"speaker": "A", "text": "hi"},\n oops\n]}', encoding="utf-8")
    with pytest.raises(InvalidInput, match=r"call\.json, line 3: not valid JSON"):
        parse_transcript(path)


def test_json_segment_without_speaker_names_the_segment() -> None:
    with pytest.raises(InvalidInput, match=r"segments\[1\]: missing `speaker`"):
        parse_transcript('{"segments": [{"speaker": "A", "text": "hi"}, {"text": "yo"}]}')


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot read"):
        parse_transcript(tmp_path / "nope.vtt")


def test_parse_seconds() -> None:
    assert parse_seconds("01:02") == 62.0
    assert parse_seconds("1:00:01,250") == 3601.25


def test_a_sentence_with_a_colon_is_not_a_new_speaker() -> None:
    text = "Anna Berg: Let me explain.\nSo here's the thing: we need pipeline.\nBo O'Neil: ok\n"
    transcript = parse_transcript(text)
    assert transcript.speakers == ["Anna Berg", "Bo O'Neil"]
    assert transcript.utterances[0].text == (
        "Let me explain. So here's the thing: we need pipeline."
    )


def test_an_empty_turn_of_a_known_speaker_is_not_glued_to_the_previous_one() -> None:
    text = "Anna: do you\nBo: yes\nAnna:\nBo: ok\nAnna: the answer is:\nwe ship Monday"
    utterances = parse_transcript(text, fmt="text").utterances
    assert [(u.speaker, u.text) for u in utterances] == [
        ("Anna", "do you"), ("Bo", "yes"), ("Bo", "ok"),
        ("Anna", "the answer is: we ship Monday"),
    ]  # fmt: skip


def test_numeric_speaker_zero_in_json_segments() -> None:
    text = ('{"segments": [{"speaker": 0, "start": 0, "end": 1, "text": "hi"},'
            ' {"speaker": 1, "start": 1, "end": 2, "text": "hello"}]}')  # fmt: skip
    utterances = parse_transcript(text, fmt="json").utterances
    assert [u.speaker for u in utterances] == ["0", "1"]
