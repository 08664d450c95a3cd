"""Values longer than their column: the same file gives the same result on SQLite and on
PostgreSQL (which used to fail the whole file), and nothing stored is lost."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from onstrategy.ingest.importer import import_file, list_rejects
from onstrategy.store import tables
from onstrategy.store.connect import Store

LONG_NAME = "Acme " + "x" * 296  # 301 characters; account.name holds 300
ACCOUNTS = (
    "Account ID,Account Name,Billing Country,Billing State/Province\n"
    "a1,Acme Inc,US,CA\n"
    f"a2,{LONG_NAME},US,CA\n"
    "a3,Gamma,FR,Provence-Alpes-Cote d'Azur West\n"  # not a code: stored upper-cased, 31 long
    f"{'z' * 65},Zeta,US,NY\n"  # ids hold 64
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def stored(store: Store, table: sa.Table) -> dict[str, dict]:
    with store.begin() as conn:
        return {r["id"]: dict(r) for r in conn.execute(sa.select(table)).mappings()}


def test_an_over_long_value_rejects_its_row_alike_on_both_databases(
    store: Store, tmp_path: Path
) -> None:
    result = import_file(store=store, kind="accounts", path=write(tmp_path, "a.csv", ACCOUNTS))
    assert (result.rows_read, result.inserted, result.rejected) == (4, 1, 3)
    assert set(stored(store, tables.account)) == {"a1"}
    rejects = {r["row_number"]: r for r in list_rejects(store=store, kind="accounts")}
    name = rejects[3]
    assert (name["column"], name["value"], name["filename"]) == (
        "Account Name", LONG_NAME, str(tmp_path / "a.csv")
    )  # fmt: skip
    assert name["reason"].startswith("too long: 301 characters where name holds at most 300")
    assert rejects[4]["column"] == "Billing State/Province"
    assert "31 characters where state holds at most 20" in rejects[4]["reason"]
    assert "64" in rejects[5]["reason"]
    assert rejects[5]["column"] == "Account ID"


def test_nothing_stored_is_lost_when_an_update_is_too_long(store: Store, tmp_path: Path) -> None:
    import_file(store=store, kind="accounts", path=write(tmp_path, "a.csv", ACCOUNTS))
    text = f"Account ID,Account Name,Industry\na1,{LONG_NAME},Retail\nb1,Beta,Retail\n"
    result = import_file(store=store, kind="accounts", path=write(tmp_path, "b.csv", text))
    assert (result.inserted, result.updated, result.rejected) == (1, 0, 1)
    acme = stored(store, tables.account)["a1"]
    assert (acme["name"], acme["industry"]) == ("Acme Inc", None)


def test_free_text_is_shortened_and_kept_whole(store: Store, tmp_path: Path) -> None:
    subject = "Follow-up: " + "pricing and rollout " * 20  # 411 characters; subject holds 300
    text = f"Activity ID,Type,Date,Subject\nt1,Call,2026-03-02,{subject}\n"
    result = import_file(store=store, kind="activities", path=write(tmp_path, "t.csv", text))
    assert (result.inserted, result.rejected) == (1, 0)
    call = stored(store, tables.activity)["t1"]
    assert len(call["subject"]) <= 300
    assert call["subject"] == subject[:299].rstrip() + "\u2026"  # marked as shortened
    assert call["extra"] == {"Subject": subject.strip()}
    again = import_file(store=store, kind="activities", path=write(tmp_path, "t.csv", text))
    assert (again.unchanged, again.updated) == (1, 0)
