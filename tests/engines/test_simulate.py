"""`strategy simulate`: what a draft version would change on today's data, changing nothing."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml

from onstrategy.demo import strategy_text
from onstrategy.engines.simulate import Simulation, pick_versions, simulate
from onstrategy.errors import InvalidInput, NotFound
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.strategy.load import load_strategy, parse_strategy
from onstrategy.strategy.model import Strategy

TODAY = date(2026, 11, 30)
WEST_REPS = {
    "0055e000000017iAAA",
    "0055e000000018JAAQ",
    "0055e000000018uAAA",
    "0055e000000019VAAQ",
    "0055e00000001A6AAI",
}


def draft_document() -> dict[str, Any]:
    """The demo strategy plus a draft fy27 version: bigger firms only, Texas moves to West,
    and only a CIO (no longer a VP of IT) can approve managed services."""
    document: dict[str, Any] = parse_strategy(strategy_text()).model_dump(mode="json")
    draft = yaml.safe_load(yaml.safe_dump(document["versions"][-1]))
    draft.update(id="fy27-draft", effective_from="2027-01-01", description="draft")
    draft["icp"]["segments"][0]["employees"]["min"] = 5000
    draft["icp"]["segments"][1]["employees"]["min"] = 1000
    territories = {t["id"]: t for t in draft["territories"]}
    territories["central"]["rules"]["states"].remove("TX")
    territories["west"]["rules"]["states"].append("TX")
    managed = next(o for o in draft["offerings"] if o["id"] == "managed-services")
    managed["approvers"][0]["seniority"] = ["executive"]
    document["versions"].append(draft)
    return document


def write_draft(folder: Path) -> Path:
    path = folder / "draft.yaml"
    path.write_text(yaml.safe_dump(draft_document(), sort_keys=False), encoding="utf-8")
    return path


def fingerprint(store: Store) -> dict[str, tuple[int, str]]:
    """Row count and a checksum of every row of every table."""
    out = {}
    with store.begin() as conn:
        for table in tables.metadata.sorted_tables:
            rows = conn.execute(sa.select(table).order_by(*table.primary_key.columns)).all()
            digest = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()
            out[table.name] = (len(rows), digest)
    return out


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def demo(request: pytest.FixtureRequest, copy_database) -> Iterator[Store]:  # type: ignore[no-untyped-def]
    """The demo company, one copy per backend for the whole module."""
    with copy_database(request.param, demo=True) as url:
        yield from _opened(url)


def _opened(url: str) -> Iterator[Store]:
    opened = Store.open(url)
    yield opened
    opened.close()


@pytest.fixture(scope="module")
def strategy(tmp_path_factory: pytest.TempPathFactory) -> Strategy:
    return load_strategy(write_draft(tmp_path_factory.mktemp("draft")))


@pytest.fixture(scope="module")
def run(demo: Store, strategy: Strategy) -> tuple[Simulation, dict[str, Any], dict[str, Any]]:
    before = fingerprint(demo)
    result = simulate(store=demo, strategy=strategy, version_id="fy27-draft", as_of=TODAY)
    return result, before, fingerprint(demo)


def test_nothing_in_the_store_changes(
    run: tuple[Simulation, dict[str, Any], dict[str, Any]],
) -> None:
    _, before, after = run
    assert before["account"][0] > 0
    assert before["activity"][0] > 0
    assert after == before


def test_raising_the_employee_minimum_moves_accounts_down(
    demo: Store, run: tuple[Simulation, dict[str, Any], dict[str, Any]]
) -> None:
    result = run[0]
    assert result.against == "fy26-services"
    summary = result.fit_summary()
    assert summary["enters ICP"] == 0
    assert summary["tier up"] == 0
    assert summary["leaves ICP"] + summary["tier down"] > 0
    with demo.begin() as conn:
        employees = {
            r.id: r.employees
            for r in conn.execute(sa.select(tables.account.c.id, tables.account.c.employees))
        }
    minimum = {"Enterprise in core industries": 5000, "Healthcare and education systems": 1000}
    for change in result.fit_changes:  # each fell below its segment's new minimum
        assert (employees[change.account_id] or 0) < minimum[change.before["segment"]]
        assert change.after["score"] < change.before["score"]
        assert change.before["version"] == "fy26-services"
        assert change.after["version"] == "fy27-draft"


def test_texas_moves_to_west_and_its_central_owners_hand_over(
    demo: Store, run: tuple[Simulation, dict[str, Any], dict[str, Any]]
) -> None:
    result = run[0]
    with demo.begin() as conn:
        texas = set(
            conn.execute(
                sa.select(tables.account.c.id).where(
                    tables.account.c.state == "TX",
                    tables.account.c.country == "US",
                    tables.account.c.gate_status == "active",
                )
            ).scalars()
        )
        listed = set(conn.execute(sa.select(tables.named_list_entry.c.account_id)).scalars())
    moved = {
        c.account_id
        for c in result.territory_changes
        if (c.territory_before, c.territory_after) == ("central", "west")
    }
    assert moved
    assert moved == texas - listed
    handed = [c for c in result.territory_changes if c.new_owner_id]
    assert handed
    assert all(c.new_owner_id in WEST_REPS for c in handed if c.territory_after == "west")
    loads = {load.rep_id: load for load in result.loads}
    assert sum(r.accounts[0] for r in loads.values()) == sum(r.accounts[1] for r in loads.values())
    assert sum(r.open_pipeline[0] for r in loads.values()) == pytest.approx(
        sum(r.open_pipeline[1] for r in loads.values())
    )
    assert sum(loads[r].accounts[1] - loads[r].accounts[0] for r in WEST_REPS) >= len(
        [c for c in handed if c.territory_after == "west"]
    )


def test_a_cio_only_rule_gaps_deals_where_only_a_vp_was_engaged(
    run: tuple[Simulation, dict[str, Any], dict[str, Any]],
) -> None:
    deals = run[0].deals
    assert deals["newly_gapped"]
    for deal in deals["newly_gapped"]:
        assert deal.offering_id == "managed-services"
        assert any(c.seniority == "vp" and c.function == "it" for c in deal.contacts)
        assert not any(c.can_approve for c in deal.contacts)
    data = run[0].as_dict()
    assert set(data) == {"version", "against", "as_of", "icp", "territories", "reps", "authority"}
    assert set(data["authority"]) == {"newly_gapped", "still_gapped", "no_longer_gapped"}


def test_version_choice(strategy: Strategy) -> None:
    draft, current = pick_versions(
        strategy=strategy, version_id="fy26-services", against=None, as_of=TODAY
    )
    assert (draft.id, current.id) == ("fy26-services", "fy25-hardware")  # in force: the one before
    with pytest.raises(InvalidInput, match="compared with itself"):
        pick_versions(strategy=strategy, version_id="fy27-draft", against="fy27-draft", as_of=TODAY)
    with pytest.raises(NotFound, match="no strategy version 'fy28'"):
        pick_versions(strategy=strategy, version_id="fy28", against=None, as_of=TODAY)
