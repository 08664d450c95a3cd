"""Named-account lists: import, matching to accounts, white space, duplicates (both databases)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from onstrategy.crm.lead_matching import list_reviews, resolve_review
from onstrategy.crm.lists import (
    import_list,
    list_duplicates,
    list_entries,
    list_lists,
    rematch_list,
)
from onstrategy.engines.fit import account_fit_table
from onstrategy.errors import InvalidInput, NotFound
from onstrategy.ingest.importer import import_file, list_batches
from onstrategy.store import tables
from onstrategy.store.connect import Store

DATA = Path(__file__).resolve().parents[1] / "data" / "right_leads"
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def crm(store: Store) -> Store:
    for kind in ("users", "accounts", "opportunities"):
        import_file(store=store, kind=kind, path=DATA / f"{kind}.csv")
    return store


def _import(store: Store, path: Path = DATA / "list.csv") -> object:
    return import_list(store=store, list_id="top-accounts", path=path, title="Top", now=NOW)


def _by_name(store: Store) -> dict[str, dict]:
    return {e["name"]: e for e in list_entries(store=store, list_id="top-accounts")["entries"]}


def test_entries_are_matched_with_reasons_and_white_space_is_shown(crm: Store) -> None:
    result = _import(crm)
    assert (result.inserted, result.rejected) == (
        5,
        [(6, "neither a company name nor a usable website")],
    )
    entries = _by_name(crm)
    acme = entries["Acme Corp."]
    assert (acme["account_id"], acme["match_status"]) == ("a-acme", "matched")
    assert "same domain acme.com" in acme["match_reasons"]
    assert acme["extra"] == {"Rank": "1", "Revenue ($M)": "900"}  # other columns are kept
    white = list_entries(store=crm, list_id="top-accounts", white_space=True)["entries"]
    assert [e["name"] for e in white] == ["Megacorp Industries", "Initech", "Hooli"]  # by rank
    summary = list_lists(store=crm)[0]
    assert (
        summary["entries"],
        summary["matched"],
        summary["to_review"],
        summary["white_space"],
    ) == (5, 2, 1, 3)


def test_an_account_matching_several_entries_is_a_duplicate(crm: Store) -> None:
    _import(crm)
    groups = list_duplicates(store=crm, list_id="top-accounts")
    assert [g["account_id"] for g in groups] == ["a-acme"]
    assert {e["name"] for e in groups[0]["entries"]} == {"Acme Corp.", "ACME Corporation (Texas)"}


def test_re_import_is_idempotent_and_the_file_is_the_list(crm: Store, tmp_path: Path) -> None:
    _import(crm)
    before = _by_name(crm)
    again = _import(crm)
    assert (again.inserted, again.updated, again.unchanged, again.removed) == (0, 0, 5, 0)
    assert _by_name(crm) == before
    assert len(list_reviews(store=crm)) == 1  # the ambiguous entry is not queued twice
    shorter = tmp_path / "list.csv"
    shorter.write_text("\n".join((DATA / "list.csv").read_text().splitlines()[:3]) + "\n")
    third = _import(crm, shorter)
    assert (third.removed, third.unchanged) == (3, 2)
    assert set(_by_name(crm)) == {"Acme Corp.", "Megacorp Industries"}
    assert list_reviews(store=crm) == []  # the removed Initech entry's review is withdrawn
    assert [b["kind"] for b in list_batches(store=crm)][:3] == ["lists"] * 3


def test_ambiguous_entry_goes_to_review_and_a_decision_sticks(crm: Store) -> None:
    _import(crm)
    (review,) = list_reviews(store=crm)
    assert review["subject"]["name"] == "Initech"
    assert {c["account_id"] for c in review["candidates"]} >= {"a-ini-aus", "a-ini-dal"}
    resolve_review(
        store=crm, review_id=review["id"], account_id="a-ini-dal", actor="mia@test.example", now=NOW
    )
    assert _by_name(crm)["Initech"]["account_id"] == "a-ini-dal"
    rematch_list(store=crm, list_id="top-accounts", now=NOW)  # a rerun keeps the person's choice
    initech = _by_name(crm)["Initech"]
    assert (initech["account_id"], initech["match_status"]) == ("a-ini-dal", "manual")
    assert "Mia Manager" in initech["match_reasons"][0]


def test_an_accounts_import_rematches_the_lists(crm: Store, tmp_path: Path) -> None:
    _import(crm)
    new = tmp_path / "accounts.csv"
    new.write_text(
        "Account ID,Account Name,Website,Billing Country\na-hooli,Hooli,hooli.example.net,US\n"
    )
    result = import_file(store=crm, kind="accounts", path=new)
    assert any("top-accounts re-matched: 3 matched" in n for n in result.notes)
    assert _by_name(crm)["Hooli"]["account_id"] == "a-hooli"


def test_list_membership_feeds_the_icp(crm: Store) -> None:
    from onstrategy.strategy.load import load_strategy

    _import(crm)
    version = load_strategy(DATA.parent / "strategy_small.yaml").version("v2")
    rows = account_fit_table(store=crm, version=version).to_pyarrow().to_pylist()
    on_list = {r["id"] for r in rows if r["s1_named_list"]}
    assert on_list == {"a-acme"}


def test_unknown_list_and_bad_name_are_clear_errors(crm: Store) -> None:
    with pytest.raises(NotFound, match="no named-account list 'nope'"):
        list_entries(store=crm, list_id="nope")
    with pytest.raises(InvalidInput, match="not a short name"):
        import_list(store=crm, list_id="Fortune 1000!", path=DATA / "list.csv", now=NOW)


def test_the_demo_bundle_imports_the_fortune_1000(demo_store) -> None:  # type: ignore[no-untyped-def]
    store = demo_store.store
    (summary,) = list_lists(store=store)
    assert (summary["id"], summary["name"]) == ("fortune-1000", "Fortune 1000")
    assert summary["entries"] == 100
    assert 50 <= summary["matched"] < 100
    with store.begin() as conn:
        named = conn.execute(
            sa.select(sa.func.count())
            .select_from(tables.named_list_entry)
            .where(tables.named_list_entry.c.account_id.isnot(None))
        ).scalar()
    assert named == summary["matched"]


def test_a_company_dropped_from_the_list_takes_its_leads_off_it(store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    import sqlalchemy as sa

    from onstrategy.crm.lists import import_list
    from onstrategy.store import tables

    now = datetime(2026, 6, 1, tzinfo=UTC)
    both = tmp_path / "top.csv"
    both.write_text("Company,Website\nAlpha Corp,alpha.com\nBeta Inc,beta.com\n", encoding="utf-8")
    import_list(store=store, list_id="top", path=both, now=now)
    entries, links = tables.named_list_entry, tables.lead_list_match
    with store.begin() as conn:
        beta = conn.execute(sa.select(entries.c.id).where(entries.c.name == "Beta Inc")).scalar()
        conn.execute(links.insert().values(lead_id="l1", list_id="top", entry_id=beta, score=95.0))
    alpha_only = tmp_path / "top2.csv"
    alpha_only.write_text("Company,Website\nAlpha Corp,alpha.com\n", encoding="utf-8")
    assert import_list(store=store, list_id="top", path=alpha_only, now=now).removed == 1
    with store.begin() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(links)).scalar() == 0
