"""Name rules a careful RevOps person applies on top of word overlap (used by
:class:`onstrategy.engines.matching.AccountIndex`).

- **Whole name plus qualifiers**: "Google Cloud India" is Google — every word of the
  account's name is there, it starts the query, and the other words only qualify it
  (places, org units, legal forms, generic words; ``names.qualifier_words``). A longer
  account that also fits in full wins ("American Airlines Cargo" is not American Express,
  and it is the American Airlines Cargo account when there is one).
- **Name without its generic words**: "Goldman Sachs" is "Goldman Sachs Group", unless
  several accounts are that name plus qualifiers ("Siemens China", "Siemens Enterprise").
- **Exact name first**: an account with exactly the query's name beats one with more or
  fewer words.
- **History and owners**: in "Optiv, formerly FishNet Security" or "Veritas, part of
  Symantec" the name before the relation word is the company; an account found only in
  the rest goes to review at most.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from onstrategy.engines.names import generic_words, legal_form_words, qualifier_words

if TYPE_CHECKING:
    from onstrategy.engines.matching import MatchThresholds

COMPACT_SCORE = 98.0  # same letters, different spacing: "srilankan" / "sri lankan"
_QUALIFIED_SCORE = 94.0  # the whole name plus qualifiers: 94 + up to 6 for its share
_SHORTER_NAME_CAP = 85.0  # "sears" when "sears israel" is an account and fits in full


@dataclass
class Scored:
    score: float
    reasons: list[str] = field(default_factory=list)
    tiebreak: float = 0.0  # word order, name on a shared domain: ranks, never lifts a score
    location: float = 0.0  # same place ranks higher; a different place also lowers the score

    @property
    def ranked(self) -> float:
        return self.score + self.tiebreak + self.location

    @property
    def decided(self) -> float:
        return self.score + min(self.location, 0.0)


class NameRules:
    """Mixin: the rules above, over the index's name tables."""

    thresholds: MatchThresholds
    _names: list[str]
    _name_ids: dict[str, int]
    _name_tokens: list[tuple[int, ...]]
    _vocab_list: list[str]

    def _score_names(self, tokens: tuple[str, ...], factor: float) -> dict[int, Scored]:
        raise NotImplementedError

    def _with_head(
        self,
        head: tuple[str, ...],
        tokens: tuple[str, ...],
        by_name: dict[int, Scored],
        factor: float,
    ) -> dict[int, Scored]:
        """ "Optiv formerly FishNet Security": Optiv is the company. A reference found only in
        the words after "formerly"/"acquired"/"part of" goes to review at most."""
        by_head = self._score_names(head, factor)
        rest = " ".join(tokens[len(head) :])
        cap = self.thresholds.match_threshold - self.thresholds.margin
        for entry in by_head.values():
            entry.reasons.append(f"{' '.join(head)!r} read as the company, {rest!r} as its history")
        for name_no, entry in by_name.items():
            if entry.score >= COMPACT_SCORE:  # the whole query is this name: keep it whole
                by_head[name_no] = entry
                continue
            if name_no in by_head:
                continue
            if entry.score > cap:
                entry.score = cap
                entry.reasons.append(f"found in {rest!r}, which names another company")
            by_head[name_no] = entry
        return by_head

    def _prefer_exact(self, tokens: tuple[str, ...], by_name: dict[int, Scored]) -> None:
        """An account with exactly the query's name beats one with more or fewer words
        ("Fujitsu" is the Fujitsu account, not Fujitsu UK; "Sears Israel" not Sears)."""
        exact = self._name_ids.get(" ".join(tokens))
        if exact is None or exact not in by_name:
            return
        cap = self.thresholds.match_threshold - self.thresholds.margin
        for name_no, entry in by_name.items():
            if name_no != exact and entry.score > cap:
                entry.score = cap
                entry.reasons.append(f"the account named {self._names[exact]!r} is exact")

    def _qualify(
        self,
        tokens: tuple[str, ...],
        mapped: dict[str, tuple[int, float] | None],
        scored: dict[int, Scored],
    ) -> None:
        """A reference's whole name, spelt exactly, plus only qualifiers ("google cloud
        india", "wipro pvt") is that reference, starting with its name; a longer reference
        that also fits in full ("american airlines cargo") beats the shorter one."""
        self._qualified_reference(mapped, scored)
        first = mapped[tokens[0]]
        if first is None or not any(t in qualifier_words() for t in mapped):
            return  # no word that could qualify a name
        ids = {found[0] for found in mapped.values() if found and found[1] == 1.0}
        full = [n for n in scored if ids.issuperset(self._name_tokens[n])]
        for name_no in full:
            own = set(self._name_tokens[name_no])
            extra = [t for t, f in mapped.items() if not f or f[0] not in own or f[1] < 1.0]
            if first[0] not in own or not self._qualified(own, extra):
                continue
            entry = scored[name_no]
            longer = [o for o in full if o != name_no and own < set(self._name_tokens[o])]
            if longer:
                entry.score = min(entry.score, _SHORTER_NAME_CAP)
                entry.reasons.append(f"the longer name {self._names[longer[0]]!r} fits too")
                continue
            value = _QUALIFIED_SCORE + (100 - _QUALIFIED_SCORE) * len(own) / len(mapped)
            if value > entry.score:
                entry.score = value
                entry.reasons.append(f"the rest ({', '.join(extra)}) only qualifies the name")

    def _qualified(self, own: set[int], extra: list[str]) -> bool:
        """The other words only qualify the name, and the name says more than they do."""
        qualifiers = qualifier_words()
        if not extra or any(t not in qualifiers for t in extra):
            return False
        return not all(self._vocab_list[i] in qualifiers for i in own)  # "global services"

    def _qualified_reference(
        self, mapped: dict[str, tuple[int, float] | None], scored: dict[int, Scored]
    ) -> None:
        """The other way round: the query is a reference's name without its generic words
        ("Goldman Sachs" is "Goldman Sachs Group", "Cisco" is "Cisco Systems")."""
        if any(f is None or f[1] < 1.0 for f in mapped.values()):
            return
        ids = [f[0] for f in mapped.values() if f]
        if all(self._vocab_list[i] in qualifier_words() for i in ids):
            return
        qualifiers, query = qualifier_words(), set(ids)
        family = [  # accounts that are the query's name plus qualifiers only
            n
            for n in scored
            if query < set(self._name_tokens[n])
            and all(
                self._vocab_list[i] in qualifiers for i in self._name_tokens[n] if i not in query
            )
        ]
        if len(family) != 1:
            return  # "Siemens" when Siemens China and Siemens Enterprise are accounts: review
        for name_no in family:
            own, entry = self._name_tokens[name_no], scored[name_no]
            missing = [self._vocab_list[i] for i in own if i not in query]
            if own[0] == ids[0] and all(word in _droppable_words() for word in missing):
                value = _QUALIFIED_SCORE + (100 - _QUALIFIED_SCORE) * len(ids) / len(own)
                if value > entry.score:
                    entry.score = value
                    entry.reasons.append(f"its other words ({', '.join(missing)}) are generic")


@cache
def _droppable_words() -> frozenset[str]:
    """Words a person leaves out when naming a company ("group", "systems", "holdings")."""
    return generic_words() | legal_form_words()
