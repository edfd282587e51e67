"""Optional integrations, each imported only when used (e.g. ``contrib.prometheus``)."""
