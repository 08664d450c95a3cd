"""`onstrategy match --to REFERENCE.csv --from QUERIES.csv [--json]`: match one file to another.

Each file needs a header row with ``id`` (optional: the 1-based row number stands in) and
at least one of ``name``, ``domain``, ``website``, ``email``; ``city``, ``state`` and
``country`` help break ties; other columns are ignored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import typer
from rich.table import Table

from onstrategy.cli.common import console, print_jsonl
from onstrategy.engines.matching import AccountIndex, MatchRecord, MatchResult
from onstrategy.errors import InvalidInput
from onstrategy.ingest.reader import SNIFF_BYTES, detect_encoding, open_csv

FIELDS = ("id", "name", "domain", "website", "email", "city", "state", "country")
USABLE = ("name", "domain", "website", "email")
ALIASES = {
    "company": "name",
    "company_name": "name",
    "account": "name",
    "account_name": "name",
    "organization": "name",
    "organisation": "name",
    "url": "website",
    "web": "website",
    "web_site": "website",
    "homepage": "website",
    "email_address": "email",
    "e_mail": "email",
    "mail": "email",
    "domain_name": "domain",
    "province": "state",
    "region": "state",
}
EXPECTED = "id, name, domain, website, email, city, state, country"


def _column(header: str) -> str:
    text = header.replace("\ufeff", "").replace("ï»¿", "")  # a BOM read as text
    key = "_".join(text.strip().lower().replace("-", " ").split())
    return ALIASES.get(key, key)


def read_records(path: Path) -> Iterator[MatchRecord]:
    """The rows of a CSV file as match records (ids default to the 1-based row number).

    The file and its header are checked at once; the rows are read as they are consumed.
    """
    if not path.is_file():
        raise InvalidInput(f"{path}: file not found", f"give a CSV file with columns {EXPECTED}")
    if _single_column(path):
        header, rows = _read_single_column(path)
        return _records(path, header, rows)
    handle = path.open("rb")
    try:
        stream = open_csv(path, handle)
        return _records(path, stream.header, (cells for _, cells in stream.rows))
    except BaseException:
        handle.close()
        raise


def _single_column(path: Path) -> bool:
    """A plain list with one column ("name") has no delimiter for the CSV reader to find."""
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    first = head.split(b"\n", 1)[0]
    return bool(first.strip()) and b"\x00" not in head and not any(d in first for d in b",;\t|")


def _read_single_column(path: Path) -> tuple[list[str], Iterator[list[str]]]:
    lines = path.read_text(encoding=detect_encoding(path)).splitlines()
    return [lines[0].strip()], iter([[line.strip()] for line in lines[1:] if line.strip()])


def _records(path: Path, header: list[str], rows: Iterator[list[str]]) -> Iterator[MatchRecord]:
    columns = {_column(h): i for i, h in reversed(list(enumerate(header)))}
    wanted = {f: columns[f] for f in FIELDS if f in columns}
    if not any(f in wanted for f in USABLE):
        found = ", ".join(h for h in header if h) or "none"
        raise InvalidInput(
            f"{path}: no usable columns (found: {found})",
            f"give a header row with any of: {EXPECTED} (name, domain, website or email needed)",
        )
    return (_record(wanted, cells, row_no) for row_no, cells in enumerate(rows, start=1))


def _record(wanted: dict[str, int], cells: list[str], row_no: int) -> MatchRecord:
    values = {f: _cell(cells, i) for f, i in wanted.items()}
    record_id = values.pop("id", None) or str(row_no)
    return MatchRecord(id=record_id, **values)


def _cell(cells: list[str], index: int) -> str | None:
    value = cells[index].strip() if index < len(cells) else ""
    return value or None


def match(
    to: Path = typer.Option(..., "--to", help="Reference CSV (the accounts to match to)."),
    from_: Path = typer.Option(..., "--from", help="Query CSV (leads or list entries)."),
    json_lines: bool = typer.Option(
        False, "--json", help="One JSON object per query row, in input order, nothing else."
    ),
    match_threshold: float = typer.Option(
        90.0, help="Score (0-100) at or above which it is a match."
    ),
    review_threshold: float = typer.Option(70.0, help="Score at or above which it goes to review."),
    limit: int = typer.Option(50, help="Rows shown in the table (without --json)."),
) -> None:
    """Match each row of --from to a row of --to: domain first, then name, location breaks ties."""
    references = list(read_records(to))
    queries = read_records(from_)
    index = AccountIndex.build(
        references, match_threshold=match_threshold, review_threshold=review_threshold
    )
    if json_lines:
        for result in index.match_many(queries):
            print_jsonl(result.as_dict())
        return
    _show(list(index.match_many(queries)), limit=limit, names={r.id: r.name for r in references})


def _show(results: list[MatchResult], *, limit: int, names: dict[str, str | None]) -> None:
    table = Table("from", "to", "name", "score", "status", "why", title="Matches")
    for result in results[:limit]:
        best = result.candidates[0] if result.candidates else None
        to_id = result.to_id or (
            f"({best.to_id}?)" if best and result.status == "ambiguous" else ""
        )
        name = names.get(result.to_id or (best.to_id if best else "")) or ""
        table.add_row(
            result.from_id,
            to_id,
            name,
            f"{result.score:.0f}",
            result.status,
            "; ".join(result.reasons[-2:]),
        )
    console.print(table)
    counts = Counter(r.status for r in results)
    shown = f" (first {limit} shown)" if len(results) > limit else ""
    console.print(
        f"{len(results)} rows{shown}: {counts['matched']} matched, "
        f"{counts['ambiguous']} to review, {counts['none']} without a match"
    )
