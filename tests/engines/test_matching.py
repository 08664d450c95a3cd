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


NAME_RULE_REFS = [
    MatchRecord("google", "Google LLC"),
    MatchRecord("wipro", "Wipro Limited"),
    MatchRecord("aal", "American Airlines, Inc."),
    MatchRecord("aal-cargo", "American Airlines Cargo"),
    MatchRecord("axp", "American Express Co"),
    MatchRecord("optiv", "Optiv Inc."),
    MatchRecord("fishnet", "FishNet Security"),
    MatchRecord("adobe", "Adobe Inc."),
    MatchRecord("fujitsu", "Fujitsu"),
    MatchRecord("fujitsu-svc", "Fujitsu Services"),
    MatchRecord("sears", "Sears"),
    MatchRecord("sears-il", "Sears Israel"),
    MatchRecord("gs", "GOLDMAN SACHS GROUP INC"),
    MatchRecord("siemens-cn", "Siemens China"),
    MatchRecord("siemens-ent", "Siemens Enterprise"),
    MatchRecord("oracle", "ORACLE CORP"),
    MatchRecord("veritas", "Veritas"),
    MatchRecord("symantec", "Symantec Corporation"),
]


@pytest.fixture(scope="module")
def rules_index() -> AccountIndex:
    return AccountIndex.build(NAME_RULE_REFS)


@pytest.mark.parametrize(
    ("query", "account"),
    [
        ("Google Cloud India", "google"),  # whole name plus place and org unit
        ("Google, Inc. - New York", "google"),
        ("Wipro India Pvt. Ltd.", "wipro"),
        ("American Airlines Engineering", "aal"),  # never American Express
        ("American Airlines Cargo UK", "aal-cargo"),  # the longer name that fits in full
        ("Optiv, formerly FishNet Security", "optiv"),  # FishNet is its history
        ("Veritas (part of Symantec)", "veritas"),
        ("Fujitsu", "fujitsu"),  # the exact name beats Fujitsu Services
        ("Sears Israel", "sears-il"),  # the longer name that fits in full beats Sears
        ("Sears Israel Research", "sears-il"),
        ("Goldman Sachs", "gs"),  # the legal name's generic words left out
    ],
)
def test_name_plus_qualifiers_matches_the_account(
    rules_index: AccountIndex, query: str, account: str
) -> None:
    result = rules_index.match(MatchRecord("l1", query))
    assert (result.status, result.to_id) == ("matched", account), result.reasons


@pytest.mark.parametrize(
    "query",
    [
        "Siemens India",  # two accounts are Siemens plus qualifiers
        "Jetform (acquired by Adobe)",  # Adobe is only named as the acquirer
        "Siemens",  # two accounts are Siemens plus qualifiers: a person picks
        "Global Services India",  # qualifiers alone name no company
    ],
)
def test_extra_words_that_name_a_business_are_not_guessed(
    rules_index: AccountIndex, query: str
) -> None:
    result = rules_index.match(MatchRecord("l1", query))
    assert result.status != "matched", result.reasons


def test_review_reason_tells_ambiguous_from_weak(rules_index: AccountIndex) -> None:
    weak = rules_index.match(MatchRecord("l1", "Sears Hometown Stores"))
    assert weak.status == "ambiguous"
    assert weak.reasons[-1].startswith("weak: one candidate")
    assert weak.candidates[0].to_id == "sears"
    two = rules_index.match(MatchRecord("l2", "Siemens"))
    assert two.status == "ambiguous"
    assert two.reasons[-1].startswith("ambiguous: runner-up")
    history = rules_index.match(MatchRecord("l3", "Jetform (acquired by Adobe)"))
    assert any("names another company" in r for r in history.candidates[0].reasons)


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


@pytest.fixture(scope="module")
def held_out() -> tuple[ModuleType, dict[str, object]]:
    bench = _accuracy_bench()
    if not bench.VARIANTS.exists():
        pytest.skip(f"{bench.VARIANTS} not found")
    clusters = bench.load_clusters()
    references, queries, canon = bench.build_sets(clusters, seed=7, cap=1, absent=0.15)
    noisy = bench.build_noisy(clusters, canon, queries, seed=7)
    chosen = [q for q in [*queries, *noisy] if q.split.startswith("held-out")]
    return bench, bench.evaluate(AccountIndex.build(references), chosen, canon)


@pytest.mark.realdata
def test_held_out_company_graph(held_out: tuple[ModuleType, dict[str, object]]) -> None:
    """The benchmark's held-out clusters (seed 7), one query per cluster, absent clusters'
    variants kept as negatives.

    Measured: all queries P 0.912 R 0.567 (half the variants share no word with the
    account's name: "gmail" for Google; most "wrong" matches are a parent or subsidiary
    the data files as another company); queries holding the account's whole name P 0.964
    R 0.772. The floors sit just under those figures.
    """
    _, tallies = held_out
    evident = tallies["held-out, contains canonical"]
    overall = tallies["held-out"]
    assert evident.precision >= 0.95, evident.line("contains canonical")
    assert evident.recall >= 0.75, evident.line("contains canonical")
    assert overall.precision >= 0.90, overall.line("all")
    assert overall.recall >= 0.55, overall.line("all")


@pytest.mark.realdata
def test_held_out_legal_forms_markup_and_lookalikes(
    held_out: tuple[ModuleType, dict[str, object]],
) -> None:
    """Real names with synthetic CRM noise (legal forms, case, "The", "&amp;", markup,
    abbreviations) against ~8,800 accounts. Measured: P 0.984 R 0.992; where another
    account starts with the same word (look-alikes) P 0.952 R 0.972."""
    _, tallies = held_out
    noisy = tallies["held-out, noisy name"]
    lookalikes = tallies["held-out, noisy name, look-alikes"]
    assert noisy.precision >= 0.98, noisy.line("noisy names")
    assert noisy.recall >= 0.98, noisy.line("noisy names")
    assert lookalikes.precision >= 0.95, lookalikes.line("noisy look-alikes")
    assert lookalikes.recall >= 0.96, lookalikes.line("noisy look-alikes")


def test_many_namesakes_still_let_location_find_the_right_one() -> None:
    cities = ["Lincoln", "Grand Island", "Kearney", "Norfolk", "Columbus", "Fremont",
              "Hastings", "North Platte", "Bellevue", "Papillion", "La Vista", "Scottsbluff",
              "Beatrice", "Lexington", "Omaha"]  # fmt: skip
    refs = [MatchRecord(id=f"a{i}", name="First National Bank", city=c, state="NE", country="US")
            for i, c in enumerate(cities)]  # fmt: skip
    index = AccountIndex.build(refs)
    omaha = index.match(MatchRecord(id="q", name="First National Bank", city="Omaha", state="NE"))
    assert (omaha.status, omaha.to_id) == ("matched", "a14")
    assert index.match(MatchRecord(id="q2", name="First National Bank")).status == "ambiguous"


@pytest.mark.parametrize(
    ("value", "domain"),
    [
        ("Jane <jane@acme.com>", "acme.com"),
        ("acme.com;", "acme.com"),
        ("www.acme.com, www.acme.co.uk", "acme.com"),
        ("Acme Corp", None),
    ],
)
def test_domains_in_the_forms_crms_hold(value: str, domain: str | None) -> None:
    assert registrable_domain(value) == domain
