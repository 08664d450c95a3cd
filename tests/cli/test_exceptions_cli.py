"""`onstrategy exceptions ...`, `report effort`, `report icp-value` and `alerts` from the shell."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onstrategy.cli.main import app
from onstrategy.store import tables
from onstrategy.store.connect import Store

WHY = (
    "Northwind Hotels runs forty sites and is consolidating vendors this year; a win "
    "gives us a reference across the hospitality group"
)
STRATEGY = """
name: Test Co
versions:
  - id: v1
    effective_from: 2025-01-01
    icp:
      segments: [{name: Manufacturing, industries: [Manufacturing], countries: [US]}]
      tiers: {A: 90, B: 60, C: 30}
    goals: {exception_budget: 0.5}
"""


@pytest.fixture
def shell(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    store = Store.open(database_url)
    with store.begin() as conn:
        conn.execute(tables.team.insert(), [{"id": "west", "name": "West", "manager_id": "mia"}])
        conn.execute(
            tables.user.insert(),
            [
                {
                    "id": u,
                    "name": u.title(),
                    "email": f"{u}@t.example",
                    "role": r,
                    "team_id": "west",
                    "active": True,
                }
                for u, r in (("ana", "rep"), ("mia", "manager"))
            ],
        )
        conn.execute(
            tables.account.insert(),
            [
                {"id": i, "name": i, "industry": ind, "country": "US", "gate_status": "active"}
                for i, ind in (("A-icp", "Manufacturing"), ("A-off", "Hospitality"))
            ],
        )
        conn.execute(
            tables.opportunity.insert(),
            [
                {
                    "id": i,
                    "account_id": a,
                    "owner_id": "ana",
                    "amount": amt,
                    "is_closed": False,
                    "is_won": False,
                    "created_on": date(2026, 1, 5),
                }
                for i, a, amt in (
                    ("O-icp", "A-icp", 50_000.0),
                    ("O-off", "A-off", 10_000.0),
                    ("O-off2", "A-off", 5_000.0),
                )
            ],
        )
        conn.execute(
            tables.activity.insert(),
            [
                {
                    "id": "a1",
                    "kind": "call",
                    "occurred_on": date(2026, 2, 2),
                    "duration_minutes": 30,
                    "owner_id": "ana",
                    "account_id": "A-off",
                }
            ],
        )
    store.close()
    strategy = tmp_path / "strategy.yaml"
    strategy.write_text(STRATEGY, encoding="utf-8")

    def run(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(
            app, ["--database-url", database_url, "--strategy", str(strategy), *args]
        )
        return result.exit_code, result.stdout, result.stderr

    return run


def test_request_approve_list_flags_history(shell) -> None:  # type: ignore[no-untyped-def]
    day = ["--as-of", "2026-03-02"]
    code, out, _ = shell(
        "exceptions",
        "request",
        "--as",
        "ana@t.example",
        "--opportunity",
        "O-off",
        "--reason",
        "quick-win",
        "--rationale",
        WHY,
        "--days",
        "30",
        *day,
        "--json",
    )
    assert code == 0
    asked = json.loads(out)
    assert (asked["status"], asked["expected_value"]) == ("pending", 10_000.0)
    number = str(asked["id"])
    code, out, _ = shell(
        "exceptions",
        "approve",
        number,
        "--as",
        "mia",
        "--comment",
        "Good reference",
        *day,
        "--json",
    )
    assert code == 0
    assert json.loads(out)["expires_on"] == "2026-04-01"
    code, _, err = shell("exceptions", "reject", number, "--as", "mia", "--comment", "no", *day)
    assert code == 1
    assert "already approved" in err
    code, out, _ = shell("exceptions", "list", "--status", "approved", *day, "--json")
    assert [e["id"] for e in json.loads(out)] == [asked["id"]]
    code, out, _ = shell("exceptions", "flags", *day, "--json")
    assert [f["opportunity_id"] for f in json.loads(out)] == ["O-off2"]
    code, out, _ = shell("exceptions", "history", number, "--json")
    assert [e["event"] for e in json.loads(out)["events"]] == ["requested", "approved"]
    code, out, _ = shell("exceptions", "list", *day)
    assert code == 0
    assert "approved" in out
    code, out, _ = shell(
        "exceptions", "report", "--from", "2026-01-01", "--to", "2026-12-31", "--json"
    )
    assert json.loads(out)["company"]["approved"] == 1


def test_user_mistakes_are_clear_errors(shell) -> None:  # type: ignore[no-untyped-def]
    cases = [
        (
            [
                "exceptions",
                "request",
                "--as",
                "ana",
                "--opportunity",
                "O-off",
                "--reason",
                "quick-win",
                "--rationale",
                "n/a",
                "--days",
                "30",
            ],
            "placeholder",
        ),
        (
            [
                "exceptions",
                "request",
                "--as",
                "ana",
                "--opportunity",
                "O-icp",
                "--reason",
                "quick-win",
                "--rationale",
                WHY,
                "--days",
                "30",
            ],
            "needs no exception",
        ),
        (
            [
                "exceptions",
                "request",
                "--as",
                "ana",
                "--lead",
                "L",
                "--opportunity",
                "O-off",
                "--reason",
                "quick-win",
                "--rationale",
                WHY,
                "--days",
                "30",
            ],
            "exactly one",
        ),
        (
            [
                "exceptions",
                "request",
                "--as",
                "nobody",
                "--opportunity",
                "O-off",
                "--reason",
                "quick-win",
                "--rationale",
                WHY,
                "--days",
                "30",
            ],
            "no user 'nobody'",
        ),
        (["exceptions", "approve", "99", "--as", "mia", "--comment", "ok"], "no exception 99"),
        (["report", "effort", "--from", "2026-13-01", "--to", "2026-12-31"], "is not a date"),
        (["report", "icp-value", "--version", "v9"], "no strategy version 'v9'"),
    ]
    for args, message in cases:
        code, _, err = shell(*args)
        assert code == 1, args
        assert "Error:" in err
        assert message in err, err
        assert "Traceback" not in err


def test_reports_and_alerts_print_json(shell) -> None:  # type: ignore[no-untyped-def]
    code, out, _ = shell(
        "report",
        "effort",
        "--from",
        "2026-01-01",
        "--to",
        "2026-06-30",
        "--by",
        "quarter",
        "--json",
    )
    assert code == 0
    effort = json.loads(out)
    assert effort["company"]["off_icp_hours"] == 0.5
    assert effort["reps"][0]["top_off_icp_accounts"][0]["account_id"] == "A-off"
    code, out, _ = shell("report", "icp-value", "--json")
    assert code == 0
    assert json.loads(out)["all_versions"]["icp"]["closed"] == 0
    code, out, _ = shell("alerts", "--as-of", "2026-03-02", "--json")
    assert code == 0
    kinds = {a["kind"] for a in json.loads(out)["alerts"]}
    assert "unexcused_off_profile" in kinds
    code, out, _ = shell("alerts", "--as-of", "2026-03-02")
    assert code == 0
    assert "O-off" in out
