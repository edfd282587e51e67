"""The local first pass reaches the model as a hint it must check, and a wrong hint is not echoed.

A loopback LLM server (tests/llm_servers.py) stands in for the provider. Its "model" reads the
request it was really sent: it answers from the report, and records what the prompt said about the
hint. The validator's result must then follow the model's answer, not the rules' wrong first pass.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from esm_validate import (
    AIConfig,
    AIValidator,
    AnthropicBackend,
    Assessment,
    ChatBackend,
    Issue,
    OpenAIBackend,
    Severity,
)
from esm_validate._ai.prompt import LOCAL_HINT_CAVEAT, build_prompt
from tests.llm_servers import LLMServer, RecordedRequest, Reply

SENSORY_NOTE = "мокрый асфальт пахнет железом"
CONTENTLESS_NOTE = "мысленно что-то проговаривал"


def wrong_hint(text: str, **_: Any) -> Assessment:
    """A first pass that is wrong the way issue 13 describes it."""
    if text == SENSORY_NOTE:  # sensory content without a verb taken for behaviour
        return Assessment(
            score=35,
            quality="garbage",
            phenomena=frozenset(),
            issues=(Issue("behavior_only", "Only behaviour.", Severity.ERROR),),
            feedback="What was in your experience?",
            lang="ru",
        )
    return Assessment(  # contentless inner speech praised
        score=76,
        quality="good",
        phenomena=frozenset({"inner_speech"}),
        issues=(),
        feedback="Хорошо: вы назвали форму.",
        lang="ru",
        strengths=("назвали внутреннюю речь",),
    )


#: What the stand-in model answers, judged from the report alone.
MODEL_ANSWERS: dict[str, dict[str, Any]] = {
    SENSORY_NOTE: {
        "score": 84,
        "quality": "excellent",
        "phenomena": ["sensory_awareness"],
        "issues": [],
        "feedback": "Точно: запах и его качество. Был ли ещё звук или ощущение в теле?",
        "strengths": ["конкретное сенсорное качество"],
    },
    CONTENTLESS_NOTE: {
        "score": 45,
        "quality": "poor",
        "phenomena": [],
        "issues": [{"code": "unspecified_thinking", "message": "Какие были слова?"}],
        "feedback": "Вы назвали форму, но не слова: что именно звучало, если были слова?",
    },
}


def sent_messages(request: RecordedRequest, flavor: str) -> tuple[str, dict[str, Any]]:
    """The system prompt and the parsed user message of a recorded request."""
    body = request.json
    if flavor == "anthropic":
        system, content = body["system"], body["messages"][0]["content"]
    else:
        system, content = body["messages"][0]["content"], body["messages"][1]["content"]
    if isinstance(content, list):  # content blocks
        content = "".join(block.get("text", "") for block in content)
    if isinstance(system, list):
        system = "".join(block.get("text", "") for block in system)
    return system, json.loads(content)


@pytest.fixture(params=["openai", "anthropic"], name="flavor")
def _flavor(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(name="server")
def _server(flavor: str) -> Iterator[LLMServer]:
    with LLMServer(flavor) as server:
        yield server


def backend_for(server: LLMServer, flavor: str) -> ChatBackend:
    if flavor == "anthropic":
        return AnthropicBackend("sk-ant-test-0123456789", base_url=server.base_url)
    return OpenAIBackend("sk-test-0123456789", base_url=server.base_url)


@pytest.mark.integration
@pytest.mark.parametrize("note", [SENSORY_NOTE, CONTENTLESS_NOTE])
def test_a_wrong_hint_is_not_echoed(
    server: LLMServer, flavor: str, note: str, fake_clock: Any
) -> None:
    """The model sees the hint marked as possibly wrong; the result is the model's, not the hint."""
    seen: list[tuple[str, dict[str, Any]]] = []

    def model(request: RecordedRequest) -> Reply:
        system, user = sent_messages(request, flavor)
        seen.append((system, user))
        return server.success(MODEL_ANSWERS[user["report"]])

    server.respond_with(model)
    validator = AIValidator(
        backend_for(server, flavor),
        config=AIConfig(),
        local=wrong_hint,
        clock=fake_clock,
        sleep=fake_clock.sleep,
    )
    with validator:
        result = validator.validate(note, lang="ru", training_day=3)

    system, user = seen[0]
    hint = wrong_hint(note)
    assert user["report"] == note
    assert user["local_assessment"]["caution"] == LOCAL_HINT_CAVEAT
    assert user["local_assessment"]["score"] == hint.score  # the hint is sent, as a hint
    assert "may be wrong" in system
    assert "never copy its score" in system

    answer = MODEL_ANSWERS[note]
    assert result.source == "ai"
    assert result.score == answer["score"] != hint.score
    assert result.quality == answer["quality"]
    assert result.phenomena == frozenset(answer["phenomena"])
    assert result.feedback == answer["feedback"]
    assert [i.code for i in result.issues if not i.evidence_only] == [
        i["code"] for i in answer["issues"]
    ]
    for issue in hint.issues:  # what only the rules said is kept as evidence, demoted to INFO
        kept = [i for i in result.issues if i.code == issue.code]
        assert kept
        assert all(i.severity == Severity.INFO and i.evidence_only for i in kept)
    # The hint's verdict is not repeated through the back door either: the main issue is the
    # model's first (none when the model names none, not the hint's `behavior_only`), and the
    # strengths are the model's (none when it gives none, not the hint's praise).
    main = result.main_issue
    assert (main.code if main else None) == next((i["code"] for i in answer["issues"]), None)
    assert result.strengths == tuple(answer.get("strengths", ()))


def test_the_hint_is_labelled_where_it_is_sent() -> None:
    """The hint carries its caution inside the user message; without a hint there is neither."""
    with_hint = json.loads(
        build_prompt(SENSORY_NOTE, lang="ru", local=wrong_hint(SENSORY_NOTE)).user
    )
    without = json.loads(build_prompt(SENSORY_NOTE, lang="ru").user)

    assert with_hint["local_assessment"]["caution"] == LOCAL_HINT_CAVEAT
    assert with_hint["local_assessment"]["issues"] == ["behavior_only"]
    assert "local_assessment" not in without
    assert LOCAL_HINT_CAVEAT not in json.dumps(without, ensure_ascii=False)
