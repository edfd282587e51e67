"""What the three HTTP backends share: construction of the client, closing, a safe repr."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from esm_validate._closing import ClosesOnExit

from ._checks import check_base_url, check_model

if TYPE_CHECKING:
    import httpx

    from ._http import JsonHttpClient

__all__ = ["HttpBackend"]


class HttpBackend(ClosesOnExit):
    """Base of the built-in backends: holds one pooled HTTP client, closes it, hides the key.

    httpx is imported when the first backend is built, not when esm_validate is imported.
    """

    provider: str = "http"

    def __init__(
        self,
        *,
        model: str,
        base_url: str,
        headers: Mapping[str, str],
        secrets: tuple[str, ...],
        connect_timeout: float,
        max_output_tokens: int,
        temperature: float,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        from ._http import JsonHttpClient

        self.model = check_model(model, name="model")
        self.base_url = check_base_url(base_url, name="base_url")
        self.max_output_tokens = max_output_tokens
        self.temperature = temperature
        self._http: JsonHttpClient = JsonHttpClient(
            provider=self.provider,
            headers=headers,
            connect_timeout=connect_timeout,
            secrets=secrets,
            plain_http=self.base_url.startswith("http://"),
            transport=transport,
        )

    def _post(self, path: str, payload: Mapping[str, Any], *, timeout: float) -> Any:
        return self._http.post_json(self.base_url + path, payload, timeout=timeout).body

    def close(self) -> None:
        """Close the HTTP client's connections."""
        self._http.close()

    def __repr__(self) -> str:
        """Show the class, model and URL; never the key."""
        return f"{type(self).__name__}(model={self.model!r}, base_url={self.base_url!r})"
