"""Find the questions in spoken text and tell open from closed, without needing punctuation.

Speech-recognition output often has no punctuation at all, so a question mark is a hint
(it makes a question) but never a requirement. Nothing here is trained or downloaded: these
are rules, fast enough for the default path, tuned on the ``train`` split of the ICSI MRDA
meeting corpus and measured on its ``val``/``test`` splits (see
``benchmarks/bench_questions_accuracy.py``; the corpus itself never ships):

1. Hesitations (``um``, ``uh``) go wherever they are; leading fillers and lead-ins go
   (``so``, ``and``, ``okay``, ``well``, ``yeah``, ``i mean``, ``out of curiosity``,
   ``just to clarify``), and so do stutters (``do you do you``).
2. A question starts with a wh-word followed by an auxiliary (``what are``, ``how do``,
   ``where is``), by a subject and inversion soon after (``what other ideas do you
   have``), or asking about its subject (``who owns``, ``what happens``, ``how many``,
   ``what about``, ``anything else``) - but not a clause: ``what i mean is``, ``when we
   get there``, ``which is fine``, ``what is important is``. Or it starts with an
   auxiliary followed by a subject (``do you``, ``is the budget``, ``could we``,
   ``does anna``), or with a request for a story (``tell me``, ``walk me through``,
   ``describe``, ``i'm curious``).
3. ``or`` before a question adds an alternative (``or is it the budget``); a lone ``why`` or
   ``how`` asks for a story; anything else ending in ``?`` is an echo or declarative
   question (open only if a story wh-word is in it).
4. ``how about we ...`` and ``why don't we ...`` are suggestions and ``i wonder`` is a
   statement; greetings (``how are you``, ``how was your weekend``) are closed; ``do it``,
   ``do the same`` are orders; a pseudo-cleft is a statement (``what happened was that``,
   ``what would be nice is if``, ``what's great about it is``), and so is ``which is the``.
5. Short checks are questions unless a full stop ends them: ``really``, a bare ``what``,
   ``sorry what``, ``with what``, ``... or what``, ``you mean ...``, ``... or is it ...``.
6. A speaker's turn may hold several sentences: each is looked at (split at ``?``, ``!``
   and full stops), and without punctuation so is what follows ``so``, ``but``, ``okay``
   and ``or`` (``that makes sense so how do you decide ...``).
7. :func:`detect_questions` sees the whole conversation: a lone ``or`` that trails the
   speaker's own question or hands the floor over is a question, and a transcript that
   marks most of its questions with ``?`` is trusted on its full stops.

What the rules leave out, measured on MRDA ``train``/``val``: tags at the end of a statement
(``..., right``: 1 in 100 a question; ``isn't it``, ``or not``: under 1 in 10), one-word
checks (``right``: 1 in 4 a question; ``okay``, ``huh``: 1 in 20; ``yeah``: 1 in 100), which
only intonation tells from agreement, and a question deeper in a sentence without a boundary
word (``the point is that ...`` vs ``how do you ...``: 1 in 3). A declarative question
without a question mark (``you have spare headsets``) cannot be told from a statement by its
words, nor by the answer after it (``yes``/``no`` from someone else follows a statement more
often than a question in a meeting); that is where recall is lost. Even a logistic
regression trained on MRDA itself (word n-grams, these rules, the next speaker's words)
reaches at best F1 0.66 on ``val`` - the rules reach 0.63. On MRDA's ``test`` split without
punctuation: precision 0.82, recall 0.47 (0.75 among questions worded as questions), F1
0.60; with punctuation F1 0.94; whole speaker turns F1 0.94 with punctuation, 0.54 without;
open/closed right for 0.97 of the questions found.

**Open** questions invite a story: ``what``, ``how``, ``why``, ``what about``, ``tell me``,
``walk me through``, ``describe``, ``can you explain``. **Closed** questions are yes/no,
either/or, tags, and wh-questions that ask for a fact: ``who``, ``when``, ``where``,
``which``, ``how many/much/long/often``, ``what time/date/day/year``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from typing import Literal

QuestionKind = Literal["open", "closed"]

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)*")
# after ? or !, and after a full stop that ends a word (not the ``p.`` of a spelled acronym)
_SENTENCE_END = re.compile(r"(?<=[?!])\s+|(?<=\w\w\.)\s+")


def _vocab(text: str) -> frozenset[str]:
    return frozenset(text.split())


FILLERS = _vocab(
    "um uh uhm hmm mm so and okay ok well but yeah yes oh like alright now then also actually "
    "anyway just basically right"
)
_HESITATIONS = _vocab("um uh uhm hmm mm er erm")
_LEAD_INS = (
    ("i", "mean"),
    ("you", "know"),
    ("i", "guess"),
    ("all", "right"),
    ("out", "of", "curiosity"),
    ("just", "to", "clarify"),
    ("just", "curious"),
    ("quick", "question"),
    ("one", "more", "question"),
    ("by", "the", "way"),
)
WH_WORDS = _vocab(
    "what what's whats what'd what're how how's how'd how're why why's why'd who who's who'd "
    "whom whose when when's where where's where'd which"
)
_FACT_WH = _vocab("who who's who'd whom whose when when's where where's where'd which")
_FACT_HOW = _vocab("many much long often old far big soon large fast")
_FACT_WHAT = _vocab("time date day year month week percentage percent number version")
AUXILIARIES = _vocab(
    "do does did is are was were can could would will should shall have has had may might "
    "must am don't doesn't didn't isn't aren't wasn't weren't can't couldn't wouldn't won't "
    "shouldn't haven't hasn't hadn't"
)
SUBJECTS = _vocab(
    "you we they it there i he she this that these those your you've you're anybody anyone "
    "everyone everybody somebody someone people the any all our their his her my y'all"
)
_CLAUSE_SUBJECTS = _vocab(
    "i we you they he she it i'm we're you're they're it's i've we've you've i'd we'd "
    "you'd i'll we'll you'll that's there's he's she's"
)
_PRONOUNS = _vocab("you we they it i he she there that this")
_WHAT_NEXT = _vocab("about if else kind kinds sort type other one ones of")
_ALWAYS_AUX = _vocab("does did")
_STORY_VERBS = _vocab("tell walk describe explain talk share elaborate expand")
_STORY_STARTS = (
    ("tell", "me"),
    ("tell", "us"),
    ("walk", "me"),
    ("walk", "us"),
    ("talk", "me"),
    ("describe",),
    ("explain",),
    ("help", "me", "understand"),
    ("i'm", "curious"),
    ("i", "am", "curious"),
    ("i'd", "love", "to", "hear"),
    ("i'd", "like", "to", "hear"),
    ("i'd", "like", "to", "understand"),
)
_SUGGESTIONS = (
    ("how", "about", "we"),
    ("how", "about", "i"),
    ("how", "about", "you"),
    ("why", "don't", "we"),
)
_PHATIC = (
    ("how", "are", "you"),
    ("how", "are", "things"),
    ("how's", "it", "going"),
    ("how", "is", "it", "going"),
    ("how", "have", "you", "been"),
    ("how", "was", "your"),
    ("how's", "your"),
    ("how", "is", "your"),
    ("how", "you", "doing"),
)
_PHATIC_TAIL = _vocab(
    "doing going today all guys folks there this morning afternoon week weekend holiday "
    "trip been lately keeping holding up everyone"
)


def _is_phatic(tokens: tuple[str, ...] | list[str]) -> bool:
    """``how are you (doing today)`` is a greeting; ``how are you measuring ...`` is not."""
    for phrase in _PHATIC:
        if tuple(tokens[: len(phrase)]) == phrase:
            rest = tokens[len(phrase) :]
            return len(rest) <= 3 and all(w in _PHATIC_TAIL for w in rest[:1])
    return False


_LEAD_IN_SIZES = sorted({len(lead) for lead in _LEAD_INS}, reverse=True)
_ELLIPTICAL = (
    ("any", "questions"),
    ("any", "thoughts"),
    ("any", "concerns"),
    ("any", "other"),
    ("anything", "else"),
    ("anybody", "else"),
    ("anyone", "else"),
)
_WONDER = (("i", "wonder"),)
_INVERTED_SUBJECTS = _vocab("it that this there he she they you we i")
_DO_OBJECTS = _vocab("it the this that")
_BOUNDARIES = _vocab("so but okay or")
_SUBORDINATORS = _vocab("after before when once if until while because since")
_ONE_WORD: dict[str, QuestionKind] = {"why": "open", "how": "open"}
_ONE_WORD_CHECKS: dict[str, QuestionKind] = {"really": "closed", "what": "closed"}
_BEFORE_BARE_WHAT = _vocab("sorry or and so then to with for by from about meaning")


def words(text: str) -> list[str]:
    """Lower-cased words, punctuation dropped, apostrophes kept (``don't``)."""
    return _WORD.findall(text.lower().replace("’", "'"))


def classify_question(text: str, *, marked: bool = False) -> QuestionKind | None:
    """``"open"``, ``"closed"`` or ``None`` (not a question) for one utterance - a speaker's
    turn may hold several sentences; the first question among them gives the kind.
    ``marked``: the transcript marks its questions with ``?``, so a sentence ending in a
    full stop is a statement - or a request for a story (``walk me through the hand-off.``)."""
    for sentence in _sentences(text):
        kind = _sentence_kind(sentence, marked=marked)
        if kind is not None:
            return kind
    return None


def _sentences(text: str) -> list[str]:
    if "? " in text or ". " in text or "! " in text:
        return _SENTENCE_END.split(text)
    return [text]  # most utterances, quickly


def _sentence_kind(sentence: str, *, marked: bool) -> QuestionKind | None:
    tokens = _strip_start(words(sentence))
    if not tokens:
        return None
    ending = sentence.rstrip()[-1:]
    if marked and ending == ".":
        return "open" if _starts_with(tokens, _STORY_STARTS) else None
    kind = _by_start(tokens) or _after_boundary(tokens)
    if kind is None and ending == "?":
        kind = _kind_of_marked(tokens)
    if kind is None and ending not in (".", "!"):  # a full stop says the voice fell
        kind = _weak_form(tokens)
    return kind


def _after_boundary(tokens: list[str]) -> QuestionKind | None:
    """A question later in an unpunctuated turn, after ``so``, ``but``, ``okay`` or ``or``:
    ``that makes sense so how do you decide which accounts to call``."""
    if _BOUNDARIES.isdisjoint(tokens):
        return None
    for i in range(1, len(tokens) - 2):
        if tokens[i - 1] in _BOUNDARIES:
            kind = _by_start(_strip_start(tokens[i:]))
            if kind is not None:
                return kind
    return None


def detect_questions(texts: Sequence[str], speakers: Sequence[str]) -> list[QuestionKind | None]:
    """:func:`classify_question` for each utterance of a conversation, in order, plus what
    only the whole conversation tells:

    * a transcript that marks its questions (most utterances worded as questions carry a
      ``?``) is trusted to mark them all, so a sentence ending in a full stop is a statement
      however it is worded - unless it asks for a story (``walk me through it.``);
    * a lone ``or`` that trails the same speaker's question, or that ends the speaker's
      turn (``... do you want to go first`` / ``or``), offers an alternative: closed."""
    if len(texts) != len(speakers):
        raise ValueError("texts and speakers must have the same length")
    kinds = [classify_question(text) for text in texts]
    if _marks_its_questions(texts, kinds):
        kinds = [
            classify_question(text, marked=True) if kind and "." in text else kind
            for text, kind in zip(texts, kinds, strict=True)
        ]
    for i, text in enumerate(texts):
        if kinds[i] is None and _trailing_or(text) and _ends_question(kinds, speakers, i):
            kinds[i] = "closed"
    return kinds


def _marks_its_questions(texts: Sequence[str], kinds: list[QuestionKind | None]) -> bool:
    """At least half the utterances found to be questions carry a question mark."""
    found = [text for text, kind in zip(texts, kinds, strict=True) if kind]
    return bool(found) and 2 * sum("?" in text for text in found) >= len(found)


def _trailing_or(text: str) -> bool:
    return text.rstrip()[-1:] not in (".", "!") and _strip_start(words(text)) == ["or"]


def _ends_question(kinds: list[QuestionKind | None], speakers: Sequence[str], i: int) -> bool:
    """The same speaker just asked, or hands the floor over right after this ``or``."""
    after_own_question = i > 0 and speakers[i - 1] == speakers[i] and kinds[i - 1] is not None
    return after_own_question or i + 1 == len(speakers) or speakers[i + 1] != speakers[i]


def _weak_form(tokens: list[str]) -> QuestionKind | None:
    """Short checks and fragments that are questions unless a full stop says otherwise:
    ``really``, ``what`` (say it again), ``with what``, ``sorry what``, ``... or what``,
    ``you mean ...``, and an alternative offered mid-sentence (``... or do you ...``)."""
    if len(tokens) == 1:
        return _ONE_WORD_CHECKS.get(tokens[0])
    if tokens[-1] == "what" and (tokens[-2] in _BEFORE_BARE_WHAT and len(tokens) <= 4):
        return "closed"
    if tokens[:2] == ["you", "mean"] or tokens[-2:] == ["or", "what"]:
        return "closed"
    return "closed" if _alternative_inside(tokens) else None


def _alternative_inside(tokens: list[str]) -> bool:
    """``this is an eighteen gig drive or is it a thirty six``: ``or`` + auxiliary + pronoun."""
    return any(
        tokens[i] == "or" and tokens[i + 1] in AUXILIARIES and tokens[i + 2] in _PRONOUNS
        for i in range(1, len(tokens) - 2)
    )


def _strip_start(tokens: list[str]) -> list[str]:
    """Drop hesitations, then leading fillers, discourse markers and stutters."""
    tokens = [t for t in tokens if t not in _HESITATIONS]
    i = 0
    while i < len(tokens) - 1:
        lead = next((n for n in _LEAD_IN_SIZES if tuple(tokens[i : i + n]) in _LEAD_INS), 0)
        if tokens[i] in FILLERS:
            i += 1
        elif lead and i + lead < len(tokens):
            i += lead
        else:
            break
    return _unstutter(tokens[i:])


def _unstutter(tokens: list[str]) -> list[str]:
    """Collapse a repeated opening: ``do you do you know`` -> ``do you know``."""
    for size in (2, 1):
        while len(tokens) > 2 * size and tokens[:size] == tokens[size : 2 * size]:
            tokens = tokens[size:]
    return tokens


def _by_start(tokens: list[str]) -> QuestionKind | None:
    if len(tokens) == 1:
        return _ONE_WORD.get(tokens[0])
    if tokens[0] == "or":
        return "closed" if _by_start(tokens[1:]) else None
    if _starts_with(tokens, _SUGGESTIONS) or _starts_with(tokens, _WONDER):
        return None
    if _starts_with(tokens, _STORY_STARTS):
        return "open"
    if _starts_with(tokens, _ELLIPTICAL):
        return "open" if tokens[0] == "anything" else "closed"
    if _is_phatic(tokens):
        return "closed"
    if tokens[0] in WH_WORDS:
        return _by_start(tokens[1:]) if tokens[1] in WH_WORDS else _wh_kind(tokens)
    if _inverted(tokens):
        return "open" if _asks_for_story(tokens) else "closed"
    return None


def _inverted(tokens: list[str]) -> bool:
    """Auxiliary then subject: ``do you``, ``is the budget``, ``have they``, ``does anna``."""
    aux, subject = tokens[0], tokens[1]
    if aux not in AUXILIARIES:
        return False
    if aux.startswith("ha"):
        return subject in _PRONOUNS
    if aux == "do" and subject in _DO_OBJECTS:  # do it, do the same thing
        return False
    return subject in SUBJECTS or aux in _ALWAYS_AUX


def _wh_kind(tokens: list[str]) -> QuestionKind | None:
    head, nxt = tokens[0], tokens[1]
    if nxt in _CLAUSE_SUBJECTS and not (head.endswith("'s") and nxt == "it"):  # what's it for
        return None
    if not _wh_question(tokens):
        return None
    if head in _FACT_WH:
        return "closed"
    if head in ("how", "how's") and nxt in _FACT_HOW:
        return "closed"
    if head in ("what", "what's", "whats") and nxt in _FACT_WHAT:
        return "closed"
    return "open"


def _wh_question(tokens: list[str]) -> bool:
    """A wh-word opens a question, not a clause (``what we need is``, ``which is fine``)."""
    head, nxt = tokens[0], tokens[1]
    if (head == "what" and nxt in ("one", "that")) or _pseudo_cleft(tokens):
        return False
    if "'" in head or head == "who" or (head == "how" and nxt in (*_FACT_HOW, "about")):
        return True
    if head == "why" and nxt == "not":
        return True
    if nxt in AUXILIARIES:
        return head != "which" or _which_asks(tokens)
    if nxt == "else" or (head in ("what", "which") and (nxt in _WHAT_NEXT or nxt in _FACT_WHAT)):
        return True
    if head == "what" and _subject_question(tokens):
        return True
    return head in ("what", "how", "which") and _inverted_soon(tokens[2:5])


def _subject_question(tokens: list[str]) -> bool:
    """``what happens next``, ``what keeps you up`` - but not ``what happens is ...``."""
    verb = tokens[1]
    cleft = "is" in tokens[2:4] or "was" in tokens[2:4]
    return verb.endswith("s") and not verb.endswith("ss") and not cleft


def _pseudo_cleft(tokens: list[str]) -> bool:
    """A clause that names something, then ``is``: ``what is important is that ...``,
    ``what would be nice is if ...``, ``what happened was that we ...``, ``what's great
    about it is ...`` - but not an inversion (``what kind of data is that``) nor ``what``
    before a noun (``what rule is used``, ``what if there was``)."""
    head, verb = tokens[0], tokens[1]
    if head != "what's" and not (head == "what" and _verb_like(verb)):
        return False
    return any(
        tokens[i] in ("is", "was")
        and tokens[i - 1] not in AUXILIARIES
        and _clause_follows(tokens[i + 1 :])
        and not _SUBORDINATORS.intersection(tokens[2:i])  # what happens after the lead is
        for i in range(2, min(len(tokens) - 1, 7))
    )


def _verb_like(word: str) -> bool:
    return word in AUXILIARIES or word.endswith("ed") or (word.endswith("s") and word != "else")


def _clause_follows(rest: list[str]) -> bool:
    if rest[0].endswith("ed"):  # is qualified, was used: a passive, not a cleft
        return False
    if rest[0] == "that":
        return len(rest) > 1 and (rest[1] in SUBJECTS or rest[1] in _CLAUSE_SUBJECTS)
    return rest[0] not in _INVERTED_SUBJECTS


def _which_asks(tokens: list[str]) -> bool:
    """``which do you prefer``, ``which is it`` - not ``which is the english net``."""
    if len(tokens) < 3:
        return False
    return tokens[2] in (_PRONOUNS if tokens[1] in ("is", "was") else SUBJECTS)


def _inverted_soon(tokens: list[str]) -> bool:
    """``what other ideas do you have``, ``how close are you``."""
    return any(
        tokens[i] in AUXILIARIES and tokens[i + 1] in _PRONOUNS for i in range(len(tokens) - 1)
    )


def _asks_for_story(tokens: list[str]) -> bool:
    """``can you tell me``, ``could you walk us through``, ``could you say more about``."""
    said = " ".join(tokens[2:6])
    return any(word in _STORY_VERBS for word in tokens[2:4]) or "say more" in said


def _kind_of_marked(tokens: list[str]) -> QuestionKind:
    """A question mark the words do not explain: a wh-question after a lead-in
    (``so for the newcomers what's a pipeline?``) or a declarative/echo question (closed)."""
    at = next((i for i, t in enumerate(tokens) if t in WH_WORDS), None)
    if at is None or at == len(tokens) - 1:
        return "open" if tokens[-1] in ("why", "how") else "closed"
    head, nxt = tokens[at], tokens[at + 1]
    fact = head in _FACT_WH or nxt in _FACT_HOW or nxt in _FACT_WHAT
    return "closed" if fact else "open"


@cache
def _first_words(starts: tuple[tuple[str, ...], ...]) -> frozenset[str]:
    return frozenset(start[0] for start in starts)


def _starts_with(tokens: list[str], starts: tuple[tuple[str, ...], ...]) -> bool:
    if tokens[0] not in _first_words(starts):  # the common case, quickly
        return False
    return any(tuple(tokens[: len(start)]) == start for start in starts)
