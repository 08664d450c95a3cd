"""Open a CSV export the way people actually have them: any of the usual encodings and
delimiters, read as a stream so a million-row file needs little memory.

Anything that is not a CSV gets one clear error before a single row is touched.
:func:`read_text` reads other text files (call transcripts) with the same decoding rules.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from onstrategy.errors import InvalidInput

SNIFF_BYTES = 64 * 1024
SCAN_CHUNK = 1 << 20
DELIMITERS = ",;\t|"
# Bytes that Windows-1252 leaves undefined: a file with them can only be Latin-1.
_CP1252_UNDEFINED = re.compile(rb"[\x81\x8d\x8f\x90\x9d]")
_SIGNATURES = {  # first bytes -> (what the file looks like, what to do; {as_} the format)
    b"PK\x03\x04": ("an Excel workbook, Word document or zip archive", "save it as {as_} first"),
    b"\xd0\xcf\x11\xe0": ("an old Excel workbook or Word document", "save it as {as_} first"),
    b"%PDF": ("a PDF document", "export it as {as_} instead"),
    b"\x1f\x8b": ("a gzip archive", "unpack it first"),
}
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
CSV_FORMAT = "CSV (UTF-8)"


@dataclass(frozen=True)
class CsvFormat:
    encoding: str
    delimiter: str
    size: int


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) when every byte decodes, else Windows-1252 or Latin-1."""
    with path.open("rb") as handle:
        return encoding_of(iter(lambda: handle.read(SCAN_CHUNK), b""))


def encoding_of(chunks: Iterable[bytes]) -> str:
    """The encoding of the bytes ``chunks`` make up, by the rule of :func:`detect_encoding`:
    Latin-1 only when a byte Windows-1252 leaves undefined occurs anywhere."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8_ok, undefined_cp1252 = True, False
    for chunk in chunks:
        if utf8_ok:
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                utf8_ok = False
        undefined_cp1252 = undefined_cp1252 or _CP1252_UNDEFINED.search(chunk) is not None
        if not utf8_ok and undefined_cp1252:
            return "latin-1"
    if utf8_ok:
        try:
            decoder.decode(b"", final=True)  # a character cut off at the end
            return "utf-8-sig"
        except UnicodeDecodeError:
            pass
    return "latin-1" if undefined_cp1252 else "cp1252"


def read_text(*, path: Path, what: str, save_as: str) -> str:
    """A whole (small) text file, decoded as CSV exports are (:func:`encoding_of`).

    A binary file, a UTF-16 one, a workbook or a PDF raises one clear error: ``path`` is
    not ``what``, what it looks like, and to save it as ``save_as``.
    """
    try:
        data = path.read_bytes()
    except OSError as err:
        raise InvalidInput(f"{path}: cannot read ({err.strerror})", "check the path") from None
    refuse_binary(path, data[:SNIFF_BYTES], what=what, save_as=save_as)
    return data.decode(encoding_of([data]))


def refuse_binary(path: Path, head: bytes, *, what: str, save_as: str) -> None:
    """Fail when the first bytes of ``path`` show it is no text file in an 8-bit encoding."""
    for magic, (looks, action) in _SIGNATURES.items():
        if head.startswith(magic):
            raise InvalidInput(
                f"{path} is not {what}: it looks like {looks}", action.format(as_=save_as)
            )
    if head.startswith(_UTF16_BOMS) or b"\x00" in head:
        found = "UTF-16 text" if head.startswith(_UTF16_BOMS) else "binary data"
        raise InvalidInput(
            f"{path} is not {what} (it contains {found})",
            f"save it as {save_as}; UTF-16 files must be saved as UTF-8",
        )


def _refuse_non_csv(path: Path, head: bytes) -> None:
    refuse_binary(path, head, what="a CSV file", save_as=CSV_FORMAT)
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
