"""The strategy file: valid files load, broken ones report every problem at once."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import jsonschema
import pytest
import yaml

from onstrategy.errors import StrategyInvalid
from onstrategy.strategy.load import load_strategy, parse_strategy
from onstrategy.strategy.schema import SCHEMA_FILE, schema_text
from onstrategy.strategy.versions import diff_versions

SMALL = Path(__file__).resolve().parents[1] / "data" / "strategy_small.yaml"
EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "strategy.yaml"

BROKEN = """\
name: Broken
reps: [{id: ana, name: Ana}]
versions:
  - id: v1
    effective_from: 2025-13-01
    icp:
      segments:
        - name: x
          employees: {min: -5}
    territories:
      - id: t
        name: T
        rules: {}
        reps: [{rep: jdoe}]
  - id: v1
    effective_from: 2025-01-01
    icp: {segments: [{name: y, industries: [A]}]}
    goalz: {}
"""


def test_version_in_force_is_the_latest_that_has_started() -> None:
    strategy = load_strategy(SMALL)
    assert strategy.version_on(date(2025, 6, 1)).id == "v1"
    assert strategy.version_on(date(2026, 1, 1)).id == "v2"
    assert strategy.version_on(date(2030, 1, 1)).id == "v2"


def test_no_version_before_the_first_starts() -> None:
    strategy = load_strategy(SMALL)
    with pytest.raises(Exception, match="no strategy version is in force on 2024-12-31"):
        strategy.version_on(date(2024, 12, 31))


def test_every_problem_is_reported_at_once_with_path_and_line() -> None:
    with pytest.raises(StrategyInvalid) as caught:
        parse_strategy(BROKEN, source="s.yaml")
    wheres = [p.where for p in caught.value.problems]
    assert "versions[0].effective_from (line 5)" in wheres
    assert "versions[0].icp.segments[0].employees.min (line 9)" in wheres
    assert "versions[1].goalz (line 18)" in wheres
    assert "versions[0].territories[0].reps[0].rep (line 14)" in wheres
    assert any("used twice" in p.message for p in caught.value.problems)
    assert caught.value.message == f"s.yaml: {len(wheres)} problems"
    assert all(p.hint for p in caught.value.problems if "goalz" in p.where)


def test_yaml_syntax_error_names_the_line() -> None:
    with pytest.raises(StrategyInvalid) as caught:
        parse_strategy("name: x\nversions: [\n  - id: 1\n", source="s.yaml")
    assert caught.value.problems[0].where.startswith("s.yaml:")


def test_unknown_country_is_rejected_with_a_hint() -> None:
    text = SMALL.read_text().replace("countries: [US]", "countries: [Atlantis]", 1)
    with pytest.raises(StrategyInvalid, match="1 problem") as caught:
        parse_strategy(text)
    assert "unknown country 'Atlantis'" in caught.value.problems[0].message


def test_country_names_are_normalised_to_codes() -> None:
    text = SMALL.read_text().replace("countries: [US]", "countries: [United States]", 1)
    strategy = parse_strategy(text)
    assert strategy.versions[0].icp.segments[0].countries == ["US"]


def test_product_in_two_offerings_is_a_problem() -> None:
    data = yaml.safe_load(SMALL.read_text())
    data["versions"][0]["offerings"].append(
        {
            "id": "other",
            "name": "Other",
            "products": ["hw-srv"],
            "approvers": [{"seniority": ["vp"]}],
        }
    )
    with pytest.raises(StrategyInvalid, match="1 problem") as caught:
        parse_strategy(yaml.safe_dump(data))
    assert "belongs to both 'hardware' and 'other'" in caught.value.problems[0].message


def test_diff_names_what_changed_by_key_not_position() -> None:
    changes = {
        c.path: c for c in diff_versions(strategy=load_strategy(SMALL), old_id="v1", new_id="v2")
    }
    assert changes["goals.icp_share_of_pipeline"].before == 0.6
    assert changes["goals.icp_share_of_pipeline"].after == 0.7
    assert changes["offerings.managed"].kind == "added"
    assert changes["offerings.hardware"].kind == "removed"
    assert "territories.west.reps.ana.capacity" in changes


def test_published_schema_is_current() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "run `onstrategy strategy schema --write`"
    )


def test_schema_accepts_the_example_and_rejects_a_typo() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    data = yaml.safe_load(SMALL.read_text())
    for version in data["versions"]:
        version["effective_from"] = str(version["effective_from"])
    jsonschema.validate(data, schema)
    data["versions"][0]["icp"]["segmnts"] = []
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, schema)


def test_example_strategy_is_valid_and_commented() -> None:
    if not EXAMPLE.exists():
        pytest.skip("examples/strategy.yaml not written yet")
    strategy = load_strategy(EXAMPLE)
    assert len(strategy.versions) >= 2
    comments = [line for line in EXAMPLE.read_text().splitlines() if line.strip().startswith("#")]
    assert len(comments) > 40
