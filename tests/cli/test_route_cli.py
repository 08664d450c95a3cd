"""`onstrategy route LEAD_ID | --all-unassigned | explain LEAD_ID`, on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from onstrategy.cli.main import app
from onstrategy.store import tables as t
from onstrategy.store.connect import Store

STRATEGY = """
name: Route CLI Co
reps:
  - {id: ana, name: Ana Ruiz}
  - {id: bo, name: Bo Chen}
versions:
  - id: v1
    effective_from: 2026-01-01
    icp:
      segments: [{name: Manufacturing, industries: [Manufacturing]}]
    territories:
      - id: west
        name: West
        rules: {states: [CA]}
        reps: [{rep: ana}, {rep: bo}]
"""


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    strategy = tmp_path / "strategy.yaml"
    strategy.write_text(STRATEGY, encoding="utf-8")
    store = Store.open(database_url)
    with store.begin() as conn:
        conn.execute(t.team.insert(), [{"id": "west", "name": "West", "manager_id": "mgr"}])
        conn.execute(
            t.user.insert(),
            [
                {"id": "ana", "name": "Ana Ruiz", "active": True, "role": "rep", "email": None,
                 "team_id": "west"},
                {"id": "bo", "name": "Bo Chen", "active": True, "role": "rep", "email": None,
                 "team_id": "west"},
                {"id": "mgr", "name": "Mia Park", "active": True, "role": "manager",
                 "email": "mia@example.com", "team_id": None},
            ],
        )  # fmt: skip
        conn.execute(
            t.lead.insert(),
            [
                {"id": lead, "state": "CA", "industry": industry, "gate_status": "active"}
                for lead, industry in (
                    ("L1", "Manufacturing"),
                    ("L2", "Manufacturing"),
                    ("L3", "Retail"),
                )
            ],
        )
    store.close()
    return {"ONSTRATEGY_DATABASE_URL": database_url, "ONSTRATEGY_STRATEGY_FILE": str(strategy)}


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["route", *args], env=env)
    # Rich wraps lines at the terminal width: compare words, not line breaks
    return result.exit_code, " ".join(result.stdout.split()), " ".join(result.stderr.split())


def test_route_one_lead_then_explain_why(env: dict[str, str]) -> None:
    code, out, _ = run(env, "L1", "--as-of", "2026-06-01")
    assert code == 0, out
    assert "Lead L1 → Ana Ruiz (territory west)" in out
    assert "round_robin" in out
    assert "weighted round robin" in out
    code, out, _ = run(env, "explain", "L1")
    assert code == 0
    assert "strategy version v1, as of 2026-06-01" in out
    assert "decision #1" in out
    assert "state CA is in CA" in out
    code, out, _ = run(env, "explain", "L1", "--json")
    [decision] = json.loads(out)["decisions"]
    assert (decision["assigned_to"], decision["strategy_version"]) == ("ana", "v1")
    assert decision["decided_at"]
    assert [s["rule"] for s in decision["steps"] if s["fired"]] == ["territory", "round_robin"]


def test_bulk_dry_run_then_real_run(env: dict[str, str]) -> None:
    code, out, _ = run(env, "--all-unassigned", "--as-of", "2026-06-01", "--dry-run", "--json")
    assert code == 0
    dry = [(d["lead_id"], d["assigned_to"]) for d in json.loads(out)]
    assert dry == [("L1", "ana"), ("L2", "bo"), ("L3", "nurture")]
    code, out, _ = run(env, "explain", "L1")
    assert "never been routed" in out
    code, out, _ = run(env, "--all-unassigned", "--as-of", "2026-06-01")
    assert code == 0
    assert "3 leads routed: 2 to reps, 1 to nurture" in out
    code, out, _ = run(env, "--all-unassigned", "--as-of", "2026-06-01", "--json")
    assert json.loads(out) == []  # nothing left unassigned (L3 waits in nurture)


def test_who_routes_is_checked_and_audited(env: dict[str, str]) -> None:
    code, _, err = run(env, "L1", "--as-of", "2026-06-01", "--as", "ana")
    assert code == 1
    assert "Ana Ruiz is a rep; only managers, executives and admins route leads" in err
    code, out, _ = run(env, "L1", "--as-of", "2026-06-01", "--as", "MIA@example.com")
    assert code == 0, out
    store = Store.open(env["ONSTRATEGY_DATABASE_URL"])
    with store.begin() as conn:
        actors = conn.execute(sa.select(t.audit_log.c.actor)).scalars().all()
    store.close()
    assert actors == ["mgr"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "which lead? give a LEAD_ID or --all-unassigned"),
        (("L1", "L2"), "too many arguments: L1 L2"),
        (("L1", "--all-unassigned"), "give either a LEAD_ID or --all-unassigned, not both"),
        (("L1", "--include-queued"), "--include-queued only applies to --all-unassigned"),
        (("explain",), "`route explain` takes exactly one LEAD_ID"),
        (
            ("explain", "L1", "--dry-run"),
            "`route explain` shows stored decisions; it takes only --json",
        ),
        (("L1", "--as-of", "2026-02-30"), "--as-of '2026-02-30' is not a date"),
    ],
)
def test_usage_errors(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    """Wrong usage is caught before the store is opened."""
    env = {"ONSTRATEGY_DATABASE_URL": f"sqlite:///{tmp_path / 'never.db'}"}
    code, _out, err = run(env, *args)
    assert (code, f"Error: {message}") == (1, err.split(" Hint:")[0])
    assert "Hint: use `onstrategy route LEAD_ID`" in err or "YYYY-MM-DD" in err
    assert not (tmp_path / "never.db").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("L9",), "no lead 'L9'"),
        (("explain", "L9"), "no lead 'L9'"),
        (("L1", "--as", "nobody"), "no user 'nobody'"),
        (("L1", "--as-of", "2025-01-01"), "no strategy version is in force on 2025-01-01"),
    ],
)
def test_data_errors(env: dict[str, str], args: tuple[str, ...], message: str) -> None:
    code, out, err = run(env, *args)
    assert code == 1
    assert f"Error: {message}" in err
    assert "Traceback" not in out + err
