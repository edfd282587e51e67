"""Developer tasks: ``nox`` runs the tests on 3.11-3.13, lint, types, examples and the docs."""

from __future__ import annotations

import glob
import os
import shutil

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True
nox.options.sessions = ["tests", "lint", "types", "examples", "docs", "compiled"]

PYTHONS = ["3.11", "3.12", "3.13"]
PASSENV = ("MONGO_URI", "REDIS_URL", "CI")


def _env() -> dict[str, str]:
    return {k: os.environ[k] for k in PASSENV if k in os.environ}


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """Run the whole test suite, integration tests included (they start their servers if needed)."""
    session.install("-e", ".[test]")
    session.run("pytest", *(session.posargs or ["-q", "tests"]), env=_env())


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
