"""The report corpus: per-report expectations and the quality targets of issue 2.

``tests/corpus/dev.jsonl`` was used while tuning the rules; ``tests/corpus/heldout.jsonl`` was
written before tuning and not looked at while tuning. Each line: ``text``, ``lang``, ``label``
(good / poor / mid), expected ``phenomena``, ``issues`` that must be found, ``absent`` codes that
must not be, ``tags`` (near_miss, messy, mixed, honest_blank, length_long_poor,
length_short_good, ...), optional ``day`` and ``note``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

import esm_validate
from esm_validate import ISSUE_CODES, PHENOMENA, Assessment

CORPUS = Path(__file__).parent / "corpus"


def _load(name: str) -> list[dict[str, Any]]:
    with (CORPUS / name).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


DEV = _load("dev.jsonl")
HELDOUT = _load("heldout.jsonl")
ALL = DEV + HELDOUT


def _assess(row: dict[str, Any]) -> Assessment:
    return esm_validate.validate(row["text"], lang=row["lang"], training_day=row.get("day"))


def auroc(positives: Iterable[int], negatives: Iterable[int]) -> float:
    """Probability that a random positive scores above a random negative (ties count half)."""
    pos, neg = list(positives), list(negatives)
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def _auroc_of(rows: list[dict[str, Any]]) -> float:
    scored = [(row["label"], _assess(row).score) for row in rows]
    return auroc(
        [s for label, s in scored if label == "good"], [s for label, s in scored if label == "poor"]
    )


def _precision_recall(rows: list[dict[str, Any]]) -> tuple[float, float]:
    tp = fp = fn = 0
    for row in rows:
        expected, found = set(row["phenomena"]), set(_assess(row).phenomena)
        tp += len(expected & found)
        fp += len(found - expected)
        fn += len(expected - found)
    return tp / (tp + fp), tp / (tp + fn)


def test_auroc_helper() -> None:
    assert auroc([3, 4], [1, 2]) == 1.0
    assert auroc([1], [2]) == 0.0
    assert auroc([2], [2]) == 0.5


def test_corpus_size_and_coverage() -> None:
    assert len(ALL) >= 150
    assert sum(r["lang"] == "ru" for r in ALL) >= 70
    assert sum(r["lang"] == "en" for r in ALL) >= 70
    assert len(HELDOUT) >= 0.3 * len(ALL)
    for lang in ("ru", "en"):
        rows = [r for r in ALL if r["lang"] == lang]
        labelled_issues = {code for r in rows for code in r["issues"]}
        labelled_phenomena = {code for r in rows for code in r["phenomena"]}
        assert labelled_issues == set(ISSUE_CODES), lang
        assert labelled_phenomena == set(PHENOMENA), lang
        assert {"near_miss", "messy", "honest_blank"} <= {t for r in rows for t in r["tags"]}


@pytest.mark.parametrize("row", DEV, ids=[r["id"] for r in DEV])
def test_dev_report(row: dict[str, Any]) -> None:
    assessment = _assess(row)
    assert set(assessment.phenomena) == set(row["phenomena"]), row["text"]
    for code in row["issues"]:
        assert code in assessment.issue_codes, (code, row["text"])
    for code in row["absent"]:
        assert code not in assessment.issue_codes, (code, row["text"])


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_dev_good_reports_rank_above_poor(lang: str) -> None:
    assert _auroc_of([r for r in DEV if r["lang"] == lang]) >= 0.95


@pytest.mark.parametrize(("lang", "target"), [("ru", 0.90), ("en", 0.85)])
def test_heldout_auroc(lang: str, target: float) -> None:
    assert _auroc_of([r for r in HELDOUT if r["lang"] == lang]) >= target


def test_length_misleading_auroc() -> None:
    """Long reports of habits, theories and behaviour rank below short precise ones."""
    tags = {"length_long_poor", "length_short_good"}
    rows = [r for r in ALL if tags & set(r["tags"])]
    long_poor = [r for r in rows if "length_long_poor" in r["tags"]]
    short_good = [r for r in rows if "length_short_good" in r["tags"]]
    assert min(len(r["text"]) for r in long_poor) > 3 * max(len(r["text"]) for r in short_good)
    assert _auroc_of(rows) >= 0.85
    held = [r for r in HELDOUT if tags & set(r["tags"])]
    assert _auroc_of(held) >= 0.85


@pytest.mark.parametrize(("rows", "name"), [(HELDOUT, "heldout"), (ALL, "all")])
def test_phenomena_precision_recall(rows: list[dict[str, Any]], name: str) -> None:
    precision, recall = _precision_recall(rows)
    assert precision >= 0.75, name
    assert recall >= 0.75, name


def test_heldout_expected_issues_mostly_found() -> None:
    """On held-out reports at least 80 % of the labelled issues are found."""
    expected = found = 0
    for row in HELDOUT:
        codes = _assess(row).issue_codes
        expected += len(row["issues"])
        found += sum(code in codes for code in row["issues"])
    assert found / expected >= 0.8


# ---- the blind corpus (issue 13) --------------------------------------------------------------
#
# tests/corpus/blind/ was written and labelled by people who never saw the rules. Its held-out
# half is never read while tuning: these tests compute only aggregate figures on it, against
# floors set a little below what the validator reached (docs/method.md reports the figures).

BLIND = CORPUS / "blind"
BLIND_HELDOUT = _load("blind/heldout.jsonl")
BLIND_DEV = _load("blind/dev.jsonl")
_GOOD = ("good", "excellent")

#: AUROC (good + excellent vs poor) floors per set on the blind held-out half.
HELDOUT_AUROC_FLOORS = {"chat": 0.92, "golden_ru": 0.97, "published": 0.95, "length": 0.97}


def _blind_scores(rows: list[dict[str, Any]]) -> list[tuple[dict[str, Any], Assessment]]:
    validator = esm_validate.LocalValidator()
    return [(row, validator.validate(row["text"], lang=row["lang"])) for row in rows]


@pytest.fixture(scope="module")
def blind_heldout() -> list[tuple[dict[str, Any], Assessment]]:
    return _blind_scores(BLIND_HELDOUT)


@pytest.mark.parametrize(("name", "floor"), sorted(HELDOUT_AUROC_FLOORS.items()))
def test_blind_heldout_auroc_per_set(
    blind_heldout: list[tuple[dict[str, Any], Assessment]], name: str, floor: float
) -> None:
    rows = [(row, a) for row, a in blind_heldout if row["set"] == name]
    good = [a.score for row, a in rows if row["label"] in _GOOD]
    poor = [a.score for row, a in rows if row["label"] == "poor"]
    assert auroc(good, poor) >= floor, name


def test_blind_heldout_mean_scores_rise_with_the_label(
    blind_heldout: list[tuple[dict[str, Any], Assessment]],
) -> None:
    def mean(label: str) -> float:
        scores = [a.score for row, a in blind_heldout if row["label"] == label]
        return sum(scores) / len(scores)

    assert mean("poor") + 20 < mean("good") <= mean("excellent")


def test_blind_heldout_phenomena_precision_recall(
    blind_heldout: list[tuple[dict[str, Any], Assessment]],
) -> None:
    tp = fp = fn = 0
    for row, a in blind_heldout:
        if row["label"] in _GOOD:
            expected, found = set(row["phenomena"]), set(a.phenomena)
            tp += len(expected & found)
            fp += len(found - expected)
            fn += len(expected - found)
    assert tp / (tp + fp) >= 0.87  # measured 0.89
    assert tp / (tp + fn) >= 0.80  # measured 0.82


BLIND_DEV2 = _load("blind/dev2.jsonl")


def test_blind_dev2_figures_hold() -> None:
    """The second blind round was tuned on (docs/method.md): a guard against losing what was
    reached there, not a measure of generalisation (that is the held-out half)."""
    assert _auroc_of(BLIND_DEV2) >= 0.97  # measured 0.99
    precision, recall = _precision_recall(BLIND_DEV2)
    assert precision >= 0.89  # measured 0.92
    assert recall >= 0.80  # measured 0.83


def test_both_blind_halves_cover_every_set() -> None:
    for rows in (BLIND_DEV, BLIND_HELDOUT):
        assert {r["set"] for r in rows} == set(HELDOUT_AUROC_FLOORS)


BLIND_DEV5 = _load("blind/dev5.jsonl")


def test_blind_dev5_figures_hold() -> None:
    """The fifth blind round was measured untouched (0.80 / 0.78) and then tuned on
    (docs/method.md): a guard against losing what was reached, not a measure of
    generalisation (that is the held-out half)."""
    assert _auroc_of(BLIND_DEV5) >= 0.96  # measured 0.98
    precision, recall = _precision_recall(BLIND_DEV5)
    assert precision >= 0.88  # measured 0.90
    assert recall >= 0.80  # measured 0.82
