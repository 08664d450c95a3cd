"""Open a CSV export the way people actually have them: any of the usual encodings and
delimiters, read as a stream so a million-row file needs little memory.

Anything that is not a CSV gets one clear error before a single row is touched.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from onstrategy.errors import InvalidInput

SNIFF_BYTES = 64 * 1024
SCAN_CHUNK = 1 << 20
DELIMITERS = ",;\t|"
# Bytes that Windows-1252 leaves undefined: a file with them can only be Latin-1.
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_SIGNATURES = {
    b"PK\x03\x04": "an Excel workbook or zip archive: save it as CSV (UTF-8) first",
    b"\xd0\xcf\x11\xe0": "an old Excel workbook: save it as CSV (UTF-8) first",
    b"%PDF": "a PDF document: export the records as CSV instead",
    b"\x1f\x8b": "a gzip archive: unpack it first",
}


@dataclass(frozen=True)
class CsvFormat:
    encoding: str
    delimiter: str
    size: int


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when every byte decodes, else Windows-1252 or Latin-1."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    undefined_cp1252 = False
    utf8_ok = True
    with path.open("rb") as handle:
        while chunk := handle.read(SCAN_CHUNK):
            if utf8_ok:
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    utf8_ok = False
            if not utf8_ok and not undefined_cp1252:
                undefined_cp1252 = _CP1252_UNDEFINED.search(chunk) is not None
            if not utf8_ok and undefined_cp1252:
                break
    if utf8_ok:
        return "utf-8-sig"
    return "latin-1" if undefined_cp1252 else "cp1252"


def _refuse_non_csv(path: Path, head: bytes) -> None:
    for magic, what in _SIGNATURES.items():
        if head.startswith(magic):
            raise InvalidInput(
                f"{path} is not a CSV file: it looks like {what.split(':')[0]}",
                what.split(": ", 1)[-1],
            )
    if b"\x00" in head:
        raise InvalidInput(
            f"{path} is not a CSV file (it contains binary data)",
            "export the records from your CRM as CSV; UTF-16 files must be saved as UTF-8",
        )
    stripped = head.lstrip(b"\xef\xbb\xbf \r\n\t")
    if stripped[:1] in (b"{", b"[") or stripped[:5].lower() == b"<?xml":
        raise InvalidInput(
            f"{path} is not a CSV file (it looks like JSON or XML)", "export the records as CSV"
        )


def detect_format(path: Path) -> CsvFormat:
    if not path.is_file():
        raise InvalidInput(f"{path}: file not found", "check the path")
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if not head.strip():
        raise InvalidInput(f"{path} is empty", "export the records again, with a header row")
    _refuse_non_csv(path, head)
    encoding = detect_encoding(path)
    sample = head.decode(encoding, errors="replace")
    return CsvFormat(encoding, _sniff_delimiter(sample), path.stat().st_size)


def _sniff_delimiter(sample: str) -> str:
    first_line = sample.splitlines()[0] if sample else ""
    try:
        return csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        counts = {d: first_line.count(d) for d in DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","  # a single-column file


class CountingReader(io.RawIOBase):
    """Wraps a binary file and counts bytes read, for a progress bar by bytes."""

    def __init__(self, raw: BinaryIO):
        self.raw = raw
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def, override]
        data = self.raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.bytes_read += n
        return n


@dataclass
class CsvStream:
    header: list[str]
    rows: Iterator[tuple[int, list[str]]]  # (1-based line number of the row, cells)
    counter: CountingReader
    format: CsvFormat


def open_csv(path: Path, handle: BinaryIO) -> CsvStream:
    """Stream rows of ``path`` (already open as ``handle``) with their line numbers."""
    fmt = detect_format(path)
    counter = CountingReader(handle)
    text = io.TextIOWrapper(io.BufferedReader(counter, 1 << 16), encoding=fmt.encoding, newline="")
    reader = csv.reader(text, delimiter=fmt.delimiter, strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as err:
        raise InvalidInput(
            f"{path}: cannot read the header row ({err})", "the first line must name the columns"
        ) from None
    header = [h.strip() for h in header]

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for cells in reader:
                if any(c.strip() for c in cells):
                    yield reader.line_num, cells
        except csv.Error as err:
            raise InvalidInput(
                f"{path}, line {reader.line_num}: broken CSV ({err})",
                "check the quoting on that line; nothing was imported",
            ) from None

    return CsvStream(header, rows(), counter, fmt)
