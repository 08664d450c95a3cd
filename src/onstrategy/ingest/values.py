"""Parse the text of one CSV cell into the field's type, or say exactly why it cannot be."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from onstrategy.crm.geo import normalize_country

_TRUE = {"true", "yes", "y", "1", "t", "x", "won", "closed"}
_FALSE = {"false", "no", "n", "0", "f", "", "open", "lost"}
_KINDS = {
    "call": "call",
    "calls": "call",
    "phone call": "call",
    "log a call": "call",
    "phone": "call",
    "meeting": "meeting",
    "meetings": "meeting",
    "event": "meeting",
    "visit": "meeting",
    "demo": "meeting",
    "video call": "meeting",
    "email": "email",
    "e-mail": "email",
    "emails": "email",
    "send email": "email",
}
_DATE_FORMATS = (
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%m/%d/%y",
    "%d-%b-%Y",
    "%b %d, %Y",
    "%d %b %Y",
)
_NUMBER_JUNK = re.compile(r"[\s$€£¥,_]|USD|EUR|GBP", re.IGNORECASE)
_SUFFIX = {"k": 1e3, "m": 1e6, "mm": 1e6, "b": 1e9, "bn": 1e9}


class BadValue(ValueError):
    """The cell cannot be read as its field's type; the message says what was expected,
    ``fix`` (when there is more to say than the message) how to put it right."""

    def __init__(self, message: str, fix: str = ""):
        super().__init__(message)
        self.fix = fix

    @property
    def reason(self) -> str:
        """The message and the fix, as one line for a rejected row."""
        return f"{self}. {self.fix}" if self.fix else str(self)


def parse_float(text: str) -> float | None:
    raw = _NUMBER_JUNK.sub("", text)
    if not raw:
        return None
    match = re.fullmatch(r"(-?\d+(?:\.\d+)?)([a-z]{0,2})", raw.lower())
    if not match or (match.group(2) and match.group(2) not in _SUFFIX):
        raise BadValue(f"not a number: {text!r}")
    return float(match.group(1)) * _SUFFIX.get(match.group(2), 1.0)


def parse_int(text: str) -> int | None:
    value = parse_float(text)
    if value is None:
        return None
    if value < 0:
        raise BadValue(f"must not be negative: {text!r}")
    return round(value)


def parse_date(text: str) -> date | None:
    raw = text.strip()
    if not raw:
        return None
    iso = raw.replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(iso).date()
    except ValueError:
        pass
    head = raw.split(" ")[0] if re.match(r"^\d", raw) else raw
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(head, fmt).date()
        except ValueError:
            continue
    raise BadValue(f"not a date: {text!r} (use YYYY-MM-DD or MM/DD/YYYY)")


def parse_bool(text: str) -> bool | None:
    raw = text.strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False if raw else None
    raise BadValue(f"not true/false: {text!r}")


def parse_kind(text: str) -> str | None:
    raw = text.strip().lower()
    if not raw:
        return None
    for prefix in ("call", "meeting", "email"):
        if raw.startswith(prefix):
            return prefix
    if raw in _KINDS:
        return _KINDS[raw]
    raise BadValue(f"unknown activity type {text!r} (expected Call, Meeting or Email)")


def parse_country(text: str) -> str | None:
    if not text.strip():
        return None
    code = normalize_country(text)
    if code is None:
        raise BadValue(f"unknown country {text!r} (use a name or ISO code such as US)")
    return code


USER_ROLES = ("rep", "manager", "executive", "admin")  # what ``user_account.role`` may hold


def parse_role(text: str) -> str | None:
    """One of our roles. A CRM's own names (Salesforce profiles, HubSpot roles) are turned
    into ours by the mapping's ``values`` before this sees them; anything else is refused,
    never stored: a role nobody checks for would leave the user seeing nothing (or more)."""
    raw = text.strip().lower()
    if not raw:
        return None
    if raw in USER_ROLES:
        return raw
    raise BadValue(
        f"unknown role {text.strip()!r} (ours: {', '.join(USER_ROLES)}; standard Salesforce "
        "profiles and HubSpot roles are recognised)",
        f"To import it, map it to one of ours in a mapping file - extends: salesforce (or "
        f"hubspot), values: users: role: {{{text.strip()!r}: rep}} - and pass --mapping "
        "(docs/imports.md)",
    )


AVAILABILITY_KINDS = ("out_of_office", "inactive")  # what ``availability.kind`` may hold
_AVAILABILITY_SPELLINGS = {  # as a RevOps admin types them; case, "-", "_" and spaces ignored
    "out_of_office": (
        "out of office", "ooo", "pto", "vacation", "holiday", "holidays", "leave",
        "annual leave", "sick", "sick leave", "parental leave", "time off", "absence",
    ),
    "inactive": ("inactive", "left", "terminated", "departed", "deactivated"),
}  # fmt: skip
_AVAILABILITY = {s: kind for kind, names in _AVAILABILITY_SPELLINGS.items() for s in names}


def parse_availability_kind(text: str) -> str | None:
    """``out_of_office`` or ``inactive`` from the spellings people use (OOO, PTO, left...);
    anything else is refused, never stored: capacity and routing read this value."""
    raw = " ".join(text.replace("-", " ").replace("_", " ").lower().split())
    if not raw:
        return None
    if raw in _AVAILABILITY:
        return _AVAILABILITY[raw]
    raise BadValue(
        f"unknown availability kind {text.strip()!r} (ours: {', '.join(AVAILABILITY_KINDS)}; "
        "also read: OOO, PTO, vacation, holiday, leave, sick, time off, left, terminated...)",
        f"To import it, map it in a mapping file - values: availability: kind: "
        f"{{{text.strip()!r}: out_of_office}} - and pass --mapping (docs/imports.md)",
    )


PARSERS: dict[str, Callable[[str], Any]] = {
    "int": parse_int,
    "float": parse_float,
    "date": parse_date,
    "bool": parse_bool,
    "kind": parse_kind,
    "country": parse_country,
}
FIELD_PARSERS: dict[tuple[str, str], Callable[[str], Any]] = {
    ("users", "role"): parse_role,  # a closed list, though its type is text
    ("availability", "kind"): parse_availability_kind,  # likewise
}


def value_parser(*, kind: str, field: str, type: str) -> Callable[[str], Any] | None:
    """How a cell of ``kind``'s ``field`` is read; None: the text as given."""
    return FIELD_PARSERS.get((kind, field)) or PARSERS.get(type)


# Free text a user expects shortened, not refused, when longer than its column holds (the
# whole text is kept with the record): (kind, field). Every other over-long value rejects
# its row.
FREE_TEXT = frozenset(
    {
        ("activities", "subject"),
        ("contacts", "title"),
        ("leads", "title"),
        ("opportunities", "name"),
    }
)
