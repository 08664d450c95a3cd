"""An accounts import reaches the leads (both databases): a lead waiting for an account is
matched when its account arrives (a person's "none of these" stands), and the leads judged on
an account the import changed are judged again by the intake gate — a released lead only
when what the ICP reads of it changed."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from onstrategy.crm.lead_matching import list_reviews
from onstrategy.engines.gate import release
from onstrategy.ingest.importer import ImportResult, import_file
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.strategy.load import load_strategy
from onstrategy.strategy.model import Strategy

DATA = Path(__file__).resolve().parents[1] / "data" / "right_leads"
AS_OF = date(2026, 6, 1)
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
ACCOUNTS = (DATA / "accounts.csv").read_text(encoding="utf-8")
ACME = "a-acme,Acme Corporation,https://www.acme.com,Manufacturing,5000,"
NEW = (  # Tiny Shop and Megacorp arrive; a third Initech (no site) in Houston
    "a-tiny,Tiny Shop,tinyshop.example.org,Retail,5000,,Fresno,CA,US,,,2026-05-20\n"
    "a-mega,Megacorp Industries,megacorp-industries.com,Manufacturing,9000,,Columbus,OH,US,,,"
    "2026-05-20\n"
    "a-ini-hou,Initech,,Software,300,20000000,Houston,TX,US,,,2026-05-20\n"
)


@pytest.fixture(scope="module")
def strategy() -> Strategy:
    """v2 (in force on AS_OF): US companies of 1,000 employees or more, or the top-accounts
    list."""
    return load_strategy(DATA.parent / "strategy_small.yaml")


@pytest.fixture
def crm(store: Store, strategy: Strategy) -> Store:
    for kind in ("users", "accounts", "opportunities"):
        import_file(store=store, kind=kind, path=DATA / f"{kind}.csv")
    import_file(store=store, kind="leads", path=DATA / "leads.csv", strategy=strategy, as_of=AS_OF)
    return store


def _accounts(store: Store, tmp_path: Path, strategy: Strategy | None, text: str) -> ImportResult:
    path = tmp_path / f"accounts-{len(list(tmp_path.iterdir()))}.csv"
    path.write_text(text, encoding="utf-8")
    return import_file(store=store, kind="accounts", path=path, strategy=strategy, as_of=AS_OF)


def _lead(store: Store, lead_id: str) -> dict[str, Any]:
    with store.begin() as conn:
        query = sa.select(tables.lead).where(tables.lead.c.id == lead_id)
        return dict(conn.execute(query).mappings().one())


def _audit(store: Store, action: str) -> list[dict[str, Any]]:
    log = tables.audit_log
    with store.begin() as conn:
        query = sa.select(log.c.entity, log.c.entity_id, log.c.details).where(
            log.c.action == action
        )
        return [dict(r) for r in conn.execute(query.order_by(log.c.id)).mappings()]


def test_a_lead_waiting_for_its_account_is_matched_when_it_arrives(
    crm: Store, strategy: Strategy, tmp_path: Path
) -> None:
    with crm.begin() as conn:  # a person said Megacorp is none of the accounts: it stands
        lead = tables.lead
        conn.execute(lead.update().where(lead.c.id == "l-mega").values(match_status="manual"))
    assert _lead(crm, "l-tiny")["account_id"] is None
    [before] = [r for r in list_reviews(store=crm) if r["subject_id"] == "l-ini"]
    result = _accounts(crm, tmp_path, strategy, ACCOUNTS + NEW)
    tiny = _lead(crm, "l-tiny")
    assert (tiny["account_id"], tiny["match_status"]) == ("a-tiny", "matched")
    assert "same name: 'tiny shop'" in tiny["match_reasons"]
    assert (_lead(crm, "l-mega")["account_id"], _lead(crm, "l-mega")["match_status"]) == (
        None, "manual",
    )  # fmt: skip
    ini = _lead(crm, "l-ini")  # a third Initech: still a person's call, on all three
    assert (ini["account_id"], ini["match_status"]) == (None, "ambiguous")
    [after] = [r for r in list_reviews(store=crm) if r["subject_id"] == "l-ini"]
    assert after["id"] == before["id"]  # the same review, refreshed
    assert {c["account_id"] for c in after["candidates"]} == {"a-ini-aus", "a-ini-dal", "a-ini-hou"}
    [note] = [n for n in result.notes if n.startswith("leads without an account")]
    assert note == (
        "leads without an account: 3 checked against the 3 accounts this import created or "
        "changed — 1 now matched to an account, 1 to review"
    )
    [logged] = _audit(crm, "match.leads")[-1:]
    assert (logged["entity"], logged["details"]["matched"]) == ("account", 1)
    again = _accounts(crm, tmp_path, strategy, ACCOUNTS + NEW)  # the same file: nothing
    assert (again.updated, again.notes) == (0, [])


def test_the_gate_judges_again_the_leads_on_a_changed_account(
    crm: Store, strategy: Strategy, tmp_path: Path
) -> None:
    assert _lead(crm, "l-tiny")["gate_status"] == "quarantined"  # 12 employees of its own
    assert _lead(crm, "l-acme")["gate_status"] == "active"  # Acme: 5,000 employees
    result = _accounts(crm, tmp_path, strategy, ACCOUNTS + NEW)
    tiny = _lead(crm, "l-tiny")  # now judged on Tiny Shop's account: 5,000 employees
    assert (tiny["gate_status"], tiny["gate_reasons"]["judged_on"]) == (
        "active", "matched account Tiny Shop (a-tiny)",
    )  # fmt: skip
    assert tiny["gate_reasons"]["basis"]["employees"] == 5000
    [note] = [n for n in result.notes if n.startswith("intake gate")]
    assert "2 leads judged on accounts this import created, changed or matched them to" in note
    assert "2 judged again: 2 in profile, 0 quarantined, 1 changed status" in note  # + l-mega
    shrunk = _accounts(crm, tmp_path, strategy, (ACCOUNTS + NEW).replace(ACME, ACME[:-5] + "50,"))
    assert [_lead(crm, x)["gate_status"] for x in ("l-acme", "l-acme2")] == ["quarantined"] * 2
    [note] = [n for n in shrunk.notes if n.startswith("intake gate")]
    assert "2 judged again: 0 in profile, 2 quarantined, 2 changed status" in note
    release(store=crm, kind="leads", record_id="l-acme2", actor="u-admin",
            reason="their new plant is a big one", now=NOW)  # fmt: skip
    phone = (ACCOUNTS + NEW).replace(ACME, ACME[:-5] + "50,").replace(",Web,2024-01-10", ",,")
    quiet = _accounts(crm, tmp_path, strategy, phone)  # Acme changed, not what the ICP reads
    assert quiet.updated == 1
    assert _lead(crm, "l-acme2")["gate_status"] == "released"
    [note] = [n for n in quiet.notes if n.startswith("intake gate")]
    assert note.endswith("none changed in what the ICP reads, so none was judged again")
    grown = _accounts(crm, tmp_path, strategy, phone.replace(ACME[:-5] + "50,", ACME[:-5] + "60,"))
    acme2 = _lead(crm, "l-acme2")  # what the ICP reads changed: judged again, release kept
    assert acme2["gate_status"] == "quarantined"
    assert acme2["gate_reasons"]["after_release"]["changed"] == ["employees: 50 -> 60"]
    assert acme2["gate_reasons"]["after_release"]["release"]["by"] == "u-admin"
    [note] = [n for n in grown.notes if n.startswith("intake gate")]
    assert "2 judged again" in note
    assert "1 of them released earlier" in note
    assert [a["entity_id"] for a in _audit(crm, "gate.regate")] == ["5", "6", "7", "8"]


def test_without_a_strategy_the_import_says_the_leads_were_not_judged(
    crm: Store, tmp_path: Path
) -> None:
    result = _accounts(crm, tmp_path, None, ACCOUNTS.replace(ACME, ACME[:-5] + "50,"))
    assert result.notes[-1] == (
        "intake gate not applied to the 2 leads judged on accounts this import created, changed "
        "or matched them to: no strategy given. Apply it with `onstrategy --strategy FILE gate "
        "apply --kind leads`"
    )
    assert _lead(crm, "l-acme")["gate_status"] == "active"


def test_a_basis_kept_before_it_held_the_accounts_firmographics_is_compared_on_the_account() -> (
    None
):
    from onstrategy.engines.gate_basis import basis_changes

    now = {"account_id": "a-acme", "employees": 60, "country": "US", "named_lists": []}
    assert basis_changes({"account_id": "a-acme"}, now) == []
    assert basis_changes({"account_id": "a-ini-aus"}, now) == [
        "account_id: 'a-ini-aus' -> 'a-acme'"
    ]
    assert basis_changes(now | {"employees": 50}, now) == ["employees: 50 -> 60"]


def test_leads_imported_before_the_accounts_are_matched_by_the_first_accounts_import(
    store: Store,
) -> None:
    for kind in ("users", "leads"):
        import_file(store=store, kind=kind, path=DATA / f"{kind}.csv")
    assert _lead(store, "l-acme")["account_id"] is None
    result = import_file(store=store, kind="accounts", path=DATA / "accounts.csv")
    assert [_lead(store, x)["account_id"] for x in ("l-acme", "l-acme2")] == ["a-acme"] * 2
    assert _lead(store, "l-ini")["match_status"] == "ambiguous"
    assert result.notes == [
        "leads without an account: 6 checked against the 6 accounts this import created or "
        "changed — 2 now matched to an account, 1 to review (1 new in `onstrategy matches "
        "review`)"
    ]
