"""Units for finding the JSON in a model's reply (backends) and checking the answer (AI layer)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esm_validate import MalformedAIResponse, Severity
from esm_validate._ai.answer import AIAnswer, parse_answer
from esm_validate._backends._json import extract_json
from tests.llm_servers import good_answer


class TestExtractJson:
    def test_plain_object(self):
        """A bare JSON object parses as it is."""
        assert extract_json('{"a": 1}') == {"a": 1}

    def test_code_fence(self):
        """A ```json fenced block is unwrapped."""
        assert extract_json('Here you go:\n```json\n{"a": 1}\n```\nBye') == {"a": 1}

    def test_think_block_is_removed(self):
        """<think> reasoning, even containing braces, is dropped before parsing."""
        text = '<think>maybe {"a": 0} or not</think>{"a": 2}'

        assert extract_json(text) == {"a": 2}

    def test_unopened_think_end(self):
        """Text up to a closing </think> (opening tag was in the template) is dropped."""
        assert extract_json('reasoning {"x": 9} here</think>\n{"a": 3}') == {"a": 3}

    def test_object_inside_prose(self):
        """The first decodable object inside prose is found."""
        assert extract_json('Sure! {"a": {"b": [1, 2]}} Hope that helps {"c": 1}') == {
            "a": {"b": [1, 2]}
        }

    @pytest.mark.parametrize(
        "text", ["", "   ", "no json here", "[1, 2, 3]", '"a string"', "{broken", "<think>{}"]
    )
    def test_no_object_is_malformed(self, text: str):
        """Empty text, prose, arrays, scalars and broken JSON raise MalformedAIResponse."""
        with pytest.raises(MalformedAIResponse):
            extract_json(text)

    def test_deep_nesting_is_malformed_not_recursion_error(self):
        """Pathologically nested JSON raises MalformedAIResponse, not RecursionError."""
        with pytest.raises(MalformedAIResponse):
            extract_json("[" * 100_000 + "]" * 100_000)

    def test_huge_text_is_refused(self):
        """Answers beyond the size cap are refused without parsing."""
        with pytest.raises(MalformedAIResponse, match="too long"):
            extract_json("{" + " " * 300_000 + "}")

    @pytest.mark.slow
    @settings(max_examples=300, deadline=None)
    @given(st.text())
    def test_any_text_parses_or_is_malformed(self, text: str):
        """Any string gives a dict or MalformedAIResponse, never another exception."""
        try:
            result = extract_json(text)
        except MalformedAIResponse:
            return
        assert isinstance(result, dict)

    @pytest.mark.slow
    @settings(max_examples=200, deadline=None)
    @given(st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=4))
    def test_json_objects_round_trip_through_noise(self, obj: dict[str, Any]):
        """An object wrapped in a think block and a fence comes back unchanged."""
        text = f"<think>hmm</think>\n```json\n{json.dumps(obj)}\n```"

        assert extract_json(text) == obj


class TestParseAnswer:
    def test_valid_answer(self):
        """A good answer becomes an AIAnswer with every field."""
        answer = parse_answer(good_answer())

        assert answer == AIAnswer(
            score=82,
            quality="excellent",
            phenomena=frozenset({"inner_speech"}),
            issues=answer.issues,
            feedback="Good: you caught the exact words. Next time skip the 'probably'.",
            strengths=("names the words of the inner speech",),
        )
        assert [i.code for i in answer.issues] == ["hedging"]

    def test_unknown_codes_and_keys_are_dropped(self):
        """Unknown phenomena and issue codes are dropped; unknown keys ignored."""
        answer = parse_answer(
            good_answer(
                phenomena=["inner_speech", "telepathy"],
                issues=[
                    {"code": "made_up", "message": "x"},
                    {"code": "theorizing", "message": "Why, not what.", "severity": "error"},
                    {"code": "theorizing", "message": "duplicate"},
                ],
                confidence=0.9,
            )
        )

        assert answer.phenomena == frozenset({"inner_speech"})
        assert [(i.code, i.severity) for i in answer.issues] == [("theorizing", Severity.ERROR)]

    def test_float_score_is_rounded(self):
        """A whole-number float (some local models) is accepted and rounded."""
        assert parse_answer(good_answer(score=71.6)).score == 72

    def test_strengths_are_optional(self):
        """Without strengths (or with null) the answer is still valid."""
        data = good_answer()
        del data["strengths"]

        assert parse_answer(data).strengths == ()
        assert parse_answer(good_answer(strengths=None)).strengths == ()

    @pytest.mark.parametrize("field", ["score", "quality", "phenomena", "issues", "feedback"])
    def test_each_required_field_is_required(self, field: str):
        """Missing any of the five required fields is malformed, naming the field."""
        data = good_answer()
        del data[field]

        with pytest.raises(MalformedAIResponse, match=field):
            parse_answer(data)

    @pytest.mark.parametrize(
        "bad",
        [
            {"score": True},
            {"score": -1},
            {"score": 100.5},
            {"score": float("nan")},
            {"score": None},
            {"quality": 5},
            {"quality": "great"},
            {"phenomena": [1]},
            {"phenomena": {"inner_speech": True}},
            {"issues": "hedging"},
            {"issues": ["hedging"]},
            {"issues": [{"code": 1, "message": "x"}]},
            {"feedback": None},
            {"feedback": "   "},
            {"strengths": "nice"},
        ],
    )
    def test_wrong_values_are_malformed(self, bad: dict[str, Any]):
        """Wrong types, ranges and enums raise MalformedAIResponse."""
        with pytest.raises(MalformedAIResponse):
            parse_answer(good_answer(**bad))

    @pytest.mark.parametrize("data", [None, [], "x", 3])
    def test_non_objects_are_malformed(self, data: Any):
        """Only a JSON object can be an answer."""
        with pytest.raises(MalformedAIResponse):
            parse_answer(data)

    def test_long_texts_are_capped(self):
        """Messages and feedback are cut to their caps, so a runaway answer stays small."""
        answer = parse_answer(
            good_answer(
                feedback="x" * 10_000,
                issues=[{"code": "hedging", "message": "y" * 10_000}],
            )
        )

        assert len(answer.feedback) <= 2000
        assert len(answer.issues[0].message) <= 500

    @settings(max_examples=300, deadline=None)
    @given(
        st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
            lambda children: (
                st.lists(children, max_size=4)
                | st.dictionaries(
                    st.sampled_from(["score", "quality", "phenomena", "issues", "feedback", "code"])
                    | st.text(max_size=5),
                    children,
                    max_size=6,
                )
            ),
            max_leaves=20,
        )
    )
    @pytest.mark.slow
    def test_any_json_value_parses_or_is_malformed(self, data: Any):
        """Any JSON-like value gives an AIAnswer or MalformedAIResponse, nothing else."""
        try:
            answer = parse_answer(data)
        except MalformedAIResponse:
            return
        assert 0 <= answer.score <= 100
        assert answer.feedback
