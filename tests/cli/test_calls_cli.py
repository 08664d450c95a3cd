"""`onstrategy calls analyze`: the table, the JSON shape, and the errors a user sees."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from onstrategy.cli.main import app

DATA = Path(__file__).resolve().parents[1] / "data" / "transcripts"
runner = CliRunner()


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["calls", "analyze", *args])
    return result.exit_code, result.output


def test_json_has_metrics_and_one_utterance_per_line_in_order() -> None:
    code, out = _run(str(DATA / "consultative.txt"), "--seller", "Maya Chen", "--json")
    assert code == 0, out
    doc = json.loads(out)
    lines = [line for line in (DATA / "consultative.txt").read_text().splitlines() if line]
    assert len(doc["utterances"]) == len(lines)
    assert [u["text"] for u in doc["utterances"][:2]] == [
        "Hi David, thanks for making the time today.", "Of course, happy to."
    ]  # fmt: skip
    first = doc["utterances"][0]
    assert set(first) >= {"speaker", "role", "text", "start", "end", "question", "act"}
    assert (first["role"], first["start"], first["end"]) == ("seller", 0.0, None)
    assert {u["role"] for u in doc["utterances"]} == {"seller", "customer"}
    assert all(u["act"] is None for u in doc["utterances"] if u["role"] == "customer")
    assert {u["act"] for u in doc["utterances"] if u["role"] == "seller"} <= {
        "discovery", "insight", "pitch", "other"
    }  # fmt: skip
    assert {u["question"] for u in doc["utterances"]} == {None, "open", "closed"}
    assert isinstance(doc["metrics"]["consultative_score"], int)
    assert doc["metrics"]["talk_ratio_basis"] == "time"
    assert next(r["component"] for r in doc["reasons"]) == "talk_ratio"


def test_several_files_give_json_lines_and_seller_repeats() -> None:
    code, out = _run(
        str(DATA / "consultative.teams.vtt"), str(DATA / "pitch.srt"), str(DATA / "pitch.json"),
        "--seller", "maya.chen@northwind.example", "--seller", "Rick Palmer",
        "--seller", "SPEAKER_00", "--json",
    )  # fmt: skip
    assert code == 0, out
    docs = [json.loads(line) for line in out.splitlines()]
    assert len(docs) == 3
    assert docs[0]["metrics"]["consultative_score"] > docs[1]["metrics"]["consultative_score"]
    assert docs[2]["speakers"] == {"SPEAKER_00": "seller", "SPEAKER_01": "customer"}


def test_table_shows_each_call_with_its_score_and_reasons() -> None:
    code, out = _run(str(DATA / "pitch.txt"), "--seller", "Rick")
    assert code == 0, out
    assert "pitch.txt" in out
    assert "score" in out
    assert "words" in out  # no timestamps: talk measured in words


def test_no_seller_fails_listing_the_speakers() -> None:
    code, out = _run(str(DATA / "pitch.json"))
    text = " ".join(out.split())
    assert code == 1
    assert "no seller found" in text
    assert "SPEAKER_00, SPEAKER_01" in text
    assert "--seller" in text


def test_unreadable_file_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "minutes.txt"
    path.write_text("Minutes of the weekly meeting\n", encoding="utf-8")
    code, out = _run(str(path), "--seller", "x")
    text = " ".join(out.split())
    assert code == 1
    assert "minutes.txt, line 1: expected `Speaker: text`" in text
