"""Roles from a CRM's user export: standard profiles become our roles, custom ones are
mapped in a mapping file, anything else is rejected (never stored), and a role changed by
a re-import is in the audit log. On SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from onstrategy.cli.main import app
from onstrategy.errors import InvalidInput
from onstrategy.ingest.importer import import_file, list_rejects
from onstrategy.store import tables
from onstrategy.store.connect import Store

SALESFORCE = (
    "User ID,Full Name,Email,Profile,Active\n"
    "u1,Ana Ruiz,ana@x.example,System Administrator,true\n"
    "u2,Bo Chen,bo@x.example,Standard User,true\n"
    "u3,Cy Diaz,cy@x.example,Salesforce Platform User,true\n"
    "u4,Di Egan,di@x.example,manager,true\n"
    "u5,Ed Fox,ed@x.example,Marketing User,true\n"
    "u6,Flo Gray,flo@x.example,  standard   USER ,true\n"
)
CUSTOM = """\
name: acme-salesforce
extends: salesforce
values:
  users:
    role:
      Marketing User: executive
      Regional Director: manager
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def roles(store: Store) -> dict[str, str]:
    with store.begin() as conn:
        return {r.id: r.role for r in conn.execute(sa.select(tables.user.c.id, tables.user.c.role))}


def role_audit(store: Store) -> list[dict]:
    log = tables.audit_log
    query = sa.select(log).where(log.c.action == "user.update").order_by(log.c.id)
    with store.begin() as conn:
        return [dict(r) for r in conn.execute(query).mappings()]


def test_salesforce_standard_profiles_become_our_roles(store: Store, tmp_path: Path) -> None:
    result = import_file(store=store, kind="users", path=write(tmp_path, "u.csv", SALESFORCE))
    assert (result.mapping, result.inserted, result.rejected) == ("salesforce", 5, 1)
    assert roles(store) == {"u1": "admin", "u2": "rep", "u3": "rep", "u4": "manager", "u6": "rep"}


def test_an_unknown_profile_is_rejected_with_row_column_and_fix(
    store: Store, tmp_path: Path
) -> None:
    import_file(store=store, kind="users", path=write(tmp_path, "u.csv", SALESFORCE))
    (reject,) = list_rejects(store=store, kind="users")
    assert (reject["row_number"], reject["column"], reject["value"]) == (
        6,
        "Profile",
        "Marketing User",
    )
    assert reject["filename"].endswith("u.csv")
    assert reject["reason"].startswith("unknown role 'Marketing User'")
    assert "values: users: role:" in reject["reason"]
    assert "--mapping" in reject["reason"]
    assert "u5" not in roles(store)


def test_a_mapping_file_maps_custom_profiles_and_keeps_the_standard_ones(
    store: Store, tmp_path: Path
) -> None:
    mapping = write(tmp_path, "acme.yaml", CUSTOM)
    path = write(tmp_path, "u.csv", SALESFORCE.replace("Marketing User", "marketing user"))
    result = import_file(store=store, kind="users", path=path, mapping_file=mapping)
    assert (result.mapping, result.inserted, result.rejected) == ("acme-salesforce", 6, 0)
    assert roles(store) == {
        "u1": "admin", "u2": "rep", "u3": "rep", "u4": "manager", "u5": "executive", "u6": "rep"
    }  # fmt: skip


def test_a_mapping_to_a_role_we_do_not_have_is_refused(store: Store, tmp_path: Path) -> None:
    bad = CUSTOM.replace("Regional Director: manager", "Regional Director: superuser")
    mapping = write(tmp_path, "bad.yaml", bad)
    with pytest.raises(InvalidInput) as caught:
        import_file(
            store=store, kind="users", path=write(tmp_path, "u.csv", SALESFORCE),
            mapping_file=mapping,
        )  # fmt: skip
    (problem,) = caught.value.problems
    assert problem.where == "values.users.role.Regional Director"
    assert "unknown role 'superuser'" in problem.message
    assert roles(store) == {}


def test_a_role_changed_by_reimport_is_audited_as_a_change(store: Store, tmp_path: Path) -> None:
    import_file(store=store, kind="users", path=write(tmp_path, "u.csv", SALESFORCE))
    again = import_file(store=store, kind="users", path=write(tmp_path, "u.csv", SALESFORCE))
    assert role_audit(store) == []
    assert again.access_changes == []
    promoted = SALESFORCE.replace(
        "Bo Chen,bo@x.example,Standard User", "Bo Chen,bo@x.example,System Administrator"
    )
    result = import_file(
        store=store, kind="users", path=write(tmp_path, "u2.csv", promoted), actor="ana@x.example"
    )
    (entry,) = role_audit(store)
    assert (entry["actor"], entry["entity"], entry["entity_id"]) == (
        "ana@x.example",
        "user_account",
        "u2",
    )
    assert entry["details"]["changes"] == {"role": {"from": "rep", "to": "admin"}}
    assert entry["details"]["batch_id"] == result.batch_id
    assert result.notes == ["Bo Chen (u2): role rep -> admin"]
    assert roles(store)["u2"] == "admin"


def test_an_empty_profile_keeps_the_stored_role_and_is_no_change(
    store: Store, tmp_path: Path
) -> None:
    import_file(store=store, kind="users", path=write(tmp_path, "u.csv", SALESFORCE))
    blank = "User ID,Full Name,Email,Profile\nu1,Ana Ruiz,ana@x.example,\n"
    import_file(store=store, kind="users", path=write(tmp_path, "b.csv", blank))
    assert roles(store)["u1"] == "admin"
    assert role_audit(store) == []


def test_hubspot_user_roles(store: Store, tmp_path: Path) -> None:
    text = (
        "User ID,Name,Email,Role,Primary Team ID\n"
        "h1,Gus Hale,gus@x.example,Super Admin,\n"
        "h2,Hal Ives,hal@x.example,Sales Manager,\n"
        "h3,Ida Jones,ida@x.example,Sales User,\n"
        "h4,Jo Kim,jo@x.example,Sales Rep EMEA,\n"
    )
    result = import_file(store=store, kind="users", path=write(tmp_path, "hs.csv", text))
    assert (result.mapping, result.inserted, result.rejected) == ("hubspot", 3, 1)
    assert roles(store) == {"h1": "admin", "h2": "manager", "h3": "rep"}
    (reject,) = list_rejects(store=store, kind="users")
    assert (reject["row_number"], reject["column"]) == (5, "Role")


def test_the_cli_shows_the_rejected_profile(database_url: str, tmp_path: Path) -> None:
    path = write(tmp_path, "u.csv", SALESFORCE)
    result = CliRunner().invoke(app, ["--database-url", database_url, "import", "users", str(path)])
    assert result.exit_code == 0, result.output
    assert "rejected 1" in result.output
    assert "Marketing User" in result.output
