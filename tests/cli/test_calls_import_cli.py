"""`onstrategy calls import|list|show|reanalyze` and `report consultative`: JSON shapes, tables,
and the errors a user sees (never a traceback); on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from onstrategy.cli.main import app
from onstrategy.demo import strategy_text

TRANSCRIPTS = Path(__file__).resolve().parents[1] / "data" / "transcripts"
CRM = {
    "users": "User ID,Full Name,Email,Profile,Team ID,Active\n"
    "u-maya,Maya Chen,maya.chen@northwind.example,rep,west,true\n"
    "u-rick,Rick Palmer,rick.palmer@northwind.example,rep,west,true\n",
    "teams": "Team ID,Team Name,Manager ID\nwest,West,\n",
    "accounts": "Account ID,Account Name\na1,Acme Health\na2,Beta Retail\n",
    "opportunities": "Opportunity ID,Opportunity Name,Account ID,Opportunity Owner ID,Amount,"
    "Stage,Closed,Won,Created Date,Close Date\n"
    "o1,Acme - services,a1,u-maya,50000,Closed Won,true,true,2025-03-01,2025-06-01\n"
    "o2,Beta - laptops,a2,u-rick,20000,Closed Lost,true,false,2025-03-01,2025-05-01\n",
}
MANIFEST = (
    "Call ID,File,Opportunity ID,Account ID,Rep ID,Date,Seller\n"
    "C1,t/consultative.txt,o1,,,2025-04-02,\n"
    "C2,t/pitch.srt,o2,,,2025-04-03,\n"
    "C3,t/pitch.txt,o-missing,,,2025-04-04,\n"
)
runner = CliRunner()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def env(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, copy_database
) -> Iterator[dict[str, str]]:
    """Two reps, two deals and three calls (one on an unknown deal) imported once per backend;
    the tests read it (and add a call of their own that touches no deal)."""
    with copy_database(request.param) as url:
        yield _load(url, tmp_path_factory.mktemp("calls-cli"))


def _load(url: str, tmp_path: Path) -> dict[str, str]:
    strategy = tmp_path / "strategy.yaml"
    strategy.write_text(strategy_text(), encoding="utf-8")
    variables = {"ONSTRATEGY_DATABASE_URL": url, "ONSTRATEGY_STRATEGY_FILE": str(strategy)}
    for kind in ("teams", "users", "accounts", "opportunities"):
        path = tmp_path / f"{kind}.csv"
        path.write_text(CRM[kind], encoding="utf-8")
        assert _run(variables, "import", kind, str(path))[0] == 0
    (tmp_path / "t").mkdir()
    for name in ("consultative.txt", "pitch.srt", "pitch.txt"):
        shutil.copy(TRANSCRIPTS / name, tmp_path / "t" / name)
    manifest = tmp_path / "calls.csv"
    manifest.write_text(MANIFEST, encoding="utf-8")
    code, out = _run(variables, "calls", "import", str(manifest), "--json")
    assert code == 0, out
    return variables | {"MANIFEST": str(manifest), "FIRST_IMPORT": out}


def _run(env: dict[str, str], *args: str) -> tuple[int, str]:
    variables = {k: v for k, v in env.items() if k.startswith("ONSTRATEGY_")}
    result = runner.invoke(app, list(args), env=variables)
    assert "Traceback" not in result.output
    return result.exit_code, result.output


def test_import_json_shape_and_rejects(env: dict[str, str]) -> None:
    doc = json.loads(env["FIRST_IMPORT"])
    assert set(doc) == {"batch_id", "source", "read", "inserted", "updated", "unchanged",
                        "rejected", "rejects", "calls"}  # fmt: skip
    assert (doc["read"], doc["inserted"], doc["rejected"]) == (3, 2, 1)
    assert doc["rejects"] == [
        {
            "row": 4,
            "file": "t/pitch.txt",
            "column": "Opportunity ID",
            "value": "o-missing",
            "reason": doc["rejects"][0]["reason"],
        }
    ]
    assert "unknown opportunity 'o-missing'" in doc["rejects"][0]["reason"]
    assert [c["strategy_version"] for c in doc["calls"]] == ["fy25-hardware"] * 2
    again = json.loads(_run(env, "calls", "import", env["MANIFEST"], "--json")[1])
    assert (again["inserted"], again["updated"], again["unchanged"]) == (0, 0, 2)


def test_import_terminal_shows_counts_and_rejected_reasons(env: dict[str, str]) -> None:
    code, out = _run(env, "calls", "import", env["MANIFEST"])
    assert code == 0, out
    assert "unchanged 2" in out
    assert "rejected 1" in out
    assert "o-missing" in out
    assert "onstrategy import rejects --batch" in out


def test_files_given_directly_with_links(env: dict[str, str]) -> None:
    code, out = _run(env, "calls", "import", str(TRANSCRIPTS / "pitch.json"), "--account", "a2",
                     "--rep", "Rick Palmer", "--date", "2025-05-01", "--seller", "SPEAKER_00",
                     "--id", "C9", "--json")  # fmt: skip
    assert code == 0, out
    assert json.loads(out)["read"] == 1
    shown = json.loads(_run(env, "calls", "show", "C9", "--json")[1])
    assert (shown["opportunity_id"], shown["account"], shown["rep"]) == (
        None,
        "Beta Retail",
        "Rick Palmer",
    )
    assert shown["analysis"]["speakers"]["SPEAKER_00"] == "seller"


def test_list_and_show_json(env: dict[str, str]) -> None:
    code, out = _run(env, "calls", "list", "--rep", "maya.chen@northwind.example", "--json")
    assert code == 0, out
    rows = json.loads(out)
    assert [r["id"] for r in rows] == ["C1"]
    assert {"rep", "account", "opportunity", "consultative_score", "talk_ratio", "questions",
            "pitch_share", "occurred_on"} <= set(rows[0])  # fmt: skip
    shown = json.loads(_run(env, "calls", "show", "C1", "--json")[1])
    utterances = shown["analysis"]["utterances"]
    assert {"speaker", "role", "text", "question", "act"} <= set(utterances[0])
    assert any(u["question"] == "open" for u in utterances)
    assert any(u["act"] == "discovery" for u in utterances)
    assert next(r["component"] for r in shown["analysis"]["reasons"]) == "talk_ratio"
    code, out = _run(env, "calls", "show", "C1")
    assert code == 0, out
    assert "Maya Chen" in out
    assert "discovery" in out


def test_reanalyze_json(env: dict[str, str]) -> None:
    code, out = _run(env, "calls", "reanalyze", "--all", "--json")
    assert code == 0, out
    stored = len(json.loads(_run(env, "calls", "list", "--json")[1]))
    assert json.loads(out) == {"read": stored, "changed": [], "unchanged": stored}


def test_report_consultative_json_and_terminal(env: dict[str, str]) -> None:
    code, out = _run(env, "report", "consultative", "--to", "2025-11-30", "--by", "month",
                     "--json")  # fmt: skip
    assert code == 0, out
    doc = json.loads(out)
    assert set(doc) >= {"period", "deal_score", "bands", "strategy_version", "targets",
                        "company", "teams", "reps", "outcomes"}  # fmt: skip
    assert doc["strategy_version"] == "fy25-hardware"  # in force on --to
    assert [r["rep"] for r in doc["reps"]] == ["Maya Chen", "Rick Palmer"]
    assert doc["reps"][0]["periods"][0]["period"] == "2025-04"
    assert {b["band"]: (b["closed"], b["won"]) for b in doc["outcomes"]["bands"]} == {
        "<40": (1, 0), "40-70": (0, 0), ">=70": (1, 1)
    }  # fmt: skip
    code, out = _run(env, "report", "consultative")
    assert code == 0, out
    assert "Does consultative selling pay here?" in out
    assert "Rick Palmer" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("calls", "show", "NOPE"), "no call 'NOPE'"),
        (("calls", "reanalyze"), "pass --all"),
        (("calls", "list", "--rep", "nobody"), "no user 'nobody'"),
        (("calls", "import", "a.csv", "b.csv"), "at most one manifest"),
        (("calls", "import", "missing.csv"), "missing.csv: file not found"),
        (("calls", "import", "x.txt", "--as", "nobody@x"), "no user 'nobody@x'"),
        (("report", "consultative", "--by", "week"), "not month or quarter"),
        (("report", "consultative", "--bands", "70,40"), "rising cut points"),
        (
            ("report", "consultative", "--from", "2026-02-01", "--to", "2026-01-01"),
            "--to is before",
        ),
        (("report", "consultative", "--from", "yesterday"), "is not a date"),
    ],
)
def test_clear_errors(env: dict[str, str], args: tuple[str, ...], message: str) -> None:
    code, out = _run(env, *args)
    assert code == 1
    assert "Error:" in out
    assert message in out
