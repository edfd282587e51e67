"""tools/audit_lock.py: the pip-audit fallback that audits pins from PyPI's project data."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

_PATH = Path(__file__).resolve().parent.parent / "tools" / "audit_lock.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_lock", _PATH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["audit_lock"] = module
    spec.loader.exec_module(module)
    return module


audit_lock = _load()
PYPI = audit_lock.PYPI
VULN = {"id": "PYSEC-2099-1", "fixed_in": ["2.0"], "withdrawn": None}


def _fetcher(documents: dict[str, dict[str, Any]]) -> Any:
    def fetch(url: str) -> dict[str, Any] | None:
        return documents.get(url)

    return fetch


def test_read_pins_skips_comments_markers_and_unpinned_lines() -> None:
    lines = [
        "# comment",
        "attrs==26.1.0",
        "numpy==2.4.6 ; python_version < '3.14'",
        "httpx>=0.28",
        "",
    ]
    assert audit_lock.read_pins(lines) == [("attrs", "26.1.0"), ("numpy", "2.4.6")]


def test_version_data_is_used_first_and_reports_a_vulnerability() -> None:
    fetch = _fetcher({f"{PYPI}/pkg/1.0/json": {"vulnerabilities": [VULN]}})
    finding = audit_lock.audit_pin("pkg", "1.0", fetch=fetch)
    assert finding.status == "vulnerable"
    assert "PYSEC-2099-1" in finding.detail
    assert "2.0" in finding.detail


def test_project_data_audits_a_pin_that_is_the_latest_release() -> None:
    project = {"info": {"version": "1.0"}, "vulnerabilities": []}
    finding = audit_lock.audit_pin("pkg", "1.0", fetch=_fetcher({f"{PYPI}/pkg/json": project}))
    assert finding.status == "clean"
    vulnerable = {"info": {"version": "1.0"}, "vulnerabilities": [VULN]}
    found = audit_lock.audit_pin("pkg", "1.0", fetch=_fetcher({f"{PYPI}/pkg/json": vulnerable}))
    assert found.status == "vulnerable"


def test_an_older_pin_without_version_data_is_unaudited_never_clean() -> None:
    project = {"info": {"version": "2.0"}, "vulnerabilities": []}
    finding = audit_lock.audit_pin("pkg", "1.0", fetch=_fetcher({f"{PYPI}/pkg/json": project}))
    assert finding.status == "unaudited"
    assert "2.0" in finding.detail
    assert audit_lock.audit_pin("gone", "1.0", fetch=_fetcher({})).status == "unaudited"


def test_withdrawn_advisories_do_not_count() -> None:
    withdrawn = dict(VULN, withdrawn="2099-01-01T00:00:00")
    fetch = _fetcher({f"{PYPI}/pkg/1.0/json": {"vulnerabilities": [withdrawn]}})
    assert audit_lock.audit_pin("pkg", "1.0", fetch=fetch).status == "clean"


@pytest.mark.parametrize(
    ("documents", "strict", "status"),
    [
        ({f"{PYPI}/a/1.0/json": {"vulnerabilities": []}}, True, 0),
        ({f"{PYPI}/a/1.0/json": {"vulnerabilities": [VULN]}}, False, 1),
        ({}, False, 0),
        ({}, True, 1),
    ],
)
def test_exit_status(
    documents: dict[str, Any],
    strict: bool,
    status: int,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    lock = tmp_path / "requirements.lock"
    lock.write_text("a==1.0\n", encoding="utf-8")
    assert (
        audit_lock.main([str(lock), *(["--strict"] if strict else [])], _fetcher(documents))
        == status
    )
    assert "1 pins:" in capsys.readouterr().out


def test_missing_lock_file_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert audit_lock.main([str(tmp_path / "nope.lock")]) == 2
    err = capsys.readouterr().err
    assert "cannot read" in err
    assert "Traceback" not in err
