"""Record ids that look like the CRMs': Salesforce 18-character ids, HubSpot numeric ids."""

from __future__ import annotations

_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

# Salesforce key prefixes: the first three characters say what kind of record an id names.
ACCOUNT, CONTACT, OPPORTUNITY, USER, TASK, EVENT = "001", "003", "006", "005", "00T", "00U"


def sfid(prefix: str, number: int) -> str:
    """A Salesforce-style 18-character id: prefix, instance, counter and case-safe suffix."""
    digits = ""
    for _ in range(9):
        number, rest = divmod(number, 62)
        digits = _BASE62[rest] + digits
    short = f"{prefix}5e0{digits}"
    suffix = ""
    for start in range(0, 15, 5):
        chunk = short[start : start + 5]
        bits = sum(1 << i for i, char in enumerate(chunk) if char.isupper())
        suffix += _SUFFIX[bits]
    return short + suffix


def hubspot_id(base: int, number: int) -> str:
    """A HubSpot record id: a plain integer, unique within its object type."""
    return str(base + number * 7)
