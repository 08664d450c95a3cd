"""Imports that lose nothing: on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from onstrategy.errors import InvalidInput
from onstrategy.ingest.importer import import_file, list_batches, list_rejects
from onstrategy.store import tables
from onstrategy.store.connect import Store

USERS = (
    "User ID,Full Name,Email,Profile\nu1,Ana Ruiz,ana@x.example,rep\nu2,Bo Chen,bo@x.example,rep\n"
)
ACCOUNTS = (
    "Account ID,Account Name,Website,Industry,Employees,Annual Revenue,Billing Country,"
    "Billing State/Province,Account Owner,Rating\n"
    "a1,Acme Inc,https://www.acme.com/about,Manufacturing,"
    '"1,200","$50,000,000",United States,California,Ana Ruiz,Hot\n'
    "a2,Beta LLC,beta.io,Retail,40,2.5M,USA,NY,bo@x.example,\n"
    "a3,Gamma,,Retail,lots,,US,CA,u1,\n"
    "a4,Delta,,Retail,10,,Atlantis,,u1,\n"
    ",No Id,,Retail,10,,US,,u1,\n"
    "a5,Epsilon,,Retail,10,,US,,nobody,\n"
)


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def rows(store: Store, table: sa.Table) -> list[dict]:
    with store.begin() as conn:
        return [
            dict(r) for r in conn.execute(sa.select(table).order_by(*table.primary_key)).mappings()
        ]


@pytest.fixture
def with_users(store: Store, tmp_path: Path) -> Store:
    import_file(store=store, kind="users", path=write(tmp_path, "users.csv", USERS))
    return store


def test_salesforce_accounts_are_normalised(with_users: Store, tmp_path: Path) -> None:
    result = import_file(
        store=with_users, kind="accounts", path=write(tmp_path, "accounts.csv", ACCOUNTS)
    )
    assert (result.inserted, result.rejected, result.mapping) == (2, 4, "salesforce")
    acme, beta = rows(with_users, tables.account)
    assert (acme["employees"], acme["annual_revenue"]) == (1200, 50_000_000.0)
    assert (acme["country"], acme["state"], acme["owner_id"]) == ("US", "CA", "u1")
    assert acme["extra"] == {"Rating": "Hot"}
    assert (beta["country"], beta["annual_revenue"], beta["owner_id"]) == ("US", 2.5e6, "u2")


def test_bad_rows_are_kept_with_row_column_and_reason(with_users: Store, tmp_path: Path) -> None:
    import_file(store=with_users, kind="accounts", path=write(tmp_path, "accounts.csv", ACCOUNTS))
    rejects = {(r["row_number"], r["column"]): r for r in list_rejects(store=with_users)}
    assert rejects[(4, "Employees")]["reason"] == "not a number: 'lots'"
    assert "unknown country 'Atlantis'" in rejects[(5, "Billing Country")]["reason"]
    assert rejects[(6, "Account ID")]["reason"] == "id is required"
    assert "unknown user 'nobody'" in rejects[(7, "Account Owner")]["reason"]
    assert rejects[(4, "Employees")]["raw"]["Account Name"] == "Gamma"
    assert all(r["filename"].endswith("accounts.csv") for r in rejects.values())


def test_reimport_changes_nothing_and_a_changed_row_updates(
    with_users: Store, tmp_path: Path
) -> None:
    path = write(tmp_path, "accounts.csv", ACCOUNTS)
    import_file(store=with_users, kind="accounts", path=path)
    before = rows(with_users, tables.account)
    again = import_file(store=with_users, kind="accounts", path=path)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    assert rows(with_users, tables.account) == before
    changed = write(
        tmp_path, "accounts2.csv", "Account ID,Account Name,Employees\na1,Acme Inc,1500\n"
    )
    result = import_file(store=with_users, kind="accounts", path=changed, mapping_file=None)
    assert (result.inserted, result.updated) == (0, 1)
    acme = rows(with_users, tables.account)[0]
    assert acme["employees"] == 1500
    assert acme["website"] == "https://www.acme.com/about"  # a column the file lacks is kept


def test_hubspot_companies_are_recognised(store: Store, tmp_path: Path) -> None:
    text = (
        "Record ID,Company name,Company Domain Name,Number of Employees,Country/Region\n"
        "101,Initech,initech.com,250,Germany\n"
    )
    result = import_file(store=store, kind="accounts", path=write(tmp_path, "hs.csv", text))
    assert result.mapping == "hubspot"
    assert result.inserted == 1
    assert rows(store, tables.account)[0]["country"] == "DE"


@pytest.mark.parametrize(
    ("encoding", "name"),
    [
        ("utf-8-sig", "Société Générale"),
        ("latin-1", "Müller Straße GmbH"),
        ("cp1252", "Café “Noir” — €uro"),
    ],
)
def test_encodings(store: Store, tmp_path: Path, encoding: str, name: str) -> None:
    path = write(tmp_path, "a.csv", f"Account ID,Account Name\nx1,{name}\n", encoding)
    import_file(store=store, kind="accounts", path=path)
    assert rows(store, tables.account)[0]["name"] == name


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_other_delimiters(store: Store, tmp_path: Path, delimiter: str) -> None:
    d = delimiter
    text = f"Account ID{d}Account Name{d}Employees\nx1{d}One, Two{d}5\n"
    result = import_file(store=store, kind="accounts", path=write(tmp_path, "a.csv", text))
    assert result.inserted == 1
    assert rows(store, tables.account)[0]["name"] == "One, Two"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"PK\x03\x04\x14\x00rest-of-a-zip", "Excel workbook"),
        (b'[{"id": 1}]', "JSON or XML"),
        (b"Account ID,Account Name\n\x00\x01\x02", "binary data"),
        (b"", "empty"),
    ],
)
def test_not_csv_changes_nothing(
    store: Store, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    with pytest.raises(InvalidInput, match=message):
        import_file(store=store, kind="accounts", path=path)
    assert list_batches(store=store) == []


def test_unrecognised_columns_name_what_is_expected(store: Store, tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", "Foo,Bar\n1,2\n")
    with pytest.raises(InvalidInput) as caught:
        import_file(store=store, kind="accounts", path=path)
    assert "required accounts fields missing: id, name" in caught.value.message
    assert "Account ID" in caught.value.hint
    assert "--mapping" in caught.value.hint
    assert list_batches(store=store) == []


def test_mapping_file_for_another_crm(store: Store, tmp_path: Path) -> None:
    mapping = write(
        tmp_path,
        "pipedrive.yaml",
        (
            "name: pipedrive\nkinds:\n  accounts:\n    id: [Organization - ID]\n"
            "    name: [Organization - Name]\n    employees: [Organization - Employee count]\n"
        ),
    )
    export = write(
        tmp_path,
        "orgs.csv",
        (
            "Organization - ID,Organization - Name,Organization - Employee count,"
            "Organization - Label\n"
            "7,Globex,900,Customer\n"
        ),
    )
    result = import_file(store=store, kind="accounts", path=export, mapping_file=mapping)
    assert (result.mapping, result.inserted) == ("pipedrive", 1)
    stored = rows(store, tables.account)[0]
    assert (stored["name"], stored["employees"]) == ("Globex", 900)
    assert stored["extra"] == {"Organization - Label": "Customer"}


def test_bad_mapping_file_names_the_problem(store: Store, tmp_path: Path) -> None:
    mapping = write(tmp_path, "m.yaml", "name: x\nkinds:\n  acounts:\n    id: [ID]\n")
    export = write(tmp_path, "a.csv", "ID\n1\n")
    with pytest.raises(InvalidInput) as caught:
        import_file(store=store, kind="accounts", path=export, mapping_file=mapping)
    assert caught.value.problems[0].where == "kinds.acounts"


def test_unknown_reference_is_rejected(with_users: Store, tmp_path: Path) -> None:
    import_file(store=with_users, kind="accounts", path=write(tmp_path, "a.csv", ACCOUNTS))
    contacts = write(
        tmp_path, "c.csv", "Contact ID,Account ID,Last Name,Title\nc1,a1,Ng,CIO\nc2,zz,Li,Buyer\n"
    )
    result = import_file(store=with_users, kind="contacts", path=contacts)
    assert (result.inserted, result.rejected) == (1, 1)
    reject = list_rejects(store=with_users, kind="contacts")[0]
    assert (reject["row_number"], reject["column"]) == (3, "account_id")
    assert "unknown account 'zz'" in reject["reason"]


def test_a_file_that_breaks_midway_changes_nothing(store: Store, tmp_path: Path) -> None:
    good = "".join(f"x{i},Company {i}\n" for i in range(5000))
    path = tmp_path / "a.csv"
    path.write_bytes(b"Account ID,Account Name\n" + good.encode() + b'x9,"unterminated\n')
    with pytest.raises(InvalidInput, match="line"):
        import_file(store=store, kind="accounts", path=path, chunk_rows=1000)
    assert rows(store, tables.account) == []
    assert list_batches(store=store) == []


def test_nul_in_a_row_rejects_that_row_only(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    good = "".join(f"x{i},Company {i}\n" for i in range(5000)).encode()  # past the 64 KiB sniff
    path.write_bytes(b"Account ID,Account Name\n" + good + b"y2,Bad\x00Name\n")
    result = import_file(store=store, kind="accounts", path=path)
    assert (result.inserted, result.rejected) == (5000, 1)
    assert "NUL" in list_rejects(store=store)[0]["reason"]


def test_import_writes_the_audit_log(with_users: Store, tmp_path: Path) -> None:
    import_file(
        store=with_users,
        kind="accounts",
        path=write(tmp_path, "a.csv", ACCOUNTS),
        actor="revops@x.example",
    )
    log = rows(with_users, tables.audit_log)
    entry = next(e for e in log if e["entity"] == "accounts")
    assert (entry["actor"], entry["action"]) == ("revops@x.example", "import")
    assert (entry["details"]["inserted"], entry["details"]["rejected"]) == (2, 4)


def test_derived_columns(with_users: Store, tmp_path: Path) -> None:
    import_file(store=with_users, kind="accounts", path=write(tmp_path, "a.csv", ACCOUNTS))
    assert [a["domain"] for a in rows(with_users, tables.account)] == ["acme.com", "beta.io"]
    contacts = write(
        tmp_path,
        "c.csv",
        "Contact ID,Account ID,Last Name,Title\nc1,a1,Ng,SVP & CIO\nc2,a1,Li,Purchasing Agent\n",
    )
    import_file(store=with_users, kind="contacts", path=contacts)
    people = {c["id"]: (c["seniority"], c["function"]) for c in rows(with_users, tables.contact)}
    assert people == {"c1": ("executive", "it"), "c2": ("staff", "procurement")}
    leads = write(
        tmp_path,
        "l.csv",
        "Lead ID,Email,Company\nl1,jo@gmail.com,Acme\nl2,max@mail.acme.co.uk,Acme UK\n",
    )
    import_file(store=with_users, kind="leads", path=leads)
    assert [x["domain"] for x in rows(with_users, tables.lead)] == [None, "acme.co.uk"]
    opps = write(
        tmp_path,
        "o.csv",
        "Opportunity ID,Account ID,Stage,Created Date\n"
        "o1,a1,Closed Won,2025-01-02\no2,a1,Negotiation,01/15/2025\n",
    )
    import_file(store=with_users, kind="opportunities", path=opps)
    outcome = {
        o["id"]: (o["is_closed"], o["is_won"], o["created_on"].isoformat())
        for o in rows(with_users, tables.opportunity)
    }
    assert outcome == {"o1": (True, True, "2025-01-02"), "o2": (False, False, "2025-01-15")}


def test_records_remember_the_import_that_created_them(with_users: Store, tmp_path: Path) -> None:
    first = import_file(store=with_users, kind="accounts", path=write(tmp_path, "a.csv", ACCOUNTS))
    more = write(tmp_path, "b.csv", "Account ID,Account Name\na1,Acme Inc\nb9,New Co\n")
    second = import_file(store=with_users, kind="accounts", path=more)
    batches = {a["id"]: a["import_batch_id"] for a in rows(with_users, tables.account)}
    assert batches == {"a1": first.batch_id, "a2": first.batch_id, "b9": second.batch_id}


def test_an_empty_cell_never_blanks_a_required_column(store: Store, tmp_path: Path) -> None:
    first = "User ID,Full Name,Email,Profile,Active\nu1,Ana Ruiz,ana@x.example,manager,true\n"
    import_file(store=store, kind="users", path=write(tmp_path, "u1.csv", first))
    again = "User ID,Full Name,Email,Profile,Active\nu1,Ana B. Ruiz,ana@x.example,,\n"
    result = import_file(store=store, kind="users", path=write(tmp_path, "u2.csv", again))
    assert (result.updated, result.rejected) == (1, 0)
    user = rows(store, tables.user)[0]
    assert (user["name"], user["role"], user["active"]) == ("Ana B. Ruiz", "manager", True)


def test_a_duplicate_email_is_rejected_not_a_crash(store: Store, tmp_path: Path) -> None:
    import_file(store=store, kind="users", path=write(tmp_path, "u.csv", USERS))
    text = ("User ID,Full Name,Email\nu3,Cy Doe,cy@x.example\nu4,Cy Two,cy@x.example\n"
            "u5,Not Ana,ana@x.example\n")  # fmt: skip
    result = import_file(store=store, kind="users", path=write(tmp_path, "dup.csv", text))
    assert (result.inserted, result.rejected) == (1, 2)
    reasons = {r["row_number"]: r["reason"] for r in list_rejects(store=store, kind="users")}
    assert reasons[3] == "email 'cy@x.example' already belongs to u3"
    assert reasons[4] == "email 'ana@x.example' already belongs to u1"


def test_a_narrower_export_keeps_the_custom_columns_stored(
    with_users: Store, tmp_path: Path
) -> None:
    import_file(store=with_users, kind="accounts", path=write(tmp_path, "a.csv", ACCOUNTS))
    narrower = "Account ID,Account Name,Tier\na1,Acme Inc,Gold\n"
    result = import_file(store=with_users, kind="accounts", path=write(tmp_path, "b.csv", narrower))
    assert result.updated == 1
    acme = rows(with_users, tables.account)[0]
    assert acme["extra"] == {"Rating": "Hot", "Tier": "Gold"}
    again = import_file(store=with_users, kind="accounts", path=write(tmp_path, "b.csv", narrower))
    assert (again.updated, again.unchanged) == (0, 1)
