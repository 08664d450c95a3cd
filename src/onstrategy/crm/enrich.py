"""Columns derived at import time from what the CRM export gives.

- accounts and leads: the registrable ``domain`` from the website (leads: else from a
  company email; free-mail domains never identify a company);
- contacts: ``seniority`` and ``function`` from the job title;
- opportunities: ``is_closed``/``is_won`` from the stage when the export has no flags.
"""

from __future__ import annotations

from typing import Any

from onstrategy.engines.domains import is_free_mail_domain, registrable_domain
from onstrategy.engines.titles import classify_title
from onstrategy.ingest.importer import register_enricher


def account_domain(record: dict[str, Any]) -> None:
    if "website" in record:  # the file has the column: derive (or clear) the domain
        website = record["website"]
        record["domain"] = registrable_domain(website) if website else None


def lead_domain(record: dict[str, Any]) -> None:
    if "website" not in record and "email" not in record:
        return  # the file has neither: keep what is stored
    domain = registrable_domain(record["website"]) if record.get("website") else None
    email = record.get("email")
    if domain is None and email and "@" in email:
        candidate = registrable_domain(email.rsplit("@", 1)[1])
        domain = None if candidate is None or is_free_mail_domain(candidate) else candidate
    record["domain"] = domain


def contact_persona(record: dict[str, Any]) -> None:
    if "title" not in record:
        return
    classified = classify_title(record.get("title"))
    record["seniority"], record["function"] = classified.seniority, classified.function


_WON = ("closed won", "won")
_LOST = ("closed lost", "lost")


def opportunity_outcome(record: dict[str, Any]) -> None:
    if "stage" not in record:
        return
    stage = (record.get("stage") or "").strip().lower()
    if record.get("is_won") is None:
        record["is_won"] = stage in _WON
    if record.get("is_closed") is None:
        record["is_closed"] = stage in _WON + _LOST or stage.startswith("closed")


register_enricher("accounts", account_domain)
register_enricher("leads", lead_domain)
register_enricher("contacts", contact_persona)
register_enricher("opportunities", opportunity_outcome)
