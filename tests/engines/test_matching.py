"""Lead-to-account matching as a RevOps person would check it."""

from __future__ import annotations

import importlib.util
import socket
import sys
from pathlib import Path
from types import ModuleType

import pytest

from onstrategy.engines import domains
from onstrategy.engines.matching import (
    AccountIndex,
    MatchRecord,
    is_free_mail_domain,
    normalize_company_name,
    registrable_domain,
)

REFS = [
    MatchRecord("amzn", "AMAZON COM INC", domain="amazon.com", city="Seattle", state="WA"),
    MatchRecord("ibm", "INTERNATIONAL BUSINESS MACHINES CORP", website="https://www.ibm.com"),
    MatchRecord("pg", "PROCTER & GAMBLE CO", domain="pg.com"),
    MatchRecord("mmm", "3M CO"),
    MatchRecord("att", "AT&T INC"),
    MatchRecord("aal", "American Airlines Group Inc", domain="aa.com"),
    MatchRecord("axp", "American Express Co", domain="americanexpress.com"),
    MatchRecord("dal", "Delta Air Lines, Inc.", domain="delta.com"),
    MatchRecord("globex", "Globex Corporation", domain="globex.com"),
    MatchRecord("acme-tx", "Acme Inc", city="Austin", state="Texas", country="United States"),
    MatchRecord("acme-ma", "Acme Inc", city="Boston", state="MA", country="US"),
    MatchRecord("ko", "The Coca-Cola Company", domain="coca-cola.com"),
    MatchRecord("initech", "Initech GmbH", domain="initech.de"),
    MatchRecord("hooli-a", "Hooli Cloud", domain="hooli.com"),
    MatchRecord("hooli-b", "Hooli Search", domain="hooli.com"),
    MatchRecord("gmailer", "Someone's Side Business", email="owner@gmail.com"),
]


@pytest.fixture(scope="module")
def index() -> AccountIndex:
    return AccountIndex.build(REFS)


def test_company_names_normalise_legal_forms_case_markup_and_abbreviations() -> None:
    assert normalize_company_name("AMAZON COM INC") == "amazon"
    assert normalize_company_name("Amazon.com, Inc.") == "amazon"
    assert normalize_company_name("The Procter &amp; Gamble Co.") == "procter gamble"
    assert normalize_company_name("Procter and Gamble") == "procter gamble"
    assert normalize_company_name("<b>Starbucks</b>® Corp") == "starbucks"
    assert (
        normalize_company_name("Intl Business Machines Corp.") == "international business machines"
    )
    assert normalize_company_name("Acme Mfg Grp Hldgs, LLC") == "acme manufacturing group holdings"
    assert normalize_company_name("Nestlé S.A.") == "nestle"
    assert normalize_company_name("WELLS FARGO & COMPANY/MN") == "wells fargo"


def test_registrable_domain_from_email_url_and_host() -> None:
    assert registrable_domain("jane@eu.mail.acme.co.uk") == "acme.co.uk"
    assert registrable_domain("https://www.ibm.com/us-en?x=1") == "ibm.com"
    assert registrable_domain("WWW.Example.COM:8080") == "example.com"
    assert registrable_domain("localhost") is None
    assert registrable_domain("n/a") is None
    assert is_free_mail_domain("gmail.com")
    assert is_free_mail_domain("jane@btinternet.com")
    assert is_free_mail_domain("mail.yahoo.co.jp")
    assert not is_free_mail_domain("ibm.com")


def test_domains_never_touch_the_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    domains._extractor.cache_clear()
    assert registrable_domain("https://shop.amazon.co.uk/") == "amazon.co.uk"
    assert registrable_domain("bob@city.kawasaki.jp") == "city.kawasaki.jp"


def test_gmail_never_identifies_a_company(index: AccountIndex) -> None:
    result = index.match(MatchRecord("l1", None, email="someone@gmail.com"))
    assert result.status == "none"
    assert result.to_id is None
    assert any("free-mail" in r for r in result.reasons)


def test_gmail_lead_still_matches_by_name(index: AccountIndex) -> None:
    result = index.match(MatchRecord("l1", "Globex Corp.", email="hank@gmail.com"))
    assert (result.status, result.to_id) == ("matched", "globex")


def test_domain_beats_name(index: AccountIndex) -> None:
    result = index.match(MatchRecord("l1", "Acme", email="jane@sales.globex.com"))
    assert (result.status, result.to_id) == ("matched", "globex")
    assert "same domain globex.com" in result.reasons


def test_domain_without_name_finds_the_account(index: AccountIndex) -> None:
    result = index.match(MatchRecord("l1", website="http://ibm.com/careers"))
    assert (result.status, result.to_id) == ("matched", "ibm")


@pytest.mark.parametrize(
    ("brand", "account"),
    [
        ("Amazon", "amzn"),
        ("amazon.com", "amzn"),
        ("Procter and Gamble", "pg"),
        ("3M", "mmm"),
        ("AT&T", "att"),
        ("Coca-Cola", "ko"),
        ("Delta Air Lines", "dal"),
        ("Initech", "initech"),
    ],
)
def test_brand_names_match_legal_names(index: AccountIndex, brand: str, account: str) -> None:
    result = index.match(MatchRecord("l1", brand))
    assert (result.status, result.to_id) == ("matched", account), result.reasons


def test_acronym_meets_initials_but_scores_below_exact(index: AccountIndex) -> None:
    acronym = index.match(MatchRecord("l1", "IBM"))
    exact = index.match(MatchRecord("l2", "International Business Machines"))
    assert acronym.candidates[0].to_id == "ibm"
    assert any("initials" in r for r in acronym.reasons)
    assert exact.to_id == "ibm"
    assert acronym.score < exact.score


@pytest.mark.parametrize(
    "lookalike", ["American Bank", "Delta Dental", "Delta", "American", "Acme Rockets"]
)
def test_lookalikes_are_not_matched(index: AccountIndex, lookalike: str) -> None:
    result = index.match(MatchRecord("l1", lookalike))
    assert result.status != "matched", result.reasons


def test_american_airlines_is_not_american_express(index: AccountIndex) -> None:
    result = index.match(MatchRecord("l1", "American Airlines"))
    assert result.to_id in {None, "aal"}
    assert all(c.to_id != "axp" or c.score < 50 for c in result.candidates)


def test_same_name_twice_goes_to_review_with_candidates(index: AccountIndex) -> None:
    result = index.match(MatchRecord("l1", "ACME, Inc."))
    assert result.status == "ambiguous"
    assert result.to_id is None
    assert {c.to_id for c in result.candidates[:2]} == {"acme-tx", "acme-ma"}
    assert any("within" in r for r in result.reasons)


def test_location_breaks_the_tie(index: AccountIndex) -> None:
    result = index.match(MatchRecord("l1", "Acme", city="Austin", state="TX", country="USA"))
    assert (result.status, result.to_id) == ("matched", "acme-tx")
    assert any("same city" in r for r in result.reasons)


def test_location_never_raises_confidence(index: AccountIndex) -> None:
    here = index.match(MatchRecord("l1", "Acme Rockets", city="Austin", state="TX"))
    anywhere = index.match(MatchRecord("l1", "Acme Rockets"))
    assert here.to_id == "acme-tx"
    assert here.score == anywhere.score  # it only picked between two equal names
    elsewhere = index.match(MatchRecord("l1", "Amazon", state="CA"))
    assert elsewhere.score < index.match(MatchRecord("l1", "Amazon")).score


def test_shared_domain_is_told_apart_by_name_or_sent_to_review(index: AccountIndex) -> None:
    by_name = index.match(MatchRecord("l1", "Hooli Search", email="a@hooli.com"))
    assert (by_name.status, by_name.to_id) == ("matched", "hooli-b")
    unclear = index.match(MatchRecord("l2", None, email="a@hooli.com"))
    assert unclear.status == "ambiguous"
    assert {c.to_id for c in unclear.candidates} == {"hooli-a", "hooli-b"}


def test_same_name_other_domain_is_not_auto_matched(index: AccountIndex) -> None:
    # A subsidiary or namesake: "Initech" on initech.com is not Initech GmbH on initech.de.
    result = index.match(MatchRecord("l1", "Initech", website="initech.com"))
    assert result.status != "matched"
    assert any("different domains" in r for r in result.reasons)


def test_match_many_keeps_order_and_is_deterministic() -> None:
    queries = [
        MatchRecord(str(i), name) for i, name in enumerate(["3M", "Acme", "Nobody", "Amazon"])
    ]
    first = list(AccountIndex.build(REFS).match_many(queries))
    second = list(AccountIndex.build(REFS).match_many(queries))
    assert [r.from_id for r in first] == ["0", "1", "2", "3"]
    assert first == second


def test_thresholds_are_keyword_parameters() -> None:
    strict = AccountIndex.build(REFS, match_threshold=99.5)
    assert strict.match(MatchRecord("l1", "IBM")).status != "matched"
    assert strict.match(MatchRecord("l2", "Amazon")).to_id == "amzn"


# --------------------------------------------------------------------------- real data
BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_matching_accuracy.py"


def _accuracy_bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_matching_accuracy", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.realdata
def test_held_out_company_graph() -> None:
    """The benchmark's held-out clusters (seed 7), one query per cluster.

    On every held-out query, precision is ~0.90 (many "wrong" matches are a parent or
    subsidiary the data files as another company) and recall ~0.5 (half the variants
    share no word with the account's name: "gmail" for Google). Where the query holds the
    account's whole name, precision must stay >= 0.95; the recall floors guard against
    regressions (see the report and the benchmark for the figures).
    """
    bench = _accuracy_bench()
    if not bench.VARIANTS.exists():
        pytest.skip(f"{bench.VARIANTS} not found")
    clusters = bench.load_clusters()
    references, queries, canon = bench.build_sets(clusters, seed=7, cap=1, absent=0.15)
    held_out = [q for q in queries if q.split == "held-out"]
    tallies = bench.evaluate(AccountIndex.build(references), held_out, canon)
    evident = tallies["held-out, contains canonical"]
    overall = tallies["held-out"]
    assert evident.precision >= 0.95, evident.line("contains canonical")
    assert evident.recall >= 0.60, evident.line("contains canonical")
    assert overall.precision >= 0.88, overall.line("all")
    assert overall.recall >= 0.45, overall.line("all")
