"""`onstrategy gate` from the command line (both databases)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onstrategy.cli.main import app
from onstrategy.ingest.importer import import_file
from onstrategy.store.connect import Store
from onstrategy.strategy.load import load_strategy

DATA = Path(__file__).resolve().parents[1] / "data" / "right_leads"
STRATEGY = DATA.parent / "strategy_small.yaml"


@pytest.fixture
def url(database_url: str) -> str:
    store = Store.open(database_url)
    for kind in ("users", "accounts", "opportunities"):
        import_file(store=store, kind=kind, path=DATA / f"{kind}.csv")
    import_file(
        store=store,
        kind="leads",
        path=DATA / "leads.csv",
        strategy=load_strategy(STRATEGY),
        as_of=date(2026, 6, 1),
    )
    store.close()
    return database_url


def run(url: str, *args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(
        app, ["--database-url", url, "--strategy", str(STRATEGY), *map(str, args)]
    )
    return result.exit_code, result.stdout, result.stderr


def test_list_search_and_release(url: str) -> None:
    code, out, _ = run(url, "gate", "list", "--json")
    assert (code, {r["id"] for r in json.loads(out)}) == (0, {"l-gmail", "l-ini", "l-tiny"})
    code, out, _ = run(url, "gate", "list", "--source", "Purchased List")
    assert code == 0
    assert "1 quarantined leads" in out
    assert "l-tiny" in out
    code, out, _ = run(url, "gate", "list", "--search", "TINY", "--json")
    (tiny,) = json.loads(out)
    assert tiny["gate_reasons"]["failed"] == ["employees 12 is not in the target range ≥ 1,000"]
    code, _, err = run(
        url,
        "gate",
        "release",
        "lead",
        "l-tiny",
        "--as",
        "u-rep",
        "--reason",
        "the CEO asked for it",
    )
    assert code == 1
    assert "Error: Ray Rep (rep) may not release quarantined records" in err
    assert "Hint: only admins may" in err
    code, _, err = run(
        url,
        "gate",
        "release",
        "lead",
        "l-nope",
        "--as",
        "u-admin",
        "--reason",
        "the CEO asked for it",
    )
    assert code == 1
    assert "Error: no lead 'l-nope'" in err
    code, out, _ = run(
        url,
        "gate",
        "release",
        "lead",
        "l-tiny",
        "--as",
        "u-admin",
        "--reason",
        "the CEO asked for it",
    )
    assert code == 0
    assert "lead l-tiny released" in out
    code, out, _ = run(url, "gate", "list", "--status", "released", "--json")
    assert [r["id"] for r in json.loads(out)] == ["l-tiny"]


def test_apply_needs_a_batch_or_all(url: str) -> None:
    code, _, err = run(url, "gate", "apply", "--kind", "leads")
    assert code == 1
    assert "pass --batch N" in err
    code, out, _ = run(url, "gate", "apply", "--all", "--as-of", "2026-06-01", "--json")
    counts = json.loads(out)
    assert (code, counts["version"], counts["quarantined"], counts["active"]) == (0, "v2", 3, 3)


def test_report_json_and_terminal(url: str) -> None:
    args = ("gate", "report", "--from", "2026-01-01", "--to", "2026-06-30", "--by", "quarter")
    code, out, _ = run(url, *args, "--json")
    data = json.loads(out)
    assert code == 0
    assert [p["period"] for p in data["periods"]] == ["2026-Q1", "2026-Q2"]
    assert data["total"]["prospects"] == 6
    code, out, _ = run(url, *args)
    assert code == 0
    assert "Purchased List" in out
    assert "2026-Q1" in out
    code, _, err = run(url, "gate", "report", "--by", "week")
    assert code == 1
    assert "unknown period 'week'" in err
