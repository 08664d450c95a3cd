"""`onstrategy match` recognises columns by the rule every CSV onstrategy reads follows, and a
file without a usable column gets the error a record import gives; its output is as
documented."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onstrategy.cli.main import app
from onstrategy.crm.lists import import_list
from onstrategy.errors import InvalidInput
from onstrategy.ingest.importer import import_file
from onstrategy.store.connect import Store

# As HubSpot exports companies and Salesforce exports leads: the record importer's names.
COMPANIES = (
    "Record ID,Company name,Company Domain Name,City,State/Region,Country/Region\n"
    "101,Amazon.com Inc.,amazon.com,Seattle,WA,United States\n"
    "102,Acme Corp,acme-widgets.com,Austin,TX,United States\n"
    "103,Acme Corp,acme-tools.com,Boston,MA,United States\n"
)
LEADS = (
    "Lead ID,Name,COMPANY-NAME,e_mail,Billing City,State/Province\n"
    "L-1,Jeff Smith,Amazon,jeff@gmail.com,,\n"
    "L-2,Ann Lee,Acme Corporation,ann@gmail.com,Austin,Texas\n"
    "L-3,Bob Roe,Unknown Widgets Ltd,bob@acme-tools.com,,\n"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def match(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["match", *map(str, args)])
    return result.exit_code, result.stdout, " ".join(result.stderr.split())


def test_crm_export_spellings_work_and_the_output_is_as_documented(tmp_path: Path) -> None:
    to, queries = write(tmp_path, "companies.csv", COMPANIES), write(tmp_path, "leads.csv", LEADS)
    code, out, _ = match("--to", to, "--from", queries, "--json")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert all({"from_id", "to_id", "score", "reasons"} <= set(r) for r in rows)
    # ids from "Lead ID"; "COMPANY-NAME" is the company, not the person's "Name"; "e_mail"
    # is the email; "Billing City" and "State/Province" break the tie between the two Acmes
    assert [(r["from_id"], r["to_id"]) for r in rows] == [
        ("L-1", "101"),
        ("L-2", "102"),
        ("L-3", "103"),
    ]


def test_a_company_column_is_preferred_to_a_persons_name(tmp_path: Path) -> None:
    to = write(tmp_path, "companies.csv", COMPANIES)
    queries = write(tmp_path, "q.csv", "Name,Company\nAmazon,Acme Corp\n")
    code, out, _ = match("--to", to, "--from", queries, "--json")
    assert code == 0
    assert json.loads(out)["to_id"] != "101"  # matched on Company, not on "Amazon"


@pytest.mark.parametrize("side", ["--to", "--from"])
def test_no_usable_column_gets_the_record_import_error(
    store: Store, tmp_path: Path, side: str
) -> None:
    bad = write(tmp_path, "bad.csv", "Rank,Revenue\n1,2\n")
    good = write(tmp_path, "companies.csv", COMPANIES)
    files = {"--to": good, "--from": good} | {side: bad}
    code, out, err = match("--to", files["--to"], "--from", files["--from"], "--json")
    assert (code, out) == (1, "")
    assert f"{bad}: required matching fields missing: name or domain or website or email " in err
    assert "(columns found: Rank, Revenue)" in err
    assert "Hint: accepted column names (case, spaces and punctuation ignored) - name: " in err
    assert "website: Website, URL, Web, Homepage, Website URL" in err
    with pytest.raises(InvalidInput) as imported:
        import_file(store=store, kind="accounts", path=bad)
    with pytest.raises(InvalidInput) as listed:
        import_list(store=store, list_id="top", path=bad, now=datetime(2026, 1, 1, tzinfo=UTC))
    for other in (imported.value, listed.value):  # the same form, word for word
        assert other.message.startswith(f"{bad}: required ")
        assert other.message.endswith("(columns found: Rank, Revenue)")
        assert other.hint.startswith("accepted column names (case, spaces and punctuation ")
