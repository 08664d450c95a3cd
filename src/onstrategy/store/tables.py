"""Every table onstrategy keeps. The only module (with migrations) that defines storage.

CRM records keep the CRM's own id as primary key (``id``), so a re-import upserts. Columns
that exports add beyond ours are kept in ``extra`` (JSON) so nothing is lost.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = MetaData(naming_convention=NAMING)

ID = String(64)
# ``gate_status`` of a prospect the intake gate keeps out of the working CRM. Everything
# else ("active", or "released" by an admin) is in the working CRM.
QUARANTINED = "quarantined"


def _audit_columns() -> list[Column]:  # type: ignore[type-arg]
    return [
        Column("import_batch_id", Integer, nullable=True),  # the import that created it
        Column("last_batch_id", Integer, nullable=True),  # the last import that wrote it (lp01)
        Column("extra", JSON, nullable=True),
    ]


team = Table(
    "team",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("manager_id", ID, nullable=True),
    *_audit_columns(),
)

user = Table(
    "user_account",
    metadata,  # "user" is reserved in PostgreSQL
    Column("id", ID, primary_key=True),
    Column("name", String(200), nullable=False),
    Column("email", String(320), nullable=True, unique=True),
    Column("role", String(20), nullable=False, default="rep"),  # rep | manager | executive | admin
    Column("team_id", ID, nullable=True, index=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("password_hash", String(200), nullable=True),
    *_audit_columns(),
)

availability = Table(
    "availability",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", ID, nullable=False, index=True),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("kind", String(20), nullable=False, default="out_of_office"),  # or "inactive"
    Column("note", Text, nullable=True),
    *_audit_columns(),
    UniqueConstraint("user_id", "starts_on", name="uq_availability_user_start"),
)

account = Table(
    "account",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(300), nullable=False),
    Column("website", String(300), nullable=True),
    Column("domain", String(255), nullable=True, index=True),
    Column("industry", String(200), nullable=True),
    Column("employees", Integer, nullable=True),
    Column("annual_revenue", Float, nullable=True),
    Column("country", String(2), nullable=True),
    Column("state", String(20), nullable=True),
    Column("city", String(200), nullable=True),
    Column("postal_code", String(20), nullable=True),
    Column("phone", String(40), nullable=True),
    Column("owner_id", ID, nullable=True, index=True),
    Column("parent_id", ID, nullable=True),
    Column("source", String(100), nullable=True),
    Column("created_on", Date, nullable=True),
    # intake gate: "active" or "quarantined" (never deleted; an admin can release)
    Column("gate_status", String(20), nullable=False, default="active"),
    Column("gate_reasons", JSON, nullable=True),
    *_audit_columns(),
)

contact = Table(
    "contact",
    metadata,
    Column("id", ID, primary_key=True),
    Column("account_id", ID, nullable=True, index=True),
    Column("first_name", String(100), nullable=True),
    Column("last_name", String(100), nullable=True),
    Column("email", String(320), nullable=True),
    Column("title", String(300), nullable=True),
    Column("phone", String(40), nullable=True),
    Column("seniority", String(20), nullable=True),  # classified from the title
    Column("function", String(20), nullable=True),
    Column("created_on", Date, nullable=True),
    *_audit_columns(),
)

lead = Table(
    "lead",
    metadata,
    Column("id", ID, primary_key=True),
    Column("first_name", String(100), nullable=True),
    Column("last_name", String(100), nullable=True),
    Column("email", String(320), nullable=True),
    Column("title", String(300), nullable=True),
    Column("company", String(300), nullable=True),
    Column("website", String(300), nullable=True),
    Column("domain", String(255), nullable=True),
    Column("phone", String(40), nullable=True),
    Column("industry", String(200), nullable=True),
    Column("employees", Integer, nullable=True),
    Column("annual_revenue", Float, nullable=True),
    Column("country", String(2), nullable=True),
    Column("state", String(20), nullable=True),
    Column("city", String(200), nullable=True),
    Column("postal_code", String(20), nullable=True),
    Column("source", String(100), nullable=True),
    Column("status", String(40), nullable=True),
    Column("owner_id", ID, nullable=True, index=True),
    Column("account_id", ID, nullable=True, index=True),  # matched account
    Column("match_score", Float, nullable=True),
    Column("created_on", Date, nullable=True, index=True),
    Column("gate_status", String(20), nullable=False, default="active"),
    Column("gate_reasons", JSON, nullable=True),
    *_audit_columns(),
)

opportunity = Table(
    "opportunity",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", String(300), nullable=True),
    Column("account_id", ID, nullable=True, index=True),
    Column("owner_id", ID, nullable=True, index=True),
    Column("amount", Float, nullable=True),
    Column("list_amount", Float, nullable=True),  # list price, for price realisation
    Column("stage", String(100), nullable=True),
    Column("is_closed", Boolean, nullable=False, default=False),
    Column("is_won", Boolean, nullable=False, default=False),
    Column("created_on", Date, nullable=True, index=True),
    Column("closed_on", Date, nullable=True, index=True),
    Column("product", String(200), nullable=True),
    Column("type", String(60), nullable=True),  # new business, renewal, expansion
    Column("lead_source", String(100), nullable=True),
    *_audit_columns(),
)

opportunity_contact = Table(
    "opportunity_contact",
    metadata,
    Column("opportunity_id", ID, primary_key=True),
    Column("contact_id", ID, primary_key=True),
    Column("role", String(100), nullable=True),
    Column("is_primary", Boolean, nullable=False, default=False),
    *_audit_columns(),
)

activity = Table(
    "activity",
    metadata,
    Column("id", ID, primary_key=True),
    Column("kind", String(20), nullable=False),  # call | meeting | email
    Column("occurred_on", Date, nullable=False, index=True),
    Column("duration_minutes", Float, nullable=True),
    Column("owner_id", ID, nullable=True, index=True),
    Column("contact_id", ID, nullable=True, index=True),
    Column("account_id", ID, nullable=True, index=True),
    Column("opportunity_id", ID, nullable=True, index=True),
    Column("subject", String(300), nullable=True),
    *_audit_columns(),
)

call = Table(
    "call",
    metadata,
    Column("id", ID, primary_key=True),
    Column("occurred_on", Date, nullable=True),
    Column("owner_id", ID, nullable=True, index=True),
    Column("account_id", ID, nullable=True),
    Column("opportunity_id", ID, nullable=True, index=True),
    Column("filename", String(500), nullable=True),
    Column("format", String(20), nullable=True),
    Column("transcript", Text, nullable=False),
    Column("analysis", JSON, nullable=True),
    Column("consultative_score", Float, nullable=True),
    Column("analysed_at", DateTime(timezone=True), nullable=True),
    Column("extra", JSON, nullable=True),
)

import_batch = Table(
    "import_batch",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(40), nullable=False),
    Column("filename", String(500), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),
    Column("status", String(20), nullable=False),  # running | done | failed
    Column("mapping", String(100), nullable=True),
    Column("rows_read", Integer, nullable=False, default=0),
    Column("rows_inserted", Integer, nullable=False, default=0),
    Column("rows_updated", Integer, nullable=False, default=0),
    Column("rows_unchanged", Integer, nullable=False, default=0),
    Column("rows_rejected", Integer, nullable=False, default=0),
    Column("actor", String(200), nullable=True),
)

import_reject = Table(
    "import_reject",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("batch_id", Integer, ForeignKey("import_batch.id"), nullable=False, index=True),
    Column("kind", String(40), nullable=False),
    Column("filename", String(500), nullable=False),
    Column("row_number", Integer, nullable=False),
    Column("column", String(200), nullable=True),
    Column("value", Text, nullable=True),
    Column("reason", Text, nullable=False),
    Column("raw", JSON, nullable=True),
)

named_list = Table(
    "named_list",
    metadata,
    Column("id", ID, primary_key=True),  # the list's slug, e.g. fortune-1000
    Column("name", String(200), nullable=False),
    Column("filename", String(500), nullable=True),
    Column("imported_at", DateTime(timezone=True), nullable=True),
)

named_list_entry = Table(
    "named_list_entry",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("list_id", ID, nullable=False, index=True),
    Column("entry_key", String(300), nullable=False),
    Column("name", String(300), nullable=True),
    Column("website", String(300), nullable=True),
    Column("domain", String(255), nullable=True),
    Column("city", String(200), nullable=True),
    Column("state", String(20), nullable=True),
    Column("country", String(2), nullable=True),
    Column("account_id", ID, nullable=True, index=True),
    Column("match_status", String(20), nullable=True),  # matched | ambiguous | none | manual
    Column("match_score", Float, nullable=True),
    Column("match_reasons", JSON, nullable=True),
    Column("extra", JSON, nullable=True),
    UniqueConstraint("list_id", "entry_key", name="uq_named_list_entry_key"),
)

match_review = Table(
    "match_review",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subject_kind", String(20), nullable=False),  # lead | list_entry
    Column("subject_id", String(100), nullable=False),
    Column("candidates", JSON, nullable=False),
    Column("status", String(20), nullable=False, default="open"),  # open | resolved
    Column("chosen_account_id", ID, nullable=True),
    Column("decided_by", String(200), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_match_review_subject", "subject_kind", "subject_id"),
)

routing_decision = Table(
    "routing_decision",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("lead_id", ID, nullable=False, index=True),
    Column("decided_at", DateTime(timezone=True), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("strategy_version", String(64), nullable=False),
    Column("outcome", String(20), nullable=False),  # rep | queue
    Column("assigned_to", String(200), nullable=True),
    Column("territory_id", String(64), nullable=True),
    Column("rules", JSON, nullable=False),  # the rules that fired, in order, with reasons
)

off_profile_exception = Table(
    "off_profile_exception",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subject_kind", String(20), nullable=False),  # lead | opportunity
    Column("subject_id", ID, nullable=False, index=True),
    Column("rep_id", ID, nullable=False, index=True),
    Column("reason_code", String(64), nullable=False),
    Column("rationale", Text, nullable=False),
    Column("expected_value", Float, nullable=True),
    Column("requested_days", Integer, nullable=False),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("strategy_version", String(64), nullable=False),
    Column("needs_escalation", Boolean, nullable=False, default=False),
    Column("status", String(20), nullable=False),  # pending | approved | rejected | expired
    Column("decided_by", String(200), nullable=True),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("decision_comment", Text, nullable=True),
    Column("starts_on", Date, nullable=True),
    Column("expires_on", Date, nullable=True),
    Column("renews_id", Integer, nullable=True),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("actor", String(200), nullable=False),
    Column("action", String(100), nullable=False),
    Column("entity", String(60), nullable=False),
    Column("entity_id", String(100), nullable=True),
    Column("details", JSON, nullable=True),
)

strategy_document = Table(
    "strategy_document",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("content", Text, nullable=False),
    Column("uploaded_by", String(200), nullable=False),
    Column("uploaded_at", DateTime(timezone=True), nullable=False),
)

CRM_TABLES = {
    "accounts": account,
    "contacts": contact,
    "leads": lead,
    "opportunities": opportunity,
    "opportunity_contacts": opportunity_contact,
    "activities": activity,
    "users": user,
    "teams": team,
}

# --- issue 3 "Right leads" (migration rl01_lead_match): why a lead has its account, and why
# a review-queue item could not be decided automatically.
lead.append_column(
    Column("match_status", String(20), nullable=True)
)  # matched|ambiguous|none|manual
lead.append_column(Column("match_reasons", JSON, nullable=True))
match_review.append_column(Column("reasons", JSON, nullable=True))
match_review.append_column(Column("score", Float, nullable=True))
match_review.append_column(Column("comment", Text, nullable=True))

# --- issue 4 "Off-profile exceptions" (migration ex04_exception_events): the append-only
# history of each exception (request, escalation, decision, renewal, expiry). Database
# triggers refuse UPDATE and DELETE on it.
off_profile_exception_event = Table(
    "off_profile_exception_event",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("exception_id", Integer, nullable=False, index=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("as_of", Date, nullable=False),
    Column("actor", String(200), nullable=False),
    Column(
        "event", String(40), nullable=False
    ),  # requested|approved|rejected|expired|renewal_requested
    Column("status", String(20), nullable=False),  # the exception's status after the event
    Column("comment", Text, nullable=True),
    Column("details", JSON, nullable=True),
)

# --- issue 3 "Right leads" (migration rt01_routing_ledger): weighted round-robin state per
# territory and rep, updated in the same transaction as each routing decision. ``assigned``
# counts the leads round robin gave the rep; ``credit`` is the count fairness compares
# (``assigned`` raised to the catch-up floor when the rep returned from an absence).
routing_ledger = Table(
    "routing_ledger",
    metadata,
    Column("territory_id", String(64), primary_key=True),
    Column("rep_id", ID, primary_key=True),
    Column("assigned", Integer, nullable=False, default=0),
    Column("credit", Float, nullable=False, default=0.0),
    Column("last_decision_id", Integer, nullable=True),
    Column("updated_at", DateTime(timezone=True), nullable=True),
)
Index("ix_routing_decision_territory", routing_decision.c.territory_id, routing_decision.c.id)

# --- issue 6 "Consultative selling" (migration cc06_call_metric): the numeric metrics of
# each analysed call (from ``call.analysis``) in real columns, so reports aggregate them
# the same way on SQLite and PostgreSQL. Rewritten with the analysis.
call_metric = Table(
    "call_metric",
    metadata,
    Column("call_id", ID, primary_key=True),
    Column("strategy_version", String(64), nullable=True),  # whose targets scored the call
    Column("talk_ratio_basis", String(10), nullable=True),  # time | words
    Column("talk_ratio", Float, nullable=True),
    Column("questions", Integer, nullable=True),
    Column("questions_open", Integer, nullable=True),
    Column("open_question_share", Float, nullable=True),
    Column("discovery_share", Float, nullable=True),
    Column("insight_share", Float, nullable=True),
    Column("pitch_share", Float, nullable=True),
    Column("longest_monologue", Float, nullable=True),
    Column("longest_monologue_basis", String(10), nullable=True),  # seconds | words
    Column("duration_seconds", Float, nullable=True),
)
# issue 3 (migration rt02_routing_load_indexes): a rep's load counted from an index alone
Index("ix_account_owner_gate", account.c.owner_id, account.c.gate_status)
Index("ix_lead_owner_status", lead.c.owner_id, lead.c.status, lead.c.created_on)

# --- issue 3 "Right leads" (migration rl02_lead_list): a lead whose company is on a named
# list but has no account yet (white space) is still on the list for the ICP.
lead_list_match = Table(
    "lead_list_match",
    metadata,
    Column("lead_id", ID, primary_key=True),
    Column("list_id", ID, primary_key=True),
    Column("entry_id", Integer, nullable=False),
    Column("score", Float, nullable=False),
    Column("reasons", JSON, nullable=True),
)

# --- API tokens (migration tk01): personal access tokens for scripts calling ``/api``.
# Only the SHA-256 of the secret and a display prefix are kept (``web/tokens.py``).
api_token = Table(
    "api_token",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", ID, nullable=False, index=True),
    Column("name", String(100), nullable=False),
    Column("prefix", String(16), nullable=False),  # "ost_" + the secret's first characters
    Column("token_hash", String(64), nullable=False, unique=True),  # SHA-256, hex
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_on", Date, nullable=True),  # works until the day before; None: never
    Column("last_used_at", DateTime(timezone=True), nullable=True),
    Column("revoked_at", DateTime(timezone=True), nullable=True),
)

# --- lead pipeline (migration lp01_last_batch): what a person's match was decided on (the
# lead's company and domain then), so a re-import can tell when the decision is out of date.
lead.append_column(Column("match_basis", JSON, nullable=True))

# --- lead pipeline (migration lp02): the after-import steps select by batch.
Index("ix_lead_last_batch_id", lead.c.last_batch_id)
Index("ix_lead_import_batch_id", lead.c.import_batch_id)
Index("ix_account_last_batch_id", account.c.last_batch_id)
Index("ix_account_import_batch_id", account.c.import_batch_id)
