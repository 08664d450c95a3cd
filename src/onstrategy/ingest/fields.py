"""What each record kind holds: its fields, their types, which are required, what they refer to.

Import mappings (``mappings/*.yaml``) only say which export column feeds which field; the
types and rules live here, once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FieldType = Literal["str", "int", "float", "date", "bool", "country", "state", "kind", "ref"]


@dataclass(frozen=True)
class FieldSpec:
    name: str
    type: FieldType = "str"
    required: bool = False
    refers_to: str | None = None  # kind whose id (or user email/name) this must name
    column: str | None = None  # table column when it differs from name


@dataclass(frozen=True)
class KindSpec:
    kind: str
    table: str
    fields: tuple[FieldSpec, ...]
    key: tuple[str, ...] = ("id",)

    def field(self, name: str) -> FieldSpec:
        return next(f for f in self.fields if f.name == name)

    @property
    def required(self) -> list[str]:
        return [f.name for f in self.fields if f.required]


F = FieldSpec
_FIRMOGRAPHICS = (
    F("website"),
    F("industry"),
    F("employees", "int"),
    F("annual_revenue", "float"),
    F("country", "country"),
    F("state", "state"),
    F("city"),
    F("postal_code"),
    F("phone"),
)

KINDS: dict[str, KindSpec] = {
    "teams": KindSpec(
        "teams",
        "team",
        (
            F("id", required=True),
            F("name", required=True),
            F("manager_id"),
        ),
    ),
    "users": KindSpec(
        "users",
        "user_account",
        (
            F("id", required=True),
            F("name", required=True),
            F("email"),
            F("role"),
            F("team_id", refers_to="teams"),
            F("active", "bool"),
        ),
    ),
    "accounts": KindSpec(
        "accounts",
        "account",
        (
            F("id", required=True),
            F("name", required=True),
            *_FIRMOGRAPHICS,
            F("owner_id", "ref", refers_to="users"),
            F("parent_id"),
            F("source"),
            F("created_on", "date"),
        ),
    ),
    "contacts": KindSpec(
        "contacts",
        "contact",
        (
            F("id", required=True),
            F("account_id", refers_to="accounts"),
            F("first_name"),
            F("last_name"),
            F("email"),
            F("title"),
            F("phone"),
            F("created_on", "date"),
        ),
    ),
    "leads": KindSpec(
        "leads",
        "lead",
        (
            F("id", required=True),
            F("first_name"),
            F("last_name"),
            F("email"),
            F("title"),
            F("company"),
            *_FIRMOGRAPHICS,
            F("source"),
            F("status"),
            F("owner_id", "ref", refers_to="users"),
            F("created_on", "date"),
        ),
    ),
    "opportunities": KindSpec(
        "opportunities",
        "opportunity",
        (
            F("id", required=True),
            F("name"),
            F("account_id", refers_to="accounts"),
            F("owner_id", "ref", refers_to="users"),
            F("amount", "float"),
            F("list_amount", "float"),
            F("stage"),
            F("is_closed", "bool"),
            F("is_won", "bool"),
            F("created_on", "date", required=True),
            F("closed_on", "date"),
            F("product"),
            F("type"),
            F("lead_source"),
        ),
    ),
    "opportunity_contacts": KindSpec(
        "opportunity_contacts",
        "opportunity_contact",
        (
            F("opportunity_id", required=True, refers_to="opportunities"),
            F("contact_id", required=True, refers_to="contacts"),
            F("role"),
            F("is_primary", "bool"),
        ),
        key=("opportunity_id", "contact_id"),
    ),
    "availability": KindSpec(
        "availability",
        "availability",
        (
            F("user_id", required=True, refers_to="users"),
            F("starts_on", "date", required=True),
            F("ends_on", "date", required=True),
            F("kind"),
            F("note"),
        ),
        key=("user_id", "starts_on"),
    ),
    "activities": KindSpec(
        "activities",
        "activity",
        (
            F("id", required=True),
            F("kind", "kind", required=True),
            F("occurred_on", "date", required=True),
            F("duration_minutes", "float"),
            F("owner_id", "ref", refers_to="users"),
            F("contact_id", refers_to="contacts"),
            F("account_id", refers_to="accounts"),
            F("opportunity_id", refers_to="opportunities"),
            F("subject"),
        ),
    ),
}
