"""Extend esm_validate: a custom local rule, and a custom AI backend for your own model server.

    python examples/custom_rule_and_backend.py

Both plug in through Protocols (structural typing): any object with the right attributes and
methods fits. The backend imports nothing from esm_validate; the rule only builds ``Issue`` values.

1. A rule. DES asks for the participant's *own* experience. Our rule flags a report with no
   first-person word at all ("the meeting was long", "встреча затянулась") with a code of our
   own, ``no_first_person``, and a message in the report's language. ``LocalValidator`` runs it
   after the built-in rules: ``LocalValidator(rules=(*DEFAULT_RULES, NoFirstPersonRule()))``.

2. A backend. Say the lab runs its own model behind a small HTTP API that takes
   ``{"note": ...}`` and answers ``{"rating": 0..10, "labels": [...], "comment": ...}``.
   ``LabBackend`` speaks that API over httpx and turns the answer into the schema esm_validate
   expects. ``AIValidator`` adds timeouts, retries and answer checking; ``build_validator`` adds
   the cache, the rate limit and the fallback to the local rules. A stand-in lab server runs in
   this process so the example works offline.
"""

from __future__ import annotations

import json
import re
import sys
import threading
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

import esm_validate

# --- 1. a custom rule ---

FIRST_PERSON = re.compile(
    r"\b(i|i'm|i'd|me|my|mine|myself|я|меня|мне|мной|мой|моя|моё|мое|мои|себя|себе)\b",
    re.IGNORECASE,
)


class NoFirstPersonRule:
    """A LocalRule: flag a report that never speaks of the participant (no "I", "me", "я"...).

    A rule needs a ``code`` and ``check(report)``; *report* is the analysed report the built-in
    rules see (``.text``, ``.normalised``, ``.lang``, ``.training_day``, marker hits...).
    """

    code = "no_first_person"
    messages: Mapping[str, str] = {
        "en": "Describe what *you* were experiencing at the beep, not just what was going on.",
        "ru": "Опишите, что переживали *вы* в момент сигнала, а не только что происходило вокруг.",
    }

    def check(self, report: Any) -> Iterable[esm_validate.Issue]:
        """Yield one warning when the report has words but no first-person word."""
        text = report.text
        if text.strip() and not FIRST_PERSON.search(text):
            message = self.messages.get(report.lang, self.messages["en"])
            yield esm_validate.Issue(
                self.code, message, esm_validate.Severity.WARNING, (0, len(text))
            )


def show_rule() -> None:
    """Run the default rules plus ours on three reports, next to the default rules alone."""
    from esm_validate.local import DEFAULT_RULES

    validator = esm_validate.LocalValidator(rules=(*DEFAULT_RULES, NoFirstPersonRule()))
    assert isinstance(validator, esm_validate.Validator)  # structural: no inheritance needed
    reports = (
        "The meeting was long and the room was hot.",
        "Встреча затянулась, в комнате жарко.",
        "I was saying to myself 'finish it' in my own voice.",
    )
    for text in reports:
        plain, ours = esm_validate.validate(text), validator.validate(text)
        codes = ", ".join(ours.issue_codes) or "-"
        print(f"  {plain.score:>3} -> {ours.score:>3} {ours.quality:<9} {codes:<32} {text}")


# --- 2. a custom backend ---


class LabBackend:
    """A ChatBackend for the lab's own model API. Needs no import from esm_validate."""

    provider = "lab"
    #: Lowest score of each quality label (Hurlburt-style thresholds, as in the original MSE bot).
    QUALITY = (
        (90, "pristine"),
        (80, "excellent"),
        (70, "good"),
        (60, "fair"),
        (40, "poor"),
        (0, "garbage"),
    )

    def __init__(self, base_url: str, *, model: str = "lab-des-2") -> None:
        self.model = model
        self._client = httpx.Client(base_url=base_url)

    def complete(
        self, system: str, user: str, schema: Mapping[str, Any], *, timeout: float
    ) -> Mapping[str, Any]:
        """One attempt: send the report, translate the lab's answer into the answer schema."""
        report = json.loads(user).get("report", "")
        response = self._client.post(
            "/rate", json={"note": report, "model": self.model}, timeout=timeout
        )
        response.raise_for_status()  # errors become transient failures: retried, then fallback
        answer = response.json()
        score = round(float(answer["rating"]) * 10)
        quality = next(name for lowest, name in self.QUALITY if score >= lowest)
        known = schema["properties"]["phenomena"]["items"]["enum"]  # the codes the schema allows
        return {
            "score": score,
            "quality": quality,
            "phenomena": [label for label in answer["labels"] if label in known],
            "issues": [],
            "feedback": answer["comment"],
        }

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()


class _StandInLabModel(BaseHTTPRequestHandler):
    """A pretend lab model: likes quoted inner speech, dislikes 'usually'."""

    calls = 0

    def do_POST(self) -> None:
        type(self).calls += 1
        note = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["note"]
        quoted = bool(re.search(r"[\"'«].+[\"'»]", note))
        rating = 8.5 if quoted else 3.0 if re.search(r"usually|обычно", note, re.I) else 5.5
        body = json.dumps(
            {
                "rating": rating,
                "labels": ["inner_speech"] if quoted else [],
                "comment": "Nice: the exact words." if quoted else "Which moment? What exactly?",
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the example's output clean."""


def show_backend() -> None:
    """Validate through the lab backend, with the full stack around it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StandInLabModel)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    backend = LabBackend(f"http://127.0.0.1:{server.server_address[1]}")
    try:
        assert isinstance(backend, esm_validate.ChatBackend)  # structural again
        stack = esm_validate.build_validator(esm_validate.AIValidator(backend))
        for text in (
            "At the beep I said to myself 'where are my keys?'",
            "I usually think about work.",
        ):
            a = stack.validate(text, user_id="p01")
            print(
                f"  {a.score:>3} {a.quality:<9} source={a.source} provider={a.provider} "
                f"model={a.model}  {a.feedback}"
            )
        again = stack.validate("I usually think about work.", user_id="p01")
        calls = _StandInLabModel.calls
        print(f"  same report again: cached={again.cached}; the lab model was called {calls} times")
        stack.close()
    finally:
        backend.close()
        server.shutdown()
        server.server_close()


def main() -> int:
    """Show both extensions."""
    print("1. A custom rule (no_first_person) on top of the local rules (score: default -> ours):")
    show_rule()
    print("\n2. A custom AI backend (the lab's own model API) inside the standard stack:")
    show_backend()
    return 0


if __name__ == "__main__":
    sys.exit(main())
