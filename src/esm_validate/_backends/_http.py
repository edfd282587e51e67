"""The one module that imports httpx: the HTTP client, timeouts, and mapping of wire errors to ours.

Every backend sends its request through :class:`JsonHttpClient`. It makes exactly one attempt (the
transport has no retries of its own: the AI validator's retry policy is the only retry layer),
enforces a whole-request deadline (httpx timeouts are per read, so a slow drip could otherwise run
on), caps the body size, and turns every failure into one of the typed errors
(:class:`~esm_validate.BackendError` and its subclasses). Error messages name the provider, the
status and the server's own short message with anything key-like removed; they never contain
request headers, so an API key cannot leak through them.
"""

from __future__ import annotations

import email.utils
import json
import math
import time
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import httpx

from esm_validate._errors import (
    BackendAuthError,
    BackendError,
    BackendTimeout,
    MalformedAIResponse,
    PermanentBackendError,
    TransientBackendError,
)

from ._checks import redact

__all__ = [
    "MAX_BODY_BYTES",
    "MAX_RETRY_AFTER_S",
    "RETRY_STATUSES",
    "HttpReply",
    "JsonHttpClient",
    "error_for_status",
    "parse_retry_after",
]

#: Statuses worth another attempt (the official SDKs' set; any other 5xx counts too).
RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504, 529})
#: A Retry-After beyond one day is treated as one day (the retry policy caps it far lower).
MAX_RETRY_AFTER_S = 86_400.0
#: Largest response body accepted; an answer is a few kilobytes.
MAX_BODY_BYTES = 2 * 1024 * 1024
_MESSAGE_CHARS = 200


@attrs.frozen
class HttpReply:
    """A successful (2xx) HTTP response with a JSON body.

    Attributes:
        status: The HTTP status.
        body: The parsed JSON body.
        request_id: The server's request id header, if any (safe to log).
    """

    status: int
    body: Any
    request_id: str | None = None


def parse_retry_after(
    headers: Mapping[str, str], *, now: Callable[[], float] = time.time
) -> float | None:
    """Return the wait the server asks for, in seconds, or None.

    Reads ``retry-after-ms``, then ``retry-after`` as seconds or as an HTTP-date (compared with the
    wall clock *now*). Negative values become 0; values above :data:`MAX_RETRY_AFTER_S` are capped.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    seconds: float | None = None
    raw_ms = lowered.get("retry-after-ms")
    if raw_ms is not None:
        seconds = _finite_float(raw_ms)
        if seconds is not None:
            seconds /= 1000.0
    raw = lowered.get("retry-after")
    if seconds is None and raw is not None:
        seconds = _finite_float(raw)
        if seconds is None:
            try:
                when = email.utils.parsedate_to_datetime(raw.strip())
            except (TypeError, ValueError, IndexError, OverflowError):
                when = None
            if when is not None and when.tzinfo is not None:
                seconds = when.timestamp() - now()
    if seconds is None:
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_S)


def _finite_float(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _error_fields(body: Any) -> tuple[str, str, str]:
    """Return (message, type, code) from any of the providers' error shapes."""
    if not isinstance(body, Mapping):
        return "", "", ""
    error = body.get("error", body)
    if isinstance(error, str):  # Ollama's native shape: {"error": "model 'x' not found"}
        return error, "", ""
    if not isinstance(error, Mapping):
        return "", "", ""
    message = error.get("message", error.get("detail", ""))
    kind = error.get("type", "")
    code = error.get("code", "")  # OpenAI: str or null; vLLM: int equal to the status
    return (
        message if isinstance(message, str) else "",
        kind if isinstance(kind, str) else "",
        str(code) if isinstance(code, (str, int)) and not isinstance(code, bool) else "",
    )


def error_for_status(
    provider: str,
    status: int,
    headers: Mapping[str, str],
    content: bytes,
    *,
    secrets: tuple[str, ...] = (),
    now: Callable[[], float] = time.time,
) -> BackendError:
    """Map a non-2xx response to a typed error (see the table in ``docs/ai.md``).

    401/403 give :class:`BackendAuthError`; ``insufficient_quota``, 402 and ``billing_error`` give
    :class:`PermanentBackendError`; 408, 409, 429 and 5xx (529 included) give
    :class:`TransientBackendError` carrying the parsed Retry-After; other statuses are permanent. An
    ``x-should-retry`` header, when present, decides between transient and permanent.
    """
    try:
        body: Any = json.loads(content.decode("utf-8", "replace")) if content else None
    except ValueError:
        body = None
    message, kind, code = _error_fields(body)
    lowered = {k.lower(): v for k, v in headers.items()}
    retry_after = parse_retry_after(lowered, now=now)
    label = " ".join(part for part in (kind, code if code != str(status) else "") if part)
    text = f"{provider}: HTTP {status}" + (f" {label}" if label else "")
    if message:
        short = " ".join(message.split())[:_MESSAGE_CHARS]
        text += f": {short}"
    request_id = lowered.get("x-request-id") or lowered.get("request-id")
    if request_id:
        text += f" (request id {request_id[:80]})"
    text = redact(text, secrets)

    if status in (401, 403) or kind in {"authentication_error", "permission_error"}:
        return BackendAuthError(text, status=status)
    if "insufficient_quota" in (kind, code) or status == 402 or kind == "billing_error":
        return PermanentBackendError(text, status=status)
    should_retry = lowered.get("x-should-retry", "").strip().lower()
    if should_retry == "true":
        return TransientBackendError(text, status=status, retry_after=retry_after)
    if should_retry == "false":
        return PermanentBackendError(text, status=status, retry_after=retry_after)
    if status in RETRY_STATUSES or status >= 500:
        return TransientBackendError(text, status=status, retry_after=retry_after)
    return PermanentBackendError(text, status=status)


class JsonHttpClient:
    """One pooled httpx client for one backend: POST JSON, get JSON, or raise a typed error.

    Safe to share between threads (httpx's client is). Call :meth:`close` when done.

    Args:
        provider: Name used in error messages (``"openai"``, ...).
        headers: Headers sent with every request (authentication goes here).
        connect_timeout: Seconds allowed to open a connection (at most the attempt's timeout).
        secrets: Strings removed from any error message (the API key).
        max_body_bytes: Largest response body accepted.
        plain_http: The base URL is ``http://``: TLS is never used (redirects are off), so no
            certificate store is loaded (it costs ~20 ms per client).
        transport: Where requests go instead of the network, e.g. an ``httpx.MockTransport`` in
            tests; default a pooled ``httpx.HTTPTransport`` with no retries of its own.
    """

    def __init__(
        self,
        *,
        provider: str,
        headers: Mapping[str, str],
        connect_timeout: float = 5.0,
        secrets: tuple[str, ...] = (),
        max_body_bytes: int = MAX_BODY_BYTES,
        plain_http: bool = False,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.provider = provider
        self._connect_timeout = connect_timeout
        self._secrets = secrets
        self._max_body = max_body_bytes
        self._client = httpx.Client(
            headers=dict(headers),
            transport=transport
            if transport is not None
            else httpx.HTTPTransport(retries=0, verify=not plain_http),
            follow_redirects=False,
        )

    def post_json(self, url: str, payload: Mapping[str, Any], *, timeout: float) -> HttpReply:
        """Send one POST and return the parsed 2xx reply.

        Raises:
            BackendTimeout: No complete answer within *timeout* seconds.
            TransientBackendError: The connection failed or closed early, or a retryable status.
            PermanentBackendError: Not worth retrying (:class:`BackendAuthError` for 401/403).
            MalformedAIResponse: A 2xx reply whose body is not JSON or is too large.
        """
        if not timeout > 0:
            raise BackendTimeout(f"{self.provider}: no time left for a request")
        deadline = time.monotonic() + timeout
        limits = httpx.Timeout(timeout, connect=min(self._connect_timeout, timeout))
        try:
            with self._client.stream("POST", url, json=dict(payload), timeout=limits) as response:
                content = self._read_body(response, deadline, timeout)
                status = response.status_code
                headers = dict(response.headers)
        except httpx.TimeoutException:
            raise BackendTimeout(f"{self.provider}: no answer within {timeout:.2f} s") from None
        except (httpx.UnsupportedProtocol, httpx.LocalProtocolError) as exc:
            raise PermanentBackendError(
                f"{self.provider}: request could not be sent ({type(exc).__name__})"
            ) from None
        except httpx.TransportError as exc:
            raise TransientBackendError(
                f"{self.provider}: connection failed ({type(exc).__name__})"
            ) from None
        except httpx.HTTPError as exc:
            raise TransientBackendError(
                f"{self.provider}: HTTP failure ({type(exc).__name__})"
            ) from None
        request_id = headers.get("x-request-id") or headers.get("request-id")
        if not 200 <= status < 300:  # redirects are not followed: a 3xx means a wrong base URL
            raise error_for_status(self.provider, status, headers, content, secrets=self._secrets)
        try:
            body = json.loads(content.decode("utf-8"))
        except (ValueError, RecursionError):
            raise MalformedAIResponse(
                f"{self.provider}: HTTP {status} body is not JSON", status=status
            ) from None
        return HttpReply(status=status, body=body, request_id=request_id)

    def _read_body(self, response: httpx.Response, deadline: float, timeout: float) -> bytes:
        chunks: list[bytes] = []
        size = 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > self._max_body:
                raise MalformedAIResponse(
                    f"{self.provider}: response body larger than {self._max_body} bytes",
                    status=response.status_code,
                )
            chunks.append(chunk)
            if time.monotonic() > deadline:
                raise BackendTimeout(f"{self.provider}: answer not complete within {timeout:.2f} s")
        return b"".join(chunks)

    def close(self) -> None:
        """Close the pooled connections."""
        self._client.close()
