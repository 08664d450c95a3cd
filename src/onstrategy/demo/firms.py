"""The demo company's market: accounts in its CRM and the Fortune-1000-style named list.

Sizes are lognormal, revenue follows size (per-industry revenue per employee, with noise),
and about a fifth of the accounts are in the ideal client profile. The named list holds the
largest companies: most are accounts (some spelt with their legal form, "Acme Holdings,
Inc." for the account "Acme"), the rest are white space nobody has worked yet.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from datetime import date, timedelta

from onstrategy.demo.ids import ACCOUNT, sfid
from onstrategy.demo.people import REPS, Person
from onstrategy.demo.vocab import (
    CANADA,
    CITIES,
    COINED_ENDINGS,
    COINED_ROOTS,
    INDUSTRIES,
    LAST_NAMES,
    NAME_WORDS,
)
from onstrategy.engines.fit import record_fit
from onstrategy.strategy.model import Version

REGIONS = {
    "west": {"WA", "OR", "CA", "NV", "ID", "MT", "WY", "UT", "CO", "AZ", "NM", "AK", "HI"},
    "central": {
        "ND",
        "SD",
        "NE",
        "KS",
        "OK",
        "TX",
        "MN",
        "IA",
        "MO",
        "AR",
        "LA",
        "WI",
        "IL",
        "IN",
        "MI",
    },
}
_TLD = {"Healthcare": ".org", "Education": ".edu", "Government": ".gov", "Non-Profit": ".org"}


@dataclass
class Firm:
    """One company, clean; the messy CRM spelling is made when rows are written."""

    name: str
    domain: str
    industry: str
    employees: int
    revenue: float
    city: str
    state: str
    state_name: str
    postal: str
    country: str = "US"
    id: str = ""
    owner: Person | None = None
    created_on: date | None = None
    source: str = ""
    fortune_rank: int | None = None
    in_crm: bool = True
    icp: dict[str, bool] = field(default_factory=dict)  # strategy version id -> in profile

    @property
    def region(self) -> str:
        if self.country != "US":
            return "none"
        return region_of(self.state)

    @property
    def bright_spot(self) -> bool:
        """The off-profile segment that wins anyway: mid-size logistics firms."""
        return self.industry == "Transportation & Logistics" and 200 <= self.employees < 1000


class Namer:
    """Unique, plausible company names and domains."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.names: set[str] = set()
        self.domains: set[str] = set()

    def company(self, industry: str, city: str, nouns: tuple[str, ...]) -> tuple[str, str]:
        for _ in range(200):
            name = self._candidate(industry, city, nouns)
            if name.lower() not in self.names:
                self.names.add(name.lower())
                return name, self._domain(name, industry)
        raise RuntimeError("ran out of company names")  # pragma: no cover

    def _candidate(self, industry: str, city: str, nouns: tuple[str, ...]) -> str:
        rng = self.rng
        noun = rng.choice(nouns)
        word = rng.choice(NAME_WORDS)
        if industry == "Government":
            return (
                f"City of {city}"
                if noun == "City of" and rng.random() < 0.3
                else (f"{word} County" if noun in ("County", "City of") else f"{word} {noun}")
            )
        if industry == "Education" and noun == "University" and rng.random() < 0.5:
            return f"University of {word}"
        pick = rng.random()
        if pick < 0.35:
            return f"{word} {noun}"
        if pick < 0.6:
            return f"{rng.choice(LAST_NAMES)} {noun}"
        if pick < 0.8 and industry not in ("Healthcare", "Education", "Non-Profit"):
            return rng.choice(COINED_ROOTS) + rng.choice(COINED_ENDINGS)
        return f"{word} {rng.choice(NAME_WORDS)} {noun}"

    def _domain(self, name: str, industry: str) -> str:
        words = [w for w in re.findall(r"[a-z0-9]+", name.lower()) if w not in ("of", "the")]
        tld = _TLD.get(industry, ".com")
        joined = "".join(words)
        initials = words[0] + "".join(w[0] for w in words[1:])
        options = [joined, initials] if len(joined) <= 18 else [initials, "".join(words[:2])]
        options.append("-".join(words[:3]))
        for option in [*options, *(f"{options[0]}{n}" for n in range(2, 99))]:
            domain = option + tld
            if domain not in self.domains:
                self.domains.add(domain)
                return domain
        raise RuntimeError("ran out of domains")  # pragma: no cover


def _place(rng: random.Random) -> tuple[str, str, str, str, str]:
    if rng.random() < 0.03:
        city, state, state_name, postal = rng.choice(CANADA)
        return city, state, state_name, f"{postal} {rng.randint(1, 9)}A{rng.randint(1, 9)}", "CA"
    region = rng.choices(("west", "central", "east"), (0.32, 0.31, 0.37))[0]
    pool = [c for c in CITIES if region_of(c[1]) == region]
    city, state, state_name, prefix = rng.choice(pool)
    return city, state, state_name, f"{prefix}{rng.randint(0, 99):02d}", "US"


def region_of(state: str) -> str:
    return next((r for r, states in REGIONS.items() if state in states), "east")


def _industry(rng: random.Random) -> tuple[str, int, tuple[str, ...]]:
    row = rng.choices(INDUSTRIES, [i[1] for i in INDUSTRIES])[0]
    return row[0], row[2], row[3]


def make_firm(
    rng: random.Random, namer: Namer, *, median: float, sigma: float, floor: int = 3
) -> Firm:
    industry, per_head, nouns = _industry(rng)
    city, state, state_name, postal, country = _place(rng)
    employees = max(floor, min(250_000, round(median * math.exp(rng.gauss(0, sigma)))))
    revenue = employees * per_head * 1000 * math.exp(rng.gauss(0, 0.35))
    name, domain = namer.company(industry, city, nouns)
    return Firm(
        name,
        domain,
        industry,
        employees,
        _round_revenue(revenue),
        city,
        state,
        state_name,
        postal,
        country,
    )


def _round_revenue(value: float) -> float:
    digits = max(0, len(str(int(value))) - 3)
    return float(round(value, -digits))


def make_market(
    rng: random.Random, *, scale: float, today: date, versions: list[Version]
) -> tuple[list[Firm], list[Firm]]:
    """Accounts (in the CRM) and white-space firms (on the named list only)."""
    namer = Namer(rng)
    n_accounts = max(50, round(5000 * scale))
    n_named = max(8, round(700 * scale))
    n_white = max(3, round(300 * scale))
    big = [
        make_firm(rng, namer, median=9000, sigma=0.8, floor=1500) for _ in range(n_named + n_white)
    ]
    for firm in big:
        firm.country, firm.revenue = (
            "US",
            max(firm.revenue, _round_revenue(1.6e9 * math.exp(abs(rng.gauss(0, 0.8))))),
        )
        if firm.state not in {c[1] for c in CITIES}:
            firm.city, firm.state, firm.state_name, prefix = rng.choice(CITIES)
            firm.postal = f"{prefix}{rng.randint(0, 99):02d}"
    big.sort(key=lambda f: -f.revenue)
    for rank, firm in enumerate(big, start=1):
        firm.fortune_rank = rank
    white = rng.sample(big, n_white)
    for firm in white:
        firm.in_crm = False
    others = [make_firm(rng, namer, median=110, sigma=1.5) for _ in range(n_accounts - n_named)]
    accounts = [f for f in big if f.in_crm] + others
    rng.shuffle(accounts)
    for number, firm in enumerate(accounts, start=1):
        firm.id = sfid(ACCOUNT, 52_000 + number * 11)
        firm.created_on = _created(rng, today)
        firm.source = rng.choices(
            ("Web", "Trade Show", "Partner", "Outbound", "Purchased List", ""),
            (0.25, 0.12, 0.13, 0.25, 0.15, 0.10),
        )[0]
        for version in versions:
            firm.icp[version.id] = in_profile(firm, version)
    assign_owners(rng, accounts)
    return accounts, sorted(white, key=lambda f: f.fortune_rank or 0)


def _created(rng: random.Random, today: date) -> date:
    """Most accounts predate the two years of activity; a fifth were added during them."""
    if rng.random() < 0.2:
        return today - timedelta(days=rng.randint(1, 729))
    return today - timedelta(days=rng.randint(730, 3650))


def in_profile(firm: Firm, version: Version) -> bool:
    """Whether the firm is in the ideal client profile of ``version``: the product's own fit
    definition (``engines.fit.record_fit``), so the demo's personas and the reports agree."""
    record = {
        "industry": firm.industry,
        "employees": firm.employees,
        "annual_revenue": firm.revenue,
        "country": firm.country,
        "state": firm.state,
    }
    on_list = firm.fortune_rank is not None and firm.in_crm
    lists = frozenset(name for s in version.icp.segments for name in s.named_lists if on_list)
    return record_fit(record, key=firm.id or firm.name, lists=lists, version=version).in_profile


def assign_owners(rng: random.Random, accounts: list[Firm]) -> None:
    """Territory reps own their accounts; a few are unowned or still owned by a rep who left."""
    teams: dict[str, list[Person]] = {}
    for rep in REPS:
        teams.setdefault(rep.team or "", []).append(rep)
    former = next(r for r in REPS if not r.active)
    for firm in accounts:
        if firm.country != "US" or rng.random() < 0.04:
            continue
        team = "strategic" if firm.fortune_rank else firm.region
        reps = [r for r in teams[team] if r.active]
        firm.owner = rng.choice(reps)
        if team == "central" and rng.random() < 0.03:
            firm.owner = former
