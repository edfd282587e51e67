"""Check the pins of ``requirements.lock`` against PyPI's vulnerability data (pip-audit's fallback).

``nox -s audit`` runs pip-audit first. pip-audit asks PyPI for each pinned *version*
(``/pypi/<name>/<version>/json``); where only the *project* document is reachable (some mirrors
and proxies serve ``/pypi/<name>/json`` alone), pip-audit cannot audit anything. This script then
uses what is there: the project document's ``vulnerabilities`` describe its latest release, so a
pin that *is* the latest release is audited from it; the version document is used whenever it is
reachable. A pin that can be audited neither way is reported as unaudited, never as clean.

Exit status: 1 when any pin has a known vulnerability (or, with ``--strict``, when any pin could
not be audited), 0 otherwise. Standard library only; no secrets involved.

Run: ``python tools/audit_lock.py requirements.lock [--strict]``
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import re
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

PYPI = "https://pypi.org/pypi"
_PIN = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*==\s*([^\s;#]+)")

Fetch = Callable[[str], dict[str, Any] | None]


class Finding(NamedTuple):
    """The audit result of one pin: ``status`` is ``clean``, ``vulnerable`` or ``unaudited``."""

    name: str
    version: str
    status: str
    detail: str


def read_pins(lines: Iterable[str]) -> list[tuple[str, str]]:
    """``(name, version)`` of every ``name==version`` line (comments and markers ignored)."""
    return [(m[1], m[2]) for line in lines if (m := _PIN.match(line))]


def fetch_json(url: str, timeout: float = 20.0) -> dict[str, Any] | None:
    """The JSON document at ``url``, or None when it is missing (404) or unreachable."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            document: dict[str, Any] = json.load(response)
            return document
    except (urllib.error.URLError, TimeoutError, ValueError, OSError):
        return None


def _describe(vulnerabilities: list[dict[str, Any]]) -> str:
    parts = []
    for item in vulnerabilities:
        fixed = ", ".join(item.get("fixed_in") or []) or "no fix yet"
        parts.append(f"{item.get('id', '?')} (fixed in {fixed})")
    return "; ".join(parts)


def audit_pin(name: str, version: str, fetch: Fetch = fetch_json) -> Finding:
    """Audit one pin from the version document, else from the project document if it is latest."""
    document = fetch(f"{PYPI}/{name}/{version}/json")
    source = "version data"
    if document is None:
        document = fetch(f"{PYPI}/{name}/json")
        if document is None:
            return Finding(name, version, "unaudited", "PyPI has no data for it here")
        latest = str(document.get("info", {}).get("version", ""))
        if latest != version:
            return Finding(
                name, version, "unaudited", f"only the latest release ({latest}) can be audited"
            )
        source = "project data (pinned = latest)"
    vulnerabilities = [v for v in document.get("vulnerabilities") or [] if not v.get("withdrawn")]
    if vulnerabilities:
        return Finding(name, version, "vulnerable", _describe(vulnerabilities))
    return Finding(name, version, "clean", source)


def audit(pins: list[tuple[str, str]], fetch: Fetch = fetch_json) -> list[Finding]:
    """Audit every pin (a few at a time), in the lock file's order."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(lambda pin: audit_pin(pin[0], pin[1], fetch), pins))


def main(argv: list[str] | None = None, fetch: Fetch = fetch_json) -> int:
    """Print one line per pin and a summary; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lock", type=Path, help="a requirements file of name==version pins")
    parser.add_argument("--strict", action="store_true", help="fail when a pin cannot be audited")
    args = parser.parse_args(argv)
    try:
        pins = read_pins(args.lock.read_text(encoding="utf-8").splitlines())
    except OSError as error:
        print(f"audit_lock: cannot read {args.lock}: {error.strerror}", file=sys.stderr)
        return 2
    findings = audit(pins, fetch)
    for finding in findings:
        print(f"{finding.status:<10} {finding.name}=={finding.version}  {finding.detail}")
    counts = {s: sum(f.status == s for f in findings) for s in ("clean", "vulnerable", "unaudited")}
    print(
        f"{len(findings)} pins: {counts['clean']} clean, {counts['vulnerable']} with known "
        f"vulnerabilities, {counts['unaudited']} not auditable from here"
    )
    if counts["vulnerable"] or (args.strict and counts["unaudited"]):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
