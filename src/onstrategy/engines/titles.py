"""Job titles → seniority and function, with the words that decided each.

The same rules label a title typed at the CLI and every contact in the store, so a
leader can ask why a contact counts as an IT executive and get the words back.

How a title is read:

1. ``tokenize``: lower-case, punctuation out, abbreviations expanded from the lexicon
   ("Sr. Mgr" → senior manager, "V.P." → vice president, "CIO" → chief information
   officer), role nouns made singular.
2. Traps: "Assistant to the CEO" ignores the boss named after "to"; a rank word right
   before an assistant noun ("Executive Assistant", "President adviser") is dropped.
3. Seniority: every responsibility phrase found is ranked and the highest wins
   (executive > vp > director > manager > staff); "trainee"/"intern" caps at staff.
4. Function: the C-level role's own function ("CFO" → finance) if it has one, else the
   first department word (procurement words win over all others; the generic word
   "operations" yields to any other department), else general management for
   CEOs, presidents, owners and bare VPs, else a setting word ("shop", "bank"),
   else ``other``.

Conventions worth knowing (also in ``tests/data/titles/README.md``): "Assistant
Director" is a director and "Assistant Manager" a manager; "General Manager" and
"Chief of Staff" are directors in general management; "Account Manager" is a manager;
"Account Executive" and "Product Owner" are staff; "Business Owner" is an executive.
The word lists live in ``data/titles/lexicon.yaml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

import yaml

from onstrategy.crm.personas import FUNCTIONS, SENIORITIES

_RANK = {level: len(SENIORITIES) - i for i, level in enumerate(SENIORITIES)}
_TIERS = ("0", "1", "generic", "2", "3")
_GENERAL_PHRASES = frozenset(
    {
        "chief executive",
        "chief administrative officer",
        "president",
        "vice president",
        "founder",
        "owner",
        "business owner",
        "managing director",
        "managing partner",
        "general manager",
        "partner",
        "chairman",
        "chair",
        "chief of staff",
        "executive director",
        "proprietor",
        "entrepreneur",
        "branch chief",
    }
)
_DOTTED = re.compile(r"\b(?:[a-z]\.){2,}")
_WORD = re.compile(r"[a-z0-9]+")
_MAX_WORDS = 40  # a longer "title" is prose; its first words decide


@dataclass(frozen=True)
class TitleClass:
    """One title's seniority and function, and the words that decided them."""

    title: str
    seniority: str
    function: str
    reasons: tuple[str, ...]


class _Hit(NamedTuple):
    level: str
    phrase: str


class _Mention(NamedTuple):
    function: str
    tier: str
    phrase: str


@dataclass(frozen=True)
class _Lexicon:
    abbreviations: dict[str, tuple[str, ...]]
    words: dict[str, frozenset[str]]
    chief_functions: dict[str, str]
    phrases: dict[tuple[str, ...], tuple[str, str]]
    longest: int

    def has(self, name: str, word: str) -> bool:
        return word in self.words[name]


@cache
def _lexicon() -> _Lexicon:
    text = resources.files("onstrategy.data.titles").joinpath("lexicon.yaml").read_text("utf-8")
    raw: dict[str, Any] = yaml.safe_load(text)
    phrases = _phrases(raw.pop("functions"))
    return _Lexicon(
        abbreviations={k: tuple(v.split()) for k, v in raw.pop("abbreviations").items()},
        chief_functions=dict(raw.pop("chief_functions")),
        words={name: frozenset(values) for name, values in raw.items()},
        phrases=phrases,
        longest=max(len(key) for key in phrases),
    )


def _phrases(table: dict[str, dict[Any, list[str]]]) -> dict[tuple[str, ...], tuple[str, str]]:
    phrases: dict[tuple[str, ...], tuple[str, str]] = {}
    for function, tiers in table.items():
        if function not in (*FUNCTIONS, "none"):
            raise ValueError(f"lexicon.yaml: unknown function {function!r}")
        for tier, words in tiers.items():
            phrases.update({tuple(str(w).split()): (function, str(tier)) for w in words})
    return phrases


def tokenize(title: str) -> tuple[str, ...]:
    """Lower-case words of ``title`` with abbreviations expanded and role nouns singular."""
    lex = _lexicon()
    words: list[str] = []
    for word in _words(title):
        words.extend(lex.abbreviations.get(word, (word,)))
    return tuple(_singular(word, lex) for word in words)


def _words(title: str) -> list[str]:
    text = _DOTTED.sub(lambda m: m.group().replace(".", "") + " ", title.lower())
    text = re.sub(r"['’]s\b", "", text).replace("r&d", "rnd").replace("&", " and ")
    return _WORD.findall(text)


def _singular(word: str, lex: _Lexicon) -> str:
    return word[:-1] if word.endswith("s") and lex.has("role_nouns", word[:-1]) else word


def classify_title(title: str | None) -> TitleClass:
    """Seniority and function of one job title; empty or None is staff/other."""
    text = (title or "").strip()
    if not text:
        return TitleClass(text, "staff", "other", ("empty title: staff, other by default",))
    tokens, notes = _drop_bosses(tokenize(text)[:_MAX_WORDS], _lexicon())
    hits = _seniority_hits(tokens, _lexicon())
    seniority, why_level = _seniority(tokens, hits)
    function, why_function = _function(tokens, hits)
    reasons = (*_expansions(text), *notes, why_level, why_function)
    return TitleClass(text, seniority, function, reasons)


def classify_titles(titles: Iterable[str | None]) -> list[TitleClass]:
    """``classify_title`` over many titles, in order."""
    return [classify_title(title) for title in titles]


def _expansions(text: str) -> list[str]:
    abbreviations = _lexicon().abbreviations
    found = dict.fromkeys(w for w in _words(text) if w in abbreviations)
    return [f"read '{w}' as '{' '.join(abbreviations[w])}'" for w in found]


# --- traps -------------------------------------------------------------------------


def _drop_bosses(tokens: tuple[str, ...], lex: _Lexicon) -> tuple[tuple[str, ...], list[str]]:
    """Remove the words that name someone else's rank ("Assistant to the CEO")."""
    tokens = _replace(tokens, ("right", "hand"), ("assistant",))
    for i, word in enumerate(tokens[1:], start=1):
        if word in ("to", "for") and lex.has("assistant_nouns", tokens[i - 1]):
            note = f"'{tokens[i - 1]} {word} …': works for someone, words after '{word}' ignored"
            return tokens[:i], [note]
    for i, word in enumerate(tokens):
        start = i
        while (
            start
            and lex.has("assistant_nouns", word)
            and lex.has("senior_modifiers", tokens[start - 1])
        ):
            start -= 1
        if start < i:
            dropped = " ".join(tokens[start:i])
            note = f"'{dropped} {word}': '{dropped}' names the boss, not the rank"
            return tokens[:start] + tokens[i:], [note]
    return tokens, []


def _replace(
    tokens: tuple[str, ...], old: tuple[str, ...], new: tuple[str, ...]
) -> tuple[str, ...]:
    for i in range(len(tokens) - len(old) + 1):
        if tokens[i : i + len(old)] == old:
            return tokens[:i] + new + tokens[i + len(old) :]
    return tokens


# --- seniority ---------------------------------------------------------------------


def _seniority(tokens: tuple[str, ...], hits: list[_Hit]) -> tuple[str, str]:
    lex = _lexicon()
    cap = [w for w in tokens if lex.has("staff_markers", w)]
    if tokens and lex.has("staff_first_words", tokens[0]):
        cap.append(tokens[0])
    if cap:
        return "staff", f"seniority staff: '{cap[0]}' marks a role not yet at any rank"
    if not hits:
        if "executive" in tokens:
            return "staff", "seniority staff: 'executive' alone is not a rank (Account Executive)"
        return "staff", "seniority staff: no responsibility words"
    best = max(hits, key=lambda hit: _RANK[hit.level])
    return best.level, f"seniority {best.level}: '{best.phrase}'"


def _seniority_hits(t: tuple[str, ...], lex: _Lexicon) -> list[_Hit]:
    hits = [_Hit("executive", phrase) for phrase, _ in _csuite(t, lex)]
    for i in range(len(t)):
        hit = _executive_word(t, i, lex) or _director_word(t, i, lex) or _manager_word(t, i)
        if hit:
            hits.append(hit)
    if any(t[i : i + 2] == ("vice", "president") for i in range(len(t))):
        hits.append(_Hit("vp", "vice president"))
    return hits


def _csuite(t: tuple[str, ...], lex: _Lexicon) -> list[tuple[str, tuple[str, ...]]]:
    """C-level roles as (phrase, words between 'chief' and 'officer')."""
    return [found for i in range(len(t)) if (found := _csuite_at(t, i, lex))]


def _csuite_at(t: tuple[str, ...], i: int, lex: _Lexicon) -> tuple[str, tuple[str, ...]] | None:
    if t[i] != "chief" or i + 1 == len(t) or lex.has("chief_rank_words", t[i + 1]):
        return None
    if t[i + 1] == "executive":
        return "chief executive", ("executive",)
    for j in range(i + 2, min(i + 6, len(t))):
        if t[j] in ("officer", "executive") and "of" not in t[i + 1 : j]:
            return " ".join(t[i : j + 1]), t[i + 1 : j]
    return None


def _near(t: tuple[str, ...], i: int) -> tuple[str, str]:
    return (t[i - 1] if i else "", t[i + 1] if i + 1 < len(t) else "")


def _executive_word(t: tuple[str, ...], i: int, lex: _Lexicon) -> _Hit | None:
    word, (prev, nxt) = t[i], _near(t, i)
    if word in ("founder", "chairman", "proprietor", "entrepreneur"):
        return _Hit("executive", word)
    if word == "president" and prev != "vice":
        return _Hit("executive", word)
    if word == "owner" and not lex.has("owner_not_executive", prev):
        return _Hit("executive", "business owner" if prev == "business" else "owner")
    if word == "partner" and not lex.has("partner_not_executive", prev):
        return _Hit("executive", "managing partner" if prev == "managing" else "partner")
    if word == "managing" and nxt == "director":
        return _Hit("executive", "managing director")
    if (word, nxt) == ("general", "counsel"):
        return _Hit("executive", "general counsel")
    if word == "chair" and (len(t) == 1 or nxt == "of" or prev == "board"):
        return _Hit("executive", "chair")
    return _police_chief(t, i, lex)


def _police_chief(t: tuple[str, ...], i: int, lex: _Lexicon) -> _Hit | None:
    if t[i] != "chief":
        return None
    around = t[max(0, i - 2) : i] + t[i + 1 : i + 2]
    org = next((w for w in around if lex.has("chief_executive_orgs", w)), None)
    return _Hit("executive", f"{org} chief") if org else None


def _director_word(t: tuple[str, ...], i: int, lex: _Lexicon) -> _Hit | None:
    word, (prev, nxt) = t[i], _near(t, i)
    if word == "director" and prev != "managing":
        return _Hit("director", "executive director" if prev == "executive" else "director")
    if word == "executive" and nxt in ("producer", "editor"):
        return _Hit("director", f"executive {nxt}")
    if (word, nxt) == ("general", "manager"):
        return _Hit("director", "general manager")
    if word in ("treasurer", "dean"):
        return _Hit("director", word)
    if word == "principal" and (len(t) == 1 or prev in ("vice", "school") or nxt == "of"):
        return _Hit("director", f"{prev} principal".strip())
    if word == "head":
        return _head(t, i, lex)
    if word == "chief" and lex.has("chief_rank_words", nxt):
        return None
    if word == "chief" and not _csuite_at(t, i, lex) and not _police_chief(t, i, lex):
        return _chief(t, i, lex)
    return None


def _head(t: tuple[str, ...], i: int, lex: _Lexicon) -> _Hit | None:
    nxt = _near(t, i)[1]
    if nxt in ("saw", "hunter"):
        return None
    if nxt in ("of", "teacher", "") or _names_department(t[i + 1 :], lex):
        return _Hit("director", "head of" if nxt == "of" else f"head {nxt}".strip())
    return _Hit("manager", f"head {nxt}")


def _chief(t: tuple[str, ...], i: int, lex: _Lexicon) -> _Hit:
    prev, nxt = _near(t, i)
    if nxt == "of":
        return _Hit("director", "chief of staff" if t[i + 2 : i + 3] == ("staff",) else "chief of")
    if prev == "in" or nxt == "editor":
        return _Hit("director", "editor in chief")
    if not nxt and any(lex.has("chief_unit_words", w) for w in t[:i]):
        return _Hit("director", f"{prev} chief")
    return _Hit("manager", f"chief {nxt}".strip() if nxt else f"{prev} chief")


def _names_department(words: tuple[str, ...], lex: _Lexicon) -> bool:
    for word in words:
        hit = lex.phrases.get((word,))
        if hit and hit[0] != "none" and hit[1] != "2" and not lex.has("bare_only", word):
            return True
    return False


def _manager_word(t: tuple[str, ...], i: int) -> _Hit | None:
    word, (prev, nxt) = t[i], _near(t, i)
    if word in ("manager", "supervisor", "superintendent", "foreman", "forewoman", "leader"):
        return None if prev == "general" else _Hit("manager", word)
    if (prev, word) == ("team", "lead"):
        return _Hit("manager", "team lead")
    if word == "controller" and prev in _CONTROLLER_PREV:
        return _Hit("manager", f"{prev} controller".strip())
    if word == "executive" and {"chef", "housekeeper"} & set(t[i + 1 : i + 3]):
        return _Hit("manager", f"executive {nxt}")
    return None


_CONTROLLER_PREV = frozenset(
    {"", "financial", "finance", "group", "corporate", "senior", "assistant", "deputy",
     "division", "divisional", "regional", "associate", "plant", "project"}
)  # fmt: skip


# --- function ----------------------------------------------------------------------


def _function(t: tuple[str, ...], hits: list[_Hit]) -> tuple[str, str]:
    lex = _lexicon()
    chiefs = [(phrase, _chief_function(middle, lex)) for phrase, middle in _csuite(t, lex)]
    for phrase, function in sorted(chiefs, key=lambda chief: chief[1] in ("executive", "other")):
        if function != "other":
            return function, f"function {function}: '{phrase}'"
    mentions = [m for m in _mentions(t, lex) if m.function != "none"]
    occupation = _occupation(t, mentions, lex)
    if occupation:
        return occupation.function, f"function {occupation.function}: '{occupation.phrase}'"
    for tier in _TIERS[:3]:
        found = next((m for m in mentions if m.tier == tier), None)
        if found:
            return found.function, f"function {found.function}: '{found.phrase}'"
    return _fallback(t, chiefs, hits, mentions)


def _occupation(t: tuple[str, ...], mentions: list[_Mention], lex: _Lexicon) -> _Mention | None:
    """The last mention, when the title ends in an occupation noun ("IT lawyer")."""
    if not mentions or not t or not lex.has("occupation_nouns", t[-1]):
        return None
    last = mentions[-1]
    return last if last.phrase.split()[-1] == t[-1] else None


def _fallback(
    words: tuple[str, ...],
    chiefs: list[tuple[str, str]],
    hits: list[_Hit],
    mentions: list[_Mention],
) -> tuple[str, str]:
    bare = all(_lexicon().has("rank_words", w) for w in words)
    general = [h.phrase for h in hits if h.phrase in _GENERAL_PHRASES]
    general = [p for p in general if bare or p not in ("vice president", "executive director")]
    text = " ".join(words)
    general += [w for w in ("business unit", "subsidiary", "country manager") if w in text]
    if general:
        return "executive", f"function executive: '{general[0]}' is general management"
    for tier in _TIERS[3:]:
        found = next((m for m in mentions if m.tier == tier), None)
        if found:
            return found.function, f"function {found.function}: '{found.phrase}' (setting)"
    if chiefs:
        return "other", f"function other: '{chiefs[0][0]}' names no department we track"
    return "other", "function other: no department words"


def _chief_function(middle: tuple[str, ...], lex: _Lexicon) -> str:
    for word in middle:
        if word in lex.chief_functions:
            return lex.chief_functions[word]
    mentions = [m for m in _mentions(middle, lex) if m.function != "none"]
    return mentions[0].function if mentions else "other"


def _mentions(t: tuple[str, ...], lex: _Lexicon) -> list[_Mention]:
    """Function phrases left to right, longest match first, each word used once."""
    found: list[_Mention] = []
    i = 0
    while i < len(t):
        for size in range(min(lex.longest, len(t) - i), 0, -1):
            phrase = t[i : i + size]
            hit = lex.phrases.get(phrase)
            mention = _qualified(t, i, phrase, hit, lex) if hit else None
            if mention:
                found.append(mention)
                i += size
                break
        else:
            i += 1
    return found


def _qualified(
    t: tuple[str, ...], i: int, phrase: tuple[str, ...], hit: tuple[str, str], lex: _Lexicon
) -> _Mention | None:
    """The mention, unless the words around it change its meaning."""
    word, (prev, nxt), text = phrase[0], _near(t, i), " ".join(phrase)
    if len(phrase) > 1:
        return _Mention(*hit, text)
    if word in ("buyer", "buying") and lex.has("ad_buyer_words", prev):
        return _Mention("marketing", "0", f"{prev} {word}")
    if lex.has("bare_only", word) and prev and not lex.has("bare_ok_before", prev):
        return None
    if _out_of_context(t, i, word, nxt, lex):
        return None
    return _Mention(*hit, text)


def _out_of_context(t: tuple[str, ...], i: int, word: str, nxt: str, lex: _Lexicon) -> bool:
    if word == "production":
        return any(lex.has("show_words", w) for w in t)
    if word == "plant":
        return not lex.has("plant_roles", nxt)
    if word in ("facility", "facilities"):
        return any(lex.has("venue_words", w) for w in t[:i])
    if word == "security":
        return not any(lex.has("it_security_neighbours", w) for w in _near(t, i))
    return False
