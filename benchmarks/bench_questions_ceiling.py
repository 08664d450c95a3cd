"""How far can text alone go? A question detector trained on MRDA itself, no punctuation.

Issue 6 asks for question-detection F1 >= 0.85 on real speech with all punctuation removed.
Our shipped rules (``engines/questions.py``, measured by ``bench_questions_accuracy.py``)
reach about 0.60. This script asks whether better text rules could close the gap, by
training the strongest cheap text model we could think of *on the test corpus's own
training split* (something we may not ship: MRDA is "dev only"), and measuring it the same
way. If a model fitted to this very corpus stays far below the bar, the missing signal is
not in the words.

Model: logistic regression over TF-IDF word 1–3-grams of

* the utterance without punctuation, its first three and last two words, its length;
* its context in the meeting: whether the previous and next utterances are by another
  speaker, the first three words of the next utterance (the answer: "yeah", "no", "um
  well"), the last two of the previous one.

Gold: the same mapping as ``bench_questions_accuracy.py`` (rhetorical ``qh`` left out).
The decision threshold is chosen on ``val``, reported on ``test``; nothing is tuned on test.
Nothing is saved and nothing ships: this is a measurement, not a model.

Run: ``.venv/bin/python benchmarks/bench_questions_ceiling.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_questions_accuracy import _PUNCT, MRDA, Row, read_rows

THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)


def _words(row: Row | None) -> list[str]:
    return _PUNCT.sub("", row.text).split() if row else []


def features(rows: list[Row], *, context: bool) -> list[str]:
    """One bag-of-n-grams document per utterance (marker words keep the parts apart)."""
    documents = []
    for i, row in enumerate(rows):
        said = _words(row)
        parts = [" ".join(said), "||", *(f"B_{w}" for w in said[:3])]
        parts += [*(f"E_{w}" for w in said[-2:]), f"LEN{min(len(said), 8)}"]
        if context:
            before = rows[i - 1] if i > 0 else None
            after = rows[i + 1] if i + 1 < len(rows) else None
            nxt = "N_SAME" if after and after.speaker == row.speaker else "N_OTHER"
            prv = "P_SAME" if before and before.speaker == row.speaker else "P_OTHER"
            parts += [nxt, prv, *(f"{nxt}_{w}" for w in _words(after)[:3])]
            parts += [f"{prv}_{w}" for w in _words(before)[-2:]]
        documents.append(" ".join(parts))
    return documents


def measure(rows: list[Row], *, context: bool) -> tuple[float, float, float, float]:
    """(threshold chosen on val, val F1, test precision, test recall)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import f1_score

    split = {
        name: [r for r in rows if r.split == name and r.gold != "rhetorical"]
        for name in ("train", "val", "test")
    }
    vectorizer = TfidfVectorizer(
        ngram_range=(1, 3), min_df=2, sublinear_tf=True, token_pattern=r"\S+"
    )
    x_train = vectorizer.fit_transform(features(split["train"], context=context))
    gold = {name: [r.gold is not None for r in split[name]] for name in split}
    model = LogisticRegression(C=3.0, max_iter=2000).fit(x_train, gold["train"])
    val = model.predict_proba(vectorizer.transform(features(split["val"], context=context)))
    f1, threshold = max((f1_score(gold["val"], val[:, 1] > t), t) for t in THRESHOLDS)
    test = model.predict_proba(vectorizer.transform(features(split["test"], context=context)))
    said = test[:, 1] > threshold
    hits = sum(1 for g, s in zip(gold["test"], said, strict=True) if g and s)
    precision = hits / max(1, int(said.sum()))
    recall = hits / max(1, sum(gold["test"]))
    return threshold, float(f1), precision, recall


def main() -> int:
    if not MRDA.exists():
        print(f"skipped: {MRDA} not found")
        return 0
    rows = list(read_rows(MRDA))
    print("text-only model trained on MRDA train, no punctuation (measurement only; not shipped)")
    for context in (False, True):
        threshold, val_f1, p, r = measure(rows, context=context)
        f1 = 2 * p * r / max(1e-9, p + r)
        label = "utterance + meeting context" if context else "utterance alone"
        print(
            f"  {label:<28} threshold {threshold:.2f} (val F1 {val_f1:.3f})  "
            f"test P={p:.3f} R={r:.3f} F1={f1:.3f}   bar: F1 0.85"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
