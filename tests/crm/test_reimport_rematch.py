"""Re-importing the CRM export: changed leads are matched and gated again, a person's
decisions stand unless the import changed what they were taken on, and the same file
again changes nothing (both databases)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from onstrategy.crm.lead_matching import list_reviews, resolve_review
from onstrategy.engines.gate import release
from onstrategy.engines.routing import route_lead
from onstrategy.ingest.importer import ImportResult, import_file
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.strategy.load import parse_strategy
from onstrategy.strategy.model import Strategy

DATA = Path(__file__).resolve().parents[1] / "data" / "right_leads"
AS_OF = date(2026, 6, 1)
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
LEADS = (DATA / "leads.csv").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def strategy() -> Strategy:
    """The small test strategy, where being in the US weighs as much as the company's size
    (so a company that moves abroad leaves the target market)."""
    text = (DATA.parent / "strategy_small.yaml").read_text(encoding="utf-8")
    lists = "          named_lists: [top-accounts]\n"
    assert text.count(lists) == 1
    return parse_strategy(text.replace(lists, lists + "      weights: {geography: 25}\n"))


@pytest.fixture
def crm(store: Store, strategy: Strategy) -> Store:
    for kind in ("users", "accounts", "opportunities"):
        import_file(store=store, kind=kind, path=DATA / f"{kind}.csv")
    import_file(store=store, kind="leads", path=DATA / "leads.csv", strategy=strategy, as_of=AS_OF)
    return store


def _reimport(
    store: Store, strategy: Strategy, tmp_path: Path, *edits: tuple[str, str, str]
) -> ImportResult:
    """The leads export again, with ``(lead id, old text, new text)`` edits on lead rows."""
    lines = LEADS.splitlines()
    for lead_id, old, new in edits:
        [index] = [i for i, line in enumerate(lines) if line.startswith(f"{lead_id},")]
        assert old in lines[index]
        lines[index] = lines[index].replace(old, new)
    path = tmp_path / f"leads-{len(list(tmp_path.iterdir()))}.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return import_file(store=store, kind="leads", path=path, strategy=strategy, as_of=AS_OF)


def _lead(store: Store, lead_id: str) -> dict[str, Any]:
    with store.begin() as conn:
        query = sa.select(tables.lead).where(tables.lead.c.id == lead_id)
        return dict(conn.execute(query).mappings().one())


def _audit(store: Store) -> list[tuple[str, str | None]]:
    log = tables.audit_log
    with store.begin() as conn:
        query = sa.select(log.c.action, log.c.entity_id).order_by(log.c.id)
        return [(a, e) for a, e in conn.execute(query)]


def _gate_note(result: ImportResult) -> str:
    [note] = [n for n in result.notes if n.startswith("intake gate")]
    return note


def test_changed_leads_are_matched_and_gated_again(
    crm: Store, strategy: Strategy, tmp_path: Path
) -> None:
    assert _lead(crm, "l-gmail")["account_id"] is None  # free mail: no company
    assert _lead(crm, "l-mega")["gate_status"] == "active"
    result = _reimport(
        crm, strategy, tmp_path,
        ("l-gmail", "gil.mail@gmail.com", "gil.mail@globex.com"),  # Gil joined Globex Inc
        ("l-gmail", ",US,MA,Boston,", ",US,NY,New York,"),
        ("l-mega", ",US,OH,", ",DE,OH,"),  # moved out of the target market
    )  # fmt: skip
    assert (result.inserted, result.updated, result.unchanged) == (0, 2, 4)
    gil = _lead(crm, "l-gmail")
    assert (gil["account_id"], gil["match_status"]) == ("a-globex", "matched")
    assert gil["gate_reasons"]["judged_on"] == "matched account Globex Inc (a-globex)"
    mega = _lead(crm, "l-mega")
    assert mega["gate_status"] == "quarantined"
    assert "location OH/DE is not in the target area (US)" in mega["gate_reasons"]["failed"]
    assert mega["last_batch_id"] == result.batch_id != mega["import_batch_id"]
    assert "2 of them were stored before and re-gated" in _gate_note(result)
    assert "(1 changed status)" in _gate_note(result)
    assert _lead(crm, "l-tiny")["last_batch_id"] != result.batch_id  # unchanged rows keep theirs


def test_the_same_file_again_changes_nothing(crm: Store, strategy: Strategy) -> None:
    route_lead(store=crm, strategy=strategy, lead_id="l-mega", as_of=AS_OF, now=NOW)
    tracked = (tables.routing_decision, tables.match_review, tables.lead_list_match, tables.lead)
    with crm.begin() as conn:
        before = [conn.execute(sa.select(t)).mappings().all() for t in tracked]
    audit = _audit(crm)
    again = import_file(
        store=crm, kind="leads", path=DATA / "leads.csv", strategy=strategy, as_of=AS_OF
    )
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 6)
    assert again.notes == []  # nothing to match, nothing to gate
    with crm.begin() as conn:
        assert [conn.execute(sa.select(t)).mappings().all() for t in tracked] == before
    assert _audit(crm) == [*audit, ("import", str(again.batch_id))]


def test_a_persons_match_stands_until_the_company_changes(
    crm: Store, strategy: Strategy, tmp_path: Path
) -> None:
    [review] = [r for r in list_reviews(store=crm) if r["subject_id"] == "l-ini"]
    resolve_review(
        store=crm, review_id=review["id"], account_id="a-ini-dal", actor="u-admin", now=NOW
    )
    # a new title and the company's name spelt another way: the decision stands
    renamed = ("l-ini", ",CIO,Initech,", ",Chief Information Officer,INITECH Inc.,")
    result = _reimport(crm, strategy, tmp_path, renamed)
    assert result.updated == 1
    ini = _lead(crm, "l-ini")
    assert (ini["account_id"], ini["match_status"]) == ("a-ini-dal", "manual")
    assert ini["title"] == "Chief Information Officer"
    assert "match.reopen" not in [action for action, _ in _audit(crm)]
    # another company: the decision was about Initech, so the lead is matched again
    result = _reimport(crm, strategy, tmp_path, ("l-ini", ",CIO,Initech,", ",CIO,Globex,"))
    ini = _lead(crm, "l-ini")
    assert (ini["account_id"], ini["match_status"]) == ("a-globex", "matched")
    assert ini["match_reasons"][0].startswith(
        "matched again: the import changed the company 'Initech' -> 'Globex' since a "
        "person's decision (chosen by Ada Admin (admin) in review"
    )
    assert ("match.reopen", "l-ini") in _audit(crm)
    [note] = [n for n in result.notes if n.startswith("lead matching")]
    assert "1 of them had a person's match for a company the import changed" in note


def test_a_release_stands_until_the_import_changes_what_the_icp_reads(
    crm: Store, strategy: Strategy, tmp_path: Path
) -> None:
    assert _lead(crm, "l-tiny")["gate_status"] == "quarantined"  # 12 employees
    release(
        store=crm, kind="leads", record_id="l-tiny", actor="u-admin",
        reason="referral from our best customer", now=NOW,
    )  # fmt: skip
    result = _reimport(crm, strategy, tmp_path, ("l-tiny", ",Owner,", ",Founder,"))
    assert result.updated == 1
    assert _lead(crm, "l-tiny")["gate_status"] == "released"
    assert "1 released earlier and left alone" in _gate_note(result)
    result = _reimport(crm, strategy, tmp_path, ("l-tiny", ",Retail,12,", ",Retail,20,"))
    tiny = _lead(crm, "l-tiny")
    assert tiny["gate_status"] == "quarantined"
    after = tiny["gate_reasons"]["after_release"]
    assert after["changed"] == ["employees: 12 -> 20"]
    assert after["release"]["reason"] == "referral from our best customer"
    assert "1 released earlier judged again because the import changed what the ICP reads" in (
        _gate_note(result)
    )
