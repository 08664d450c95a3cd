"""Transcripts are decoded as CSV exports are (one function), and a file that is not text
gets an error that names it, says what was found and how to save it."""

from __future__ import annotations

from pathlib import Path

import pytest

from onstrategy.crm.calls import import_calls
from onstrategy.errors import InvalidInput
from onstrategy.ingest.importer import import_file
from onstrategy.ingest.reader import detect_encoding
from onstrategy.ingest.transcripts import parse_transcript, read_text
from onstrategy.store.connect import Store

SAID = "Café “Noir” says: it’s our €5 plan — really"
TRANSCRIPT = f"Anna Berg: {SAID}\nRick Palmer: Why that one?\n"


def test_a_windows_1252_transcript_reads_like_a_windows_1252_csv(
    store: Store, tmp_path: Path
) -> None:
    transcript = tmp_path / "call.txt"
    transcript.write_bytes(TRANSCRIPT.encode("cp1252"))
    csv = tmp_path / "accounts.csv"
    csv.write_bytes(f"Account ID,Account Name\na1,{SAID}\n".encode("cp1252"))
    assert detect_encoding(transcript) == detect_encoding(csv) == "cp1252"
    parsed = parse_transcript(transcript)
    assert parsed.utterances[0].text == SAID
    assert import_file(store=store, kind="accounts", path=csv).encoding == "cp1252"


def test_latin_1_and_utf8_with_a_bom(tmp_path: Path) -> None:
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Jörg Müller: Grüße\x81\n".encode("latin-1"))  # \x81: no cp1252 byte
    assert read_text(path=latin) == "Jörg Müller: Grüße\x81\n"
    bom = tmp_path / "bom.txt"
    bom.write_bytes("Anna: Café “Noir”\n".encode("utf-8-sig"))
    assert parse_transcript(bom).utterances[0].text == "Café “Noir”"


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (TRANSCRIPT.encode("utf-16"), "UTF-16 text"),
        (b"Anna: hello\x00\x01\x02\x03", "binary data"),
        (b"PK\x03\x04\x14\x00word/document.xml", "Word document"),
    ],
)
def test_a_file_that_is_not_text_gets_a_clear_error(
    tmp_path: Path, content: bytes, found: str
) -> None:
    path = tmp_path / "call.vtt"
    path.write_bytes(content)
    with pytest.raises(InvalidInput) as caught:
        parse_transcript(path)
    message = caught.value.message
    assert message.startswith(f"{path} is not a text transcript")
    assert found in message
    assert "save it as UTF-8 text (.txt, .vtt, .srt or .json)" in message


def test_an_unreadable_transcript_is_a_call_reject_that_says_how_to_fix_it(
    store: Store, tmp_path: Path
) -> None:
    (tmp_path / "t1.txt").write_bytes(TRANSCRIPT.encode("utf-16"))
    (tmp_path / "t2.txt").write_bytes(TRANSCRIPT.encode("cp1252"))
    result = import_calls(
        store=store,
        files=[tmp_path / "t1.txt", tmp_path / "t2.txt"],
        occurred_on="2026-03-02",
        seller=["Anna Berg"],
    )
    assert (result.inserted, result.rejected) == (1, 1)
    (reject,) = result.rejects
    assert (reject.file, reject.column) == ("t1.txt", "File")
    assert "UTF-16 text" in reject.reason
    assert "save it as UTF-8 text" in reject.reason
