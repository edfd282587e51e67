"""``esm-validate --evaluate``: AUROC, bootstrap, confusion, phenomena, word-count baseline."""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import pytest

from esm_validate import Assessment, Issue, quality_from_score
from esm_validate.cli import main
from esm_validate.evaluate import (
    EvalRow,
    InputError,
    auroc,
    bootstrap_interval,
    evaluate,
    read_rows,
    render_table,
    score_rows,
)

ROOT = Path(__file__).resolve().parent.parent


def run(args: Sequence[str]) -> tuple[int, str, str]:
    """Run the CLI in-process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdin=io.BytesIO(b""), stdout=out, stderr=err, environ={})
    return code, out.getvalue(), err.getvalue()


def fake_assessment(score: int, phenomena: Sequence[str] = ()) -> Assessment:
    return Assessment(
        score=score,
        quality=quality_from_score(score),
        phenomena=frozenset(phenomena),
        issues=(),
        feedback="",
        lang="en",
    )


class TestAuroc:
    def test_hand_computed_cases(self) -> None:
        assert auroc([3, 4], [1, 2]) == 1.0
        assert auroc([1], [2]) == 0.0
        assert auroc([2], [2]) == 0.5
        # 1 vs 2: 0, 2 vs 2: 1/2, 3 vs 2: 1 -> 1.5 / 3
        assert auroc([1, 2, 3], [2]) == 0.5
        # 0.8 beats all three (3), 0.6 beats 0.5 and 0.3 and ties 0.6 (2.5), 0.4 beats 0.3 (1)
        assert auroc([0.8, 0.6, 0.4], [0.5, 0.3, 0.6]) == pytest.approx(6.5 / 9)

    def test_matches_the_pairwise_definition_with_many_ties(self) -> None:
        rng = random.Random(5)
        for _ in range(50):
            pos = [rng.randint(0, 6) for _ in range(rng.randint(1, 12))]
            neg = [rng.randint(0, 6) for _ in range(rng.randint(1, 12))]
            pairs = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in pos for n in neg)
            assert auroc(pos, neg) == pytest.approx(pairs / (len(pos) * len(neg)))

    def test_one_class_has_no_auroc(self) -> None:
        assert auroc([], [1, 2]) is None
        assert auroc([1], []) is None


class ScriptedRng(random.Random):
    """An rng whose ``choices`` returns scripted samples, in order."""

    def __init__(self, script: Sequence[list[float]]) -> None:
        super().__init__(0)
        self.script = iter(script)

    def choices(
        self, population: Any, weights: Any = None, *, cum_weights: Any = None, k: int = 1
    ) -> Any:  # type: ignore[override]
        return next(self.script)


class TestBootstrap:
    def test_percentile_interval_by_hand(self) -> None:
        # Four resamples whose AUROCs are 1, 0.75, 0.75 and 0.5 (sorted: .5 .75 .75 1).
        script = [[1, 1], [0], [1, 0], [0], [0, 1], [0], [0, 0], [0]]
        low, high = bootstrap_interval([1, 0], [0], rng=ScriptedRng(script), resamples=4) or (
            None,
            None,
        )
        # 2.5 % at position 0.075 between .5 and .75; 97.5 % at 2.925 between .75 and 1.
        assert low == pytest.approx(0.5 + 0.25 * 0.075)
        assert high == pytest.approx(0.75 + 0.25 * 0.925)

    def test_converges_to_the_exact_resampling_distribution(self) -> None:
        # Positives drawn from {1, 0} against a single 0: AUROC 1 (p 1/4), .75 (1/2), .5 (1/4).
        low, high = bootstrap_interval([1, 0], [0], rng=random.Random(1), resamples=2000) or (0, 0)
        assert (low, high) == (0.5, 1.0)

    def test_perfect_separation_gives_a_point_interval(self) -> None:
        assert bootstrap_interval([5, 6], [1, 2], rng=random.Random(0)) == (1.0, 1.0)

    def test_same_seed_same_interval_other_seed_other_interval(self) -> None:
        data = ([3, 5, 7, 2, 8, 6, 4], [1, 4, 2, 6, 3, 1, 5])
        first = bootstrap_interval(*data, rng=random.Random(13))
        assert first == bootstrap_interval(*data, rng=random.Random(13))
        assert first != bootstrap_interval(*data, rng=random.Random(14))

    def test_no_interval_without_both_classes_or_resamples(self) -> None:
        assert bootstrap_interval([], [1], rng=random.Random(0)) is None
        assert bootstrap_interval([1], [0], rng=random.Random(0), resamples=0) is None


ROWS = (
    EvalRow("a b c d e f", "good", frozenset({"inner_speech"})),
    EvalRow("a b c", "excellent", frozenset({"feeling", "inner_seeing"})),
    EvalRow("a b c d e f g h", "poor", frozenset()),
    EvalRow("a", "poor", frozenset()),
    EvalRow("a b", "mid", None),
)
SCORES = {
    "a b c d e f": fake_assessment(80, ["inner_speech", "feeling"]),
    "a b c": fake_assessment(65, ["inner_seeing"]),
    "a b c d e f g h": fake_assessment(70, ["feeling"]),
    "a": fake_assessment(20),
    "a b": fake_assessment(50, ["just_doing"]),
}


def scored_rows() -> Any:
    return score_rows(ROWS, lambda text, lang, day: SCORES[text])


class TestEvaluate:
    def test_figures_by_hand(self) -> None:
        result = evaluate(scored_rows(), threshold=70, resamples=0).overall
        assert dict(result.counts) == {"poor": 2, "mid": 1, "good": 1, "excellent": 1}
        # good {80, 65} vs poor {70, 20}: 80>70, 80>20, 65<70, 65>20 -> 3/4
        assert result.auroc.value == 0.75
        # words: good {6, 3} vs poor {8, 1}: 6<8, 6>1, 3<8, 3>1 -> 2/4
        assert result.baseline.value == 0.5
        c = result.confusion
        assert (c.good_as_good, c.good_as_poor, c.poor_as_good, c.poor_as_poor) == (1, 1, 1, 1)
        assert dict(result.mean_score) == {
            "poor": 45.0,
            "mid": 50.0,
            "good": 80.0,
            "excellent": 65.0,
        }
        assert result.mean_words["poor"] == 4.5

    def test_phenomena_precision_recall_skip_unannotated_rows(self) -> None:
        result = evaluate(scored_rows(), threshold=70, resamples=0).overall
        figures = {p.code: p for p in result.phenomena}
        assert result.annotated == 4
        assert "just_doing" not in figures  # only the unannotated mid row found it
        assert (figures["inner_speech"].precision, figures["inner_speech"].recall) == (1.0, 1.0)
        # feeling: expected once (missed), found twice where not expected
        assert (figures["feeling"].true_pos, figures["feeling"].false_pos) == (0, 2)
        assert figures["feeling"].false_neg == 1
        micro = result.micro
        assert micro is not None
        assert (micro.true_pos, micro.false_pos, micro.false_neg) == (2, 2, 1)
        assert micro.precision == 0.5
        assert micro.recall == pytest.approx(2 / 3)

    def test_issue_precision_recall(self) -> None:
        """Issue codes are tallied like phenomena, over rows with an 'issues' column only."""
        rows = [
            EvalRow("a", "poor", issues=frozenset({"generalization", "presupposition"})),
            EvalRow("b", "poor", issues=frozenset()),
            EvalRow("c", "good"),  # not annotated: its issue does not count
        ]
        found = {"a": ("generalization",), "b": ("hedging",), "c": ("behavior_only",)}

        def assess(text: str, lang: str | None, day: int | None) -> Assessment:
            return attrs.evolve(
                fake_assessment(30),
                issues=tuple(Issue(code, "") for code in found[text]),
            )

        result = evaluate(score_rows(rows, assess), threshold=70, resamples=0).overall
        figures = {f.code: f for f in result.issues}
        assert result.issues_annotated == 2
        assert set(figures) == {"generalization", "hedging", "presupposition", "micro"}
        assert (figures["generalization"].precision, figures["generalization"].recall) == (1, 1)
        assert figures["presupposition"].recall == 0.0
        assert figures["presupposition"].precision is None  # never raised
        assert figures["hedging"].false_pos == 1
        assert (figures["micro"].true_pos, figures["micro"].false_pos) == (1, 1)
        assert figures["micro"].false_neg == 1
        assert "issues (2 annotated rows)" in render_table(
            evaluate(score_rows(rows, assess), threshold=70, resamples=0)
        )

    def test_threshold_moves_the_confusion(self) -> None:
        c = evaluate(scored_rows(), threshold=60, resamples=0).overall.confusion
        assert (c.good_as_good, c.poor_as_good) == (2, 1)

    def test_one_class_gives_no_auroc_but_the_rest(self) -> None:
        good_only = [s for s in scored_rows() if s.row.category == "good"]
        result = evaluate(good_only, threshold=70).overall
        assert result.auroc.value is None
        assert result.auroc.low is None
        assert result.baseline.value is None
        assert result.confusion.good_as_good == 1
        assert result.mean_score["good"] == 80.0

    def test_group_by_gives_figures_per_value(self) -> None:
        rows = [
            EvalRow(text, row.label, row.phenomena, fields={"set": "A" if i < 2 else "B"})
            for i, (text, row) in enumerate(zip(SCORES, ROWS, strict=True))
        ]
        scored = score_rows(rows, lambda text, lang, day: SCORES[text])
        result = evaluate(scored, threshold=70, resamples=0, group_by="set")
        assert [g.name for g in result.groups] == ["A", "B"]
        assert result.groups[0].size == 2
        assert result.groups[1].size == 3
        assert result.groups[0].auroc.value is None  # only good reports in A
        with pytest.raises(InputError, match="no 'lang' column"):
            evaluate(scored, threshold=70, group_by="lang")

    def test_injected_rng_drives_the_interval(self) -> None:
        first = evaluate(scored_rows(), threshold=70, rng=random.Random(3)).overall.auroc
        again = evaluate(scored_rows(), threshold=70, rng=random.Random(3)).overall.auroc
        assert first == again
        assert first.low is not None
        assert first.low <= 0.75 <= (first.high or 0)

    def test_no_rows_is_an_input_error(self) -> None:
        with pytest.raises(InputError, match="no labelled reports"):
            evaluate((), threshold=70)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


CSV_TEXT = (
    "id,text,label,phenomena,lang,day,set,issues\n"
    '1,"At the beep I was saying to myself ""keys, where are the keys?"" in my own voice.",good,'
    "inner_speech,en,,A,\n"
    '2,"Сдавленность в груди, горячо в горле, прямо в момент сигнала.",excellent,feeling,ru,3,B,\n'
    "3,I was at work all morning and usually I think about work.,poor,,en,,A,"
    "not_momentary;generalization\n"
    "4,Ничего особенного как обычно.,poor,,,,B,avoidance\n"
    '5,"Думал о работе, наверное.",mid,inner_speech;unsymbolized_thinking,ru,1,B,hedging\n'
)


class TestReading:
    def test_csv(self, tmp_path: Path) -> None:
        rows = read_rows(write(tmp_path / "r.csv", CSV_TEXT))
        assert [r.label for r in rows] == ["good", "excellent", "poor", "poor", "mid"]
        assert [r.category for r in rows] == ["good", "good", "poor", "poor", None]
        assert rows[0].text.startswith("At the beep")
        assert rows[0].lang == "en"
        assert rows[2].phenomena == frozenset()
        assert rows[4].phenomena == {"inner_speech", "unsymbolized_thinking"}
        assert (rows[1].day, rows[3].lang, rows[4].day) == (3, None, 1)
        assert rows[0].issues == frozenset()
        assert rows[2].issues == {"not_momentary", "generalization"}

    def test_jsonl(self, tmp_path: Path) -> None:
        lines = [
            {"text": "Tingling in my left foot.", "label": "Good", "phenomena": ["feeling"]},
            {"text": "Nothing.", "label": "poor", "lang": "en", "day": 2},
            {"text": "Some text", "label": "mid"},
            {"text": "Not annotated", "label": "mid", "phenomena": None},
        ]
        path = write(tmp_path / "r.jsonl", "\n".join(json.dumps(x) for x in lines) + "\n")
        rows = read_rows(path)
        assert [r.label for r in rows] == ["good", "poor", "mid", "mid"]
        assert rows[0].phenomena == {"feeling"}
        assert rows[3].phenomena is None  # JSON null: not annotated, unlike []
        assert rows[1].phenomena is None
        assert rows[1].day == 2

    def test_lang_and_day_reach_the_validator(self, tmp_path: Path) -> None:
        seen: list[tuple[str | None, int | None]] = []

        def assess(text: str, lang: str | None, day: int | None) -> Assessment:
            seen.append((lang, day))
            return fake_assessment(50)

        score_rows(read_rows(write(tmp_path / "r.csv", CSV_TEXT)), assess)
        assert seen == [("en", None), ("ru", 3), ("en", None), (None, None), ("ru", 1)]

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            ("text,label\nhello there,great\n", r"r\.csv:2: label is 'great'"),
            ("text,label\nhello there,\n", r"r\.csv:2: label is missing"),
            ("text\nhello there\n", "no 'label' column"),
            ("text,label,phenomena\nhi,good,telepathy\n", "unknown phenomenon 'telepathy'"),
            ("text,label,lang\nhi,good,de\n", "lang is 'de'"),
            ("text,label,day\nhi,good,two\n", "day is 'two'"),
            ("text,label,issues\nhi,good,too short\n", "'too short' is not an issue code"),
        ],
    )
    def test_bad_rows_name_the_line(self, tmp_path: Path, content: str, message: str) -> None:
        with pytest.raises(InputError, match=message):
            read_rows(write(tmp_path / "r.csv", content))

    def test_only_csv_or_jsonl(self, tmp_path: Path) -> None:
        with pytest.raises(InputError, match=r"needs a \.csv, \.tsv or \.jsonl"):
            read_rows(write(tmp_path / "r.txt", "good report\n"))


class TestCli:
    def test_table_names_every_figure(self, tmp_path: Path) -> None:
        code, out, err = run(["--evaluate", str(write(tmp_path / "r.csv", CSV_TEXT))])
        assert (code, err) == (0, "")
        assert (
            "score >= 70 is called good (the day-3 pass mark; quality 'good' starts there)" in out
        )
        assert "seed 13" in out
        assert "1000 stratified resamples" in out
        for needle in ("AUROC good vs poor", "word count alone", "mean mid", "confusion at 70"):
            assert needle in out
        assert "inner_speech" in out
        assert "micro" in out
        assert "issues (5 annotated rows)" in out

    def test_json_is_reproducible_and_follows_options(self, tmp_path: Path) -> None:
        path = str(write(tmp_path / "r.csv", CSV_TEXT))
        args = ["--evaluate", path, "--format", "json", "--group-by", "set"]
        first = json.loads(run(args)[1])
        assert first == json.loads(run(args)[1])
        assert first["threshold"] == 70
        assert first["seed"] == 13
        assert [g["name"] for g in first["groups"]] == ["A", "B"]
        assert first["overall"]["counts"] == {"poor": 2, "mid": 1, "good": 1, "excellent": 1}
        assert set(first["overall"]["auroc"]) == {"auroc", "low", "high"}
        other = json.loads(run([*args, "--threshold", "0", "--bootstrap", "0"])[1])
        confusion = other["overall"]["confusion"]
        assert (confusion["threshold"], confusion["poor_as_poor"]) == (0, 0)
        assert other["overall"]["auroc"]["low"] is None

    def test_one_class_file_says_not_available(self, tmp_path: Path) -> None:
        path = write(tmp_path / "r.jsonl", json.dumps({"text": "Tingling.", "label": "good"}))
        code, out, _ = run(["--evaluate", str(path)])
        assert code == 0
        assert "n/a (needs good and poor)" in out

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["--evaluate", "missing.csv"], "missing.csv: no such file"),
            (["--evaluate", "{csv}", "--format", "csv"], "--format table or json"),
            (["--evaluate", "{csv}", "extra text"], "--evaluate reads only its FILE"),
            (["--threshold", "60", "some report"], "go with --evaluate"),
            (["--evaluate", "{csv}", "--threshold", "101"], "expected a score 0..100"),
            (["--evaluate", "{csv}", "--group-by", "nope"], "no 'nope' column"),
            (["--evaluate", "{bad}"], "label is 'great'"),
        ],
    )
    def test_bad_input_is_one_line_and_exit_2(
        self, tmp_path: Path, args: list[str], message: str
    ) -> None:
        paths = {
            "csv": str(write(tmp_path / "r.csv", CSV_TEXT)),
            "bad": str(write(tmp_path / "b.csv", "text,label\nhi,great\n")),
        }
        code, out, err = run([a.format(**paths) for a in args])
        assert code == 2, err
        errors = [line for line in err.splitlines() if line.startswith("esm-validate: error")]
        assert len(errors) == 1
        assert message in errors[0]
        assert "Traceback" not in err
        assert out == ""

    @pytest.mark.process
    def test_real_subprocess_on_the_bundled_corpus(self) -> None:
        corpus = ROOT / "tests" / "corpus" / "heldout.jsonl"
        command = [sys.executable, "-m", "esm_validate.cli", "--evaluate", str(corpus)]
        runs = [
            subprocess.run(
                [*command, "--format", "json", "--bootstrap", "200"],
                capture_output=True,
                timeout=120,
                check=False,
            )
            for _ in range(2)
        ]
        assert [r.returncode for r in runs] == [0, 0], runs[0].stderr
        assert runs[0].stdout == runs[1].stdout  # a fixed default seed repeats exactly
        overall = json.loads(runs[0].stdout)["overall"]
        assert overall["n"] > 40
        assert (
            0.0 <= overall["auroc"]["low"] <= overall["auroc"]["auroc"] <= overall["auroc"]["high"]
        )
        assert overall["phenomena"][-1]["code"] == "micro"
        bad = subprocess.run(
            [*command[:-1], str(ROOT / "pyproject.toml")], capture_output=True, check=False
        )
        assert bad.returncode == 2
        assert bad.stderr.decode().count("\n") == 1
        assert b"Traceback" not in bad.stderr


def test_resamples_are_a_fixed_function_of_the_seed() -> None:
    """The interval depends on nothing but the data and the seed (no global random state)."""
    scored = scored_rows()
    random.seed(1)
    first = evaluate(scored, threshold=70, seed=7).overall.auroc
    random.seed(2)
    assert evaluate(scored, threshold=70, seed=7).overall.auroc == first
