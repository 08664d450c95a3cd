"""The row checks (ingest.checks) on their own: every problem of a row at once, in the file's
words, and the same length rule the importer stores; on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from onstrategy.ingest.checks import (
    Row,
    UserLookup,
    check_lengths,
    check_references,
    check_unique,
    parse_row,
    too_long,
)
from onstrategy.ingest.fields import KINDS
from onstrategy.ingest.importer import import_file, list_rejects
from onstrategy.ingest.mapping import resolve_columns
from onstrategy.store.connect import Store

USERS = "User ID,Full Name,Email,Profile\nu1,Ana Ruiz,ana@x.example,rep\n"
ACCOUNT_HEADER = ["Account ID", "Account Name", "Employees", "Account Owner", "Rating"]


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_row_gets_every_problem_at_once_in_the_files_words(store: Store, tmp_path: Path) -> None:
    import_file(store=store, kind="users", path=write(tmp_path, "u.csv", USERS))
    columns = resolve_columns(kind="accounts", header=ACCOUNT_HEADER, source="a.csv")
    with store.begin() as conn:
        owners = UserLookup(conn)
    cells = ["a1", "", "lots", "nobody", "Hot"]
    row, problems = parse_row(
        columns=columns, header=ACCOUNT_HEADER, number=7, cells=cells, owners=owners
    )
    assert row is None
    assert {(p.row_number, p.column, p.value) for p in problems} == {
        (7, "Account Name", ""),
        (7, "Employees", "lots"),
        (7, "Account Owner", "nobody"),
    }
    reasons = " | ".join(p.reason for p in problems)
    assert "name is required" in reasons
    assert "not a number: 'lots'" in reasons
    assert "unknown user 'nobody'" in reasons
    good, problems = parse_row(
        columns=columns, header=ACCOUNT_HEADER, number=8,
        cells=["a2", "Acme", "1,200", "ana@x.example", "Hot"], owners=owners,
    )  # fmt: skip
    assert problems == []
    assert good is not None
    assert (good.record["employees"], good.record["owner_id"]) == (1200, "u1")
    assert good.record["extra"] == {"Rating": "Hot"}  # a column with no field is kept
    row, (problem,) = parse_row(
        columns=columns, header=ACCOUNT_HEADER, number=9, cells=[*cells, "x"], owners=owners
    )
    assert row is None
    assert problem.reason == "row has 6 cells but the header has 5"  # refused as a whole


def test_the_length_rule_is_the_one_the_importer_stores(store: Store, tmp_path: Path) -> None:
    name = "N" * 301
    (problem,) = too_long(table="account", values={"name": name, "city": "Austin", "id": "a1"})
    assert (problem.field, problem.limit, problem.length) == ("name", 300, 301)
    assert too_long(table="account", values={"name": "N" * 300, "employees": 10**9}) == []
    text = f"Account ID,Account Name\na1,{name}\n"
    import_file(store=store, kind="accounts", path=write(tmp_path, "a.csv", text))
    (stored,) = list_rejects(store=store, kind="accounts")
    assert (stored["column"], stored["reason"]) == ("Account Name", problem.reason)
    columns = resolve_columns(kind="accounts", header=["Account ID", "Account Name"], source="a")
    rows = [Row(2, {"id": "a1", "name": name}, {}), Row(3, {"id": "a2", "name": "ok"}, {})]
    kept, rejects = check_lengths(columns=columns, header=["Account ID", "Account Name"],
                                  rows=rows)  # fmt: skip
    assert [r.number for r in kept] == [3]
    assert [(r.row_number, r.column, r.reason) for r, _ in rejects] == [
        (2, "Account Name", problem.reason)
    ]


def test_references_and_unique_values_are_checked_against_the_store(
    store: Store, tmp_path: Path
) -> None:
    teams = write(tmp_path, "t.csv", "Team ID,Team Name\nt1,West\n")
    import_file(store=store, kind="teams", path=teams)
    import_file(store=store, kind="users", path=write(tmp_path, "u.csv", USERS))
    users = KINDS["users"]
    raw = {"User ID": "u3"}
    rows = [
        Row(2, {"id": "u2", "email": "ana@x.example", "team_id": "t1"}, {}),  # Ana's email
        Row(3, {"id": "u3", "email": "cy@x.example", "team_id": "t9"}, raw),  # no team t9
        Row(4, {"id": "u4", "email": "dy@x.example", "team_id": None}, {}),
        Row(5, {"id": "u1", "email": "ana@x.example", "team_id": "t1"}, {}),  # her own
        Row(6, {"id": "u6", "email": "dy@x.example", "team_id": None}, {}),  # u4's, above
    ]
    with store.begin() as conn:
        rows, missing = check_references(conn=conn, spec=users, rows=rows)
        kept, taken = check_unique(conn=conn, spec=users, rows=rows)
    assert [(r.row_number, r.column, r.value, raw_cells) for r, raw_cells in missing] == [
        (3, "team_id", "t9", raw)
    ]
    assert "unknown team 't9' (import teams first)" in missing[0][0].reason
    assert {r.row_number: r.reason for r, _ in taken} == {
        2: "email 'ana@x.example' already belongs to u1",
        6: "email 'dy@x.example' already belongs to u4",
    }
    assert [r.number for r in kept] == [4, 5]
