"""AI backends over httpx (no vendor SDKs): OpenAI, Anthropic, OpenAI-compatible servers.

Private: the backends are exported from :mod:`esm_validate`. Each satisfies
:class:`~esm_validate.ChatBackend`; only ``_http`` imports httpx, when the first backend is built.
Nothing here imports the AI validator (the layer above).
"""
