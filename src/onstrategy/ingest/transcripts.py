"""Read call transcripts in the formats people have, into one list of utterances.

Formats (``fmt``), detected from the content when not given:

* ``text`` - ``Speaker: text`` lines, optionally led by a timestamp: ``[00:01:02]``,
  ``00:01:02``, ``01:02``, ``00:01:02.500`` or a range ``[00:01:02 - 00:01:09]``, or
  with the time after the name (``Anna [00:01:02]: text``). A line without ``Speaker:``
  continues the line before it (wrapped text).
* ``vtt`` - WebVTT. Teams puts the speaker in a voice tag (``<v Anna Berg>text</v>``), Zoom
  writes ``Anna Berg: text`` inside the cue. A cue without a speaker keeps the previous one.
* ``srt`` - SubRip, with ``Speaker: text`` in the cue.
* ``json`` - Whisper/WhisperX style segments ``{"segments": [{"speaker", "start", "end",
  "text"}]}`` or a bare list of them; times in seconds or ``hh:mm:ss``.

Each line, cue or segment becomes one :class:`Utterance`, in order; nothing is merged.
A file that cannot be read raises :class:`~onstrategy.errors.InvalidInput` naming the
file, the line (or JSON path) and what was expected there.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from onstrategy.errors import InvalidInput, Problem
from onstrategy.ingest import reader

TranscriptFormat = Literal["text", "vtt", "srt", "json"]
FORMATS: tuple[TranscriptFormat, ...] = ("text", "vtt", "srt", "json")

_TIME = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_TEXT_LINE = re.compile(
    rf"^\s*(?:\[?(?P<time>{_TIME})(?:\s*(?:-->|[-–])\s*(?P<until>{_TIME}))?\]?\s*[-–]?\s*)?"
    r"(?P<speaker>[^\s:\[\]<>][^:\[\]<>]{0,79}?)"
    rf"\s*(?:[\[(](?P<after>{_TIME})[\])])?\s*:(?:\s+(?P<text>.*\S))?\s*$"
)
_CUE_TIMING = re.compile(rf"^\s*(?P<start>{_TIME})\s*-->\s*(?P<end>{_TIME})(?:\s.*)?$")
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?\s+(?P<speaker>[^>]+)>(?P<text>.*?)(?:</v>|$)", re.DOTALL)
_TAG = re.compile(r"</?[^>]*>")
_MAX_SPEAKER_WORDS = 6
_NOT_NAME_WORDS = (
    "the a an so and but or is are was were we i it this that here there what how why when "
    "thing things note question answer well ok okay yes no um uh then also because if one "
    "example like just actually basically remember look listen"
)
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split())


@dataclass(frozen=True)
class Utterance:
    """One line, cue or segment of a transcript: who said what, and when if known (seconds)."""

    speaker: str
    text: str
    start: float | None = None
    end: float | None = None
    line: int | None = None


@dataclass(frozen=True)
class Transcript:
    """A parsed call: its utterances in the order spoken, and where they came from."""

    source: str
    format: TranscriptFormat
    utterances: tuple[Utterance, ...]

    @property
    def speakers(self) -> list[str]:
        """Speakers in order of first appearance."""
        return list(dict.fromkeys(u.speaker for u in self.utterances))

    @property
    def timed(self) -> bool:
        """True when every utterance has a start time."""
        return bool(self.utterances) and all(u.start is not None for u in self.utterances)


def parse_transcript(
    path_or_text: str | Path, *, fmt: TranscriptFormat | None = None, source: str | None = None
) -> Transcript:
    """Parse a transcript file (a :class:`~pathlib.Path`) or transcript text (a ``str``)."""
    if isinstance(path_or_text, Path):
        text, name = read_text(path=path_or_text), source or str(path_or_text)
    else:
        text, name = path_or_text, source or "<text>"
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    chosen = fmt or detect_format(text=text)
    if chosen not in FORMATS:
        raise InvalidInput(f"{name}: unknown transcript format {chosen!r}", _format_hint())
    utterances = tuple(_PARSERS[chosen](text, name))
    if not utterances:
        raise InvalidInput(f"{name}: no utterances found", _format_hint())
    return Transcript(source=name, format=chosen, utterances=utterances)


def read_text(*, path: Path) -> str:
    """The file's text, decoded as CSV exports are: UTF-8 (with or without BOM), else
    Windows-1252, else Latin-1. A binary or UTF-16 file gets an error that says what it
    looks like and how to save it (in the message, which call rejects keep)."""
    try:
        return reader.read_text(path=path, what="a text transcript", save_as=_SAVE_AS)
    except InvalidInput as err:
        raise InvalidInput(f"{err.message}: {err.hint}", _format_hint()) from None


def detect_format(*, text: str) -> TranscriptFormat:
    """Guess the format from the first lines."""
    head = text.lstrip()
    if head.startswith("WEBVTT"):
        return "vtt"
    if re.match(r"\{|\[\s*[{\]]", head):
        return "json"
    for line in head.splitlines()[:5]:
        if _CUE_TIMING.match(line) and ": " not in line:  # cue settings are `align:start`
            return "srt" if "," in line.split("-->")[0] else "vtt"
    return "text"


def parse_seconds(value: str) -> float:
    """``01:02`` -> 62.0, ``00:01:02.500`` -> 62.5, ``00:01:02,500`` -> 62.5."""
    parts = value.strip().replace(",", ".").split(":")
    seconds = 0.0
    for part in parts:
        seconds = seconds * 60 + float(part)
    return round(seconds, 3)


_SAVE_AS = "UTF-8 text (.txt, .vtt, .srt or .json)"


def _format_hint() -> str:
    return (
        "expected `Speaker: text` lines (optionally `[hh:mm:ss]` first), WebVTT, SRT, "
        "or JSON segments with speaker/start/end/text"
    )


def _parse_text(text: str, source: str) -> Iterator[Utterance]:
    last: Utterance | None = None
    seen: set[str] = set()
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        match = _TEXT_LINE.match(raw)
        if match and _speaker_like(match["speaker"]) and _starts_turn(match, seen):
            if last is not None and last.text:
                yield last
            last = _text_utterance(match, number)
            seen.add(last.speaker)
        elif last is not None:
            last = replace(last, text=f"{last.text} {raw.strip()}".strip())
        else:
            raise _line_error(
                source, number, raw, "`Speaker: text` (optionally `[hh:mm:ss]` first)"
            )
    if last is not None and last.text:
        yield last


def _starts_turn(match: re.Match[str], seen: set[str]) -> bool:
    """``Name: text`` starts a turn; a bare ``Name:`` only for a speaker already heard (a
    wrapped sentence may end in a colon)."""
    return bool(match["text"]) or match["speaker"].strip() in seen


def _text_utterance(match: re.Match[str], number: int) -> Utterance:
    stamp = match["time"] or match["after"]
    start = parse_seconds(stamp) if stamp else None
    end = parse_seconds(match["until"]) if match["until"] else None
    return Utterance(match["speaker"].strip(), (match["text"] or "").strip(), start, end, number)


def _speaker_like(name: str) -> bool:
    """A speaker label is short and is not a clock time or the start of a sentence.

    ``So here's the thing: ...`` and ``Note: ...`` continue the text; ``Anna Berg``,
    ``anna.berg@acme.com``, ``Speaker 1`` and ``SPEAKER_00`` are speakers.
    """
    words = name.split()
    if not 0 < len(words) <= _MAX_SPEAKER_WORDS or re.fullmatch(r"[\d:.,\s]+", name):
        return False
    return not any(w.casefold() in _NOT_NAMES or re.search(r"'[a-z]", w) for w in words)


def _line_error(source: str, number: int, raw: str, expected: str) -> InvalidInput:
    shown = raw.strip()[:60]
    return InvalidInput(
        f"{source}, line {number}: expected {expected}, got {shown!r}",
        _format_hint(),
        [Problem(f"{source}:{number}", f"expected {expected}", "")],
    )


def _cues(text: str) -> Iterator[tuple[int, float, float, list[str]]]:
    """``(line, start, end, payload lines)`` for each cue of a VTT or SRT file."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        match = _CUE_TIMING.match(lines[i])
        if match is None:
            i += 1
            continue
        payload, j = [], i + 1
        while j < len(lines) and lines[j].strip():
            payload.append(lines[j].strip())
            j += 1
        yield i + 1, parse_seconds(match["start"]), parse_seconds(match["end"]), payload
        i = j


def _parse_cues(text: str, source: str) -> Iterator[Utterance]:
    speaker: str | None = None
    found = False
    for number, start, end, payload in _cues(text):
        found = True
        for who, said in _cue_parts(payload):
            speaker = who or speaker
            if speaker is None:
                raise _line_error(
                    source, number + 1, said, "a speaker (`<v Name>text` or `Name: text`)"
                )
            if said:
                yield Utterance(speaker, said, start, end, number)
    if not found:
        raise InvalidInput(
            f"{source}, line 1: expected cues with a timing line "
            "`00:00:01.000 --> 00:00:04.000`, found none",
            _format_hint(),
        )


def _cue_parts(payload: list[str]) -> Iterator[tuple[str | None, str]]:
    """Split a cue into ``(speaker or None, text)``: voice tags, then ``Name: text`` lines."""
    joined = "\n".join(payload)
    voices = list(_VOICE.finditer(joined))
    if voices:
        for voice in voices:
            yield voice["speaker"].strip(), _clean(voice["text"])
        return
    speaker: str | None = None
    words: list[str] = []
    for line in payload:
        match = _TEXT_LINE.match(_TAG.sub("", line).lstrip("- "))
        if match and not match["time"] and _speaker_like(match["speaker"]):
            if words:
                yield speaker, " ".join(words)
            speaker, words = match["speaker"].strip(), [(match["text"] or "").strip()]
        else:
            words.append(_clean(line))
    if words:
        yield speaker, " ".join(w for w in words if w)


def _clean(text: str) -> str:
    return " ".join(_TAG.sub("", text).split())


def _parse_json(text: str, source: str) -> Iterator[Utterance]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidInput(
            f"{source}, line {err.lineno}: not valid JSON ({err.msg})", _format_hint()
        ) from None
    segments = data.get("segments") if isinstance(data, dict) else data
    if not isinstance(segments, list):
        raise InvalidInput(
            f"{source}: expected a list of segments or an object with `segments`", _format_hint()
        )
    for index, segment in enumerate(segments):
        yield _segment(segment, f"{source}: segments[{index}]")


def _segment(segment: Any, where: str) -> Utterance:
    if not isinstance(segment, dict):
        raise InvalidInput(f"{where}: expected an object with speaker and text", _format_hint())
    labels = (segment.get(key) for key in ("speaker", "speaker_name", "spk"))
    speaker = next((label for label in labels if label is not None), None)  # 0 is a speaker
    text = segment.get("text")
    if not isinstance(speaker, str | int) or not str(speaker).strip():
        raise InvalidInput(f"{where}: missing `speaker`", "label speakers (e.g. WhisperX diarize)")
    if not isinstance(text, str):
        raise InvalidInput(f"{where}: missing `text`", _format_hint())
    start, end = _json_time(segment.get("start"), where), _json_time(segment.get("end"), where)
    return Utterance(str(speaker).strip(), " ".join(text.split()), start, end, None)


def _json_time(value: Any, where: str) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str) and re.fullmatch(_TIME, value.strip()):
        return parse_seconds(value)
    raise InvalidInput(f"{where}: time {value!r} is not seconds or hh:mm:ss", _format_hint())


_PARSERS = {"text": _parse_text, "vtt": _parse_cues, "srt": _parse_cues, "json": _parse_json}
