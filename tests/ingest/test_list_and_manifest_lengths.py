"""A value longer than its column, in a named-account list or a call manifest, rejects its
row with the file, row, column, limit and length, on SQLite and PostgreSQL alike (PostgreSQL
used to fail the whole file), and the other rows import."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from onstrategy.crm.calls import import_calls
from onstrategy.crm.lists import import_list
from onstrategy.ingest.importer import import_file, list_rejects
from onstrategy.store import tables
from onstrategy.store.connect import Store

NOW = datetime(2026, 11, 30, tzinfo=UTC)
TRANSCRIPTS = Path(__file__).resolve().parents[1] / "data" / "transcripts"
LONG_NAME = "Acme " + "x" * 296  # 301 characters: an entry's name holds 300
LONG_SITE = "https://www.acme.com/" + "p" * 280  # 301
LONG_STATE = "Provence-Alpes-Cote d'Azur West"  # not a code: kept as given, 31 (20 fit)
LIST = (
    "ID,Rank,Company,Website,State,Country\n"
    "e1,1,Globex,globex.com,CA,US\n"
    f"e2,2,{LONG_NAME},acme.com,CA,US\n"
    f"e3,3,Initech,{LONG_SITE},TX,US\n"
    f"e4,4,Soylent,soylent.fr,{LONG_STATE},France\n"
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def entries(store: Store) -> dict[str, dict]:
    with store.begin() as conn:
        rows = conn.execute(sa.select(tables.named_list_entry)).mappings()
        return {r["entry_key"]: dict(r) for r in rows}


def test_a_list_row_too_long_for_its_column_is_rejected_alike(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "top.csv", LIST)
    result = import_list(store=store, list_id="top", path=path, now=NOW)
    assert (result.rows_read, result.inserted, len(result.rejected)) == (4, 1, 3)
    assert set(entries(store)) == {"id:e1"}
    rejects = {r["row_number"]: r for r in list_rejects(store=store, kind="lists")}
    assert {n: (r["filename"], r["column"]) for n, r in rejects.items()} == {
        3: (str(path), "Company"),
        4: (str(path), "Website"),
        5: (str(path), "State"),
    }
    assert rejects[3]["value"] == LONG_NAME
    assert rejects[3]["reason"].startswith("too long: 301 characters where name holds at most 300")
    assert rejects[4]["reason"].startswith("too long: 301 characters where website holds at most")
    assert "31 characters where state holds at most 20" in rejects[5]["reason"]
    assert rejects[5]["raw"]["Rank"] == "4"  # the row as the file had it, to fix and re-import
    shown = dict(result.rejected)  # what `onstrategy lists import` prints
    assert shown[3].startswith("Company: too long: 301 characters")


def test_a_stored_entry_whose_row_is_now_too_long_keeps_what_it_had(
    store: Store, tmp_path: Path
) -> None:
    write(tmp_path / "top.csv", "ID,Company,State\ne1,Globex,CA\ne2,Acme,TX\n")
    import_list(store=store, list_id="top", path=tmp_path / "top.csv", now=NOW)
    write(tmp_path / "top.csv", f"ID,Company,State\ne1,{LONG_NAME},CA\n")
    again = import_list(store=store, list_id="top", path=tmp_path / "top.csv", now=NOW)
    assert (len(again.rejected), again.removed) == (1, 1)  # e2 left the list; e1 was refused
    assert entries(store)["id:e1"]["name"] == "Globex"


def manifest_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "calls"
    long_stem = "call-" + "9" * 62  # 67 characters: a call's id holds 64
    (folder / "t").mkdir(parents=True)
    for name in ("ok.txt", f"{long_stem}.txt", "named.txt"):
        shutil.copy(TRANSCRIPTS / "pitch.txt", folder / "t" / name)
    write(tmp_path / "u.csv", "User ID,Full Name,Email\nu1,Rick Palmer,rick@x.example\n")
    return write(
        folder / "calls.csv",
        "Call ID,File,Rep ID,Date\n"
        "C1,t/ok.txt,u1,2025-04-02\n"
        f"{'C' * 65},t/named.txt,u1,2025-04-03\n"
        f",t/{long_stem}.txt,u1,2025-04-04\n",
    )


def test_a_call_id_too_long_rejects_its_call_alike(store: Store, tmp_path: Path) -> None:
    manifest = manifest_folder(tmp_path)
    import_file(store=store, kind="users", path=tmp_path / "u.csv")
    result = import_calls(store=store, manifest=manifest)
    assert (result.read, result.inserted, result.rejected) == (3, 1, 2)
    by_row = {r.row: r for r in result.rejects}
    assert (by_row[3].column, by_row[3].value) == ("Call ID", "C" * 65)
    assert by_row[3].reason.startswith("too long: 65 characters where id holds at most 64")
    assert by_row[4].column == "File"  # no Call ID: the id would be the file's name
    assert "67 characters where id holds at most 64" in by_row[4].reason
    assert "give it a shorter Call ID" in by_row[4].reason
    stored = {r["row_number"]: r for r in list_rejects(store=store, kind="calls")}
    assert {n: (r["filename"], r["column"]) for n, r in stored.items()} == {
        3: (str(manifest), "Call ID"),
        4: (str(manifest), "File"),
    }
    with store.begin() as conn:
        assert conn.execute(sa.select(tables.call.c.id)).scalars().all() == ["C1"]
