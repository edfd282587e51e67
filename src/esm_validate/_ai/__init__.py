"""AI validation: the prompt, answer checking, retries, the circuit breaker and the AI validator.

Private: the public names are exported from :mod:`esm_validate`. This layer sits above the HTTP
backends (``env`` builds one from the environment); the backends never import from here.
"""
