"""`onstrategy match --to REFERENCE.csv --from QUERIES.csv [--json]`."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from onstrategy.cli.main import app

DATA = Path(__file__).resolve().parents[1] / "data" / "matching"
ACCOUNTS = DATA / "accounts.csv"
LEADS = DATA / "leads.csv"


def run(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["match", *map(str, args)])
    return result.exit_code, result.stdout, result.stderr


def test_json_lines_one_per_query_row_in_order() -> None:
    code, out, _ = run("--to", ACCOUNTS, "--from", LEADS, "--json")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["from_id"] for r in rows] == ["1", "2", "3", "4", "5", "6", "7"]  # no id column
    assert all({"from_id", "to_id", "score", "reasons"} <= set(r) for r in rows)
    assert all(0 <= r["score"] <= 100 and isinstance(r["reasons"], list) for r in rows)
    by_id = {r["from_id"]: r for r in rows}
    assert by_id["1"]["to_id"] == "A1"  # Amazon → AMAZON COM INC
    assert by_id["2"]["to_id"] is None  # gmail.com says nothing
    assert by_id["3"]["to_id"] == "A2"  # bob@ibm.com
    assert by_id["4"]["to_id"] == "A3"  # Acme in Austin
    assert (by_id["5"]["to_id"], by_id["5"]["status"]) == (None, "ambiguous")
    assert {c["to_id"] for c in by_id["5"]["candidates"]} == {"A3", "A4"}
    assert by_id["6"]["to_id"] is None  # Delta Dental is not Delta Air Lines
    assert by_id["7"]["to_id"] is None  # American Airlines is not American Express


def test_ids_come_from_the_id_column(tmp_path: Path) -> None:
    queries = tmp_path / "q.csv"
    queries.write_text("ID,Company\nx-9,Amazon.com Inc.\n,Delta Air Lines\n", encoding="utf-8")
    code, out, _ = run("--to", ACCOUNTS, "--from", queries, "--json")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["from_id"], r["to_id"]) for r in rows] == [("x-9", "A1"), ("2", "A5")]


def test_encodings_utf8_bom_and_windows_1252(tmp_path: Path) -> None:
    refs = tmp_path / "refs.csv"
    refs.write_bytes("id;name;country\nN1;Nestlé S.A.;Switzerland\n".encode("cp1252"))
    queries = tmp_path / "q.csv"
    queries.write_bytes("\ufeffname\nNestlé\n".encode())
    code, out, _ = run("--to", refs, "--from", queries, "--json")
    assert code == 0
    assert json.loads(out)["to_id"] == "N1"


def test_table_without_json() -> None:
    code, out, _ = run("--to", ACCOUNTS, "--from", LEADS)
    assert code == 0
    assert "7 rows: 3 matched, 1 to review, 3 without a match" in " ".join(out.split())


def test_missing_file_is_one_clear_error(tmp_path: Path) -> None:
    code, out, err = run("--to", tmp_path / "nope.csv", "--from", LEADS, "--json")
    assert code == 1
    assert out == ""
    assert "nope.csv: file not found" in err
    assert "name, domain" in " ".join(err.split())


def test_file_without_usable_columns(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("foo,bar\n1,2\n", encoding="utf-8")
    code, _, err = run("--to", ACCOUNTS, "--from", bad, "--json")
    assert code == 1
    text = " ".join(err.split())
    assert "bad.csv: required matching fields missing: " in text
    assert "name or domain or website or email (columns found: foo, bar)" in text
    assert "name: Company, Company Name, Account Name" in text


def test_not_a_csv(tmp_path: Path) -> None:
    book = tmp_path / "accounts.xlsx"
    book.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    code, _, err = run("--to", book, "--from", LEADS)
    assert code == 1
    assert "accounts.xlsx is not a CSV file" in err
