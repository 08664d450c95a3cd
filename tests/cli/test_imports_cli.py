"""`onstrategy import ...` as a RevOps admin runs it, on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from typer.testing import CliRunner

from onstrategy.cli.main import app
from onstrategy.store import tables

runner = CliRunner()


def _run(url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--database-url", url, *args])
    return result.exit_code, result.output


def _load_people_and_accounts(url: str, demo: dict[str, Path]) -> None:
    for kind in ("teams", "users", "accounts"):
        code, out = _run(url, "import", kind, str(demo[kind]))
        assert code == 0, out


def test_leads_with_a_strategy_are_matched_and_gated(database_url: str, demo_files) -> None:  # type: ignore[no-untyped-def]
    _load_people_and_accounts(database_url, demo_files)
    code, out = _run(
        database_url,
        "--strategy",
        str(demo_files["strategy"]),
        "import",
        "leads",
        str(demo_files["leads"]),
        "--as-of",
        "2026-11-30",
    )
    assert code == 0, out
    assert "lead matching:" in out
    assert "intake gate (fy26-services, as of 2026-11-30)" in out
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        counts = dict(
            conn.execute(
                sa.select(tables.lead.c.gate_status, sa.func.count()).group_by(
                    tables.lead.c.gate_status
                )
            ).all()
        )
    engine.dispose()
    assert counts.get("quarantined", 0) > 0
    assert counts.get("active", 0) > 0


def test_leads_without_a_strategy_say_the_gate_did_not_run(database_url: str, demo_files) -> None:  # type: ignore[no-untyped-def]
    _load_people_and_accounts(database_url, demo_files)
    code, out = _run(database_url, "import", "leads", str(demo_files["leads"]))
    assert code == 0, out
    assert "not applied" in out


def test_json_result_and_rejects_export(database_url: str, tmp_path: Path) -> None:
    bad = tmp_path / "accounts.csv"
    bad.write_text(
        "Account ID,Account Name,Employees\na1,Acme,12\na2,Beta,many\n", encoding="utf-8"
    )
    code, out = _run(database_url, "import", "accounts", str(bad), "--json")
    assert code == 0, out
    result = json.loads(out)
    assert (result["inserted"], result["rejected"]) == (1, 1)
    export = tmp_path / "rejects.csv"
    code, out = _run(database_url, "import", "rejects", "--export", str(export))
    assert code == 0, out
    lines = export.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("batch_id,kind,filename,row_number,column,value,reason")
    assert "not a number: 'many'" in lines[1]


def test_wrong_file_is_one_clear_error(database_url: str, tmp_path: Path) -> None:
    wrong = tmp_path / "book.xlsx"
    wrong.write_bytes(b"PK\x03\x04 not really a workbook")
    code, out = _run(database_url, "import", "accounts", str(wrong))
    assert code == 1
    assert "Error:" in out
    assert "Traceback" not in out


def test_the_audit_log_names_who_imported(database_url: str, demo_files) -> None:  # type: ignore[no-untyped-def]
    _load_people_and_accounts(database_url, demo_files)
    admin = "jordan.ellis@techdistro.example"
    code, out = _run(database_url, "import", "contacts", str(demo_files["contacts"]), "--as", admin)
    assert code == 0, out
    code, out = _run(database_url, "import", "leads", str(demo_files["leads"]), "--as", "nobody@x")
    assert code == 1
    assert "no user 'nobody@x'" in out
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        actors = dict(
            conn.execute(
                sa.select(tables.audit_log.c.entity, tables.audit_log.c.actor).where(
                    tables.audit_log.c.action == "import"
                )
            ).all()
        )
        leads = conn.execute(sa.select(sa.func.count()).select_from(tables.lead)).scalar()
    engine.dispose()
    assert actors["contacts"] == admin
    assert actors["accounts"].startswith("os:")
    assert leads == 0  # refused before anything was read
