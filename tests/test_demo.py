"""The demo company: deterministic, valid, and telling the story a sales leader should see.

The persona checks compute their signals straight from the generated rows with simple
keyword rules, independent of the product's engines, so they test the data, not the code
that will read it.
"""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest
import yaml

from onstrategy.demo import FILES, PERSONAS, DemoCompany, generate_demo, write_demo
from onstrategy.strategy.load import parse_strategy

REPO = Path(__file__).resolve().parents[1]
MAPPINGS = REPO / "src" / "onstrategy" / "ingest" / "mappings"
SHIFT = "2025-12-01"
TARGETS = {"Manufacturing", "Healthcare", "Financial Services", "Education", "Government",
           "Retail"}  # fmt: skip
SENIOR = re.compile(
    r"\b(chief|cio|cto|cfo|ceo|coo|vp|vice president|svp|president|director|head|owner)\b",
    re.IGNORECASE,
)
CRM = {  # file kind -> (mapping, kind in the mapping)
    "teams": "salesforce", "users": "salesforce", "availability": "salesforce",
    "accounts": "salesforce", "opportunities": "salesforce",
    "opportunity_contacts": "salesforce", "activities": "salesforce",
    "contacts": "hubspot", "leads": "hubspot",
}  # fmt: skip


@pytest.fixture(scope="module")
def small() -> DemoCompany:
    return generate_demo(scale=0.1)


@pytest.fixture(scope="module")
def full() -> DemoCompany:
    return generate_demo()


def tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}  # fmt: skip


def test_same_seed_writes_identical_files(tmp_path: Path, small: DemoCompany) -> None:
    first = write_demo(small, tmp_path / "a")
    write_demo(generate_demo(scale=0.1), tmp_path / "b")
    assert set(first) == set(FILES)
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    assert len(tree(tmp_path / "a")) == len(FILES) - 1 + len(small.transcripts)


def test_writing_again_replaces_the_earlier_company(tmp_path: Path, small: DemoCompany) -> None:
    write_demo(generate_demo(seed=3, scale=0.2), tmp_path / "again")
    write_demo(small, tmp_path / "again")
    write_demo(small, tmp_path / "fresh")
    assert tree(tmp_path / "again") == tree(tmp_path / "fresh")


def test_another_seed_gives_another_company(small: DemoCompany) -> None:
    other = generate_demo(seed=8, scale=0.1)
    assert other.rows["accounts"] != small.rows["accounts"]
    assert other.rows["opportunities"] != small.rows["opportunities"]
    assert other.rows["users"] == small.rows["users"]  # the roster is fixed


def test_strategy_parses_and_adds_services_for_senior_it_buyers(small: DemoCompany) -> None:
    strategy = parse_strategy(small.strategy_text)
    before, after = strategy.versions
    assert (before.effective_from, after.effective_from) == (date(2024, 12, 1), date(2025, 12, 1))
    added = {o.id for o in after.offerings} - {o.id for o in before.offerings}
    assert added == {"installation", "managed-services"}
    for offering_id in added:
        offering = next(o for o in after.offerings if o.id == offering_id)
        assert offering.can_approve("vp", "it")
        assert offering.can_approve("executive", "it")
        assert not offering.can_approve("manager", "it")
        assert not offering.can_approve("manager", "procurement")
        assert not offering.can_approve("staff", "procurement")
    servers = after.offering_for_product("HW-SRV")
    assert servers is not None
    assert servers.can_approve("manager", "procurement")


def test_example_strategy_is_the_demo_strategy(small: DemoCompany) -> None:
    assert (REPO / "examples" / "strategy.yaml").read_text("utf-8") == small.strategy_text


def test_strategy_names_the_same_people_and_teams_as_the_crm(small: DemoCompany) -> None:
    strategy = parse_strategy(small.strategy_text)
    users = {u["User ID"]: u for u in small.rows["users"]}
    assert {r.id for r in strategy.reps} == set(users)
    assert {t.id for t in strategy.teams} == {t["Team ID"] for t in small.rows["teams"]}
    for rep in strategy.reps:
        assert (rep.name, rep.email, rep.role) == (
            users[rep.id]["Full Name"],
            users[rep.id]["Email"],
            users[rep.id]["Profile"],
        )
    active = [u for u in small.rows["users"] if u["Profile"] == "rep" and u["Active"] == "true"]
    assert len(active) == 20
    assert Counter(u["Profile"] for u in small.rows["users"]) == {
        "rep": 21, "manager": 4, "executive": 1, "admin": 1
    }  # fmt: skip
    assert set(PERSONAS.values()) == {"on_strategy", "chaser", "familiar", "pitcher"}


@pytest.mark.parametrize("kind", sorted(CRM))
def test_every_column_is_one_the_importer_knows(small: DemoCompany, kind: str) -> None:
    mapping = yaml.safe_load((MAPPINGS / f"{CRM[kind]}.yaml").read_text("utf-8"))
    known = {header for headers in mapping["kinds"][kind].values() for header in headers}
    assert set(small.rows[kind][0]) <= known


def test_every_reference_resolves(small: DemoCompany) -> None:
    rows = small.rows
    users = {u["User ID"] for u in rows["users"]}
    teams = {t["Team ID"] for t in rows["teams"]}
    accounts = {a["Account ID"] for a in rows["accounts"]}
    contacts = {c["Record ID"] for c in rows["contacts"]}
    opportunities = {o["Opportunity ID"] for o in rows["opportunities"]}
    assert len(accounts) == len(rows["accounts"])
    assert len(contacts) == len(rows["contacts"])
    assert {t["Manager ID"] for t in rows["teams"]} <= users
    assert {u["Team ID"] for u in rows["users"]} - {""} <= teams
    assert {a["User ID"] for a in rows["availability"]} <= users
    assert {a["Account Owner ID"] for a in rows["accounts"]} - {""} <= users
    assert {c["Associated Company ID"] for c in rows["contacts"]} <= accounts
    assert {lead["HubSpot Owner ID"] for lead in rows["leads"]} - {""} <= users
    assert {o["Account ID"] for o in rows["opportunities"]} <= accounts
    assert {o["Opportunity Owner ID"] for o in rows["opportunities"]} <= users
    assert {r["Opportunity ID"] for r in rows["opportunity_contacts"]} <= opportunities
    assert {r["Contact ID"] for r in rows["opportunity_contacts"]} <= contacts
    for activity in rows["activities"]:
        assert activity["Assigned To ID"] in users
        assert activity["Account ID"] in accounts
        assert activity["Contact ID"] in contacts
        assert activity["Opportunity ID"] in opportunities | {""}
    for call in rows["calls"]:
        assert call["Opportunity ID"] in opportunities
        assert call["Account ID"] in accounts
        assert call["Rep ID"] in users
        assert call["File"] in small.transcripts


def test_rows_are_well_formed(small: DemoCompany) -> None:
    iso = re.compile(r"^\d{4}-\d{2}-\d{2}$")
    for opp in small.rows["opportunities"]:
        assert float(opp["List Price"]) >= float(opp["Amount"]) > 0
        assert opp["Closed"] in ("true", "false")
        assert opp["Won"] in ("true", "false")
        assert opp["Won"] == "false" or opp["Closed"] == "true"
        assert iso.match(opp["Created Date"])
        assert opp["Created Date"] <= "2026-11-30"
    for activity in small.rows["activities"]:
        assert activity["Activity Type"] in ("Call", "Meeting", "Email")
        assert (activity["Duration (minutes)"] == "0") == (activity["Activity Type"] == "Email")
    accounts = {a["Account ID"] for a in small.rows["accounts"]}
    for contact in small.rows["contacts"]:
        assert "@" in contact["Email"]
        assert contact["Associated Company ID"] in accounts


def test_records_exist_before_anything_names_them(small: DemoCompany) -> None:
    created = {a["Account ID"]: a["Created Date"] for a in small.rows["accounts"]}
    created |= {c["Record ID"]: c["Create Date"] for c in small.rows["contacts"]}
    for opp in small.rows["opportunities"]:
        assert created[opp["Account ID"]] <= opp["Created Date"]
    for activity in small.rows["activities"]:
        assert created[activity["Account ID"]] <= activity["Date"]
        assert created[activity["Contact ID"]] <= activity["Date"]


def test_exports_carry_realistic_mess(full: DemoCompany) -> None:
    accounts = full.rows["accounts"]
    countries = Counter(a["Billing Country"] for a in accounts)
    assert {"United States", "USA", "US"} <= set(countries)
    assert any(len(a["Billing State/Province"]) > 2 for a in accounts)
    assert any(a["Website"].startswith("https://www.") for a in accounts)
    assert 0 < sum(not a["Industry"] for a in accounts) < len(accounts) * 0.1
    assert 0 < sum(not a["Employees"] for a in accounts) < len(accounts) * 0.1
    leads = full.rows["leads"]
    assert sum(not lead["HubSpot Owner ID"] for lead in leads) > len(leads) * 0.05
    assert sum("@gmail.com" in lead["Email"] for lead in leads) > 0


def test_counts_are_near_the_targets(full: DemoCompany) -> None:
    counts = {kind: len(rows) for kind, rows in full.rows.items()}
    assert 4800 <= counts["accounts"] <= 5200
    assert 13_000 <= counts["contacts"] <= 18_000
    assert 7500 <= counts["leads"] <= 8500
    assert 3600 <= counts["opportunities"] <= 4400
    assert 50_000 <= counts["activities"] <= 70_000
    assert 950 <= counts["fortune-1000"] <= 1050
    assert 50 <= len(full.transcripts) <= 70
    assert counts["calls"] == len(full.transcripts)


def domain(url: str) -> str:
    return re.sub(r"^(https?://)?(www\.)?", "", url.lower()).split("/")[0]


def test_named_list_has_white_space_and_legal_name_variants(full: DemoCompany) -> None:
    known = {domain(a["Website"]) for a in full.rows["accounts"] if a["Website"]}
    names = {a["Account Name"] for a in full.rows["accounts"]}
    entries = full.rows["fortune-1000"]
    white_space = [e for e in entries if domain(e["Website"]) not in known]
    assert 0.15 * len(entries) < len(white_space) < 0.45 * len(entries)
    variants = [e for e in entries if e["Company"] not in names
                and e["Company"].endswith(("Inc.", "Corporation", "Co.", "Group"))]  # fmt: skip
    assert len(variants) > 0.2 * len(entries)


# --------------------------------------------------------------------------- the story


def in_profile(full: DemoCompany) -> dict[str, bool]:
    """A keyword-level ICP: core industry, 500+ employees, in the US, or on the named list."""
    named = {domain(e["Website"]) for e in full.rows["fortune-1000"]}
    out = {}
    for account in full.rows["accounts"]:
        core = (account["Industry"] in TARGETS and account["Employees"] != ""
                and int(account["Employees"]) >= 500
                and account["Billing Country"] in ("United States", "USA", "US", "U.S.",
                                                   "United States of America"))  # fmt: skip
        out[account["Account ID"]] = core or domain(account["Website"]) in named
    return out


def by_persona(rows: list[dict[str, str]], owner: str) -> dict[str, list[dict[str, str]]]:
    out: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        out[PERSONAS[row[owner]]].append(row)
    return out


def share(rows: list[dict[str, str]], test) -> float:  # type: ignore[no-untyped-def]
    return sum(1 for r in rows if test(r)) / len(rows)


def test_chasers_work_off_profile_and_on_strategy_reps_do_not(full: DemoCompany) -> None:
    fit = in_profile(full)
    opps = by_persona(full.rows["opportunities"], "Opportunity Owner ID")
    icp = {p: share(rows, lambda o: fit[o["Account ID"]]) for p, rows in opps.items()}
    assert icp["on_strategy"] > 0.6
    assert icp["chaser"] < icp["on_strategy"] - 0.3
    assert len(opps["chaser"]) / 4 > len(opps["on_strategy"]) / 8  # more deals per rep
    small = {p: share(rows, lambda o: float(o["Amount"]) < 10_000) for p, rows in opps.items()}
    assert small["chaser"] > 1.5 * small["on_strategy"]
    days = {p: median_cycle(rows) for p, rows in opps.items()}
    assert days["chaser"] < 0.6 * days["on_strategy"]


def median_cycle(rows: list[dict[str, str]]) -> float:
    closed = [o for o in rows if o["Closed"] == "true"]
    cycles = sorted(
        (date.fromisoformat(o["Close Date"]) - date.fromisoformat(o["Created Date"])).days
        for o in closed
    )
    return cycles[len(cycles) // 2]


def test_familiar_reps_keep_meeting_managers_and_purchasing_after_the_shift(
    full: DemoCompany,
) -> None:
    titles = {c["Record ID"]: c["Job Title"] for c in full.rows["contacts"]}
    meetings = [a for a in full.rows["activities"]
                if a["Activity Type"] == "Meeting" and a["Date"] >= SHIFT]  # fmt: skip
    junior = {p: share(rows, lambda a: not SENIOR.search(titles[a["Contact ID"]]))
              for p, rows in by_persona(meetings, "Assigned To ID").items()}  # fmt: skip
    assert junior["familiar"] > junior["on_strategy"] + 0.3
    assert 0.05 < junior["on_strategy"] < 0.6
    assert junior["familiar"] < 0.98


def test_on_strategy_reps_sell_services_after_the_shift(full: DemoCompany) -> None:
    after = [o for o in full.rows["opportunities"] if o["Created Date"] >= SHIFT]
    before = [o for o in full.rows["opportunities"] if o["Created Date"] < SHIFT]
    assert not any(o["Product Code"].startswith("SVC") for o in before)
    services = {p: share(rows, lambda o: o["Product Code"].startswith("SVC"))
                for p, rows in by_persona(after, "Opportunity Owner ID").items()}  # fmt: skip
    assert services["on_strategy"] > 2 * services["familiar"]
    assert services["on_strategy"] > 2 * services["chaser"]
    assert services["familiar"] > 0


def test_services_need_a_senior_it_buyer_to_win(full: DemoCompany) -> None:
    titles = {c["Record ID"]: c["Job Title"] for c in full.rows["contacts"]}
    people: dict[str, list[str]] = defaultdict(list)
    for role in full.rows["opportunity_contacts"]:
        people[role["Opportunity ID"]].append(titles[role["Contact ID"]])
    senior_it = re.compile(r"\b(cio|cto|chief|vp|vice president|svp)\b", re.IGNORECASE)
    closed = [o for o in full.rows["opportunities"]
              if o["Product Code"].startswith("SVC") and o["Closed"] == "true"]  # fmt: skip
    with_buyer = [
        o for o in closed if any(senior_it.search(t) for t in people[o["Opportunity ID"]])
    ]
    without = [o for o in closed if o not in with_buyer]
    won = lambda o: o["Won"] == "true"  # noqa: E731 - a one-line predicate reads best here
    assert share(with_buyer, won) > share(without, won) + 0.1


def test_in_profile_deals_win_more_are_larger_and_discount_less(full: DemoCompany) -> None:
    fit = in_profile(full)
    closed = [o for o in full.rows["opportunities"] if o["Closed"] == "true"]
    icp = [o for o in closed if fit[o["Account ID"]]]
    off = [o for o in closed if not fit[o["Account ID"]]]
    won = lambda o: o["Won"] == "true"  # noqa: E731 - a one-line predicate reads best here

    def mean(rows: list[dict[str, str]], value) -> float:  # type: ignore[no-untyped-def]
        return sum(value(r) for r in rows) / len(rows)

    discount = lambda o: 1 - float(o["Amount"]) / float(o["List Price"])  # noqa: E731
    assert share(icp, won) > share(off, won) + 0.08
    assert mean(icp, lambda o: float(o["Amount"])) > 2 * mean(off, lambda o: float(o["Amount"]))
    assert mean(icp, discount) < mean(off, discount) - 0.05


def test_one_off_profile_segment_does_well_anyway(full: DemoCompany) -> None:
    fit = in_profile(full)
    accounts = {a["Account ID"]: a for a in full.rows["accounts"]}

    def bright(o: dict[str, str]) -> bool:
        account = accounts[o["Account ID"]]
        return (account["Industry"] == "Transportation & Logistics" and account["Employees"] != ""
                and 200 <= int(account["Employees"]) < 1000)  # fmt: skip

    closed = [o for o in full.rows["opportunities"]
              if o["Closed"] == "true" and not fit[o["Account ID"]]]  # fmt: skip
    won = lambda o: o["Won"] == "true"  # noqa: E731 - a one-line predicate reads best here
    segment = [o for o in closed if bright(o)]
    rest = [o for o in closed if not bright(o)]
    assert len(segment) >= 30
    assert share(segment, won) > share(rest, won) + 0.15


# --------------------------------------------------------------------------- calls


def utterances(name: str, text: str) -> list[tuple[str, str]]:
    """(speaker, text) pairs, read with the simplest rule for each format."""
    if name.endswith(".json"):
        return [(s["speaker"], s["text"].strip()) for s in json.loads(text)["segments"]]
    if name.endswith(".vtt"):
        return re.findall(r"<v ([^>]+)>(.*?)</v>", text, flags=re.DOTALL)
    lines = [line for line in text.splitlines() if ": " in line and "-->" not in line]
    return [tuple(re.sub(r"^\[[\d:]+\] ", "", line).split(": ", 1)) for line in lines]  # type: ignore[misc]


def test_transcripts_come_in_four_formats_with_seller_and_customer(full: DemoCompany) -> None:
    assert Counter(name.rsplit(".", 1)[1] for name in full.transcripts) == {
        "txt": 15, "vtt": 15, "srt": 15, "json": 15
    }  # fmt: skip
    assert any(text.startswith("[00:00:00]") for text in full.transcripts.values())
    for call in full.rows["calls"]:
        said = utterances(call["File"], full.transcripts[call["File"]])
        assert 10 <= len(said) <= 40
        speakers = {who for who, _ in said}
        assert call["Seller"] in speakers
        assert len(speakers) == 2


DISCOVERY = re.compile(
    r"walk me through|trying to achieve|tell me about|getting in the way|how are you measuring"
)


def test_consultative_calls_sound_consultative_and_win_more(full: DemoCompany) -> None:
    opps = {o["Opportunity ID"]: o for o in full.rows["opportunities"]}
    style: dict[str, list[str]] = defaultdict(list)
    for call in full.rows["calls"]:
        text = full.transcripts[call["File"]].lower()
        kind = "consultative" if DISCOVERY.search(text) else "pitch"
        if kind == "pitch":
            assert "our platform" in text or "discount" in text
        style[kind].append(opps[call["Opportunity ID"]]["Won"])
        style[PERSONAS[call["Rep ID"]] + ":" + kind].append("")
    assert len(style["consultative"]) >= 15
    assert len(style["pitch"]) >= 15
    assert style["consultative"].count("true") / len(style["consultative"]) > style["pitch"].count(
        "true"
    ) / len(style["pitch"])
    assert len(style["on_strategy:consultative"]) > len(style["on_strategy:pitch"])
    assert len(style["pitcher:pitch"]) > len(style["pitcher:consultative"])
