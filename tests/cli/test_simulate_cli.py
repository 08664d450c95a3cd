"""`onstrategy strategy simulate` and `onstrategy report shift` from the command line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from onstrategy.cli.main import app
from onstrategy.demo import PERSONAS, strategy_text
from onstrategy.strategy.load import parse_strategy

runner = CliRunner()
TODAY = "2026-11-30"


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def demo_url(request: pytest.FixtureRequest, copy_database) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A copy of the demo company per backend, shared by the module's read-only commands."""
    with copy_database(request.param, demo=True) as url:
        yield url


@pytest.fixture(scope="module")
def draft(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo strategy plus a future draft that moves Texas from Central to West."""
    document: dict[str, Any] = parse_strategy(strategy_text()).model_dump(mode="json")
    version = yaml.safe_load(yaml.safe_dump(document["versions"][-1]))
    version.update(id="fy27-draft", effective_from="2027-01-01")
    territories = {t["id"]: t for t in version["territories"]}
    territories["central"]["rules"]["states"].remove("TX")
    territories["west"]["rules"]["states"].append("TX")
    document["versions"].append(version)
    path = tmp_path_factory.mktemp("draft") / "draft.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def run(url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--database-url", url, *args])
    return result.exit_code, result.output


def test_simulate_json(demo_url: str, draft: Path) -> None:
    code, out = run(
        demo_url,
        "strategy",
        "simulate",
        str(draft),
        "--version",
        "fy27-draft",
        "--as-of",
        TODAY,
        "--json",
    )
    assert code == 0, out
    data = json.loads(out)
    assert (data["version"], data["against"]) == ("fy27-draft", "fy26-services")
    assert data["icp"]["summary"] == {
        "enters ICP": 0,
        "leaves ICP": 0,
        "tier up": 0,
        "tier down": 0,
    }  # only territories changed
    moves = data["territories"]
    assert moves["territory_changes"] > 0
    assert moves["owner_changes"] > 0
    assert all(a["reasons"] for a in moves["accounts"])
    rep = data["reps"][0]
    assert set(rep) == {
        "rep_id",
        "name",
        "capacity",
        "accounts",
        "icp_accounts",
        "open_leads",
        "load",
        "open_pipeline",
        "over_capacity_after",
    }
    assert set(rep["accounts"]) == {"before", "after"}


def test_simulate_terminal(demo_url: str, draft: Path) -> None:
    if not demo_url.startswith("sqlite"):
        pytest.skip("the terminal rendering does not depend on the database")
    code, out = run(
        demo_url, "strategy", "simulate", str(draft), "--version", "fy27-draft", "--as-of", TODAY
    )
    assert code == 0, out
    words = " ".join(out.split())  # the terminal wraps long lines
    for heading in ("Simulation", "nothing is changed", "Territories", "Rep load", "authority gap"):
        assert heading in words


def test_simulate_errors(demo_url: str, draft: Path, tmp_path: Path) -> None:
    code, out = run(demo_url, "strategy", "simulate", str(draft), "--version", "fy99")
    assert code == 1
    assert "Error: no strategy version 'fy99'" in out
    assert "fy27-draft" in out  # the hint lists the known versions
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        draft.read_text().replace("effective_from: '2027-01-01'", "effective_from: '2027-13-01'")
        + "unknown_key: 1\n"
    )
    code, out = run(demo_url, "strategy", "simulate", str(bad), "--version", "fy27-draft")
    assert code == 1
    assert "2 problems" in out
    assert "effective_from" in out
    assert "unknown_key" in out
    assert "Traceback" not in out


def test_shift_json_and_terminal(demo_url: str, demo_files: dict[str, Path]) -> None:
    base = ["--strategy", str(demo_files["strategy"]), "report", "shift", "--as-of", TODAY]
    code, out = run(demo_url, *base, "--json")
    assert code == 0, out
    data = json.loads(out)
    assert {
        "version",
        "effective_from",
        "before",
        "after",
        "new_offerings",
        "rule",
        "company",
        "teams",
        "reps",
        "not_shifted",
    } <= set(data)
    familiar = {r for r, p in PERSONAS.items() if p == "familiar"}
    assert familiar <= set(data["not_shifted"])
    rep = data["reps"][0]
    assert {
        "approver_share",
        "non_approver_share",
        "pipeline_by_offering",
        "new_offering_share_of_pipeline",
    } <= set(rep["after"])
    if demo_url.startswith("sqlite"):  # the terminal rendering does not depend on the database
        code, out = run(demo_url, *base)
        assert code == 0, out
        assert "Reps who have not shifted" in out
    code, out = run(demo_url, *base, "--version", "fy99")
    assert code == 1
    assert "no strategy version 'fy99'" in out
