"""backend_from_env / ai_config_from_env: choices, defaults, and clear errors that hide keys."""

from __future__ import annotations

import pytest

from esm_validate import (
    AIConfig,
    AnthropicBackend,
    ConfigurationError,
    OpenAIBackend,
    OpenAICompatibleBackend,
    ai_config_from_env,
    backend_from_env,
)

KEY = "sk-live-TOPSECRET-abcdef0123456789"


def test_nothing_set_is_local_only():
    """With no AI variables the result is None (local validation only)."""
    assert backend_from_env({}) is None
    assert backend_from_env({"ESM_AI_PROVIDER": "local", "OPENAI_API_KEY": KEY}) is None


def test_openai_defaults():
    """OPENAI_API_KEY alone gives an OpenAI backend with the default URL and model."""
    backend = backend_from_env({"OPENAI_API_KEY": KEY})

    assert isinstance(backend, OpenAIBackend)
    assert backend.base_url == "https://api.openai.com/v1"
    assert backend.model == "gpt-4.1-mini"
    assert KEY not in repr(backend)
    backend.close()


def test_anthropic_with_overrides():
    """Anthropic settings, a custom URL (trailing slash dropped) and model are honoured."""
    backend = backend_from_env(
        {
            "ANTHROPIC_API_KEY": KEY,
            "ANTHROPIC_BASE_URL": "http://127.0.0.1:9/",
            "ESM_ANTHROPIC_MODEL": "claude-sonnet-4-5",
        }
    )

    assert isinstance(backend, AnthropicBackend)
    assert backend.base_url == "http://127.0.0.1:9"
    assert backend.model == "claude-sonnet-4-5"
    backend.close()


def test_default_order_prefers_openai_then_anthropic_then_compatible():
    """With several providers configured and no ESM_AI_PROVIDER: openai, anthropic, compatible."""
    compat = {"ESM_AI_BASE_URL": "http://localhost:11434/v1", "ESM_AI_MODEL": "llama3.1"}
    everything = {"OPENAI_API_KEY": KEY, "ANTHROPIC_API_KEY": KEY, **compat}

    chosen = [
        backend_from_env(everything),
        backend_from_env({"ANTHROPIC_API_KEY": KEY, **compat}),
        backend_from_env(compat),
    ]

    assert [b.provider if b else None for b in chosen] == ["openai", "anthropic", "compatible"]
    for b in chosen:
        b.close()  # type: ignore[union-attr]


def test_provider_choice_wins_over_order():
    """ESM_AI_PROVIDER picks among several configured providers (case-insensitive)."""
    backend = backend_from_env(
        {"ESM_AI_PROVIDER": "Anthropic", "OPENAI_API_KEY": KEY, "ANTHROPIC_API_KEY": KEY}
    )

    assert isinstance(backend, AnthropicBackend)
    backend.close()


def test_compatible_with_optional_key():
    """An OpenAI-compatible server with ESM_AI_API_KEY sends it; without one, none."""
    env = {"ESM_AI_BASE_URL": "http://localhost:8000/v1", "ESM_AI_MODEL": "qwen3"}
    with_key = backend_from_env({**env, "ESM_AI_API_KEY": KEY})
    without = backend_from_env(env)

    assert isinstance(with_key, OpenAICompatibleBackend)
    assert isinstance(without, OpenAICompatibleBackend)
    assert with_key.model == "qwen3"
    with_key.close()
    without.close()


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({"ESM_AI_PROVIDER": "gemini"}, "ESM_AI_PROVIDER"),
        ({"ESM_AI_PROVIDER": "openai"}, "OPENAI_API_KEY"),
        ({"ESM_AI_PROVIDER": "anthropic", "OPENAI_API_KEY": KEY}, "ANTHROPIC_API_KEY"),
        ({"ESM_AI_PROVIDER": "compatible"}, "ESM_AI_BASE_URL"),
        ({"ESM_AI_BASE_URL": "http://localhost:11434/v1"}, "ESM_AI_MODEL"),
        ({"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": "ftp://example.org"}, "OPENAI_BASE_URL"),
        ({"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": "not a url"}, "OPENAI_BASE_URL"),
        ({"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": "http://h:99999/v1"}, "OPENAI_BASE_URL"),
        ({"ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": "https://"}, "ANTHROPIC_BASE_URL"),
        ({"OPENAI_API_KEY": KEY + " extra"}, "OPENAI_API_KEY"),
        ({"OPENAI_API_KEY": KEY, "ESM_OPENAI_MODEL": "gpt 4"}, "ESM_OPENAI_MODEL"),
        ({"OPENAI_API_KEY": KEY, "ESM_AI_TIMEOUT": "ten"}, "ESM_AI_TIMEOUT"),
        ({"OPENAI_API_KEY": KEY, "ESM_AI_TIMEOUT": "-1"}, "ESM_AI_TIMEOUT"),
        ({"OPENAI_API_KEY": KEY, "ESM_AI_TIMEOUT": "nan"}, "ESM_AI_TIMEOUT"),
        (
            {"ESM_AI_BASE_URL": "http://h/v1", "ESM_AI_MODEL": "m", "ESM_AI_API_KEY": "a\nb"},
            "ESM_AI_API_KEY",
        ),
    ],
)
def test_wrong_values_name_the_variable_and_hide_the_key(env: dict[str, str], names: str):
    """Each wrong setting raises ConfigurationError naming the variable, never showing a key."""
    with pytest.raises(ConfigurationError) as info:
        backend_from_env(env)

    assert names in str(info.value)
    assert KEY not in str(info.value)


def test_url_credentials_are_refused_without_echo():
    """A base URL with user:password is refused and the password is not repeated."""
    with pytest.raises(ConfigurationError) as info:
        backend_from_env(
            {"OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": "https://me:hunter2secret@proxy.example/v1"}
        )

    assert "hunter2secret" not in str(info.value)


def test_timeout_sets_attempt_and_budget():
    """ESM_AI_TIMEOUT sets the per-attempt timeout; a long one raises the overall budget."""
    assert ai_config_from_env({}) == AIConfig()
    short = ai_config_from_env({"ESM_AI_TIMEOUT": "4"})
    long = ai_config_from_env({"ESM_AI_TIMEOUT": "60"})

    assert short.timeout == 4.0
    assert short.connect_timeout == 4.0
    assert short.total_budget == 25.0
    assert long.timeout == 60.0
    assert long.total_budget == 150.0


def test_config_reaches_the_backend():
    """Output tokens and temperature from the config are what the backend sends."""
    backend = backend_from_env(
        {"OPENAI_API_KEY": KEY}, config=AIConfig(max_output_tokens=300, temperature=0.5)
    )

    assert isinstance(backend, OpenAIBackend)
    assert backend.max_output_tokens == 300
    assert backend.temperature == 0.5
    backend.close()


@pytest.mark.parametrize(
    "kwargs",
    [{"timeout": 0}, {"max_attempts": 0}, {"total_budget": float("inf")}, {"temperature": 3}],
)
def test_bad_config_values(kwargs: dict[str, float]):
    """AIConfig refuses non-positive or non-finite settings with ConfigurationError."""
    with pytest.raises(ConfigurationError):
        AIConfig(**kwargs)  # type: ignore[arg-type]


@pytest.mark.integration
def test_from_env_reaches_a_configured_server():
    """esm_validate.from_env() with ESM_AI_* set asks that server, and falls back when it fails."""
    import esm_validate
    from tests.llm_servers import LLMServer

    with LLMServer("ollama") as server:
        env = {
            "ESM_AI_BASE_URL": server.base_url,
            "ESM_AI_MODEL": "llama3.1",
            "ESM_AI_TIMEOUT": "2",
        }
        with esm_validate.from_env(env) as validator:
            first = validator.validate("At the beep I was innerly saying 'turn left'.", user_id="7")
            server.default = server.error(404, "model 'llama3.1' not found")
            second = validator.validate("At the beep I saw a blue cup in my mind.", user_id="7")

        body = server.requests[0].json

    assert (first.source, first.provider, first.model) == ("ai", "compatible", "llama3.1")
    assert body["model"] == "llama3.1"
    assert (second.source, second.fallback_reason) == ("local", "ai_unavailable")
