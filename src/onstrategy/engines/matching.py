"""Lead-to-account and list-to-account matching, the way a careful RevOps person does it.

1. **Domain first.** The registrable domain of the query's domain, website or email
   (``jane@eu.acme.co.uk`` → ``acme.co.uk``) found on exactly one account is strong
   evidence. Free-mail and ISP domains (gmail.com, comcast.net, …) never identify a
   company. Several accounts on one domain are told apart by name and location, or go
   to review.
2. **Then the name**, normalised (:mod:`onstrategy.engines.names`) and compared word by
   word, each word weighted by how rare it is among the accounts (IDF) and by whether it
   carries identity at all ("group", "india" weigh little). A reference word missing from
   the query costs more than an extra word in the query, so "Google India" finds "Google"
   while "Delta Dental" does not find "Delta Air Lines". Misspelt words are mapped with
   rapidfuzz; acronyms ("IBM") meet the initials of the reference ("international
   business machines") at a lower score than an exact name. On top of that, the rules
   of :mod:`onstrategy.engines.name_rules`: the whole name plus only qualifiers ("Google
   Cloud India") is that account, a name without its generic words ("Goldman Sachs") is
   the one account it fits, the exact name beats longer and shorter ones, and "X formerly
   Y" / "X, part of Y" is X (an account found only in Y goes to review at most).
3. **Location** (country, state, city) breaks ties between close candidates.

Each result has a score 0–100, its reasons and the runner-up candidates. A score at or
above ``match_threshold`` with no candidate within ``margin`` is ``matched``; a close
second ("ambiguous: runner-up …") or a single candidate between ``review_threshold`` and
``match_threshold`` ("weak: one candidate …") is ``ambiguous`` (for the review queue, never
guessed: ``to_id`` is None); anything lower is ``none``.

Blocking keeps it fast: each reference is indexed under its heaviest words only (as
many as hold more than ``1 - review_threshold/100`` of its weight, usually one), so a
query meets only references whose distinctive word it contains; a query without any of
them could not reach the review threshold anyway. Word overlap is then scored with numpy
over the full word postings. A compact-name key ("srilankan"), an initials key ("ibm")
and a domain key find the rest.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz, process

from onstrategy.crm.geo import normalize_country, normalize_state
from onstrategy.engines.domains import domain_label, is_free_mail_domain, registrable_domain
from onstrategy.engines.match_types import (
    Candidate,
    MatchRecord,
    MatchResult,
    MatchThresholds,
)
from onstrategy.engines.name_rules import COMPACT_SCORE, NameRules, Scored
from onstrategy.engines.names import (
    company_name_tokens,
    initials,
    normalize_company_name,
    relation_head,
    token_weight_factor,
)

__all__ = [
    "AccountIndex",
    "Candidate",
    "MatchRecord",
    "MatchResult",
    "MatchThresholds",
    "is_free_mail_domain",
    "normalize_company_name",
    "registrable_domain",
]


# Score shape (module constants, documented in the module docstring).
_REF_EXPONENT = 1.0  # a reference word the query lacks costs this much
_QUERY_EXPONENT = 0.15  # an extra query word costs less (leads add "India", "via X")
_COMMON_WORD_POWER = 1.0  # how fast extra query words cost more as the shared words get common
_FLOOR = 30.0  # a name scoring lower is not worth a reviewer's look
_MAX_SAME_NAME = 10  # accounts considered per name when many share it (all tie: review)
_DOMAIN_BASE = 92.0  # same registrable domain: 92 + up to 8 for agreeing names
_DOMAIN_CONFLICT = 15.0  # both sides have a domain and they differ
_ACRONYM_SCORE = 90.0  # "ibmx" = initials of a 4+ word reference name
_SHORT_ACRONYM_SCORE = (
    85.0  # 2–3 letters collide often: "ibm" goes to review unless unique by domain
)
_REVERSE_ACRONYM_SCORE = 80.0  # the query spelled out, the reference an acronym: review
_COMPACT_SCORE = COMPACT_SCORE  # same letters, different spacing: "srilankan"
_FUZZY_TOKEN_CUTOFF = 85.0  # word similarity for a misspelling ("erisson" ~ "ericsson")
_UNKNOWN_WORD = 0.5  # a query word no reference has (often noise): half the rarest weight
_SAME_FIRST_WORD = 6.0  # tie-break: "Kapsch Carrier Solutions" is Kapsch more than Carrier
_NAME_FROM_DOMAIN_FACTOR = 0.9  # no name given: the domain label stands in, scored lower


def _loc(value: str | None) -> str:
    return " ".join(value.casefold().split()) if value else ""


def _place(record: MatchRecord) -> tuple[str, str, str]:
    """Country code, state code and city, spelled one way ("USA"/"United States" → "US")."""
    country = normalize_country(record.country) if record.country else None
    state = normalize_state(record.state, country) if record.state else None
    return (country or _loc(record.country), _loc(state), _loc(record.city))


class AccountIndex(NameRules):
    """An index built once over the reference side (accounts), reused for many queries."""

    def __init__(self, references: list[MatchRecord], thresholds: MatchThresholds) -> None:
        self.references = references
        self.thresholds = thresholds
        # Accounts with the same normalised name share one entry ("name"): the name side
        # is scored once per distinct name, then spread to its accounts.
        self._names: list[str] = []
        self._name_ids: dict[str, int] = {}
        self._name_tokens: list[tuple[int, ...]] = []
        self._name_refs: list[list[int]] = []
        self._ref_name: list[int] = []
        self._vocab: dict[str, int] = {}
        self._by_compact: dict[str, list[int]] = defaultdict(list)
        self._by_initials: dict[str, list[int]] = defaultdict(list)
        self._by_domain: dict[str, list[int]] = defaultdict(list)
        self._domains: list[str | None] = []
        self._weights: NDArray[np.float64] = np.zeros(0)
        self._name_weight: NDArray[np.float64] = np.zeros(0)
        self._post_names: NDArray[np.int32] = np.zeros(0, dtype=np.int32)
        self._post_start: NDArray[np.int64] = np.zeros(1, dtype=np.int64)
        self._by_affix: dict[str, list[int]] = defaultdict(list)
        self._anchor_names: NDArray[np.int32] = np.zeros(0, dtype=np.int32)
        self._anchor_start: NDArray[np.int64] = np.zeros(1, dtype=np.int64)
        self._vocab_list: list[str] = []
        self._places: dict[int, tuple[str, str, str]] = {}  # filled as references are met

    # ----------------------------------------------------------------------------- build
    @classmethod
    def build(
        cls,
        references: Iterable[MatchRecord],
        *,
        match_threshold: float = 90.0,
        review_threshold: float = 70.0,
        margin: float = 5.0,
        candidates: int = 5,
    ) -> AccountIndex:
        """Index the references (accounts); see :class:`MatchThresholds` for the knobs."""
        thresholds = MatchThresholds(match_threshold, review_threshold, margin, candidates)
        index = cls(list(references), thresholds)
        index._index_names()
        index._index_domains()
        index._index_weights()
        return index

    def _token_id(self, token: str) -> int:
        found = self._vocab.get(token)
        if found is None:
            found = self._vocab[token] = len(self._vocab_list)
            self._vocab_list.append(token)
        return found

    def _index_names(self) -> None:
        for ref_no, ref in enumerate(self.references):
            tokens = company_name_tokens(ref.name) if ref.name else ()
            name_no = self._name_no(tokens) if tokens else -1
            self._ref_name.append(name_no)
            if name_no >= 0:
                self._name_refs[name_no].append(ref_no)

    def _name_no(self, tokens: tuple[str, ...]) -> int:
        norm = " ".join(tokens)
        found = self._name_ids.get(norm)
        if found is not None:
            return found
        name_no = self._name_ids[norm] = len(self._names)
        self._names.append(norm)
        self._name_refs.append([])
        self._name_tokens.append(tuple(self._token_id(t) for t in dict.fromkeys(tokens)))
        self._by_compact["".join(tokens)].append(name_no)
        if 2 <= len(tokens) <= 6:
            self._by_initials[initials(tokens)].append(name_no)
        return name_no

    def _index_domains(self) -> None:
        for ref_no, ref in enumerate(self.references):
            domain = ref.registrable_domain()
            if domain and is_free_mail_domain(domain):
                domain = None
            self._domains.append(domain)
            if domain:
                self._by_domain[domain].append(ref_no)

    def _index_weights(self) -> None:
        vocab, names = len(self._vocab_list), len(self._names)
        lengths = np.fromiter((len(t) for t in self._name_tokens), dtype=np.int64, count=names)
        flat = np.fromiter((i for t in self._name_tokens for i in t), dtype=np.int64)
        owners = np.repeat(np.arange(names, dtype=np.int32), lengths)
        sizes = np.fromiter((len(r) for r in self._name_refs), dtype=np.float64, count=names)
        df = np.bincount(flat, weights=sizes[owners], minlength=vocab)  # accounts per word
        factors = np.fromiter((token_weight_factor(t) for t in self._vocab_list), dtype=np.float64)
        self._weights = np.log1p(len(self.references) / np.maximum(df, 1.0)) * factors
        totals = np.bincount(owners, weights=self._weights[flat], minlength=names)
        self._name_weight = totals.astype(np.float64)
        order = np.argsort(flat, kind="stable")
        self._post_names = owners[order]
        postings = np.bincount(flat, minlength=vocab).astype(np.int64)
        self._post_start = np.concatenate(([0], np.cumsum(postings)))
        self._index_anchors(flat, owners)
        for token_no, token in enumerate(self._vocab_list):
            if len(token) >= 5:
                self._by_affix["<" + token[:4]].append(token_no)
                self._by_affix[">" + token[-4:]].append(token_no)

    def _index_anchors(self, flat: NDArray[np.int64], owners: NDArray[np.int32]) -> None:
        """Index each reference under its heaviest words only, as many as it takes to hold
        more than ``1 - review_threshold/100`` of its weight: a query without any of them
        cannot reach the review threshold, so it never needs to see that reference."""
        weight = self._weights[flat]
        share = weight / np.maximum(self._name_weight[owners], 1e-9)
        order = np.lexsort((flat, -weight, owners))
        cumulative = np.cumsum(share[order])
        group_start = np.searchsorted(owners[order], owners[order], side="left")
        before = cumulative - share[order] - (cumulative[group_start] - share[order][group_start])
        keep = order[before <= 1.0 - self.thresholds.review_threshold / 100.0 + 1e-9]
        tokens, names = flat[keep], owners[keep]
        by_token = np.lexsort((names, tokens))
        self._anchor_names = names[by_token]
        counts = np.bincount(tokens, minlength=len(self._vocab_list))
        self._anchor_start = np.concatenate(([0], np.cumsum(counts)))

    @property
    def max_weight(self) -> float:
        """Weight of a word never seen among the references (rarest possible)."""
        return math.log1p(max(len(self.references), 1))

    # ----------------------------------------------------------------------------- query
    def match_many(self, queries: Iterable[MatchRecord]) -> Iterator[MatchResult]:
        """Match each query in order (lazy: results stream as queries are read)."""
        for query in queries:
            yield self.match(query)

    def match(self, query: MatchRecord) -> MatchResult:
        """Decide which reference (if any) the query is, with a score and reasons."""
        notes: list[str] = []
        domain = query.registrable_domain()
        if domain and is_free_mail_domain(domain):
            notes.append(f"{domain} is a free-mail or ISP domain: it does not identify a company")
            domain = None
        tokens = company_name_tokens(query.name) if query.name else ()
        factor = 1.0
        if not tokens and domain and domain not in self._by_domain:
            label = domain_label(domain)
            tokens = company_name_tokens(label)
            factor = _NAME_FROM_DOMAIN_FACTOR
            notes.append(f"no name given: compared {label!r} from the domain {domain} as a name")
        by_name = self._score_names(tokens, factor)
        head = relation_head(tokens)
        if head:
            by_name = self._with_head(head, tokens, by_name, factor)
        self._prefer_exact(tokens, by_name)
        scored = self._spread(by_name, query)
        self._apply_domain(domain, scored, by_name)
        self._apply_location(query, scored)
        return self._decide(query, scored, notes)

    def _score_names(self, tokens: tuple[str, ...], factor: float) -> dict[int, Scored]:
        if not tokens:
            return {}
        mapped = {t: self._lookup(t) for t in dict.fromkeys(tokens)}
        scored = self._score_tokens(mapped)
        self._qualify(tokens, mapped, scored)
        self._score_acronyms(tokens, scored)
        compact = "".join(tokens)
        norm = " ".join(tokens)
        for name_no in self._by_compact.get(compact, ()):
            exact = self._names[name_no] == norm
            value = 100.0 if exact else _COMPACT_SCORE
            why = "same name" if exact else "same name apart from spacing"
            scored[name_no] = Scored(value, [f"{why}: {self._names[name_no]!r}"])
        first = self._vocab.get(tokens[0])
        for name_no, entry in scored.items():
            entry.score *= factor
            if first is not None and self._name_tokens[name_no][:1] == (first,):
                entry.tiebreak += _SAME_FIRST_WORD
        return scored

    def _spread(self, by_name: dict[int, Scored], query: MatchRecord) -> dict[int, Scored]:
        """The best names' scores to the accounts with that name (``_MAX_SAME_NAME`` each;
        when more share it, those in the query's place come first, so the cut never drops
        the right one in favour of a namesake elsewhere).

        Only the best ``2 * candidates`` names are spread: the rest cannot be the answer,
        the runner-up or a candidate for review."""
        best = sorted(by_name.items(), key=lambda item: (-item[1].ranked, item[0]))
        scored: dict[int, Scored] = {}
        for name_no, entry in best[: 2 * self.thresholds.candidates]:
            refs = self._name_refs[name_no]
            extra = [f"{len(refs)} accounts have this name"] if len(refs) > 1 else []
            if len(refs) > _MAX_SAME_NAME:
                refs = self._nearest_first(refs, _place(query))
            for ref_no in refs[:_MAX_SAME_NAME]:
                reasons = [*entry.reasons, *extra]
                scored[ref_no] = Scored(entry.score, reasons, entry.tiebreak, entry.location)
        return scored

    def _nearest_first(self, refs: list[int], wanted: tuple[str, str, str]) -> list[int]:
        def agreement(ref_no: int) -> int:
            have = self._places.get(ref_no) or self._places.setdefault(
                ref_no, _place(self.references[ref_no])
            )
            return sum(w for w, a, b in zip((1, 2, 4), wanted, have, strict=True) if a and a == b)

        return sorted(refs, key=lambda ref_no: -agreement(ref_no))  # stable: index order next

    def _lookup(self, token: str) -> tuple[int, float] | None:
        """The indexed word for a query word (itself, or a close spelling) and its credit."""
        found = self._vocab.get(token)
        if found is not None:
            return found, 1.0
        if len(token) < 5:
            return None
        near = {*self._by_affix.get("<" + token[:4], ()), *self._by_affix.get(">" + token[-4:], ())}
        if not near:
            return None
        choices = {no: self._vocab_list[no] for no in sorted(near)}
        best = process.extractOne(
            token, choices, scorer=fuzz.ratio, score_cutoff=_FUZZY_TOKEN_CUTOFF
        )
        return (int(best[2]), best[1] / 100.0) if best else None

    def _score_tokens(self, mapped: dict[str, tuple[int, float] | None]) -> dict[int, Scored]:
        unique = tuple(mapped)
        found = list(mapped.values())
        query_weights = [
            self._weights[f[0]] if f else self.max_weight * _UNKNOWN_WORD * token_weight_factor(t)
            for t, f in zip(unique, found, strict=True)
        ]
        query_total = float(sum(query_weights)) or 1.0
        words = [(f[0], f[1], w) for f, w in zip(found, query_weights, strict=True) if f]
        label = ", ".join(unique)
        return {
            name_no: Scored(
                100.0 * score,
                [
                    f"name {self._names[name_no]!r} ~ {label!r}: {cover_ref:.0%} of its words "
                    f"found, {cover_query:.0%} of the query's words explained"
                ],
            )
            for name_no, score, cover_ref, cover_query in self._shortlist(words, query_total)
            if 100.0 * score >= _FLOOR
        }

    def _postings(self, token_no: int) -> NDArray[np.int32]:
        return self._post_names[self._post_start[token_no] : self._post_start[token_no + 1]]

    def _shortlist(
        self, words: list[tuple[int, float, float]], query_total: float
    ) -> list[tuple[int, float, float, float]]:
        """References anchored on a query word, scored by weighted word overlap (vectorised):
        (reference, score 0-1, share of its weight found, share of the query's explained).

        Extra query words cost little when the shared words are distinctive ("Kyivstar
        GSM" is Kyivstar) and more when they are common ("Serena Software" is not the
        account called "Software")."""
        anchored = [
            self._anchor_names[self._anchor_start[t] : self._anchor_start[t + 1]]
            for t, _, _ in words
        ]
        if not anchored or not sum(len(a) for a in anchored):
            return []
        refs = np.unique(np.concatenate(anchored))
        ref_matched = np.zeros(len(refs))
        query_matched = np.zeros(len(refs))
        for token_no, credit, query_weight in words:
            postings = self._postings(token_no)
            at = np.minimum(np.searchsorted(postings, refs), len(postings) - 1)
            has = postings[at] == refs
            ref_matched += has * (float(self._weights[token_no]) * credit)
            query_matched += has * (query_weight * credit)
        cover_ref = np.minimum(ref_matched / np.maximum(self._name_weight[refs], 1e-9), 1.0)
        cover_query = np.minimum(query_matched / query_total, 1.0)
        commonness = self.max_weight / np.maximum(ref_matched, 1e-9)
        exponent = np.minimum(_QUERY_EXPONENT * commonness**_COMMON_WORD_POWER, 1.0)
        scores = cover_ref**_REF_EXPONENT * cover_query**exponent
        size = max(self.thresholds.candidates * 4, 20)
        best = np.argpartition(-scores, size)[:size] if len(refs) > size else np.arange(len(refs))
        top = sorted(best.tolist(), key=lambda k: (-scores[k], refs[k]))
        return [
            (int(refs[k]), float(scores[k]), float(cover_ref[k]), float(cover_query[k]))
            for k in top
        ]

    def _score_acronyms(self, tokens: tuple[str, ...], scored: dict[int, Scored]) -> None:
        if len(tokens) == 1 and 2 <= len(tokens[0]) <= 6:
            acronym = tokens[0]
            value = _ACRONYM_SCORE if len(acronym) >= 4 else _SHORT_ACRONYM_SCORE
            for name_no in self._by_initials.get(acronym, ()):
                if scored.get(name_no, Scored(0.0)).score < value:
                    why = f"{acronym.upper()} is the initials of {self._names[name_no]!r}"
                    scored[name_no] = Scored(value, [why])
        if 3 <= len(tokens) <= 6:
            spelled = initials(tokens)
            for name_no in self._by_compact.get(spelled, ()):
                if (
                    len(self._name_tokens[name_no]) == 1
                    and scored.get(name_no, Scored(0)).score < _REVERSE_ACRONYM_SCORE
                ):
                    why = f"{spelled.upper()} is the initials of {' '.join(tokens)!r}"
                    scored[name_no] = Scored(_REVERSE_ACRONYM_SCORE, [why])

    def _apply_domain(
        self, domain: str | None, scored: dict[int, Scored], by_name: dict[int, Scored]
    ) -> None:
        if not domain:
            return
        owners = self._by_domain.get(domain, [])
        for ref_no in owners:
            entry = by_name.get(self._ref_name[ref_no])
            name_part = entry.score if entry else 0.0
            reasons = [f"same domain {domain}"]
            if entry:
                reasons.append(entry.reasons[0])
            value = _DOMAIN_BASE + (100 - _DOMAIN_BASE) * name_part / 100
            # Several accounts on one domain: the name tells them apart (ranking only).
            tiebreak = name_part / 5 if len(owners) > 1 else 0.0
            scored[ref_no] = Scored(value, reasons, tiebreak)
        for ref_no, entry in scored.items():
            theirs = self._domains[ref_no]
            if theirs and theirs != domain:
                entry.score -= _DOMAIN_CONFLICT
                entry.reasons.append(f"different domains: {domain} vs {theirs}")
            elif owners and theirs is None:
                entry.score = min(entry.score, _DOMAIN_BASE - _DOMAIN_CONFLICT)
                entry.reasons.append(f"the domain {domain} belongs to another account")

    def _apply_location(self, query: MatchRecord, scored: dict[int, Scored]) -> None:
        wanted = _place(query)
        if not any(wanted):
            return
        for ref_no, entry in scored.items():
            ref = self.references[ref_no]
            have = self._places.get(ref_no) or self._places.setdefault(ref_no, _place(ref))
            for label, bonus, penalty, mine, theirs in zip(
                ("country", "state", "city"),
                (1.0, 2.0, 4.0),
                (5.0, 3.0, 2.0),
                wanted,
                have,
                strict=True,
            ):
                if mine and theirs:
                    same = mine == theirs
                    entry.location += bonus if same else -penalty
                    verb = "same" if same else "different"
                    entry.reasons.append(f"{verb} {label}: {_ref_value(ref, label)}")

    def _decide(
        self, query: MatchRecord, scored: dict[int, Scored], notes: list[str]
    ) -> MatchResult:
        t = self.thresholds
        top = sorted(scored.items(), key=lambda item: (-item[1].ranked, item[0]))[: t.candidates]
        candidates = tuple(
            Candidate(
                self.references[n].id, _clip(s.decided), self.references[n].name, tuple(s.reasons)
            )
            for n, s in top
        )
        if not top:
            why = "no candidate shares a name word, acronym or domain"
            return MatchResult(query.id, None, 0.0, "none", (*notes, why), candidates)
        best_no, best = top[0]
        score = _clip(best.decided)
        if best.decided < t.review_threshold:
            why = "no reference scores high enough"
            return MatchResult(query.id, None, score, "none", (*notes, why), candidates)
        reasons = (*notes, *best.reasons)
        gap = best.ranked - top[1][1].ranked if len(top) > 1 else math.inf
        if best.decided >= t.match_threshold and gap >= t.margin:
            to_id = self.references[best_no].id
            return MatchResult(query.id, to_id, score, "matched", reasons, candidates)
        if gap < t.margin:
            why = (
                f"ambiguous: runner-up {self.references[top[1][0]].id!r} is within "
                f"{t.margin:g} points"
            )
        else:
            why = f"weak: one candidate, scoring below the match threshold {t.match_threshold:g}"
        return MatchResult(query.id, None, score, "ambiguous", (*reasons, why), candidates)


def _ref_value(ref: MatchRecord, label: str) -> str:
    return str(getattr(ref, label))


def _clip(score: float) -> float:
    return round(min(100.0, max(0.0, score)), 1)
