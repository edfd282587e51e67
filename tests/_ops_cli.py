"""Run the real ``esm-bot`` command in a subprocess, for the operations tests."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Variables of the developer's own environment that must not leak into a test's command.
CONFIG_PREFIXES = ("ESM_", "OPENAI_", "ANTHROPIC_", "TELEGRAM_", "MONGODB_", "REDIS_")


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any esm-bot configuration, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(CONFIG_PREFIXES)}
    if env.get("PYTHONPATH"):  # `PYTHONPATH=src pytest`: keep it right in any working directory
        parts = env["PYTHONPATH"].split(os.pathsep)
        env["PYTHONPATH"] = os.pathsep.join(str(Path(p).resolve()) for p in parts if p)
    env.update(extra)
    return env


def run_esm_bot(
    args: list[str],
    extra: Mapping[str, str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m esm_bot ARGS`` with ``env`` (default: :func:`clean_env` plus ``extra``)."""
    return subprocess.run(
        [sys.executable, "-m", "esm_bot", *args],
        capture_output=True,
        text=True,
        env=dict(env) if env is not None else clean_env(**(extra or {})),
        cwd=ROOT,
        timeout=timeout,
        check=False,
    )
