"""Developer tasks: ``nox`` runs the tests on 3.11-3.13, lint, types, examples and the docs.

On a fresh machine ``python3 -m pip install nox && nox`` needs only the default Python: the test
sessions of other versions run where those interpreters are installed (pyenv's are found even
without ``PYENV_VERSION``) and are skipped elsewhere. With ``CI=true`` (``.ci/run`` sets it) a
missing interpreter or C compiler is an error. ``nox -s quick`` is the inner loop: the tests that
start no process and need no server, in under a minute.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path

import nox

IN_CI = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
PYTHONS = ["3.11", "3.12", "3.13"]
PASSENV = ("MONGO_URI", "REDIS_URL", "CI")
#: The quick loop leaves out what starts processes or talks to servers (pytest markers).
QUICK = "not integration and not process and not slow"
#: pytest-xdist workers for the whole suite. Most of its wall time is spent waiting on bot
#: processes and loopback servers, not on the CPU: three workers on two cores take it from about
#: 8 to about 4 minutes per Python, which keeps CI's three versions within its time budget.
WORKERS = os.environ.get("ESM_TEST_WORKERS", "3")

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = IN_CI
if hasattr(nox.options, "download_python"):  # never fetch an interpreter from the network
    nox.options.download_python = "never"
#: ``examples`` is left out of the default run: tests/test_examples.py runs in every ``tests``.
nox.options.sessions = ["tests", "lint", "types", "docs", "compiled"]


def _runs(executable: str | None) -> bool:
    if not executable:
        return False
    try:
        probe = subprocess.run([executable, "-c", ""], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return probe.returncode == 0


def _find_pyenv_pythons() -> None:
    """Put pyenv's interpreters on PATH where their shims refuse (no ``PYENV_VERSION`` set)."""
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    found = []
    for version in PYTHONS:
        name = f"python{version}"
        if _runs(shutil.which(name)):
            continue
        installed = sorted(root.glob(f"versions/{version}.*/bin/{name}"), reverse=True)
        if installed:
            found.append(str(installed[0].parent))
    if found:
        os.environ["PATH"] = os.pathsep.join([*found, os.environ.get("PATH", "")])


_find_pyenv_pythons()


def _env() -> dict[str, str]:
    return {k: os.environ[k] for k in PASSENV if k in os.environ}


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Run the whole test suite, integration tests included (they start their servers if needed).

    On 3.12 and 3.13 the tests marked ``slow`` (hypothesis sweeps, load, figures and the longest
    multi-process fault runs) are left out: they run on 3.11, which keeps CI within its budget.
    """
    session.install("-e", ".[test]")
    default = ["-q", "-n", WORKERS, "tests"]
    if session.python != PYTHONS[0]:
        default[:0] = ["-m", "not slow"]  # the slowest multi-process runs: once, on PYTHONS[0]
    session.run("pytest", *(session.posargs or default), env=_env())


@nox.session(python="3.11")
def quick(session: nox.Session) -> None:
    """The inner loop: every test that starts no process and needs no server (under a minute).

    Leaves out the tests marked ``integration`` (MongoDB-wire, redis-server), ``process``
    (``python -m esm_bot``, ``esm-validate``, bots and servers in other processes) and ``slow``;
    the full ``nox -s tests`` runs them all. Extra arguments go to pytest.
    """
    session.install("-e", ".[test]")
    session.run("pytest", "-q", "-n", "2", "-m", QUICK, *(session.posargs or ["tests"]), env=_env())


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    """ruff: lint and formatting."""
    session.install("ruff==0.17.6")  # pinned: new releases add rules and restyle
    paths = ("src", "tests", "examples", "benchmarks", "tools", "noxfile.py")
    session.run("ruff", "check", *paths)
    session.run("ruff", "format", "--check", *paths)


@nox.session(python="3.11")
def types(session: nox.Session) -> None:
    """mypy --strict over both packages."""
    session.install("-e", ".[dev]")
    session.run("mypy")


@nox.session(python="3.11")
def examples(session: nox.Session) -> None:
    """Run every example script and the notebook, offline."""
    session.install("-e", ".[test]")
    session.run("pytest", "-q", "tests/test_examples.py", env=_env())


@nox.session(python="3.11")
def docs(session: nox.Session) -> None:
    """Build the documentation site with --strict."""
    session.install("-e", ".[docs]")
    session.run("mkdocs", "build", "--strict", "--site-dir", "site")


@nox.session(python="3.11")
def compiled(session: nox.Session) -> None:
    """Build the optional mypyc-compiled wheel from an sdist, test it, and check it judges alike.

    The compiled build (see ``[tool.hatch.build.targets.wheel.hooks.mypyc]`` in pyproject.toml)
    must give byte-identical assessments to the pure-Python sources: ``benchmarks/parity.py``
    dumps both and the files are compared. ``nox -s compiled -- bench`` also runs the
    local-validator benchmark on the compiled build.
    """
    if not shutil.which("cc") and not IN_CI:
        session.skip("no C compiler (cc) here: the compiled build needs one (CI installs gcc)")
    session.install("build>=1.2")
    out = os.path.join(session.create_tmp(), "compiled-build")
    shutil.rmtree(out, ignore_errors=True)
    session.run("python", "-m", "build", "--sdist", "--outdir", out, silent=True)
    (sdist,) = glob.glob(os.path.join(out, "esm_validate-*.tar.gz"))
    session.install(f"{sdist}[test]", env={"HATCH_BUILD_HOOK_ENABLE_MYPYC": "true"})
    session.run(
        "python",
        "-c",
        "import esm_validate.local.report as m, sys; "
        "sys.exit(0 if m.__file__.endswith('.so') else f'not compiled: {m.__file__}')",
    )
    local_tests = [*sorted(glob.glob("tests/test_local_*.py")), "tests/test_cli.py"]
    session.run("pytest", "-q", *local_tests, env=_env())
    compiled_dump, pure_dump = os.path.join(out, "compiled.jsonl"), os.path.join(out, "pure.jsonl")
    session.run("python", "benchmarks/parity.py", compiled_dump)
    session.run("python", "benchmarks/parity.py", pure_dump, env={"PYTHONPATH": "src"})
    with open(compiled_dump, "rb") as one, open(pure_dump, "rb") as other:
        if one.read() != other.read():
            session.error("the compiled build judges differently from the pure-Python sources")
    if "bench" in session.posargs:
        session.run("python", "benchmarks/bench_local.py")


@nox.session(python="3.11")
def bench(session: nox.Session) -> None:
    """Run the benchmarks and print the figures for docs/benchmarks.md."""
    session.install("-e", ".[test]")
    session.run("python", "benchmarks/run_all.py", *session.posargs, env=_env())


@nox.session(python="3.11")
def audit(session: nox.Session) -> None:
    """Audit the locked dependency set: pip-audit, else PyPI's project data (tools/audit_lock.py).

    pip-audit needs PyPI's per-version documents; where a proxy serves only the per-project ones
    (as on the development machine), ``tools/audit_lock.py`` audits every pin that is the latest
    release from them and lists the rest as not auditable. ``nox -s audit -- --strict`` makes
    those a failure too.
    """
    session.install("pip-audit>=2.7")
    try:
        session.run(
            "pip-audit", "-r", "requirements.lock", "--disable-pip", "--no-deps", "--strict"
        )
    except nox.command.CommandFailed:
        session.log("pip-audit could not audit every pin; falling back to tools/audit_lock.py")
        session.run("python", "tools/audit_lock.py", "requirements.lock", *session.posargs)
