"""The full from_env() stack against local servers speaking the providers' wire formats.

Whatever the AI server does (hang, 500, 429, garbage, a connection closed mid-body, a bad key),
every report still gets local feedback, quickly, with the right fallback_reason; cache hits make
no HTTP request; the 11th report in a minute falls back with rate_limited and says when AI resumes.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

import esm_validate
from esm_validate import MeteredValidator, from_env
from tests.layer_fakes import run_in_threads
from tests.llm_servers import LLMServer, Reply

pytestmark = pytest.mark.integration

#: The default overall AI budget (AIConfig.total_budget): no report may wait longer.
BUDGET_S = 25.0
REPORT = "At the beep I was saying to myself in my own voice: 'where did I put the keys?'"


#: Per-attempt timeout: generous for answers, short where the server hangs (3 attempts).
NORMAL_TIMEOUT = "3"
HANG_TIMEOUT = "0.25"


def env_for(server: LLMServer, timeout: str = NORMAL_TIMEOUT) -> dict[str, str]:
    """from_env() variables pointing the server's flavor at it."""
    common = {"ESM_AI_TIMEOUT": timeout}
    if server.flavor == "openai":
        return {"OPENAI_API_KEY": "sk-test-1", "OPENAI_BASE_URL": server.base_url, **common}
    if server.flavor == "anthropic":
        key = {"ANTHROPIC_API_KEY": "sk-ant-test-1"}
        return {**key, "ANTHROPIC_BASE_URL": server.base_url, **common}
    return {"ESM_AI_BASE_URL": server.base_url, "ESM_AI_MODEL": "llama3.1", **common}


@pytest.fixture(name="server", params=["openai", "anthropic", "ollama"])
def _server(request) -> Iterator[LLMServer]:
    """A local server of each flavor."""
    with LLMServer(request.param) as server:
        yield server


@pytest.fixture(name="stack")
def _stack(server, fake_clock) -> Iterator[tuple[LLMServer, MeteredValidator]]:
    """The from_env() stack pointed at ``server`` (real clock, fake backoff sleeps)."""
    with from_env(env_for(server), clock=time.monotonic, sleep=fake_clock.sleep) as v:
        yield server, v


def timed(call: Callable[[], esm_validate.Assessment]) -> tuple[esm_validate.Assessment, float]:
    """Run ``call`` and return its answer and real elapsed seconds."""
    started = time.monotonic()
    answer = call()
    return answer, time.monotonic() - started


def assert_local_feedback(answer: esm_validate.Assessment, reason: str) -> None:
    """The answer is the local assessment of REPORT, marked with ``reason``."""
    local = esm_validate.validate(REPORT, training_day=1)

    assert answer.source == "local"
    assert answer.fallback_reason == reason
    assert answer.feedback.strip()  # the participant still gets a tip
    assert (answer.score, answer.feedback, answer.issues) == (
        local.score,
        local.feedback,
        local.issues,
    )


FAULTS: dict[str, tuple[Callable[[LLMServer], Reply], str]] = {
    "hang": (lambda s: s.hang(), "ai_timeout"),
    "500": (lambda s: s.error(500, "internal"), "ai_unavailable"),
    "429": (lambda s: s.error(429, "slow down", headers={"Retry-After": "1"}), "ai_unavailable"),
    "garbage": (lambda s: s.malformed_body(), "ai_invalid_answer"),
    "mid-body close": (lambda s: s.close_mid_body(), "ai_unavailable"),
    "401": (lambda s: s.error(401, "bad key"), "ai_auth"),
    "prose instead of JSON": (
        lambda s: s.text("Sure! The report looks fine."),
        "ai_invalid_answer",
    ),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_every_fault_gives_local_feedback_within_budget(server, fault, fake_clock) -> None:
    """Each fault ends in local feedback with its fallback_reason, well within the budget."""
    make_reply, reason = FAULTS[fault]
    server.default = make_reply(server)
    env = env_for(server, HANG_TIMEOUT if fault == "hang" else NORMAL_TIMEOUT)

    with from_env(env, clock=time.monotonic, sleep=fake_clock.sleep) as v:
        answer, elapsed = timed(lambda: v.validate(REPORT, user_id="1", training_day=1))
        stats = v.stats()

    assert_local_feedback(answer, reason)
    assert elapsed < BUDGET_S
    assert 1 <= server.request_count() <= 3
    assert stats["fallbacks_by_reason"] == {reason: 1}
    assert stats["ai_calls"][v.provider] == {"success": 0, "failure": 1}
    assert stats["cache_size"] == 0  # a fallback is never cached


def test_transient_errors_are_retried_then_answered(stack, fake_clock) -> None:
    """500, then 429 with Retry-After: 1, then success: the AI answers after two retries."""
    server, v = stack
    server.script(
        server.error(500, "boom"), server.error(429, "wait", headers={"Retry-After": "1"})
    )

    answer = v.validate(REPORT, user_id="1", training_day=1)

    assert (answer.source, answer.fallback_reason) == ("ai", None)
    assert server.request_count() == 3
    assert 1.0 in fake_clock.sleeps


def test_recovery_is_not_masked_by_the_cache(stack) -> None:
    """After an outage the same report reaches the AI again (the fallback was not cached)."""
    server, v = stack
    server.script(*[server.error(503, "down")] * 3)

    during = v.validate(REPORT, user_id="1", training_day=1)
    after = v.validate(REPORT, user_id="1", training_day=1)
    again = v.validate(REPORT, user_id="1", training_day=1)

    assert during.fallback_reason == "ai_unavailable"
    assert (after.source, after.cached) == ("ai", False)
    assert (again.source, again.cached) == ("ai", True)
    assert server.request_count() == 4


def test_cache_hit_makes_no_http_request(stack) -> None:
    """The second identical report is answered from the cache with no request at all."""
    server, v = stack
    v.validate(REPORT, user_id="1", training_day=1)
    before = server.request_count()

    hit = v.validate("  " + REPORT.replace(" ", "  "), user_id="2", training_day=1)

    assert hit.cached
    assert server.request_count() == before == 1


def test_eleventh_call_in_a_minute_is_rate_limited(fake_clock) -> None:
    """Ten reports in a minute reach the AI; the 11th falls back with rate_limited + retry_after;
    a minute after the first, AI feedback resumes."""
    with LLMServer("openai") as server:
        v = from_env(env_for(server), clock=fake_clock, sleep=fake_clock.sleep)
        answers = []
        for i in range(11):
            answers.append(v.validate(f"{REPORT} ({i})", user_id="p1", training_day=1))
            fake_clock.advance(5)
        other_user = v.validate(REPORT + " other", user_id="p2")
        fake_clock.advance(5)  # now 60 s after the first report
        resumed = v.validate(REPORT + " later", user_id="p1")
        v.close()

    assert [a.source for a in answers[:10]] == ["ai"] * 10
    assert answers[10].fallback_reason == "rate_limited"
    assert answers[10].retry_after == pytest.approx(10.0)  # the first left at t=60, now t=50
    assert other_user.source == "ai"
    assert resumed.source == "ai"
    assert server.request_count() == 12


def test_many_reports_during_a_hang_all_get_local_feedback(fake_clock) -> None:
    """20 participants reporting at once while the AI hangs: 20 local answers, none lost."""
    with LLMServer("openai") as server:
        server.default = server.hang()
        v = from_env(env_for(server, HANG_TIMEOUT), clock=time.monotonic, sleep=fake_clock.sleep)
        answers: list[esm_validate.Assessment] = []
        user_ids = iter(range(20))
        lock = threading.Lock()

        def participant() -> None:
            with lock:
                user_id = str(next(user_ids))
            answers.append(v.validate(REPORT, user_id=user_id))

        started = time.monotonic()
        run_in_threads(participant, 20)
        elapsed = time.monotonic() - started
        stats = v.stats()
        v.close()

    assert len(answers) == 20
    assert {a.fallback_reason for a in answers} == {"ai_timeout"}
    assert elapsed < BUDGET_S
    assert stats["validations"] == 20
    assert stats["fallbacks_by_reason"] == {"ai_timeout": 20}
