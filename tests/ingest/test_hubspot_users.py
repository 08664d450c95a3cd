"""HubSpot's user export has "First Name" and "Last Name" and no full name: the name is the
two joined, and any mapping file may say a field is several columns joined."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from onstrategy.errors import InvalidInput
from onstrategy.ingest.importer import import_file, list_rejects
from onstrategy.store import tables
from onstrategy.store.connect import Store

# As Settings > Users & Teams > Export users writes it.
EXPORT = (
    "User ID,First Name,Last Name,Email,Last Login,Assigned Teams,Assigned Role,Permissions\n"
    "11,Ana,Ruiz,ana@x.example,2026-03-01,West,Sales Manager,Contacts: Edit\n"
    "12,Bo,Chen,bo@x.example,,West,Sales User,\n"
    "13,Cher,,cher@x.example,,,Super Admin,\n"
    "14,,,nobody@x.example,,,Sales User,\n"
    f"15,{'D' * 150},{'E' * 60},de@x.example,,,Sales User,\n"
)


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def users(store: Store) -> dict[str, tuple[str, str]]:
    with store.begin() as conn:
        query = sa.select(tables.user.c.id, tables.user.c.name, tables.user.c.role)
        return {uid: (name, role) for uid, name, role in conn.execute(query)}


def test_a_hubspot_user_export_imports_with_first_and_last_name_joined(
    store: Store, tmp_path: Path
) -> None:
    result = import_file(store=store, kind="users", path=write(tmp_path, "users.csv", EXPORT))
    assert (result.mapping, result.inserted, result.rejected) == ("hubspot", 3, 2)
    assert users(store) == {
        "11": ("Ana Ruiz", "manager"),
        "12": ("Bo Chen", "rep"),
        "13": ("Cher", "admin"),  # one name is a name
    }
    rejects = {r["row_number"]: r for r in list_rejects(store=store, kind="users")}
    assert (rejects[5]["column"], rejects[5]["reason"]) == ("First Name + Last Name",
                                                            "name is required")  # fmt: skip
    assert rejects[6]["column"] == "First Name + Last Name"
    assert rejects[6]["reason"].startswith("too long: 211 characters where name holds at most 200")
    with store.begin() as conn:
        extra = conn.execute(sa.select(tables.user.c.extra).where(tables.user.c.id == "11"))
        assert extra.scalar() == {
            "Last Login": "2026-03-01", "Assigned Teams": "West", "Permissions": "Contacts: Edit"
        }  # fmt: skip
    again = import_file(store=store, kind="users", path=tmp_path / "users.csv")
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 3)


def test_role_and_team_columns_and_owners_by_full_name(store: Store, tmp_path: Path) -> None:
    teams = "Team ID,Team Name\nt-west,West\nt-east,East\n"
    import_file(store=store, kind="teams", path=write(tmp_path, "t.csv", teams))
    text = (
        "First Name,Last Name,Email,Role,Team,User ID\n"
        "Ana,Ruiz,ana@x.example,Sales Manager,west,11\n"  # a team by its name, any case
        "Bo,Chen,bo@x.example,Sales User,t-east,12\n"  # or by its id
        "Cy,Ng,cy@x.example,Sales User,North,13\n"  # no such team
    )
    result = import_file(store=store, kind="users", path=write(tmp_path, "u.csv", text))
    assert (result.mapping, result.inserted, result.rejected) == ("hubspot", 2, 1)
    assert users(store) == {"11": ("Ana Ruiz", "manager"), "12": ("Bo Chen", "rep")}
    with store.begin() as conn:
        teams_of = dict(conn.execute(sa.select(tables.user.c.id, tables.user.c.team_id)).all())
    assert teams_of == {"11": "t-west", "12": "t-east"}
    (reject,) = list_rejects(store=store, kind="users")
    assert reject["reason"] == "unknown team 'North' (import teams first)"
    companies = "Record ID,Company name,Company owner\nc1,Acme,Ana Ruiz\n"
    import_file(store=store, kind="accounts", path=write(tmp_path, "c.csv", companies))
    with store.begin() as conn:
        assert conn.execute(sa.select(tables.account.c.owner_id)).scalar() == "11"


def test_any_mapping_file_may_join_columns(store: Store, tmp_path: Path) -> None:
    mapping = write(tmp_path, "zoho.yaml", (
        "name: zoho\nkinds:\n  users:\n    id: [Zoho ID]\n"
        "    name: [Full Name, [Given name, Middle name, Family name]]\n"
    ))  # fmt: skip
    text = "Zoho ID,Given name,Middle name,Family name\nz1,Mary,Ann,Evans\nz2,Jo,,March\n"
    path = write(tmp_path, "u.csv", text)
    result = import_file(store=store, kind="users", path=path, mapping_file=mapping)
    assert (result.inserted, result.rejected) == (2, 0)
    assert {uid: name for uid, (name, _) in users(store).items()} == {
        "z1": "Mary Ann Evans", "z2": "Jo March"
    }  # fmt: skip
    broken = write(tmp_path, "broken.yaml", "name: broken\nkinds:\n  users:\n    name: [[]]\n")
    with pytest.raises(InvalidInput) as err:
        import_file(store=store, kind="users", path=path, mapping_file=broken)
    assert "kinds.users.name" in str(err.value.problems[0])


def test_a_file_without_a_name_says_the_two_columns_are_accepted(
    store: Store, tmp_path: Path
) -> None:
    path = write(tmp_path, "u.csv", "User ID,First Name,Email\n11,Ana,ana@x.example\n")
    with pytest.raises(InvalidInput) as err:
        import_file(store=store, kind="users", path=path)
    assert "required users fields missing: name" in err.value.message
    assert "First Name + Last Name" in err.value.hint
