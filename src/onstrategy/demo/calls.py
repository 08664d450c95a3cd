"""Recorded sales calls: dialogue written from the deal, in the four formats people have.

A consultative call asks about the client's objectives and problems ("what are you trying
to achieve this year", "walk me through how you handle ...") and offers an insight ("we're
seeing companies your size ..."); a pitch call talks about "our platform", features and
discounts. The style comes from the deal (and so from the rep's persona), which is why
consultative calls go with won deals more often.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from onstrategy.demo.crm import Contact
from onstrategy.demo.deals import Activity, Deal

# --------------------------------------------------------------------------- what is said

_NEEDS = {
    "Healthcare": (
        "standardise the devices across all of our clinics",
        "every clinic has its own setup, and my team spends half the week driving around "
        "fixing printers and laptops",
    ),
    "Education": (
        "get every classroom on a managed device before the fall semester",
        "the summer refresh window is six weeks and we never finish it, so teachers start "
        "the year with broken carts",
    ),
    "Manufacturing": (
        "keep the plant networks up while we add a second shift",
        "an hour of downtime on the line costs us more than the whole switch refresh, and "
        "our network gear is ten years old",
    ),
    "Financial Services": (
        "pass next year's audit with clean asset records for every branch",
        "we can't say where half our laptops are, and the auditors noticed",
    ),
    "Government": (
        "replace the servers that go out of support before the budget year ends",
        "our procurement cycle takes four months, so by the time equipment arrives the "
        "project has moved on",
    ),
    "Retail": (
        "open thirty new stores without adding IT headcount",
        "every store opening needs someone from IT on site for two days, and we only have "
        "four people",
    ),
    "Transportation & Logistics": (
        "get scanners and Wi-Fi working in the two new warehouses by peak season",
        "dead spots in the warehouse Wi-Fi stop the scanners, and then the trucks wait",
    ),
}
_DEFAULT_NEED = (
    "grow without the IT team becoming the bottleneck",
    "we're two people in IT and everything is urgent",
)
_OBSTACLES = (
    "Budget is approved, but we don't have the people to install any of it.",
    "Every site does things its own way, so nothing we roll out is the same twice.",
    "We find out about problems when users call the help desk, never before.",
    "Half my team's week goes to moving and imaging devices instead of projects.",
)
_STORIES = (
    "Last spring a core switch failed at one of our sites and it took two days to get a "
    "replacement configured. People went home.",
    "We bought three hundred laptops in the fall and they sat in a closet for six weeks "
    "because nobody had time to image them.",
    "During the last audit we couldn't say where forty of our laptops were. That was a long week.",
)
_INSIGHTS = (
    "We're seeing companies your size move device lifecycle to a managed service, so the "
    "internal team can work on projects instead of tickets.",
    "What we've noticed with {industry} organisations with many sites is that the hardware "
    "is rarely the problem; it's the install and the first ninety days after it.",
    "One thing that surprised a customer of ours in {industry}: about a third of their "
    "IT hours went to moving and imaging devices. Have you ever measured that?",
    "Companies we work with that standardise on two or three models cut their support "
    "tickets by about a quarter in the first year.",
)
_DISCOVERY = (
    ("What are you trying to achieve this year with {area}?", "objective"),
    ("Walk me through how you handle {process} today.", "problem"),
    ("How are you measuring whether that's working?", "measure"),
    ("What's getting in the way right now?", "obstacle"),
    ("What happens if that isn't fixed by {season}?", "impact"),
    ("Tell me about the last time that went wrong.", "story"),
    ("Who else is involved when you decide on something like this?", "decision"),
)
_PITCH = (
    "So we're one of the largest technology distributors in the country, with over ten "
    "thousand products in stock.",
    "Our platform lets you order servers, switches and laptops in a few clicks.",
    "We carry every major brand, and our pricing on this model is really aggressive right now.",
    "Our installation team is certified on all of it, best in class.",
    "We also have next-day shipping from our warehouse, which nobody else can match.",
    "Our managed services program covers everything, it's our most popular offering.",
    "Here's the configuration I put together for you, it's our best seller.",
    "And this is the portal, where you can track every order and every device.",
)
_CLOSED = (
    "Does that make sense?",
    "Can I send you a quote today?",
    "Are you the one who signs the PO?",
    "Is that something you'd be interested in?",
    "Did you get the spec sheet I sent?",
)
_CONSULTATIVE_CLOSE = (
    (
        "Would it make sense to get your team together and map out the sites and timing "
        "before we talk about equipment?",
        "Yes, let's do that. I'll set it up.",
    ),
    (
        "What would you need to see from us to take this to the rest of the leadership team?",
        "A rough plan and what it costs per site. Then I can take it upstairs.",
    ),
)
_SHORT = ("Okay.", "Sure.", "Right.", "Mm-hm.", "Yeah, I saw that.", "Got it.")


@dataclass(frozen=True)
class Scene:
    seller: str
    customer: Contact
    deal: Deal

    @property
    def first(self) -> str:
        return self.customer.first


def consultative(rng: random.Random, scene: Scene) -> list[tuple[str, str]]:
    seller, buyer = scene.seller, scene.customer.name
    industry = scene.deal.account.industry
    objective, problem = _NEEDS.get(industry, _DEFAULT_NEED)
    lines = [
        (seller, f"Hi {scene.first}, thanks for making the time today."),
        (buyer, rng.choice(("Of course, happy to.", "Sure, I've got about thirty minutes."))),
        (
            seller,
            "Before I say anything about us, I'd love to understand what you're "
            "working on this year.",
        ),
    ]
    fill = {
        "area": rng.choice(("your infrastructure", "the IT team", "your devices")),
        "process": rng.choice(("a hardware refresh", "new sites", "device rollouts")),
        "season": rng.choice(("the end of the year", "next summer", "your budget deadline")),
        "industry": industry.lower(),
    }
    asked = set(rng.sample(range(len(_DISCOVERY)), rng.randint(3, 6)))
    if scene.deal.services and not scene.customer.senior:
        asked.add(len(_DISCOVERY) - 1)  # who decides? not the person on the call
    for question, kind in (_DISCOVERY[i] for i in sorted(asked)):
        lines.append((seller, question.format(**fill)))
        lines.append((buyer, _answer(rng, kind, objective, problem, scene)))
        if rng.random() < 0.4:
            lines.append((seller, rng.choice(("That's helpful.", "Got it.", "Interesting."))))
    for insight in rng.sample(_INSIGHTS, rng.randint(1, 2)):
        lines.append((seller, insight.format(**fill)))
        lines.append(
            (
                buyer,
                rng.choice(
                    (
                        "No, we've never looked at it that way.",
                        "That matches what I see, honestly.",
                        "Huh. I'd want to see the numbers, but that sounds right.",
                    )
                ),
            )
        )
    lines += _next_steps(rng, scene, consult=True)
    return lines


def _answer(rng: random.Random, kind: str, objective: str, problem: str, scene: Scene) -> str:
    if kind == "objective":
        return f"Our goal is to {objective}."
    if kind == "problem":
        return rng.choice((f"Honestly, {problem}.", f"The problem is {problem}."))
    if kind in ("obstacle", "story"):
        return rng.choice(_OBSTACLES if kind == "obstacle" else _STORIES)
    if kind == "measure":
        return rng.choice(
            (
                "Mostly by tickets and complaints, which isn't great.",
                "We track uptime, but not much else.",
            )
        )
    if kind == "impact":
        return "Then we're explaining to the board why the project slipped again."
    if scene.customer.senior:
        return "I sign off on it, but I'd want my infrastructure lead in the room."
    return rng.choice(
        (
            "Anything over fifty thousand goes to our VP, I just put the request together.",
            "Honestly, something like that would be our CIO's call, not mine.",
        )
    )


def pitch(rng: random.Random, scene: Scene) -> list[tuple[str, str]]:
    seller, buyer = scene.seller, scene.customer.name
    _, problem = _NEEDS.get(scene.deal.account.industry, _DEFAULT_NEED)
    lines = [
        (seller, f"Hi {scene.first}, can you hear me okay?"),
        (buyer, "Yes, I can hear you."),
        (seller, "Great. Let me share my screen."),
    ]
    for statement in rng.sample(_PITCH, rng.randint(4, 7)):
        lines.append((seller, statement))
        if rng.random() < 0.5:
            lines.append((buyer, rng.choice(_SHORT)))
        if rng.random() < 0.3:
            lines.append((seller, rng.choice(_CLOSED)))
            lines.append((buyer, rng.choice(("Sure.", "I think so.", "Maybe, yes."))))
    lines.append((buyer, f"We mainly struggle with this: {problem}."))
    lines.append(
        (seller, "Sure, our solution handles that too, it's one of our most popular features.")
    )
    if scene.deal.services and not scene.customer.senior:
        lines.append((buyer, "Services like that aren't my call. I'd have to take it to our CIO."))
        lines.append((seller, "No problem, just forward the deck and I'll follow up."))
    discount = rng.choice(("eight", "ten", "twelve", "fifteen"))
    lines.append(
        (
            seller,
            f"If you can get the PO in this month I can do an extra {discount} percent discount.",
        )
    )
    lines += _next_steps(rng, scene, consult=False)
    return lines


def _next_steps(rng: random.Random, scene: Scene, *, consult: bool) -> list[tuple[str, str]]:
    seller, buyer = scene.seller, scene.customer.name
    if consult:
        ask, reply = rng.choice(_CONSULTATIVE_CLOSE)
    else:
        ask = "I'll send the quote over this afternoon. Can we talk again Friday?"
        reply = rng.choice(("Sure, send it over.", "Okay, I'll take a look."))
    return [
        (seller, ask),
        (buyer, reply),
        (seller, "Thanks again, talk soon."),
        (buyer, "Thanks, bye."),
    ]


# --------------------------------------------------------------------------- how it's written


def timed(lines: list[tuple[str, str]], rng: random.Random) -> list[tuple[float, float, str, str]]:
    out, clock = [], 0.0
    for speaker, text in lines:
        length = round(0.8 + len(text.split()) / 2.6, 1)
        out.append((clock, round(clock + length, 1), speaker, text))
        clock = round(clock + length + rng.uniform(0.3, 1.6), 1)
    return out


def _hms(seconds: float, sep: str = ".") -> str:
    whole = int(seconds)
    millis = round((seconds - whole) * 1000)
    return f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}{sep}{millis:03d}"


def as_text(segments: list[tuple[float, float, str, str]], stamps: bool) -> str:
    if not stamps:
        return "".join(f"{who}: {text}\n" for _, _, who, text in segments)
    return "".join(f"[{_hms(start)[:8]}] {who}: {text}\n" for start, _, who, text in segments)


def as_vtt(segments: list[tuple[float, float, str, str]], call_no: int) -> str:
    cues = [
        f"{call_no:08x}-{i:04x}-4000-8000-000000000000/{i}-0\n"
        f"{_hms(start)} --> {_hms(end)}\n<v {who}>{text}</v>\n"
        for i, (start, end, who, text) in enumerate(segments, start=1)
    ]
    return "WEBVTT\n\n" + "\n".join(cues)


def as_srt(segments: list[tuple[float, float, str, str]]) -> str:
    cues = [
        f"{i}\n{_hms(start, ',')} --> {_hms(end, ',')}\n{who}: {text}\n"
        for i, (start, end, who, text) in enumerate(segments, start=1)
    ]
    return "\n".join(cues)


def as_json(segments: list[tuple[float, float, str, str]]) -> str:
    data = {
        "segments": [
            {"start": start, "end": end, "text": f" {text}", "speaker": who}
            for start, end, who, text in segments
        ]
    }
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


FORMATS = ("txt", "vtt", "srt", "json")


def render(
    fmt: str, segments: list[tuple[float, float, str, str]], number: int, rng: random.Random
) -> str:
    if fmt == "vtt":
        return as_vtt(segments, number)
    if fmt == "srt":
        return as_srt(segments)
    if fmt == "json":
        return as_json(segments)
    return as_text(segments, stamps=rng.random() < 0.7)


# --------------------------------------------------------------------------- which calls


def make_calls(
    rng: random.Random, deals: list[Deal], activities: list[Activity], scale: float
) -> tuple[list[dict[str, str]], dict[str, str]]:
    """``calls.csv`` rows and transcript files (name relative to the demo folder → text)."""
    recorded: dict[str, list[Activity]] = {}
    for item in activities:
        if item.kind == "Call" and item.deal is not None and item.contact is not None:
            recorded.setdefault(item.deal.id, []).append(item)
    by_persona: dict[str, list[Deal]] = {}
    for deal in deals:
        if deal.id in recorded:
            by_persona.setdefault(deal.owner.persona or "", []).append(deal)
    wanted = max(8, round(60 * scale))
    chosen: list[Deal] = []
    for persona in sorted(by_persona):
        pool = by_persona[persona]
        chosen += rng.sample(pool, min(len(pool), round(wanted / len(by_persona))))
    chosen.sort(key=lambda d: d.id)
    rows, files = [], {}
    for number, deal in enumerate(chosen, start=1):
        call = rng.choice(recorded[deal.id])
        assert call.contact is not None  # recorded calls have a contact
        scene = Scene(deal.owner.name, call.contact, deal)
        lines = consultative(rng, scene) if deal.consultative else pitch(rng, scene)
        fmt = FORMATS[number % len(FORMATS)]
        call_id = f"CALL-{number:05d}"
        name = f"transcripts/{call_id.lower()}.{fmt}"
        files[name] = render(fmt, timed(lines, rng), number, rng)
        rows.append(
            {
                "Call ID": call_id,
                "File": name,
                "Opportunity ID": deal.id,
                "Account ID": deal.account.id,
                "Rep ID": deal.owner.id,
                "Date": call.day.isoformat(),
                "Seller": deal.owner.name,
            }
        )
    return rows, files
