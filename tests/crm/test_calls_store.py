"""Calls in the store: linked to deal, account and rep, analysed, idempotent (both databases)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from onstrategy.crm.call_records import get_call, list_calls, reanalyze_calls
from onstrategy.crm.calls import import_calls
from onstrategy.demo import strategy_text
from onstrategy.engines.conversation import ConsultativeTargets
from onstrategy.errors import NotFound
from onstrategy.ingest.importer import import_file, list_rejects
from onstrategy.store import tables
from onstrategy.store.connect import Store
from onstrategy.strategy.load import parse_strategy
from onstrategy.strategy.model import Strategy

TRANSCRIPTS = Path(__file__).resolve().parents[1] / "data" / "transcripts"
USERS = (
    "User ID,Full Name,Email,Profile,Team ID,Active\n"
    "u-maya,Maya Chen,maya.chen@northwind.example,rep,,true\n"
    "u-rick,Rick Palmer,rick.palmer@northwind.example,rep,,true\n"
)
ACCOUNTS = (
    "Account ID,Account Name,Account Owner ID\na1,Acme Health,u-maya\na2,Beta Retail,u-rick\n"
)
OPPORTUNITIES = (
    "Opportunity ID,Opportunity Name,Account ID,Opportunity Owner ID,Amount,Stage,Closed,Won,"
    "Created Date,Close Date\n"
    "o1,Acme - services,a1,u-maya,50000,Closed Won,true,true,2025-03-01,2025-06-01\n"
    "o2,Beta - laptops,a2,u-rick,20000,Closed Lost,true,false,2025-03-01,2025-05-01\n"
)
MANIFEST = (
    "Call ID,File,Opportunity ID,Account ID,Rep ID,Date,Seller\n"
    "C1,transcripts/consultative.txt,o1,,,2025-04-02,\n"  # deal gives account and rep
    "C2,transcripts/pitch.srt,,a2,rick.palmer@northwind.example,2025-04-03,\n"  # rep by email
    "C3,transcripts/pitch.txt,o-missing,,,2025-04-04,\n"  # unknown deal
    "C4,transcripts/bad.txt,o1,,,2025-04-05,\n"  # unreadable transcript
    "C5,transcripts/pitch.json,o2,,,2025-04-06,SPEAKER_00\n"  # seller named explicitly
)


@pytest.fixture
def crm(store: Store, tmp_path: Path) -> Store:
    for kind, text in (("users", USERS), ("accounts", ACCOUNTS), ("opportunities", OPPORTUNITIES)):
        path = tmp_path / f"{kind}.csv"
        path.write_text(text, encoding="utf-8")
        import_file(store=store, kind=kind, path=path)
    return store


@pytest.fixture
def manifest(tmp_path: Path) -> Path:
    folder = tmp_path / "calls" / "transcripts"
    folder.mkdir(parents=True)
    for name in ("consultative.txt", "pitch.srt", "pitch.txt", "pitch.json"):
        shutil.copy(TRANSCRIPTS / name, folder / name)
    (folder / "bad.txt").write_text("Agenda for today\nMaya Chen: Hello there.\n")
    path = tmp_path / "calls" / "calls.csv"
    path.write_text(MANIFEST, encoding="utf-8")
    return path


def _stored(store: Store) -> dict[str, dict[str, object]]:
    with store.begin() as conn:
        return {r["id"]: dict(r) for r in conn.execute(sa.select(tables.call)).mappings()}


def _strategy(talk_ratio_from_2026: float | None = None) -> Strategy:
    """The demo strategy; optionally its second version (from 2025-12-01) sets ``talk_ratio``."""
    text = strategy_text()
    if talk_ratio_from_2026 is not None:
        head, sep, tail = text.rpartition("consultative: {}")
        text = f"{head}consultative: {{talk_ratio: {talk_ratio_from_2026}}}{tail}"
        assert sep
    return parse_strategy(text, source="strategy.yaml")


def test_manifest_links_calls_to_deal_account_and_rep(crm: Store, manifest: Path) -> None:
    result = import_calls(store=crm, manifest=manifest, strategy=_strategy(), actor="ops@test")
    assert (result.read, result.inserted, result.rejected) == (5, 3, 2)
    calls = _stored(crm)
    assert sorted(calls) == ["C1", "C2", "C5"]
    links = {k: (c["opportunity_id"], c["account_id"], c["owner_id"]) for k, c in calls.items()}
    assert links == {
        "C1": ("o1", "a1", "u-maya"),  # account and rep from the deal
        "C2": (None, "a2", "u-rick"),  # rep named by email
        "C5": ("o2", "a2", "u-rick"),
    }
    assert calls["C1"]["occurred_on"] == date(2025, 4, 2)
    assert calls["C1"]["filename"] == "transcripts/consultative.txt"
    assert calls["C1"]["transcript"].startswith("[00:00:00] Maya Chen: Hi David")
    # the seller is the speaker matching the deal owner's name
    assert calls["C1"]["analysis"]["speakers"] == {
        "Maya Chen": "seller",
        "David Okafor": "customer",
    }
    assert calls["C5"]["analysis"]["speakers"]["SPEAKER_00"] == "seller"
    assert calls["C1"]["consultative_score"] > calls["C2"]["consultative_score"]
    assert calls["C1"]["analysis"]["strategy_version"] == "fy25-hardware"


def test_rejected_calls_keep_their_reason_and_the_others_import(crm: Store, manifest: Path) -> None:
    result = import_calls(store=crm, manifest=manifest, strategy=None)
    reasons = {r.row: r.reason for r in result.rejects}
    assert "unknown opportunity 'o-missing'" in reasons[4]
    assert reasons[5].startswith("transcripts/bad.txt, line 1: expected `Speaker: text`")
    stored = {r["row_number"]: r for r in list_rejects(store=crm, kind="calls")}
    assert set(stored) == {4, 5}
    assert stored[4]["column"] == "Opportunity ID"
    assert stored[4]["raw"]["Call ID"] == "C3"


def test_reimport_changes_nothing(crm: Store, manifest: Path) -> None:
    import_calls(store=crm, manifest=manifest, strategy=_strategy())
    before = _stored(crm)
    again = import_calls(store=crm, manifest=manifest, strategy=_strategy())
    assert (again.inserted, again.updated, again.unchanged, again.rejected) == (0, 0, 3, 2)
    assert _stored(crm) == before  # analysed_at included
    with crm.begin() as conn:
        audits = conn.execute(
            sa.select(tables.audit_log.c.actor).where(tables.audit_log.c.entity == "call")
        ).all()
        metrics = conn.execute(sa.select(sa.func.count()).select_from(tables.call_metric))
        assert metrics.scalar() == 3
    assert len(audits) == 2


def test_files_given_directly_take_links_from_options_or_the_speakers(crm: Store) -> None:
    result = import_calls(
        store=crm, files=[TRANSCRIPTS / "pitch.json"], rep="Rick Palmer", occurred_on="2025-05-01",
        seller=["SPEAKER_00"], strategy=None,
    )  # fmt: skip
    assert result.inserted == 1
    call = get_call(store=crm, call_id="pitch")  # the id is the file name's stem
    assert (call["owner_id"], call["rep"], call["account_id"]) == ("u-rick", "Rick Palmer", None)
    assert call["analysis"]["strategy_version"] is None  # no strategy: built-in targets
    # no rep given: the one speaker who is a user is the rep (and the seller)
    found = import_calls(store=crm, files=[TRANSCRIPTS / "pitch.txt"], occurred_on="2025-05-01",
                         call_id="by-speaker")  # fmt: skip
    assert found.rejected == 0
    assert get_call(store=crm, call_id="by-speaker")["owner_id"] == "u-rick"


def test_contradicting_or_missing_links_are_rejected(crm: Store) -> None:
    files = [TRANSCRIPTS / "pitch.txt"]
    mismatch = import_calls(store=crm, files=files, opportunity_id="o1", account_id="a2",
                            occurred_on="2025-05-01")  # fmt: skip
    assert "belongs to account 'a1', not 'a2'" in mismatch.rejects[0].reason
    no_date = import_calls(store=crm, files=files, rep="u-rick")
    assert no_date.rejects[0].column == "Date"
    unknown = import_calls(store=crm, files=files, rep="nobody@x.example", occurred_on="2025-05-01")
    assert "unknown rep 'nobody@x.example'" in unknown.rejects[0].reason
    silent = import_calls(store=crm, files=files, rep="u-maya", occurred_on="2025-05-01")
    reason = silent.rejects[0].reason  # the rep does not speak on this call
    assert "no seller found among the speakers: Rick Palmer, Sara Lind" in reason
    assert "--seller" in reason
    assert list_calls(store=crm) == []


def test_strategy_targets_override_the_defaults(crm: Store, tmp_path: Path) -> None:
    strict = _strategy(talk_ratio_from_2026=0.5)
    assert strict.versions[-1].consultative == ConsultativeTargets(talk_ratio=0.5)
    assert strict.versions[0].consultative == ConsultativeTargets()
    path = tmp_path / "call.txt"
    shutil.copy(TRANSCRIPTS / "consultative.txt", path)
    for day, call_id in (("2025-06-01", "before"), ("2026-06-01", "after")):
        import_calls(store=crm, files=[path], rep="u-maya", occurred_on=day, call_id=call_id,
                     strategy=strict)  # fmt: skip
    before, after = get_call(store=crm, call_id="before"), get_call(store=crm, call_id="after")
    assert after["analysis"]["strategy_version"] == "fy26-services"
    assert after["analysis"]["targets"]["talk_ratio"] == 0.5
    assert before["consultative_score"] != after["consultative_score"]
    talk = {r["component"]: r["message"] for r in after["analysis"]["reasons"]}["talk_ratio"]
    assert "target 50%" in talk


def test_reanalyze_applies_new_targets_and_keeps_the_roles(crm: Store, manifest: Path) -> None:
    import_calls(store=crm, manifest=manifest, strategy=_strategy())
    unchanged = reanalyze_calls(store=crm, strategy=_strategy())
    assert (unchanged.read, unchanged.changed) == (3, [])
    moved = parse_strategy(  # every call falls under a version with talk_ratio 0.5
        strategy_text().replace("consultative: {}", "consultative: {talk_ratio: 0.5}"), source="s"
    )
    changed = reanalyze_calls(store=crm, strategy=moved, call_ids=["C1", "C5"])
    assert {c["id"] for c in changed.changed} == {"C1", "C5"}
    assert _stored(crm)["C5"]["analysis"]["speakers"]["SPEAKER_00"] == "seller"
    assert get_call(store=crm, call_id="C1")["consultative_score"] == changed.changed[0]["after"]
    rest = reanalyze_calls(store=crm, strategy=moved)  # only C2 still had the old targets
    assert [c["id"] for c in rest.changed] == ["C2"]
    with pytest.raises(NotFound):
        reanalyze_calls(store=crm, strategy=None, call_ids=["C404"])


def test_list_and_show(crm: Store, manifest: Path) -> None:
    import_calls(store=crm, manifest=manifest, strategy=None)
    assert [c["id"] for c in list_calls(store=crm, rep="Rick Palmer")] == ["C5", "C2"]
    assert [c["id"] for c in list_calls(store=crm, opportunity_id="o1")] == ["C1"]
    shown = get_call(store=crm, call_id="C1")
    assert (shown["account"], shown["opportunity"], shown["rep"]) == (
        "Acme Health", "Acme - services", "Maya Chen"
    )  # fmt: skip
    assert shown["questions"] == shown["analysis"]["metrics"]["questions"]
    with pytest.raises(NotFound):
        get_call(store=crm, call_id="nope")
    with pytest.raises(NotFound):
        list_calls(store=crm, rep="nobody")
