"""Leads matched to accounts after import, and the review queue (both databases)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from onstrategy.crm.lead_matching import (
    lead_match,
    list_reviews,
    match_leads,
    match_summary,
    resolve_review,
)
from onstrategy.errors import Conflict, Forbidden, NotFound
from onstrategy.ingest.importer import import_file
from onstrategy.store import tables
from onstrategy.store.connect import Store

DATA = Path(__file__).resolve().parents[1] / "data" / "right_leads"
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def crm(store: Store) -> Store:
    for kind in ("users", "accounts", "leads"):
        import_file(store=store, kind=kind, path=DATA / f"{kind}.csv")
    return store


def _audit(store: Store, action: str) -> list[dict]:
    log = tables.audit_log
    with store.begin() as conn:
        query = sa.select(log).where(log.c.action == action)
        return [dict(r) for r in conn.execute(query).mappings()]


def test_leads_are_matched_after_import_with_score_and_reasons(crm: Store) -> None:
    acme = lead_match(store=crm, lead_id="l-acme")
    assert (acme["account_id"], acme["match_status"], acme["match_score"]) == (
        "a-acme",
        "matched",
        100.0,
    )
    assert "same domain acme.com" in acme["match_reasons"]
    assert match_summary(store=crm) == {"matched": 2, "ambiguous": 1, "none": 3}


def test_a_gmail_address_never_matches_by_domain(crm: Store) -> None:
    gil = lead_match(store=crm, lead_id="l-gmail")  # an account even has gmail.com as website
    assert (gil["account_id"], gil["match_status"]) == (None, "none")
    assert gil["match_reasons"][0].startswith("gmail.com is a free-mail or ISP domain")


def test_an_ambiguous_lead_goes_to_review_and_resolve_applies_it(crm: Store) -> None:
    (review,) = list_reviews(store=crm)
    assert (review["subject_kind"], review["subject_id"]) == ("lead", "l-ini")
    assert {c["account_id"] for c in review["candidates"]} >= {"a-ini-aus", "a-ini-dal"}
    assert all(c["reasons"] for c in review["candidates"])
    assert "runner-up" in review["reasons"][-1]
    with pytest.raises(Forbidden, match="Ray Rep \\(rep\\) may not resolve"):
        resolve_review(
            store=crm,
            review_id=review["id"],
            account_id="a-ini-aus",
            actor="ray@test.example",
            now=NOW,
        )
    with pytest.raises(NotFound, match="no account 'a-nope'"):
        resolve_review(
            store=crm, review_id=review["id"], account_id="a-nope", actor="u-admin", now=NOW
        )
    with pytest.raises(Forbidden, match="Mia Manager \\(manager\\) may not resolve the match of"):
        resolve_review(  # a manager with no team: nobody's lead is theirs
            store=crm, review_id=review["id"], account_id="a-ini-aus", actor="u-mgr", now=NOW
        )
    resolve_review(
        store=crm,
        review_id=review["id"],
        account_id="a-ini-aus",
        actor="ada@test.example",
        comment="she signs from Austin",
        now=NOW,
    )
    lead = lead_match(store=crm, lead_id="l-ini")
    assert (lead["account_id"], lead["match_status"]) == ("a-ini-aus", "manual")
    assert list_reviews(store=crm) == []
    (entry,) = _audit(crm, "match.resolve")
    assert (entry["actor"], entry["entity_id"], entry["details"]["account_id"]) == (
        "u-admin",
        "l-ini",
        "a-ini-aus",
    )
    with pytest.raises(Conflict, match="already resolved"):
        resolve_review(store=crm, review_id=review["id"], account_id=None, actor="u-admin", now=NOW)


def test_reruns_keep_manual_choices_and_do_not_duplicate_reviews(crm: Store) -> None:
    run = match_leads(store=crm, now=NOW, everything=True)
    assert (run.considered, run.reviews_opened) == (6, 0)
    assert len(list_reviews(store=crm)) == 1
    (review,) = list_reviews(store=crm)
    resolve_review(store=crm, review_id=review["id"], account_id=None, actor="u-admin", now=NOW)
    again = match_leads(store=crm, now=NOW, everything=True)
    assert again.considered == 5  # the lead a person decided is left alone
    lead = lead_match(store=crm, lead_id="l-ini")
    assert (lead["account_id"], lead["match_status"]) == (None, "manual")


def test_default_run_only_revisits_leads_without_an_account(crm: Store, tmp_path: Path) -> None:
    new = tmp_path / "accounts.csv"
    new.write_text(
        "Account ID,Account Name,Website,Billing Country\n"
        "a-tiny,Tiny Shop,tinyshop.example.org,US\n"
    )
    import_file(store=crm, kind="accounts", path=new)  # its hook gives l-tiny its account
    assert lead_match(store=crm, lead_id="l-tiny")["account_id"] == "a-tiny"
    run = match_leads(store=crm, now=NOW)
    assert run.considered == 3  # 2 still without an account + 1 ambiguous


def test_unknown_review_and_unknown_user_are_clear(crm: Store) -> None:
    with pytest.raises(NotFound, match="no match review #999"):
        resolve_review(store=crm, review_id=999, account_id=None, actor="u-admin", now=NOW)
    with pytest.raises(NotFound, match="no user 'ghost'"):
        resolve_review(store=crm, review_id=1, account_id=None, actor="ghost", now=NOW)
    with pytest.raises(NotFound, match="no lead 'l-none'"):
        lead_match(store=crm, lead_id="l-none")


def test_demo_leads_are_matched_to_known_accounts(demo_store) -> None:  # type: ignore[no-untyped-def]
    counts = match_summary(store=demo_store.store)
    total = sum(counts.values())
    assert "unmatched" not in counts  # the import hook ran on every lead
    assert 0.3 < counts["matched"] / total < 0.8
    lead = tables.lead
    with demo_store.store.begin() as conn:
        free_mail = conn.execute(
            sa.select(lead.c.email, lead.c.match_reasons).where(
                lead.c.email.like("%@gmail.com") | lead.c.email.like("%@hotmail.com")
            )
        ).all()
    assert len(free_mail) > 10
    for email, reasons in free_mail:  # by website or company name at best, never by gmail.com
        mail_domain = email.rsplit("@", 1)[1]
        assert not any(r == f"same domain {mail_domain}" for r in reasons), email
    assert sum("is a free-mail or ISP domain" in r[0] for _, r in free_mail) > 5
