"""Availability kinds: out_of_office or inactive, from the spellings a RevOps admin types;
anything else rejects its row (row, column, value, the accepted values) and is never stored."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from onstrategy.errors import InvalidInput
from onstrategy.ingest.importer import import_file, list_rejects
from onstrategy.store import tables
from onstrategy.store.connect import Store

USERS = "User ID,Full Name\n" + "".join(f"u{i},Rep {i}\n" for i in range(1, 11))
AVAILABILITY = (
    "User ID,Start Date,End Date,Type,Note\n"
    "u1,2026-03-02,2026-03-06,OOO,\n"
    "u2,2026-03-02,2026-03-06,Out of office,\n"
    "u3,2026-03-02,2026-03-06,PTO,\n"
    "u4,2026-03-02,2026-03-06,Vacation,\n"
    "u5,2026-03-02,2026-03-06,Parental leave,\n"
    "u6,2026-03-02,2026-12-31,Left,moved to marketing\n"
    "u7,2026-03-02,2026-12-31,TERMINATED,\n"
    "u8,2026-03-02,2026-12-31,inactive,\n"
    "u9,2026-03-02,2026-03-06,,\n"  # no kind: out of office
    "u10,2026-03-02,2026-03-06,Training,\n"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def kinds(store: Store) -> dict[str, str]:
    with store.begin() as conn:
        query = sa.select(tables.availability.c.user_id, tables.availability.c.kind)
        return dict(conn.execute(query).tuples().all())


def test_spellings_are_read_and_anything_else_is_rejected(store: Store, tmp_path: Path) -> None:
    import_file(store=store, kind="users", path=write(tmp_path, "u.csv", USERS))
    path = write(tmp_path, "a.csv", AVAILABILITY)
    result = import_file(store=store, kind="availability", path=path)
    assert (result.rows_read, result.inserted, result.rejected) == (10, 9, 1)
    away = {f"u{i}": "out_of_office" for i in (1, 2, 3, 4, 5, 9)}
    assert kinds(store) == away | {f"u{i}": "inactive" for i in (6, 7, 8)}
    (reject,) = list_rejects(store=store, kind="availability")
    assert (reject["row_number"], reject["column"], reject["value"]) == (11, "Type", "Training")
    assert reject["reason"].startswith(
        "unknown availability kind 'Training' (ours: out_of_office, inactive; also read: OOO,"
    )
    assert "values: availability: kind:" in reject["reason"]  # how to import it anyway


def test_a_stored_kind_is_not_overwritten_by_a_bad_one(store: Store, tmp_path: Path) -> None:
    import_file(store=store, kind="users", path=write(tmp_path, "u.csv", USERS))
    import_file(store=store, kind="availability", path=write(tmp_path, "a.csv", AVAILABILITY))
    text = "User ID,Start Date,End Date,Type\nu6,2026-03-02,2026-12-31,on a boat\n"
    again = import_file(store=store, kind="availability", path=write(tmp_path, "b.csv", text))
    assert (again.updated, again.rejected) == (0, 1)
    assert kinds(store)["u6"] == "inactive"


def test_a_mapping_file_can_name_its_own_kinds(store: Store, tmp_path: Path) -> None:
    import_file(store=store, kind="users", path=write(tmp_path, "u.csv", USERS))
    mapping = write(
        tmp_path,
        "acme.yaml",
        "name: acme\nextends: salesforce\nvalues:\n  availability:\n    kind:\n"
        "      Training: out_of_office\n      Garden leave: inactive\n",
    )
    text = (
        "User ID,Start Date,End Date,Type\n"
        "u1,2026-03-02,2026-03-06,training\nu2,2026-03-02,2026-12-31,Garden Leave\n"
    )
    path = write(tmp_path, "a.csv", text)
    result = import_file(store=store, kind="availability", path=path, mapping_file=mapping)
    assert (result.inserted, result.rejected) == (2, 0)
    assert kinds(store) == {"u1": "out_of_office", "u2": "inactive"}
    bad = write(tmp_path, "bad.yaml", "name: bad\nvalues:\n  availability:\n    kind:\n"
                "      Training: offsite\n")  # fmt: skip
    with pytest.raises(InvalidInput) as err:
        import_file(store=store, kind="availability", path=path, mapping_file=bad)
    (problem,) = err.value.problems
    assert problem.where == "values.availability.kind.Training"
    assert problem.message.startswith("unknown availability kind 'offsite'")
