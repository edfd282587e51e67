"""validate_many (lazy, ordered, any Validator, optional progress bar) and assess_dataframe."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from typing import Any

import pandas as pd
import pytest

import esm_validate
from esm_validate import Assessment, assess_dataframe, validate_many

REPORTS = [
    "В момент сигнала я говорил себе: «где же ключи?» — своим голосом.",
    "Nothing special, as usual.",
    "I was seeing my brother's red car in my mind, the left door open.",
    "",
    "Наверное, я думал о работе.",
]


class CountingValidator:
    """A Validator that records its calls and answers with a fixed score per text length."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None, int | None]] = []

    def validate(
        self,
        text: str,
        *,
        user_id: str | None = None,
        training_day: int | None = None,
        lang: str | None = None,
    ) -> Assessment:
        self.calls.append((text, lang, training_day))
        score = min(100, len(text))
        return Assessment(
            score=score,
            quality=esm_validate.quality_from_score(score),
            phenomena=frozenset({"feeling"}),
            issues=(esm_validate.Issue("custom", "custom message"),),
            feedback="tip",
            lang=lang or "en",
            source="custom",
        )

    def stats(self) -> Mapping[str, Any]:
        return {"calls": len(self.calls)}


class TestValidateMany:
    def test_same_results_as_validate_in_input_order(self) -> None:
        """Each result equals validate() of the same text, in the same order."""
        results = list(validate_many(REPORTS, lang=None, training_day=2))

        assert results == [esm_validate.validate(t, training_day=2) for t in REPORTS]

    def test_lang_is_passed_on(self) -> None:
        """lang= reaches every call."""
        results = list(validate_many(["hello"], lang="ru"))

        assert results == [esm_validate.validate("hello", lang="ru")]

    def test_is_lazy(self) -> None:
        """Input is consumed one report at a time, only as results are requested."""
        consumed: list[int] = []

        def texts() -> Iterator[str]:
            for i in range(1_000_000):
                consumed.append(i)
                yield f"report {i}"

        stream = validate_many(texts())
        first_two = [next(stream), next(stream)]

        assert len(first_two) == 2
        assert consumed == [0, 1]

    def test_nothing_happens_before_iteration(self) -> None:
        """Creating the iterator validates nothing (so it is cheap to build pipelines)."""
        validator = CountingValidator()

        stream = validate_many(["a", "b"], validator=validator)

        assert validator.calls == []
        assert [a.score for a in stream] == [1, 1]

    def test_uses_the_given_validator(self) -> None:
        """validator= is any object with the Validator methods; options are passed on."""
        validator = CountingValidator()

        results = list(validate_many(["ab", "abc"], lang="en", training_day=1, validator=validator))

        assert validator.calls == [("ab", "en", 1), ("abc", "en", 1)]
        assert [r.source for r in results] == ["custom", "custom"]

    def test_non_string_item_is_a_clear_type_error(self) -> None:
        """A non-str item fails with its index and type when reached."""
        stream = validate_many(["fine", 3])  # type: ignore[list-item]

        assert next(stream).source == "local"
        with pytest.raises(TypeError, match="item 1 is int, expected str"):
            next(stream)

    def test_empty_input(self) -> None:
        """No texts, no results."""
        assert list(validate_many([])) == []

    def test_progress_bar_on_stderr(self, capsys: pytest.CaptureFixture[str]) -> None:
        """progress=True draws a tqdm bar on stderr with the total for sized inputs."""
        results = list(validate_many(["a"] * 7, progress=True))

        err = capsys.readouterr().err
        assert len(results) == 7
        assert "0/7 [" in err  # the bar knows the total; leave=False clears it at the end

    def test_no_progress_without_tqdm(
        self, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Without tqdm installed, progress=True silently draws nothing."""
        monkeypatch.setitem(sys.modules, "tqdm", None)  # makes `import tqdm` raise ImportError

        results = list(validate_many(["a", "b"], progress=True))

        assert len(results) == 2
        assert capsys.readouterr().err == ""


class TestAssessDataframe:
    def test_adds_columns_and_keeps_the_original(self) -> None:
        """A copy with the result columns; the input frame is untouched; the index is kept."""
        df = pd.DataFrame(
            {"participant": ["p1", "p2", "p3", "p4", "p5"], "text": REPORTS},
            index=[10, 11, 12, 13, 14],
        )
        before = df.copy()

        out = assess_dataframe(df)

        expected = [esm_validate.validate(t) for t in REPORTS]
        pd.testing.assert_frame_equal(df, before)
        assert list(out.index) == [10, 11, 12, 13, 14]
        assert list(out.columns) == [
            "participant",
            "text",
            "score",
            "quality",
            "phenomena",
            "issue_codes",
            "main_issue",
            "feedback",
            "lang",
            "source",
        ]
        assert out["score"].dtype == "int64"
        assert out["score"].tolist() == [a.score for a in expected]
        assert out["quality"].tolist() == [a.quality for a in expected]
        assert out["phenomena"].tolist() == [";".join(sorted(a.phenomena)) for a in expected]
        assert out["issue_codes"].tolist() == [";".join(a.issue_codes) for a in expected]
        assert out["main_issue"].tolist() == [
            a.main_issue.code if a.main_issue else "" for a in expected
        ]
        assert out["feedback"].tolist() == [a.feedback for a in expected]

    def test_missing_reports_are_empty_reports(self) -> None:
        """NaN and None rows get the assessment of an empty report, not an error."""
        df = pd.DataFrame({"text": ["hello", None, float("nan")]})

        out = assess_dataframe(df)

        empty = esm_validate.validate("")
        assert out["score"].tolist()[1:] == [empty.score, empty.score]
        assert out["issue_codes"].tolist()[1:] == [";".join(empty.issue_codes)] * 2

    def test_other_column_prefix_and_options(self) -> None:
        """column=, prefix=, validator= and training_day= are honoured."""
        validator = CountingValidator()
        df = pd.DataFrame({"report": ["abc", "de"], "score": [1, 2]})

        out = assess_dataframe(df, "report", prefix="esm_", validator=validator, training_day=1)

        assert out["score"].tolist() == [1, 2]
        assert out["esm_score"].tolist() == [3, 2]
        assert out["esm_main_issue"].tolist() == ["custom", "custom"]
        assert validator.calls == [("abc", None, 1), ("de", None, 1)]

    def test_missing_column_names_the_columns(self) -> None:
        """A wrong column name is a KeyError listing the columns there are."""
        with pytest.raises(KeyError, match="no column 'text' in the DataFrame \\(columns: body\\)"):
            assess_dataframe(pd.DataFrame({"body": ["x"]}))

    def test_empty_frame(self) -> None:
        """An empty frame gets the columns and no rows."""
        out = assess_dataframe(pd.DataFrame({"text": pd.Series([], dtype=str)}))

        assert len(out) == 0
        assert "quality" in out.columns


@pytest.mark.process
def test_import_needs_neither_pandas_nor_tqdm() -> None:
    """`import esm_validate` loads no optional dependency (they are imported when used)."""
    import subprocess

    code = (
        "import sys, esm_validate; print(sorted(m for m in ('pandas', 'tqdm') if m in sys.modules))"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )

    assert proc.stdout.strip() == "[]"
