"""The sales organisation of the demo company: teams, users, personas and time off.

Twenty active reps in four teams (three geographic territories and a named-accounts team),
one former rep, a manager per team, a VP Sales and a RevOps admin. The roster is fixed at
every scale so that the strategy file (``data/demo/strategy.yaml``) can name each rep.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from onstrategy.demo.ids import USER, sfid

Persona = Literal["on_strategy", "chaser", "familiar", "pitcher"]
EMAIL_DOMAIN = "techdistro.example"


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    role: Literal["rep", "manager", "executive", "admin"]
    team: str | None
    persona: Persona | None = None
    active: bool = True

    @property
    def email(self) -> str:
        first, last = self.name.lower().split(" ", 1)
        plain = last.replace("'", "").replace(" ", "")
        return f"{_ascii(first)}.{_ascii(plain)}@{EMAIL_DOMAIN}"


def _ascii(text: str) -> str:
    return text.translate(str.maketrans("áéíóúñü", "aeiounu"))


TEAMS = {
    "west": "West",
    "central": "Central",
    "east": "East",
    "strategic": "Strategic Accounts",
}

_ROSTER: tuple[tuple[str, str, str | None, str | None], ...] = (
    # name, role or persona, team
    ("Sandra Kowalski", "executive", None, None),
    ("Jordan Ellis", "admin", None, None),
    ("Laura Chen", "manager", "west", None),
    ("Marcus Webb", "manager", "central", None),
    ("Priya Natarajan", "manager", "east", None),
    ("Daniel O'Brien", "manager", "strategic", None),
    ("Ana Ruiz", "rep", "west", "on_strategy"),
    ("Tyler Brooks", "rep", "west", "chaser"),
    ("Kevin Park", "rep", "west", "familiar"),
    ("Megan Holt", "rep", "west", "on_strategy"),
    ("Ryan Castillo", "rep", "west", "pitcher"),
    ("Emily Novak", "rep", "central", "on_strategy"),
    ("Jake Miller", "rep", "central", "chaser"),
    ("Greg Lindqvist", "rep", "central", "familiar"),
    ("Sofia Alvarez", "rep", "central", "on_strategy"),
    ("Brandon Hayes", "rep", "central", "chaser"),
    ("Rachel Kim", "rep", "east", "on_strategy"),
    ("Mike Donnelly", "rep", "east", "familiar"),
    ("Chris Palmer", "rep", "east", "chaser"),
    ("Nicole Grant", "rep", "east", "pitcher"),
    ("José Ramírez", "rep", "east", "on_strategy"),
    ("Olivia Bennett", "rep", "strategic", "on_strategy"),
    ("Steve Kaminski", "rep", "strategic", "familiar"),
    ("Hannah Wright", "rep", "strategic", "on_strategy"),
    ("Derek Foster", "rep", "strategic", "pitcher"),
    ("Tom Sullivan", "rep", "strategic", "familiar"),
    ("Brian Walsh", "rep", "central", "chaser"),  # left the company on LEFT_ON
)
FORMER_REP = "Brian Walsh"
LEFT_ON = date(2025, 6, 30)

PEOPLE: tuple[Person, ...] = tuple(
    Person(
        id=sfid(USER, 4100 + 37 * i),
        name=name,
        role=role,  # type: ignore[arg-type]
        team=team,
        persona=persona,  # type: ignore[arg-type]
        active=name != FORMER_REP,
    )
    for i, (name, role, team, persona) in enumerate(_ROSTER)
)
REPS: tuple[Person, ...] = tuple(p for p in PEOPLE if p.role == "rep")
ACTIVE_REPS: tuple[Person, ...] = tuple(p for p in REPS if p.active)

PERSONAS: dict[str, Persona] = {p.id: p.persona for p in REPS if p.persona is not None}
"""Each rep's user id → how they sell: ``on_strategy``, ``chaser``, ``familiar``, ``pitcher``."""

# (rep name, first day, last day, note): reps are out of office and sell nothing then.
_TIME_OFF = (
    ("Tyler Brooks", date(2025, 7, 7), date(2025, 7, 18), "Vacation"),
    ("Megan Holt", date(2026, 3, 2), date(2026, 5, 29), "Parental leave"),
    ("Greg Lindqvist", date(2026, 8, 10), date(2026, 8, 21), "Vacation"),
    ("Olivia Bennett", date(2025, 12, 22), date(2026, 1, 2), "Holidays"),
    ("Rachel Kim", date(2026, 11, 23), date(2026, 12, 11), "Medical leave"),
)


_AWAY: dict[str, list[tuple[date, date]]] = {}
for _name, _start, _end, _ in _TIME_OFF:
    _AWAY.setdefault(_name, []).append((_start, _end))


def by_name(name: str) -> Person:
    return next(p for p in PEOPLE if p.name == name)


def manager_of(team: str) -> Person:
    return next(p for p in PEOPLE if p.role == "manager" and p.team == team)


def time_off() -> list[tuple[Person, date, date, str]]:
    return [(by_name(name), start, end, note) for name, start, end, note in _TIME_OFF]


def is_away(person: Person, day: date) -> bool:
    """Whether the rep was out of office (or gone) on ``day``."""
    if not person.active and day > LEFT_ON:
        return True
    return any(a <= day <= b for a, b in _AWAY.get(person.name, ()))


def team_rows() -> list[dict[str, str]]:
    return [
        {"Team ID": team, "Team Name": name, "Manager ID": manager_of(team).id}
        for team, name in TEAMS.items()
    ]


def user_rows() -> list[dict[str, str]]:
    return [
        {
            "User ID": p.id,
            "Full Name": p.name,
            "Email": p.email,
            "Profile": p.role,
            "Team ID": p.team or "",
            "Active": "true" if p.active else "false",
        }
        for p in PEOPLE
    ]


def availability_rows() -> list[dict[str, str]]:
    return [
        {
            "User ID": p.id,
            "Start Date": start.isoformat(),
            "End Date": end.isoformat(),
            "Type": "out_of_office",
            "Note": note,
        }
        for p, start, end, note in time_off()
    ]
