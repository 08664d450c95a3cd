"""`onstrategy match --to REFERENCE.csv --from QUERIES.csv [--json]`: match one file to another.

Each file needs a header row with at least one of ``name``, ``domain``, ``website``,
``email``; ``id`` is optional (the 1-based row number stands in); ``city``, ``state`` and
``country`` help break ties; other columns are ignored. Columns are recognised by the rule
every CSV onstrategy reads follows (:func:`ingest.mapping.find_columns`: case, spaces,
underscores and punctuation ignored; the first accepted name the file has wins), so
"Company Name", "company_name" and "COMPANY-NAME" are one column, and a CRM export's
"Account ID", "Billing City" or "Company Domain Name" work as they are. A file without a
usable column gets the same error as a record import: the file, the columns found, the
names accepted (:data:`COLUMNS`).
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
from onstrategy.ingest.mapping import find_columns, require_columns
from onstrategy.ingest.reader import SNIFF_BYTES, detect_encoding, open_csv

COLUMNS = {  # field -> column names accepted, in order of preference (mapping.find_columns)
    "id": ("ID", "Record ID", "Lead ID", "Contact ID", "Entry ID", "External ID", "Account ID"),
    "name": (
        "Company",
        "Company Name",
        "Account Name",
        "Organization",
        "Organisation",
        "Organization Name",
        "Name",
        "Account",
        "Firm",
    ),
    "domain": ("Domain", "Domain Name", "Company Domain Name", "Email Domain"),
    "website": ("Website", "URL", "Web", "Homepage", "Website URL"),
    "email": ("Email", "Email Address", "E-mail", "Mail"),
    "city": ("City", "Billing City", "HQ City"),
    "state": (
        "State",
        "State/Province",
        "Province",
        "Region",
        "State/Region",
        "Billing State/Province",
        "Billing State",
        "HQ State",
    ),
    "country": ("Country", "Country/Region", "Billing Country", "HQ Country"),
}
USABLE = ("name", "domain", "website", "email")  # one of these is needed to match on
EXPECTED = "id, name, domain, website, email, city, state, country"


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
    header = [h.replace("\ufeff", "").replace("ï»¿", "") for h in header]  # a BOM read as text
    found = find_columns(header=header, wanted=COLUMNS)
    require_columns(
        source=str(path), what="matching", header=header, found=found, wanted=COLUMNS,
        required=[USABLE], hint="Optional: id (the row number stands in), city, state, country",
    )  # fmt: skip
    return (_record(found, cells, row_no) for row_no, cells in enumerate(rows, start=1))


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
