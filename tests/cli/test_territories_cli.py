"""`onstrategy territories list|check`, on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onstrategy.cli.main import app
from onstrategy.store import tables as t
from onstrategy.store.connect import Store

STRATEGY = """
name: Territories CLI Co
reps:
  - {id: ana, name: Ana Ruiz}
versions:
  - id: v1
    effective_from: 2026-01-01
    icp:
      segments: [{name: Manufacturing, industries: [Manufacturing]}]
    territories:
      - id: west
        name: West
        rules: {states: [CA, WA]}
        reps: [{rep: ana, capacity: 1}]
      - id: bay
        name: Bay
        rules: {postal_prefixes: ["941"]}
        reps: [{rep: ana, capacity: 1}]
"""


@pytest.fixture
def env(database_url: str, tmp_path: Path) -> dict[str, str]:
    strategy = tmp_path / "strategy.yaml"
    strategy.write_text(STRATEGY, encoding="utf-8")
    store = Store.open(database_url)
    rows = [("A1", "CA", "94105"), ("A2", "TX", None), ("A3", "WA", None)]
    with store.begin() as conn:
        conn.execute(t.user.insert().values(id="ana", name="Ana Ruiz", active=True))
        conn.execute(
            t.account.insert(),
            [
                {
                    "id": i,
                    "name": f"Account {i}",
                    "state": s,
                    "postal_code": p,
                    "owner_id": "ana",
                    "industry": "Manufacturing",
                    "gate_status": "active",
                }
                for i, s, p in rows
            ],
        )
    store.close()
    return {"ONSTRATEGY_DATABASE_URL": database_url, "ONSTRATEGY_STRATEGY_FILE": str(strategy)}


def run(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["territories", *args], env=env)
    # Rich wraps lines at the terminal width: compare words, not line breaks
    return result.exit_code, " ".join(result.stdout.split()), " ".join(result.stderr.split())


def test_check_json_and_table(env: dict[str, str]) -> None:
    code, out, _ = run(env, "check", "--as-of", "2026-06-01", "--json")
    assert code == 0
    data = json.loads(out)
    assert [a["id"] for a in data["uncovered_icp_accounts"]] == ["A2"]
    assert [
        (c["id"], c["territory_id"], c["also_claimed_by"][0]["territory_id"])
        for c in data["double_claims"]
    ] == [("A1", "bay", "west")]  # one rule each: id decides
    assert data["double_claims"][0]["also_claimed_by"][0]["lost_on"] == "territory id"
    [ana] = data["loads"]
    assert (ana["accounts"], ana["icp_accounts"], ana["capacity"], ana["over_capacity"]) == (
        3,
        3,
        2,
        True,
    )  # the larger of the rep's two capacities
    code, out, _ = run(env, "check", "--as-of", "2026-06-01")
    assert code == 0
    assert "1 in-profile accounts no territory covers" in out
    assert "over" in out
    assert "3 problem(s)" in out


def test_list_shows_rules_in_words_and_precedence(env: dict[str, str]) -> None:
    code, out, _ = run(env, "list", "--as-of", "2026-06-01", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["version"] == "v1"
    assert [t["rules"] for t in data["territories"]] == [
        ["postal code starts with 941"],
        ["state in CA, WA"],
    ]
    code, out, _ = run(env, "list", "--as-of", "2026-06-01")
    assert "Tie-break" in out
    code, out, _ = run(env, "--help")
    assert "named accounts" in out
    assert "Tie-break" in out


def test_bad_date_is_a_clear_error(tmp_path: Path) -> None:
    env = {"ONSTRATEGY_DATABASE_URL": f"sqlite:///{tmp_path / 'never.db'}"}
    code, _, err = run(env, "check", "--as-of", "June 1st")
    assert code == 1
    assert "Error: --as-of 'June 1st' is not a date" in err
    assert "YYYY-MM-DD" in err
