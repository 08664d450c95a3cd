"""Recorded sales calls in the store: import transcripts, link them, analyse them, read them back.

A call comes from a manifest CSV (``Call ID,File,Opportunity ID,Account ID,Rep ID,Date,
Seller``; ``File`` relative to the manifest) or from transcript files given directly with
the links as options. Each call is

* **linked**: an opportunity gives its account and owner when those are not given; a rep is
  named by user id, email or full name; an unknown or contradictory reference rejects the
  call with its reason (kept in ``import_reject``, like CSV imports), never a crash;
* **told apart**: the seller is the speaker matching the rep's name or email, unless the
  ``Seller`` column or ``--seller`` names the seller's speaker label(s) (``;`` between several);
* **analysed** with the consultative targets of the strategy version in force on the call's
  date (the built-in defaults without a strategy), the version kept with the analysis;
* **upserted** on its id (the manifest's ``Call ID``, else the file name without extension):
  re-importing the same calls changes nothing. One transaction per import, audit-logged; a
  transcript that cannot be read is rejected with its file and line and the rest import, and
  so is a call whose id (64 characters) or file name (500) is too long for its column.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from onstrategy.crm.call_records import changed, existing_calls, version_on, write_call
from onstrategy.engines.conversation import CallAnalysis, ConsultativeTargets, analyze_call
from onstrategy.errors import InvalidInput
from onstrategy.ingest.batches import BatchCounts, finish_batch, start_batch, store_rejects
from onstrategy.ingest.bundle import BundleStep, register_bundle_step
from onstrategy.ingest.checks import too_long
from onstrategy.ingest.mapping import find_columns, require_columns
from onstrategy.ingest.reader import open_csv
from onstrategy.ingest.transcripts import (
    FORMATS,
    Transcript,
    TranscriptFormat,
    parse_transcript,
    read_text,
)
from onstrategy.store import tables
from onstrategy.store.connect import Store

KIND = "calls"
Progress = Callable[[int, int], None]  # (calls done, calls in all)
MANIFEST_COLUMNS = {  # field -> column names accepted, in order of preference (find_columns)
    "call_id": ("Call ID", "ID", "Call"),
    "file": ("File", "Path", "Transcript", "Filename"),
    "opportunity_id": ("Opportunity ID", "Opportunity", "Deal ID", "Deal"),
    "account_id": ("Account ID", "Account"),
    "rep": ("Rep ID", "Rep", "Rep Email", "Owner ID", "Owner", "User ID"),
    "occurred_on": ("Date", "Call Date", "Occurred On"),
    "seller": ("Seller", "Sellers", "Seller Speaker"),
    "format": ("Format",),
}


@dataclass(frozen=True)
class CallSpec:
    """One call to import, as the user gave it (manifest row or file on the command line)."""

    row: int  # manifest line number, or the file's position on the command line
    path: Path
    filename: str  # as stored: the manifest's File cell, or the file's name
    call_id: str | None = None
    opportunity_id: str | None = None
    account_id: str | None = None
    rep: str | None = None
    occurred_on: str | None = None
    seller: tuple[str, ...] = ()
    fmt: str | None = None
    raw: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CallReject:
    row: int
    file: str
    column: str | None
    value: str | None
    reason: str


@dataclass
class CallImportResult:
    batch_id: int
    source: str
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    rejects: list[CallReject] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)  # id, score, version per call

    @property
    def rejected(self) -> int:
        return len(self.rejects)

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id, "source": self.source, "read": self.read,
            "inserted": self.inserted, "updated": self.updated, "unchanged": self.unchanged,
            "rejected": self.rejected, "rejects": [r.__dict__ for r in self.rejects],
            "calls": self.calls,
        }  # fmt: skip


class _Rejected(Exception):
    def __init__(self, column: str | None, value: str | None, reason: str):
        super().__init__(reason)
        self.column, self.value, self.reason = column, value, reason


# ----------------------------------------------------------------------------- input


def read_manifest(*, path: Path) -> list[CallSpec]:
    """The calls a manifest CSV lists; ``File`` paths are relative to the manifest."""
    if not path.is_file():
        raise InvalidInput(f"{path}: file not found", "check the manifest's path")
    with path.open("rb") as handle:
        stream = open_csv(path, handle)
        columns = _manifest_columns(stream.header, path)
        return [_spec_of_row(path, number, stream.header, cells, columns)
                for number, cells in stream.rows]  # fmt: skip


def _manifest_columns(header: list[str], path: Path) -> dict[str, int]:
    found = find_columns(header=header, wanted=MANIFEST_COLUMNS)
    require_columns(source=str(path), what="call manifest", header=header, found=found,
                    wanted=MANIFEST_COLUMNS, required=["file"],
                    hint="A manifest: Call ID,File,Opportunity ID,Account ID,Rep ID,Date,Seller "
                    "(File: the transcript's path, relative to the manifest)")  # fmt: skip
    return found


def _spec_of_row(
    path: Path, number: int, header: list[str], cells: list[str], columns: dict[str, int]
) -> CallSpec:
    def cell(name: str) -> str | None:
        index = columns.get(name)
        value = cells[index].strip() if index is not None and index < len(cells) else ""
        return value or None

    file = cell("file") or ""
    return CallSpec(
        row=number, path=path.parent / file, filename=file, call_id=cell("call_id"),
        opportunity_id=cell("opportunity_id"), account_id=cell("account_id"), rep=cell("rep"),
        occurred_on=cell("occurred_on"), seller=_sellers(cell("seller")), fmt=cell("format"),
        raw=dict(zip(header, cells, strict=False)),
    )  # fmt: skip


def _sellers(text: str | None) -> tuple[str, ...]:
    return tuple(s.strip() for s in (text or "").split(";") if s.strip())


def specs_for_files(
    *,
    files: Iterable[Path],
    opportunity_id: str | None = None,
    account_id: str | None = None,
    rep: str | None = None,
    occurred_on: str | None = None,
    seller: Iterable[str] = (),
    fmt: str | None = None,
    call_id: str | None = None,
) -> list[CallSpec]:
    """Transcripts given directly: each gets the same links; its id is its file name's stem."""
    paths = list(files)
    if call_id and len(paths) != 1:
        raise InvalidInput("--id names one call", "give one file with --id, or use a manifest")
    return [
        CallSpec(row=i, path=p, filename=p.name, call_id=call_id, opportunity_id=opportunity_id,
                 account_id=account_id, rep=rep, occurred_on=occurred_on,
                 seller=tuple(seller), fmt=fmt)
        for i, p in enumerate(paths, start=1)
    ]  # fmt: skip


# ----------------------------------------------------------------------------- import


def import_calls(
    *,
    store: Store,
    manifest: Path | None = None,
    files: Iterable[Path] = (),
    strategy: Any = None,
    opportunity_id: str | None = None,
    account_id: str | None = None,
    rep: str | None = None,
    occurred_on: str | None = None,
    seller: Iterable[str] = (),
    fmt: str | None = None,
    call_id: str | None = None,
    actor: str = "cli",
    progress: Progress | None = None,
) -> CallImportResult:
    """Import the calls of ``manifest`` and/or ``files`` (module docstring: the rules)."""
    given = list(files)
    if manifest is None and not given:
        raise InvalidInput("no calls to import", "give a manifest CSV or transcript files")
    specs = read_manifest(path=manifest) if manifest is not None else []
    specs += specs_for_files(
        files=given,
        opportunity_id=opportunity_id,
        account_id=account_id,
        rep=rep,
        occurred_on=occurred_on,
        seller=seller,
        fmt=fmt,
        call_id=call_id,
    )
    source = str(manifest) if manifest is not None else ", ".join(str(p) for p in given)
    return store_calls(
        store=store, specs=specs, source=source, strategy=strategy, actor=actor, progress=progress
    )


def store_calls(
    *,
    store: Store,
    specs: list[CallSpec],
    source: str,
    strategy: Any,
    actor: str,
    progress: Progress | None = None,
) -> CallImportResult:
    """Link, analyse and upsert ``specs`` in one transaction; rejects are kept with reasons."""
    result = CallImportResult(0, source, read=len(specs))
    with store.begin() as conn:
        result.batch_id = _start_batch(conn, source, specs, actor)
        links = _Links(conn)
        records: dict[str, dict[str, Any]] = {}
        for done, spec in enumerate(specs, start=1):
            if progress:
                progress(done, len(specs))
            try:
                record = _prepare(spec, links, strategy)
            except _Rejected as err:
                result.rejects.append(CallReject(spec.row, spec.filename, err.column, err.value,
                                                 err.reason))  # fmt: skip
                continue
            records[record["id"]] = record  # the last row of an id wins
        _upsert(conn, list(records.values()), result)
        _finish(store, conn, result, specs, actor)
    return result


def _prepare(spec: CallSpec, links: _Links, strategy: Any) -> dict[str, Any]:
    call_id = spec.call_id or Path(spec.filename).stem
    _check_lengths(call_id, spec)
    day = _day(spec.occurred_on)
    opportunity_id, account_id, owner_id = links.resolve(spec)
    text, transcript = _transcript(spec)
    owner_id = owner_id or links.speaking_user(transcript.speakers)
    version = version_on(strategy, day)
    targets = version.consultative if version is not None else ConsultativeTargets()
    sellers = spec.seller or links.names_of(owner_id)
    analysis = _analyze(transcript, sellers=sellers, roles=None, targets=targets)
    return _record(call_id, day, owner_id, account_id, opportunity_id, spec, text, transcript,
                   analysis, version.id if version is not None else None)  # fmt: skip


def _check_lengths(call_id: str, spec: CallSpec) -> None:
    """An id or file name longer than its column holds rejects the call, as a record import
    rejects its row (:func:`ingest.checks.too_long`), on SQLite and PostgreSQL alike."""
    for long in too_long(table="call", values={"id": call_id, "filename": spec.filename}):
        if long.field == "id" and not spec.call_id:  # the id is the file's name
            raise _Rejected("File", spec.filename, f"{long.reason}; the call's id is its file "
                            "name without extension: give it a shorter Call ID")  # fmt: skip
        raise _Rejected("Call ID" if long.field == "id" else "File", long.value, long.reason)


def _transcript(spec: CallSpec) -> tuple[str, Transcript]:
    """The file's text and its parse; the parser's errors name the file and the line."""
    if not spec.filename:
        raise _Rejected("File", None, "the transcript's file is required")
    if not spec.path.is_file():
        raise _Rejected("File", spec.filename, f"{spec.filename}: file not found "
                                               f"(looked for {spec.path})")  # fmt: skip
    try:
        text = read_text(path=spec.path).lstrip("\ufeff").replace("\r\n", "\n")
        return text, parse_transcript(text, fmt=_format(spec.fmt), source=spec.filename)
    except InvalidInput as err:
        raise _Rejected("File", spec.filename, err.message) from None


def _analyze(
    transcript: Transcript,
    *,
    sellers: Iterable[str],
    roles: dict[str, str] | None,
    targets: ConsultativeTargets,
) -> CallAnalysis:
    try:
        return analyze_call(transcript, sellers=tuple(sellers), seller_role_by_speaker=roles,
                            targets=targets)  # fmt: skip
    except InvalidInput as err:
        raise _Rejected("Seller", ", ".join(sellers), f"{err.message}; {err.hint}") from None


def _day(text: str | None) -> date:
    if not text:
        raise _Rejected("Date", text, "the call's date is required (YYYY-MM-DD)")
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise _Rejected("Date", text, f"{text!r} is not a date (YYYY-MM-DD)") from None


def _format(text: str | None) -> TranscriptFormat | None:
    if not text:
        return None
    for known in FORMATS:
        if text.strip().lower() == known:
            return known
    raise _Rejected("Format", text, f"unknown format {text!r} (one of {', '.join(FORMATS)})")


def _record(
    call_id: str,
    day: date,
    owner_id: str | None,
    account_id: str | None,
    opportunity_id: str | None,
    spec: CallSpec,
    text: str,
    transcript: Transcript,
    analysis: CallAnalysis,
    version_id: str | None,
) -> dict[str, Any]:
    data = analysis.to_dict() | {"strategy_version": version_id}
    return {
        "id": call_id, "occurred_on": day, "owner_id": owner_id, "account_id": account_id,
        "opportunity_id": opportunity_id, "filename": spec.filename, "format": transcript.format,
        "transcript": text, "analysis": json.loads(json.dumps(data)),
        "consultative_score": float(analysis.score),
        "extra": {"sellers": list(spec.seller)} if spec.seller else None,
    }  # fmt: skip


class _Links:
    """Users, opportunities and accounts, to resolve and check a call's references."""

    def __init__(self, conn: Connection):
        self.conn = conn
        self.users: dict[str, tuple[str, str, str | None]] = {}  # key -> (id, name, email)
        user = tables.user
        for uid, name, email in conn.execute(sa.select(user.c.id, user.c.name, user.c.email)):
            for key in (uid, name, email):
                if key:
                    self.users.setdefault(str(key).strip().lower(), (uid, name, email))

    def rep_id(self, text: str) -> str:
        found = self.users.get(text.strip().lower())
        if found is None:
            raise _Rejected("Rep ID", text, f"unknown rep {text!r} (import users first, or fix "
                                            "the rep: a user id, email or full name)")  # fmt: skip
        return found[0]

    def names_of(self, owner_id: str | None) -> tuple[str, ...]:
        found = self.users.get(owner_id.lower()) if owner_id else None
        return tuple(n for n in (found[1], found[2]) if n) if found else ()

    def speaking_user(self, speakers: Iterable[str]) -> str | None:
        """The one user whose full name or email is a speaker's label, if exactly one."""
        found = {self.users[k][0] for k in (s.strip().lower() for s in speakers) if k in self.users}
        return found.pop() if len(found) == 1 else None

    def resolve(self, spec: CallSpec) -> tuple[str | None, str | None, str | None]:
        """``(opportunity_id, account_id, owner_id)``, the deal filling what was not given."""
        owner = self.rep_id(spec.rep) if spec.rep else None
        account = spec.account_id
        if account and not self._exists(tables.account, account):
            raise _Rejected("Account ID", account, f"unknown account {account!r} "
                                                   "(import accounts first)")  # fmt: skip
        if not spec.opportunity_id:
            return None, account, owner
        deal = self._deal(spec.opportunity_id)
        if account and deal["account_id"] and account != deal["account_id"]:
            raise _Rejected(
                "Account ID",
                account,
                f"opportunity {spec.opportunity_id!r} "
                f"belongs to account {deal['account_id']!r}, not {account!r}",
            )
        return spec.opportunity_id, account or deal["account_id"], owner or deal["owner_id"]

    def _deal(self, opportunity_id: str) -> dict[str, Any]:
        opp = tables.opportunity
        row = self.conn.execute(sa.select(opp.c.account_id, opp.c.owner_id)
                                .where(opp.c.id == opportunity_id)).mappings().first()  # fmt: skip
        if row is None:
            raise _Rejected("Opportunity ID", opportunity_id, f"unknown opportunity "
                            f"{opportunity_id!r} (import opportunities first)")  # fmt: skip
        return dict(row)

    def _exists(self, table: sa.Table, key: str) -> bool:
        query = sa.select(table.c.id).where(table.c.id == key)
        return self.conn.execute(query).first() is not None


# ----------------------------------------------------------------------------- writing


def _upsert(conn: Connection, records: list[dict[str, Any]], result: CallImportResult) -> None:
    existing = existing_calls(conn, [r["id"] for r in records])
    now = datetime.now(UTC)
    for record in records:
        before = existing.get(record["id"])
        result.calls.append(
            {
                "id": record["id"],
                "score": record["consultative_score"],
                "strategy_version": record["analysis"]["strategy_version"],
            }
        )
        if before is not None and not changed(before, record):
            result.unchanged += 1
            continue
        write_call(conn, record | {"analysed_at": now}, exists=before is not None)
        if before is None:
            result.inserted += 1
        else:
            result.updated += 1


def _start_batch(conn: Connection, source: str, specs: list[CallSpec], actor: str) -> int:
    digest = hashlib.sha256()
    for spec in specs:
        digest.update(str(spec).encode())
    return start_batch(
        conn, kind=KIND, filename=source, sha256=digest.hexdigest(), mapping="calls", actor=actor
    )


def _finish(
    store: Store, conn: Connection, result: CallImportResult, specs: list[CallSpec], actor: str
) -> None:
    raw = {spec.row: spec.raw or {"File": spec.filename} for spec in specs}
    store_rejects(conn, batch_id=result.batch_id, kind=KIND, filename=result.source, rejects=[
        {"row_number": r.row, "column": r.column, "value": r.value, "reason": r.reason,
         "raw": raw.get(r.row)}
        for r in result.rejects
    ])  # fmt: skip
    finish_batch(
        conn,
        batch_id=result.batch_id,
        counts=BatchCounts(
            result.read, result.inserted, result.updated, result.unchanged, result.rejected
        ),
    )
    summary = {k: v for k, v in result.as_dict().items() if k not in ("calls", "rejects")}
    store.audit(conn, actor=actor, action="import", entity="call",
                entity_id=str(result.batch_id), details=summary)  # fmt: skip


# ----------------------------------------------------------------------------- bundle


def bundle_calls(store: Store, directory: Path, strategy: Any, _as_of: date) -> str | None:
    """``calls.csv`` (+ ``transcripts/``) of an export folder, after the activities."""
    manifest = directory / "calls.csv"
    if not manifest.is_file():
        return None
    done = import_calls(store=store, manifest=manifest, strategy=strategy, actor="bundle")
    return (
        f"calls: {done.read} read, {done.inserted} new, {done.updated} updated, "
        f"{done.unchanged} unchanged, {done.rejected} rejected"
    )


register_bundle_step(BundleStep("calls", after="activities", run=bundle_calls))
