"""`onstrategy deals gaps|show` as a sales manager uses them, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onstrategy.cli.main import app

runner = CliRunner()
TODAY = "2026-11-30"


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def demo_url(request: pytest.FixtureRequest, copy_database) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A copy of the demo company per backend, shared by the module's read-only commands."""
    with copy_database(request.param, demo=True) as url:
        yield url


def run(url: str, strategy: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--database-url", url, "--strategy", str(strategy), *args])
    return result.exit_code, result.output


def test_gaps_json_lists_gapped_open_deals_largest_first(
    demo_url: str, demo_files: dict[str, Path]
) -> None:
    code, out = run(demo_url, demo_files["strategy"], "deals", "gaps", "--as-of", TODAY, "--json")
    assert code == 0, out
    data = json.loads(out)
    assert set(data) == {
        "as_of",
        "version",
        "scope",
        "open_deals",
        "gapped_deals",
        "gapped_amount",
        "by_offering",
        "by_rep",
        "deals",
    }
    assert data["version"] == "fy26-services"
    assert data["gapped_deals"] == len(data["deals"]) > 0
    for breakdown in (list(data["by_offering"].values()), data["by_rep"]):
        assert sum(c["gapped"] for c in breakdown) == data["gapped_deals"]
        assert sum(c["open"] for c in breakdown) == data["open_deals"]
    assert all(r["owner_id"] and r["owner_name"] for r in data["by_rep"])
    amounts = [d["amount"] for d in data["deals"]]
    assert amounts == sorted(amounts, reverse=True)
    deal = data["deals"][0]
    assert deal["authority_gap"] is True
    assert deal["approvers"] == 0
    for contact in deal["contacts"]:
        assert {"contact_id", "title", "seniority", "function", "can_approve"} <= set(contact)
        assert contact["can_approve"] is False
    assert deal["reasons"]


def test_show_explains_one_deal(demo_url: str, demo_files: dict[str, Path]) -> None:
    _, out = run(demo_url, demo_files["strategy"], "deals", "gaps", "--as-of", TODAY, "--json")
    gapped = json.loads(out)["deals"][0]
    code, out = run(
        demo_url,
        demo_files["strategy"],
        "deals",
        "show",
        gapped["opportunity_id"],
        "--as-of",
        TODAY,
        "--json",
    )
    assert code == 0, out
    shown = json.loads(out)
    assert shown["opportunity_id"] == gapped["opportunity_id"]
    assert shown["reasons"] == gapped["reasons"]
    code, out = run(
        demo_url,
        demo_files["strategy"],
        "deals",
        "show",
        gapped["opportunity_id"],
        "--as-of",
        TODAY,
    )
    assert code == 0, out
    assert "authority gap" in out
    assert "approved by" in out


def test_gaps_for_one_team(demo_url: str, demo_files: dict[str, Path]) -> None:
    code, out = run(
        demo_url,
        demo_files["strategy"],
        "deals",
        "gaps",
        "--as-of",
        TODAY,
        "--team",
        "west",
        "--json",
    )
    assert code == 0, out
    west = json.loads(out)
    assert west["scope"] == {"rep": None, "team": "west"}
    assert west["open_deals"] > 0
    assert all(d["team_id"] == "west" for d in west["deals"])


def test_gaps_terminal(demo_url: str, demo_files: dict[str, Path]) -> None:
    if not demo_url.startswith("sqlite"):
        pytest.skip("the terminal rendering does not depend on the database")
    code, out = run(demo_url, demo_files["strategy"], "deals", "gaps", "--as-of", TODAY)
    assert code == 0, out
    assert "Authority gaps" in out
    assert "By offering" in out
    assert "Deals with an authority gap" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["deals", "show", "nope", "--as-of", TODAY], "no opportunity 'nope'"),
        (["deals", "gaps", "--team", "north"], "no team 'north'"),
        (["deals", "gaps", "--rep", "nobody@example.com"], "no user 'nobody@example.com'"),
        (["deals", "gaps", "--as-of", "2026-13-01"], "is not a date"),
    ],
)
def test_user_mistakes_are_clear_errors(
    demo_url: str, demo_files: dict[str, Path], args: list[str], message: str
) -> None:
    code, out = run(demo_url, demo_files["strategy"], *args)
    assert code == 1
    assert f"Error: {message}" in out or message in out
    assert "Hint:" in out
    assert "Traceback" not in out
