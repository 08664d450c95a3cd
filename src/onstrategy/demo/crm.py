"""People at the accounts (contacts) and people who raised a hand (leads)."""

from __future__ import annotations

import math
import random
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

from onstrategy.demo.firms import Firm, Namer, make_firm
from onstrategy.demo.ids import hubspot_id
from onstrategy.demo.people import REPS, Person, is_away
from onstrategy.demo.vocab import FIRST_NAMES, FREE_MAIL, LAST_NAMES, TITLES
from onstrategy.engines.titles import classify_title


def _labelled(title: str, weight: float = 1.0) -> tuple[str, str, str, float]:
    """(title, seniority, function, weight): labels from the product's classifier."""
    found = classify_title(title)
    return title, found.seniority, found.function, weight


_LABELLED = tuple(_labelled(title, weight) for title, weight in TITLES)
# the approvers of services after the shift, and the familiar hardware contacts
SENIOR_IT = tuple(t for t in _LABELLED if t[2] == "it" and t[1] in ("executive", "vp"))
MANAGER_STAFF = tuple(
    t for t in _LABELLED if t[1] in ("manager", "staff") and t[2] in ("it", "procurement")
)
_SMALL_TITLES = tuple(
    _labelled(title)[:3]
    for title in (
        "Owner",
        "President",
        "Office Manager",
        "IT Manager",
        "Operations Manager",
        "Controller",
        "IT Specialist",
        "Systems Administrator",
        "Purchasing Agent",
        "General Manager",
    )
)

_PUBLIC = frozenset({"Education", "Government", "Healthcare", "Non-Profit"})
_PUBLIC_HEAD = _labelled("Executive Director")[:3]


@dataclass
class Contact:
    id: str
    account: Firm
    first: str
    last: str
    title: str
    seniority: str
    function: str
    email: str
    phone: str
    created_on: date

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def senior(self) -> bool:
        """VP, C-level or director: someone who can buy more than a box of hardware."""
        return self.seniority in ("executive", "vp", "director")

    @property
    def senior_it(self) -> bool:
        """Can approve IT services: an IT executive or VP, or whoever runs the place (a
        CEO, owner, general manager or executive director)."""
        it_head = self.seniority in ("executive", "vp") and self.function == "it"
        return it_head or (self.function == "executive" and self.senior)


@dataclass
class Lead:
    id: str
    first: str
    last: str
    title: str
    email: str
    phone: str
    firm: Firm
    matched: Firm | None
    company: str
    source: str
    status: str
    owner: Person | None
    created_on: date


def ascii_lower(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum())


def phone(rng: random.Random) -> str:
    area = rng.randint(201, 989)
    return rng.choice(
        (
            f"({area}) 555-01{rng.randint(0, 99):02d}",
            f"{area}-555-01{rng.randint(0, 99):02d}",
            f"+1 {area} 555 01{rng.randint(0, 99):02d}",
        )
    )


def email_for(rng: random.Random, first: str, last: str, domain: str) -> str:
    f, la = ascii_lower(first), ascii_lower(last)
    local = rng.choices(
        (f"{f}.{la}", f"{f[0]}{la}", f"{f}{la[0]}", f"{f}_{la}", f), (0.55, 0.25, 0.08, 0.05, 0.07)
    )[0]
    return f"{local}@{domain}"


def _title(rng: random.Random, firm: Firm, slot: int) -> tuple[str, str, str]:
    if firm.employees < 100:
        title = rng.choice(_SMALL_TITLES)
        public = firm.industry in _PUBLIC
        return _PUBLIC_HEAD if public and title[0] in ("Owner", "President") else title
    if slot == 0 and firm.employees >= 200:
        row = rng.choices(SENIOR_IT, [t[3] for t in SENIOR_IT])[0]
    elif slot == 1 and firm.employees >= 200:
        row = rng.choices(MANAGER_STAFF, [t[3] for t in MANAGER_STAFF])[0]
    else:
        row = rng.choices(_LABELLED, [t[3] for t in _LABELLED])[0]
    return row[0], row[1], row[2]


def _contact_count(rng: random.Random, firm: Firm) -> int:
    if firm.employees < 50:
        return rng.randint(1, 2)
    if firm.employees < 200:
        return rng.randint(2, 3)
    if firm.employees < 1000:
        return rng.randint(3, 5)
    return rng.randint(4, 8)


def make_contacts(rng: random.Random, accounts: list[Firm], today: date) -> list[Contact]:
    contacts: list[Contact] = []
    for firm in accounts:
        seen: set[str] = set()
        for slot in range(_contact_count(rng, firm)):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            title, seniority, function = _title(rng, firm, slot)
            email = email_for(rng, first, last, firm.domain)
            if email in seen:
                email = email.replace("@", f"{slot}@")
            seen.add(email)
            created = _after(rng, firm.created_on or today, today)
            contacts.append(
                Contact(
                    hubspot_id(1_000_000, len(contacts) + 1),
                    firm,
                    first,
                    last,
                    title,
                    seniority,
                    function,
                    email,
                    phone(rng),
                    created,
                )
            )
    return contacts


def _after(rng: random.Random, start: date, today: date) -> date:
    span = (today - start).days
    return start + timedelta(days=int(span * rng.random() ** 2))


# --------------------------------------------------------------------------- leads

SOURCES = ("Web", "Trade Show", "Partner", "Outbound", "Purchased List")
_SOURCE_WEIGHTS = (0.30, 0.14, 0.12, 0.19, 0.25)
# share of leads from each source that name a company already in the CRM ...
_MATCH_SHARE = {"Web": 0.55, "Trade Show": 0.55, "Partner": 0.55, "Outbound": 0.8,
                "Purchased List": 0.15}  # fmt: skip
# ... and of those, the share that are in-profile accounts: outbound aims, lists do not
_AIM = {"Web": 0.6, "Trade Show": 0.7, "Partner": 0.65, "Outbound": 0.85, "Purchased List": 0.0}
_LEGAL = ("Inc.", "Inc", "LLC", "Corp.", "Corporation", "Co.", "Holdings, Inc.")


def company_variant(rng: random.Random, name: str) -> str:
    """How a person types their employer's name on a form."""
    pick = rng.random()
    if pick < 0.55:
        return name
    if pick < 0.8:
        comma = "," if rng.random() < 0.4 else ""
        return f"{name}{comma} {rng.choice(_LEGAL)}"
    if pick < 0.9:
        return name.upper()
    return name.replace(" and ", " & ") if " and " in name else f"The {name}"


def make_leads(
    rng: random.Random, *, accounts: list[Firm], scale: float, start: date, today: date
) -> list[Lead]:
    namer = Namer(rng)
    namer.names |= {a.name.lower() for a in accounts}
    namer.domains |= {a.domain for a in accounts}
    fits = [a for a in accounts if any(a.icp.values())]
    misfits = [a for a in accounts if not any(a.icp.values())]
    leads: list[Lead] = []
    days = (today - start).days
    for number in range(1, max(20, round(8000 * scale)) + 1):
        created = start + timedelta(days=int(days * math.sqrt(rng.random())))
        source = rng.choices(SOURCES, _SOURCE_WEIGHTS)[0]
        matched = None
        if rng.random() < _MATCH_SHARE[source]:
            aimed = rng.random() < _AIM[source]
            matched = rng.choice(fits if aimed else misfits)
            firm = matched
        elif source == "Purchased List":
            firm = make_firm(rng, namer, median=40, sigma=1.2)
        else:
            firm = make_firm(rng, namer, median=320, sigma=1.5)
        leads.append(_lead(rng, number, firm, matched, source, created, today))
    return leads


def _lead(
    rng: random.Random,
    number: int,
    firm: Firm,
    matched: Firm | None,
    source: str,
    created: date,
    today: date,
) -> Lead:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    if source == "Purchased List" or firm.employees < 100:
        title = rng.choice(_SMALL_TITLES)[0]
    else:
        title = rng.choices(TITLES, [t[1] for t in TITLES])[0][0]
    domain = rng.choice(FREE_MAIL) if rng.random() < 0.09 else firm.domain
    owner = _lead_owner(rng, firm, created, today)
    status = _status(rng, owner, created, today)
    company = company_variant(rng, firm.name) if matched else firm.name
    return Lead(
        hubspot_id(30_000_000, number),
        first,
        last,
        title,
        email_for(rng, first, last, domain),
        phone(rng),
        firm,
        matched,
        company,
        source,
        status,
        owner,
        created,
    )


def _lead_owner(rng: random.Random, firm: Firm, created: date, today: date) -> Person | None:
    recent = (today - created).days < 45
    if firm.country != "US" or rng.random() < (0.45 if recent else 0.07):
        return None
    team = "strategic" if firm.fortune_rank and firm.in_crm else firm.region
    reps = [r for r in REPS if r.team == team and not is_away(r, created)]
    return rng.choice(reps) if reps else None


def _status(rng: random.Random, owner: Person | None, created: date, today: date) -> str:
    if owner is None:
        return "New"
    age = (today - created).days
    if age < 20:
        return rng.choice(("New", "Attempted to Contact", "Open"))
    if age < 90:
        return rng.choices(
            ("In Progress", "Connected", "Attempted to Contact", "Open Deal", "Unqualified"),
            (0.25, 0.2, 0.2, 0.15, 0.2),
        )[0]
    return rng.choices(
        ("Open Deal", "Unqualified", "Bad Timing", "Connected"), (0.25, 0.45, 0.15, 0.15)
    )[0]


def settle_dates(firms: list[Firm], contacts: list[Contact], first_seen: dict[str, date]) -> None:
    """No record is created after the first deal or activity that names it."""
    for firm in firms:
        seen = first_seen.get(firm.id)
        if seen and firm.created_on and firm.created_on > seen:
            firm.created_on = seen
    for contact in contacts:
        seen = first_seen.get(contact.id)
        if seen and contact.created_on > seen:
            contact.created_on = seen
