"""Opportunities, their contact roles and the activities reps log: where personas show.

Each persona is a set of habits (:class:`Habits`) with a little noise per rep, so that a
leader sees the difference in aggregate without any rep being a caricature:

* ``on_strategy`` works in-profile accounts, moves to senior IT buyers after the shift and
  sells services, and runs consultative calls;
* ``chaser`` takes many small, quick, heavily discounted off-profile deals;
* ``familiar`` keeps calling IT managers and purchasing after the shift, so the few
  services deals it opens often lack anyone who can approve them;
* ``pitcher`` works the right accounts but pitches instead of asking.

Outcomes follow the article's thesis: in-profile deals win more often, are larger and
carry less discount; consultative deals win more often; services deals without a senior
IT buyer mostly stall. One off-profile segment (mid-size logistics firms) does well too,
a hint for the next version of the strategy.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from onstrategy.demo.crm import Contact
from onstrategy.demo.firms import Firm
from onstrategy.demo.ids import EVENT, OPPORTUNITY, TASK, sfid
from onstrategy.demo.people import REPS, Person, is_away
from onstrategy.demo.vocab import CONTACT_ROLES


@dataclass(frozen=True)
class Habits:
    icp_share: tuple[float, float]  # share of new deals on in-profile accounts (before, after)
    senior_share: tuple[float, float]  # share of conversations with senior buyers
    services: float  # share of post-shift deals that are services
    consultative: float  # share of deals worked consultatively
    volume: float  # deals relative to an average rep
    discount: float  # extra discount the rep gives away


HABITS: dict[str, Habits] = {
    "on_strategy": Habits((0.74, 0.80), (0.35, 0.72), 0.45, 0.80, 0.85, 0.00),
    "chaser": Habits((0.24, 0.21), (0.25, 0.28), 0.08, 0.35, 1.70, 0.04),
    "familiar": Habits((0.62, 0.60), (0.30, 0.15), 0.14, 0.50, 1.00, 0.02),
    "pitcher": Habits((0.58, 0.56), (0.30, 0.42), 0.28, 0.12, 1.00, 0.05),
}

HARDWARE = {
    "HW-SRV": ("Server refresh", "Data center expansion", "Virtualization hosts"),
    "HW-NET": ("Network upgrade", "Wi-Fi rollout", "Switching refresh", "Firewall replacement"),
    "HW-STO": ("Storage expansion", "Backup appliances", "SAN refresh"),
    "HW-EUD": ("Laptop refresh", "Desktop replacement", "Docking stations", "Chromebooks"),
}
SERVICES = {
    "SVC-INST": ("Deployment services", "Rack and stack installation", "Site installation"),
    "SVC-MS": ("Managed services", "Device lifecycle management", "Managed network"),
}
_HW_WEIGHTS = (0.28, 0.3, 0.17, 0.25)
_OPEN_STAGES = (
    "Prospecting",
    "Qualification",
    "Needs Analysis",
    "Proposal/Price Quote",
    "Negotiation/Review",
)


@dataclass
class Deal:
    account: Firm
    owner: Person
    product: str
    created_on: date
    close_on: date
    in_profile: bool
    consultative: bool
    contacts: list[tuple[Contact, str, bool]] = field(default_factory=list)
    id: str = ""
    name: str = ""
    won: bool | None = None  # None while open
    amount: float = 0.0
    list_price: float = 0.0
    stage: str = ""
    type: str = ""
    lead_source: str = ""

    @property
    def services(self) -> bool:
        return self.product.startswith("SVC")


@dataclass
class Activity:
    id: str
    kind: str  # Call | Meeting | Email
    day: date
    minutes: int
    owner: Person
    contact: Contact | None
    account: Firm
    deal: Deal | None
    subject: str


@dataclass
class Book:
    """What the deal generator needs to know about the market and the calendar."""

    accounts: list[Firm]
    contacts: dict[str, list[Contact]]  # account id -> its contacts
    start: date
    shift: date
    today: date
    versions: tuple[str, str]  # version ids before and after the shift

    def version_on(self, day: date) -> str:
        return self.versions[day >= self.shift]


def rep_habits(rng: random.Random) -> dict[str, Habits]:
    """Each rep's habits: the persona's, give or take a little."""
    out = {}
    for rep in REPS:
        base = HABITS[rep.persona or "on_strategy"]
        jitter = [rng.uniform(-0.04, 0.04) for _ in range(5)]
        out[rep.id] = replace(
            base,
            icp_share=(base.icp_share[0] + jitter[0], base.icp_share[1] + jitter[0]),
            senior_share=(base.senior_share[0] + jitter[1], base.senior_share[1] + jitter[2]),
            services=max(0.02, base.services + jitter[3]),
            consultative=min(0.95, max(0.03, base.consultative + jitter[4])),
        )
    return out


def pick_contact(rng: random.Random, people: list[Contact], senior_share: float) -> Contact:
    senior = [c for c in people if c.senior]
    junior = [c for c in people if not c.senior]
    if senior and (not junior or rng.random() < senior_share):
        return rng.choice(senior)
    return rng.choice(junior or people)


def make_deals(
    rng: random.Random, book: Book, habits: dict[str, Habits], scale: float
) -> list[Deal]:
    pools = _pools(book)
    weights = {r.id: habits[r.id].volume * _working_share(r, book) for r in REPS}
    total = sum(weights.values())
    deals: list[Deal] = []
    for rep in REPS:
        count = round(4000 * scale * weights[rep.id] / total)
        for _ in range(count):
            deal = _deal(rng, book, pools, rep, habits[rep.id])
            if deal is not None:
                deals.append(deal)
    deals.sort(key=lambda d: (d.created_on, d.owner.id, d.account.id))
    for number, deal in enumerate(deals, start=1):
        deal.id = sfid(OPPORTUNITY, 81_000 + number * 13)
    _mark_types(deals)
    return deals


def _working_share(rep: Person, book: Book) -> float:
    days = (book.today - book.start).days
    step = 7
    worked = sum(not is_away(rep, book.start + timedelta(days=d)) for d in range(0, days, step))
    return worked / len(range(0, days, step))


Pools = dict[tuple[str, str, bool], list[Firm]]
BRIGHT_SPOT = ("*", "bright-spot", False)


def _pools(book: Book) -> Pools:
    """Accounts with contacts by (owner id or "*", version, in profile)."""
    pools: Pools = {}
    for firm in book.accounts:
        if not book.contacts.get(firm.id):
            continue
        for version in book.versions:
            fit = firm.icp[version]
            pools.setdefault(("*", version, fit), []).append(firm)
            if firm.owner is not None:
                pools.setdefault((firm.owner.id, version, fit), []).append(firm)
        if firm.bright_spot and not any(firm.icp.values()):
            pools.setdefault(BRIGHT_SPOT, []).append(firm)
    return pools


def _deal(rng: random.Random, book: Book, pools: Pools, rep: Person, habits: Habits) -> Deal | None:
    created = _working_day(rng, rep, book)
    if created is None:
        return None
    after = created >= book.shift
    version = book.version_on(created)
    fit = rng.random() < habits.icp_share[after]
    own = pools.get((rep.id, version, fit), [])
    account = rng.choice(own) if len(own) >= 5 else rng.choice(pools[("*", version, fit)])
    if not fit and rng.random() < 0.08:  # word gets around: logistics firms buy well
        account = rng.choice(pools[BRIGHT_SPOT])
    services = after and account.employees >= 200 and rng.random() < habits.services
    product = (
        rng.choices(("SVC-INST", "SVC-MS"), (0.55, 0.45))[0]
        if services
        else rng.choices(tuple(HARDWARE), _HW_WEIGHTS)[0]
    )
    deal = Deal(account, rep, product, created, created, fit, rng.random() < habits.consultative)
    _cast(rng, deal, book.contacts[account.id], habits.senior_share[after])
    _close(rng, deal, book.today, habits)
    return deal


def _working_day(rng: random.Random, rep: Person, book: Book) -> date | None:
    days = (book.today - book.start).days
    for _ in range(6):
        day = book.start + timedelta(days=int(days * rng.random() ** 0.9))
        if day.weekday() < 5 and not is_away(rep, day):
            return day
    return None


def _cast(rng: random.Random, deal: Deal, people: list[Contact], senior_share: float) -> None:
    """The contact roles: a primary contact the rep works with, and a few others."""
    share = senior_share + (0.15 if deal.services else 0.0)
    primary = pick_contact(rng, people, min(share, 0.95))
    deal.contacts = [(primary, "Decision Maker" if primary.senior else "Evaluator", True)]
    others = [c for c in people if c is not primary]
    for other in rng.sample(others, min(len(others), rng.choice((0, 1, 1, 2)))):
        role = "Economic Buyer" if other.senior_it else rng.choice(CONTACT_ROLES[2:])
        deal.contacts.append((other, role, False))


def _close(rng: random.Random, deal: Deal, today: date, habits: Habits) -> None:
    firm = deal.account
    approver = any(c.senior_it for c, _, _ in deal.contacts)
    p_win = 0.22 + 0.16 * deal.in_profile + 0.12 * deal.consultative - habits.discount
    if deal.services:
        p_win += 0.1 if approver else -0.16
    if firm.bright_spot:
        p_win += 0.25
    median = 85 if deal.services else (55 if deal.in_profile else 22)
    cycle = max(3, round(median * math.exp(rng.gauss(0, 0.5))))
    deal.close_on = deal.created_on + timedelta(days=cycle)
    deal.won = (rng.random() < min(0.85, max(0.05, p_win))) if deal.close_on <= today else None
    _price(rng, deal, habits)
    label = rng.choice({**HARDWARE, **SERVICES}[deal.product])
    deal.name = f"{firm.name} - {label}"
    if deal.won is None:
        progress = (today - deal.created_on).days / cycle
        deal.stage = _OPEN_STAGES[min(4, int(progress * 5))]
    else:
        deal.stage = "Closed Won" if deal.won else "Closed Lost"


def _price(rng: random.Random, deal: Deal, habits: Habits) -> None:
    size = deal.account.employees
    if deal.product == "SVC-INST":
        amount = 14_000 * (size / 500) ** 0.35 * math.exp(rng.gauss(0, 0.4))
    elif deal.product == "SVC-MS":
        amount = 48_000 * (size / 500) ** 0.4 * math.exp(rng.gauss(0, 0.45))
    else:
        amount = 8_000 * (size / 150) ** 0.3 * math.exp(rng.gauss(0, 0.55))
    if deal.account.bright_spot:
        amount *= 1.3
        discount = rng.uniform(0.03, 0.09)
    elif deal.in_profile:
        discount = rng.uniform(0.02, 0.10)
    else:
        discount = rng.uniform(0.08, 0.24)
    discount += habits.discount * rng.random() * 2
    deal.amount = float(round(min(max(amount, 900), 2_500_000)))
    deal.list_price = float(math.ceil(deal.amount / (1 - discount)))


def _mark_types(deals: list[Deal]) -> None:
    won_before: set[str] = set()
    for deal in deals:
        deal.type = "Existing Business" if deal.account.id in won_before else "New Business"
        if deal.won:
            won_before.add(deal.account.id)
        deal.lead_source = deal.account.source or "Outbound"


# --------------------------------------------------------------------------- activities

_SUBJECTS = {
    "Call": (
        "Call - check-in",
        "Call: qualification",
        "Call: pricing questions",
        "Call - follow up on quote",
        "Call: timeline",
        "Discovery call",
    ),
    "Meeting": (
        "Discovery meeting",
        "Onsite meeting",
        "Solution review",
        "Demo",
        "Quarterly business review",
        "Site walk-through",
        "Proposal review",
    ),
    "Email": (
        "Quote follow-up",
        "Re: pricing",
        "Intro",
        "Proposal attached",
        "Re: lead times",
        "Following up",
        "Re: next steps",
    ),
}
_DURATION = {"Call": (5, 35), "Meeting": (30, 75), "Email": (0, 0)}


class ActivityLog:
    def __init__(self, rng: random.Random, book: Book, habits: dict[str, Habits]) -> None:
        self.rng, self.book, self.habits = rng, book, habits
        self.items: list[Activity] = []

    def add(
        self,
        kind: str,
        day: date,
        owner: Person,
        contact: Contact | None,
        firm: Firm,
        deal: Deal | None,
        consultative: bool = False,
    ) -> None:
        low, high = _DURATION[kind]
        minutes = round(self.rng.uniform(low, high) * (1.3 if consultative else 1.0))
        if kind == "Meeting":
            minutes = self.rng.choice((30, 30, 45, 60, 60, 90)) if consultative else 30
        subject = self.rng.choice(_SUBJECTS[kind])
        self.items.append(Activity("", kind, day, minutes, owner, contact, firm, deal, subject))

    def for_deal(self, deal: Deal) -> None:
        rng, habits = self.rng, self.habits[deal.owner.id]
        end = min(deal.close_on, self.book.today)
        span = max(1, (end - deal.created_on).days)
        count = min(36, 2 + round(span / (4 if deal.consultative else 6) * rng.uniform(0.6, 1.3)))
        mix = (0.33, 0.3, 0.37) if deal.consultative else (0.45, 0.13, 0.42)
        people = self.book.contacts[deal.account.id]
        for _ in range(count):
            day = deal.created_on + timedelta(days=rng.randint(0, span))
            if day.weekday() >= 5 or is_away(deal.owner, day):
                continue
            kind = rng.choices(("Call", "Meeting", "Email"), mix)[0]
            after = day >= self.book.shift
            if rng.random() < 0.5:
                contact = deal.contacts[0][0]
            else:
                contact = pick_contact(rng, people, habits.senior_share[after])
            self.add(kind, day, deal.owner, contact, deal.account, deal, deal.consultative)

    def prospecting(self, rep: Person, pools: Pools, scale: float) -> None:
        """Calls and emails to accounts without an opportunity yet."""
        rng, habits = self.rng, self.habits[rep.id]
        for _ in range(round(1200 * scale * habits.volume)):
            day = _working_day(rng, rep, self.book)
            if day is None:
                continue
            after = day >= self.book.shift
            fit = rng.random() < habits.icp_share[after]
            version = self.book.version_on(day)
            own = pools.get((rep.id, version, fit), [])
            firm = rng.choice(own) if len(own) >= 5 else rng.choice(pools[("*", version, fit)])
            contact = pick_contact(rng, self.book.contacts[firm.id], habits.senior_share[after])
            kind = rng.choices(("Call", "Email", "Meeting"), (0.5, 0.44, 0.06))[0]
            self.add(kind, day, rep, contact, firm, None)


def make_activities(
    rng: random.Random, book: Book, habits: dict[str, Habits], deals: list[Deal], scale: float
) -> list[Activity]:
    log = ActivityLog(rng, book, habits)
    for deal in deals:
        log.for_deal(deal)
    pools = _pools(book)
    for rep in REPS:
        log.prospecting(rep, pools, scale)
    log.items.sort(key=lambda a: (a.day, a.owner.id, a.account.id, a.kind))
    tasks = events = 0
    for item in log.items:
        if item.kind == "Meeting":
            events += 1
            item.id = sfid(EVENT, 300_000 + events * 3)
        else:
            tasks += 1
            item.id = sfid(TASK, 900_000 + tasks * 3)
    return log.items


def first_seen(deals: list[Deal], activities: list[Activity]) -> dict[str, date]:
    """Account and contact id → the first day a deal or activity names it."""
    seen: dict[str, date] = {}
    events = [(d.created_on, [d.account.id, *(c.id for c, _, _ in d.contacts)]) for d in deals]
    events += [(a.day, [a.account.id, a.contact.id if a.contact else ""]) for a in activities]
    for day, ids in events:
        for record_id in ids:
            if record_id and (record_id not in seen or day < seen[record_id]):
                seen[record_id] = day
    return seen
