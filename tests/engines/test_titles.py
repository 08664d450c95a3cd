"""Job titles → seniority and function: the behaviour a sales leader would notice."""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import pytest

from onstrategy.engines.titles import (
    FUNCTIONS,
    SENIORITIES,
    TitleClass,
    classify_title,
    classify_titles,
    tokenize,
)

REPO = Path(__file__).resolve().parents[2]
LABELS = REPO / "tests" / "data" / "titles"
SHARED_TITLES = REPO / ".." / "shared" / "data" / "titles"


def _rows(name: str) -> list[dict[str, str]]:
    with (LABELS / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _pair(title: str) -> tuple[str, str]:
    result = classify_title(title)
    return result.seniority, result.function


@pytest.mark.parametrize(
    "row", _rows("crm.csv") + _rows("crm_heldout.csv"), ids=lambda row: row["title"]
)
def test_crm_titles_get_their_hand_labels(row: dict[str, str]) -> None:
    assert _pair(row["title"]) == (row["seniority"], row["function"])


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Account Executive", ("staff", "sales")),
        ("Sr. Account Executive", ("staff", "sales")),
        ("Executive Assistant to the CEO", ("staff", "other")),
        ("Assistant to the Chief Information Officer", ("staff", "other")),
        ("HR Executive Assistant", ("staff", "hr")),
        ("Product Owner", ("staff", "it")),
        ("Business Owner", ("executive", "executive")),
        ("Chief of Staff", ("director", "executive")),
        ("Assistant Director of IT", ("director", "it")),
        ("Assistant Manager, Purchasing", ("manager", "procurement")),
        ("Office Manager", ("manager", "other")),
        ("Project Manager", ("manager", "other")),
        ("Director of Sales", ("director", "sales")),
        ("Media Buyer", ("staff", "marketing")),
        ("IT Buyer", ("staff", "procurement")),
        ("Trainee Distribution Manager", ("staff", "operations")),
        ("Chief Petty Officer", ("staff", "other")),
        ("Security Guard", ("staff", "other")),
        ("Head Chef", ("manager", "other")),
        ("Head Hunter", ("staff", "hr")),
        ("Data Entry Clerk", ("staff", "other")),
        ("CEO, Acme Logistics", ("executive", "executive")),
        ("EVP", ("vp", "executive")),
        ("VP Engineering", ("vp", "other")),
    ],
)
def test_traps(title: str, expected: tuple[str, str]) -> None:
    assert _pair(title) == expected


@pytest.mark.parametrize(
    "variants",
    [
        ["VP IT", "V.P. of I.T.", "Vice President, Information Technology", "vp - it"],
        ["Director of IT", "IT Director", "Dir. IT", "DIRECTOR, IT", "director it"],
        ["Sr. Mgr, IT Infrastructure", "Senior Manager IT Infrastructure", "SR MGR IT INFRA"],
        ["Head of Procurement", "Procurement Head", "Hd. Procurement"],
        ["CFO", "C.F.O.", "Chief Financial Officer", "chief financial officer"],
        ["Purchasing Agent", "Purch. Agent", "Agent, Purchasing"],
        ["Co-Founder & CEO", "Cofounder and CEO", "CEO / Co-founder"],
    ],
)
def test_abbreviations_case_and_word_order_do_not_matter(variants: list[str]) -> None:
    assert len({_pair(title) for title in variants}) == 1, [
        (title, _pair(title)) for title in variants
    ]


def test_c_level_title_outranks_vice_president() -> None:
    assert _pair("EVP & CFO") == ("executive", "finance")
    assert _pair("SVP & CIO") == ("executive", "it")
    assert _pair("SVP, Finance") == ("vp", "finance")


def test_procurement_wins_over_the_category_bought() -> None:
    assert _pair("Senior Director of IT Procurement") == ("director", "procurement")
    assert _pair("Network Operations Manager") == ("manager", "it")


def test_reasons_name_the_deciding_words() -> None:
    result = classify_title("SVP & CIO")
    assert "read 'svp' as 'senior vice president'" in result.reasons
    assert "seniority executive: 'chief information officer'" in result.reasons
    assert "function it: 'chief information officer'" in result.reasons
    trap = classify_title("Executive Assistant to the CEO").reasons
    assert any("words after 'to' ignored" in reason for reason in trap)


@pytest.mark.parametrize("title", ["", "   ", None])
def test_empty_title_is_staff_other_with_a_reason(title: str | None) -> None:
    result = classify_title(title)
    assert (result.seniority, result.function) == ("staff", "other")
    assert result.reasons == ("empty title: staff, other by default",)


def test_classify_titles_keeps_order_and_trims() -> None:
    results = classify_titles(["  Buyer ", "VP Sales", None])
    assert [r.title for r in results] == ["Buyer", "VP Sales", ""]
    assert [r.seniority for r in results] == ["staff", "vp", "staff"]


def test_results_are_frozen_and_use_the_published_labels() -> None:
    result = classify_title("IT Manager")
    assert isinstance(result, TitleClass)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.seniority = "vp"  # type: ignore[misc]
    assert SENIORITIES == ("executive", "vp", "director", "manager", "staff")
    assert FUNCTIONS[0] == "executive"
    assert FUNCTIONS[-1] == "other"
    assert len(FUNCTIONS) == 10


@pytest.mark.parametrize(
    "title",
    ["...", "&&&", "chief", "vice", "head", "of", "to", "assistant to", "Chief Chief Officer",
     "Директор по закупкам", "🚀 Growth Ninja 🚀", "12345", "VP " * 2000, "chief " * 3000,
     "a\tb\x00c"],
)  # fmt: skip
def test_odd_titles_never_raise_and_stay_in_the_published_labels(title: str) -> None:
    result = classify_title(title)
    assert result.seniority in SENIORITIES
    assert result.function in FUNCTIONS
    assert result.reasons


def test_tokenize_expands_and_singularises() -> None:
    assert tokenize("Sr. V.P., I.T.") == ("senior", "vice", "president", "it")
    assert tokenize("Chief Data Officers") == ("chief", "data", "officer")


def _accuracy(rows: list[dict[str, str]], field: str) -> float:
    hits = sum(getattr(classify_title(r["title"]), field) == r[field] for r in rows)
    return hits / len(rows)


@pytest.mark.realdata
@pytest.mark.parametrize("split", ["dev.csv", "heldout.csv"])
def test_accuracy_on_real_titles_is_at_least_95_percent(split: str) -> None:
    if not SHARED_TITLES.is_dir():
        pytest.skip("../shared/data is absent")
    rows = _rows(split)
    with (SHARED_TITLES / "esco_titles_isco.csv").open(newline="", encoding="utf-8") as f:
        esco = {row["title"].strip().lower() for row in csv.DictReader(f)}
    from_esco = [r for r in rows if r["source"].startswith("esco")]
    assert all(r["title"].lower() in esco for r in from_esco), "labelled titles must be real"
    assert _accuracy(rows, "seniority") >= 0.95
    assert _accuracy(rows, "function") >= 0.95


@pytest.mark.realdata
def test_every_esco_title_gets_a_published_label() -> None:
    if not SHARED_TITLES.is_dir():
        pytest.skip("../shared/data is absent")
    with (SHARED_TITLES / "esco_titles_isco.csv").open(newline="", encoding="utf-8") as f:
        titles = [row["title"] for row in csv.DictReader(f)]
    results = classify_titles(titles)
    assert {r.seniority for r in results} == set(SENIORITIES)
    assert {r.function for r in results} == set(FUNCTIONS)
