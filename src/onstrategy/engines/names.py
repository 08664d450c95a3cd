"""Company-name normalisation: what a careful RevOps person strips before comparing names.

``normalize_company_name("AMAZON COM INC")`` and ``("Amazon.com, Inc.")`` are both ``"amazon"``.
Legal forms go (cleanco's ``basename`` plus a shipped list for the trailing forms it
misses), then case, accents, markup, "&"/"and", "the", punctuation and the common
abbreviations listed in ``data/matching/abbreviations.tsv``. Words that carry little
identity (``generic_words.txt``, ``place_words.txt``) are kept but weigh less when scored.
:func:`qualifier_words` (places incl. pycountry subdivisions, org units, legal forms,
``qualifier_words.txt``) only qualify a name ("Google Cloud India"), and
:func:`relation_head` cuts "Optiv formerly FishNet Security" to the company's own name
(``relation_words.txt``).
"""

from __future__ import annotations

import html
import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources

from cleanco import basename
from cleanco.clean import normalized, prepare_default_terms, strip_punct, strip_tail

_TAG = re.compile(r"<[^>]{0,200}>")
_MARKS = re.compile(r"[™®©℠]")
_SHORT_AMPERSAND = re.compile(r"\b(\w{1,2})\s?&\s?(\w{1,2})\b")
_DOT_TLD = re.compile(r"(\w)\.(?:com|net|org|io|ai|co)\b")
_APOSTROPHE = re.compile(r"['’`´]")
_NON_WORD = re.compile(r"[\W_]+")
_SEC_STATE = re.compile(r"\s*/[a-z]{2,3}/?\s*$")  # "WELLS FARGO & COMPANY/MN", "/DE/"
LOW_IDENTITY = 0.3  # weight factor of generic and place words ("group", "india")
_SENTINEL = "zqxjsentinel"
_STOPWORDS = frozenset({"the", "and", "of", "und", "et", "com", "www"})


def _lines(filename: str) -> list[str]:
    text = resources.files("onstrategy.data.matching").joinpath(filename).read_text("utf-8")
    return [s for line in text.splitlines() if (s := line.strip()) and not s.startswith("#")]


@cache
def abbreviations() -> dict[str, str]:
    """Written form → canonical form (``intl`` → ``international``)."""
    return dict(line.split("\t", 1) for line in _lines("abbreviations.tsv"))


@cache
def legal_tails() -> dict[str, tuple[tuple[str, ...], ...]]:
    """Legal-form word sequences removed from the end of a name, by last word, longest first."""
    tails = sorted(
        {tuple(line.split()) for line in _lines("legal_forms.txt")}, key=lambda t: (-len(t), t)
    )
    by_last: dict[str, list[tuple[str, ...]]] = {}
    for tail in tails:
        by_last.setdefault(tail[-1], []).append(tail)
    return {last: tuple(found) for last, found in by_last.items()}


@cache
def _cleanco_words() -> frozenset[str]:
    return frozenset(part for _, parts in prepare_default_terms() for part in parts)


@lru_cache(maxsize=8192)
def _basename_of_tail(tail: str) -> str:
    # cleanco only deletes trailing runs of its own words, so the run alone (after a
    # sentinel word it cannot delete) gives the same answer, and runs repeat: cache them.
    return basename(f"{_SENTINEL} {tail}").removeprefix(_SENTINEL).strip()


def _strip_legal_form(text: str) -> str:
    """cleanco's ``basename`` (legal forms at the end), applied to the trailing legal words."""
    words = strip_tail(text).split()
    start = len(words)
    while start > 0 and strip_punct(normalized(words[start - 1])) in _cleanco_words():
        start -= 1
    if start == len(words):
        return text
    return " ".join([*words[:start], _basename_of_tail(" ".join(words[start:]))]).strip() or text


@cache
def generic_words() -> frozenset[str]:
    """Words that say little about which company it is ("group", "services", …)."""
    return frozenset(_fold_token(w) for w in _lines("generic_words.txt"))


@cache
def place_words() -> frozenset[str]:
    """Country names (one word, from pycountry) and common place words in names."""
    import pycountry

    words = set(_lines("place_words.txt"))
    for country in pycountry.countries:
        for attr in ("name", "common_name"):
            value = getattr(country, attr, None)
            if value and " " not in value and "," not in value:
                words.add(_plain(value))
    return frozenset(words)


def _plain(text: str) -> str:
    if text.isascii():
        return text.casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return unicodedata.normalize("NFC", stripped).casefold()


def _fold_token(token: str) -> str:
    return abbreviations().get(token, token)


def _clean_text(name: str) -> str:
    text = html.unescape(html.unescape(name))
    text = _MARKS.sub(" ", _TAG.sub(" ", text))
    text = _SEC_STATE.sub("", _plain(text))
    text = _SHORT_AMPERSAND.sub(r"\1\2", text)
    text = text.replace("&", " and ").replace("+", " and ")
    text = _DOT_TLD.sub(r"\1", text)
    text = _strip_legal_form(text)
    return _APOSTROPHE.sub("", text)


def _join_letters(tokens: list[str]) -> list[str]:
    """``["s", "p", "a"]`` → ``["spa"]``; ``["i", "b", "m"]`` → ``["ibm"]``."""
    out: list[str] = []
    run: list[str] = []
    for token in [*tokens, ""]:
        if len(token) == 1:
            run.append(token)
            continue
        if run:
            out.append("".join(run))
            run = []
        if token:
            out.append(token)
    return out


def _strip_legal_tail(tokens: list[str]) -> list[str]:
    changed = True
    while changed and len(tokens) > 1:
        changed = False
        for tail in legal_tails().get(tokens[-1], ()):
            if len(tokens) > len(tail) and tuple(tokens[-len(tail) :]) == tail:
                tokens = tokens[: -len(tail)]
                changed = True
                break
    return tokens


def company_name_tokens(name: str) -> tuple[str, ...]:
    """The normalised words of a company name, in order."""
    tokens = _join_letters(_NON_WORD.sub(" ", _clean_text(name)).split())
    kept = [t for t in tokens if t not in _STOPWORDS] or tokens
    kept = _strip_legal_tail(kept)
    folded = [_fold_token(t) for t in kept]
    return tuple(_strip_legal_tail(folded))


def normalize_company_name(name: str) -> str:
    """One canonical spelling of a company name, for display, keys and comparison.

    >>> normalize_company_name("The Procter &amp; Gamble Co.")
    'procter gamble'
    """
    return " ".join(company_name_tokens(name))


def initials(tokens: tuple[str, ...]) -> str:
    """First letters of the words: ``international business machines`` → ``ibm``."""
    return "".join(t[0] for t in tokens if t)


def token_weight_factor(token: str) -> float:
    """How much a word says about identity, before rarity (IDF) is taken into account."""
    if token in generic_words() or token in place_words():
        return LOW_IDENTITY
    if token.isdigit():
        return 0.6
    return 1.0


@cache
def legal_form_words() -> frozenset[str]:
    """Every word of the shipped legal forms ("gmbh", "pvt", "sp", "zoo")."""
    return frozenset(w for line in _lines("legal_forms.txt") for w in line.split())


_MULTIWORD_PLACES_FROM = ("US", "CA", "GB", "AU", "IN")  # "new york", "west bengal"


@cache
def qualifier_words() -> frozenset[str]:
    """Words that qualify a name without naming another company (places, org units,
    legal forms, generic words, relations): "Google India Research" is Google plus these."""
    import pycountry

    words = set(generic_words()) | set(place_words()) | set(_lines("qualifier_words.txt"))
    words |= legal_form_words()
    for sub in pycountry.subdivisions:
        name = _plain(sub.name)
        if " " not in name and "-" not in name:
            words.add(name)
        elif sub.country_code in _MULTIWORD_PLACES_FROM:
            words.update(_NON_WORD.sub(" ", name).split())
    return frozenset(_fold_token(w) for w in words)


@cache
def relation_words() -> frozenset[str]:
    """Words that start the part of a name about another company ("formerly", "part")."""
    return frozenset(_lines("relation_words.txt"))


_TRAILING_CONNECTORS = frozenset({"by", "from", "is", "was", "in", "of", "to", "a", "an", "s"})


def relation_head(tokens: tuple[str, ...]) -> tuple[str, ...] | None:
    """The company's own name when the rest is about another one:
    ``optiv formerly fishnet security`` → ``optiv``; None when there is no such part."""
    marks = relation_words()
    for at in range(1, len(tokens) - 1):
        if tokens[at] in marks:
            head = list(tokens[:at])
            while head and head[-1] in _TRAILING_CONNECTORS:
                head.pop()
            return tuple(head) or None
    return None
