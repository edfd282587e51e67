"""Every example script runs as a subprocess and prints what it promises; the notebook executes."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import esm_validate

pytestmark = pytest.mark.process  # the examples run as scripts, the notebook in a kernel

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SCRIPTS = sorted(p.name for p in EXAMPLES.glob("*.py") if not p.name.startswith("_"))
AI_VARIABLES = (
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    "ESM_AI_BASE_URL",
    "ESM_AI_API_KEY",
    "ESM_AI_MODEL",
    "ESM_AI_PROVIDER",
    "REDIS_URL",
)


def offline_env(**extra: str) -> dict[str, str]:
    """The environment without any AI key or Redis, plus *extra*."""
    env = {k: v for k, v in os.environ.items() if k not in AI_VARIABLES}
    env.update(extra)
    return env


def run_example(name: str, *args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> str:
    """Run one example script with the test interpreter; return stdout (fail on exit != 0)."""
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / name), *args],
        cwd=cwd,
        env=env if env is not None else offline_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc.stdout


def test_there_are_at_least_four_scripts() -> None:
    """The examples folder keeps its promised scripts."""
    assert {
        "validate_csv.py",
        "compare_local_ai.py",
        "custom_rule_and_backend.py",
        "analyse_export.py",
    } <= set(SCRIPTS)


class TestValidateCsv:
    def test_summary_matches_the_library(self, tmp_path: Path) -> None:
        """Per-participant means equal those computed with validate(); --out writes every row."""
        out = tmp_path / "scored.csv"

        stdout = run_example("validate_csv.py", "--out", str(out), cwd=tmp_path)

        with (EXAMPLES / "reports.csv").open(encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        with out.open(encoding="utf-8") as handle:
            scored = list(csv.DictReader(handle))
        p01 = [r for r in rows if r["participant"] == "p01"]
        mean = sum(
            esm_validate.validate(r["text"], training_day=int(r["training_day"])).score for r in p01
        ) / len(p01)
        assert stdout.startswith(f"{len(rows)} reports from reports.csv")
        assert any(
            line.split()[:3] == ["p01", str(len(p01)), f"{mean:.1f}"]
            for line in stdout.splitlines()
        )
        assert [r["text"] for r in scored] == [r["text"] for r in rows]
        assert scored[0]["score"] == str(
            esm_validate.validate(rows[0]["text"], training_day=int(rows[0]["training_day"])).score
        )


class TestCompareLocalAi:
    def test_without_a_key_it_says_so_and_shows_local(self) -> None:
        """No key: a polite note, then the local results; exit 0."""
        stdout = run_example("compare_local_ai.py")

        first = esm_validate.validate(
            "В момент сигнала я говорил себе: «где же ключи?» — своим голосом, быстро."
        )
        assert stdout.startswith("No AI backend configured")
        assert f"{first.score:>4} {first.quality:<10} В момент сигнала" in stdout

    def test_with_an_openai_compatible_server(self) -> None:
        """With OPENAI_* pointing at a local server speaking the OpenAI wire format, AI answers."""
        from tests.llm_servers import LLMServer, good_answer

        with LLMServer("openai") as server:
            server.default = server.success(good_answer(score=82, quality="excellent"))
            env = offline_env(OPENAI_API_KEY="sk-test-example", OPENAI_BASE_URL=server.base_url)

            stdout = run_example("compare_local_ai.py", env=env)

            requests = len(server.requests)
        with (EXAMPLES / "reports.csv").open(encoding="utf-8") as handle:
            texts = [r["text"] for r in csv.DictReader(handle) if r["text"].strip()]
        assert f"AI answered {len(texts)} of {len(texts)} reports (the rest" in stdout
        assert "Spearman rank correlation: n/a (no spread)" in stdout  # the AI gave 82 to all
        assert requests >= len(set(texts))
        assert "sk-test-example" not in stdout


class TestCustomRuleAndBackend:
    def test_rule_and_backend(self) -> None:
        """The custom rule flags reports without a first person; the lab backend answers as AI."""
        stdout = run_example("custom_rule_and_backend.py")

        lines = stdout.splitlines()
        rule_lines = [line for line in lines if "no_first_person " in line and "rule" not in line]
        assert len(rule_lines) == 2
        assert any("Встреча затянулась" in line for line in rule_lines)
        assert not any("I was saying to myself" in line for line in rule_lines)
        for line in rule_lines:  # "default -> ours": our warning never raises a score
            default, _, ours = line.split()[:3]
            assert int(ours) <= int(default)
        assert sum("source=ai provider=lab model=lab-des-2" in line for line in lines) == 2
        assert "same report again: cached=True; the lab model was called 2 times" in stdout


class TestAnalyseExport:
    def test_simulated_study(self) -> None:
        """Without a file: the four sections over a simulated study of 6 x 7 x 6 beeps."""
        stdout = run_example("analyse_export.py")

        assert "6 participants, 252 beeps" in stdout
        for heading in ("1. Compliance", "2. Quality by study day", "3. Phenomena", "4. Issues"):
            assert heading in stdout
        assert "heavey_hurlburt_2008" in stdout

    def test_an_export_file_with_scores_from_the_validator(self, tmp_path: Path) -> None:
        """simulated_study.py writes an export whose scores are the validator's; it is analysed."""
        export = tmp_path / "study.csv"
        run_example("simulated_study.py", str(export))

        stdout = run_example("analyse_export.py", str(export))

        with export.open(encoding="utf-8") as handle:
            rows = [r for r in csv.DictReader(handle) if r["report_text"]]
        for row in rows[:20]:
            day = int(row["study_day"])
            expected = esm_validate.validate(
                row["report_text"], training_day=day if day <= 3 else None
            )
            assert (row["score"], row["quality"]) == (str(expected.score), expected.quality)
        assert f"{len(rows)} reports" in stdout
        assert str(export) in stdout

    def test_missing_file(self, tmp_path: Path) -> None:
        """A missing export: a one-line message and exit 2."""
        proc = subprocess.run(
            [sys.executable, str(EXAMPLES / "analyse_export.py"), str(tmp_path / "nope.csv")],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

        assert proc.returncode == 2
        assert proc.stderr.strip() == f"analyse_export: no such file: {tmp_path / 'nope.csv'}"


# --- the notebook ---


@pytest.fixture(name="executed_notebook", scope="module")
def _executed_notebook() -> object:
    import nbclient
    import nbformat

    notebook = nbformat.read(EXAMPLES / "notebook.ipynb", as_version=4)
    client = nbclient.NotebookClient(
        notebook,
        timeout=120,
        kernel_name="python3",
        resources={"metadata": {"path": str(EXAMPLES)}},
    )
    client.execute(env=offline_env())
    return notebook


def test_notebook_is_built_from_its_source() -> None:
    """The committed notebook equals what examples/_build_notebook.py writes (no drift)."""
    import nbformat

    sys.path.insert(0, str(EXAMPLES))
    try:
        import _build_notebook
    finally:
        sys.path.remove(str(EXAMPLES))
    committed = nbformat.read(EXAMPLES / "notebook.ipynb", as_version=4)

    assert [c.source for c in committed.cells] == [c.source for c in _build_notebook.build().cells]


def test_notebook_runs_top_to_bottom(executed_notebook: object) -> None:
    """Every cell runs without an error; the key outputs are there (table, plot, sources)."""
    cells = [c for c in executed_notebook.cells if c.cell_type == "code"]  # type: ignore[attr-defined]
    outputs = [o for c in cells for o in c.outputs]
    text = "\n".join(
        o.get("text", "") + json.dumps(o.get("data", {}).get("text/plain", ""), ensure_ascii=False)
        for o in outputs
    )

    assert not [o for o in outputs if o.output_type == "error"]
    assert all(c.execution_count for c in cells)
    assert "26 reports" in text
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert "(['local'], 26)" in text


# --- the code in the README and the docs pages of this part ---

DOC_PAGES = [
    "README.md",
    "docs/index.md",
    "docs/getting-started.md",
    "docs/api/index.md",
    "docs/cli.md",
]


def python_blocks(path: Path) -> list[str]:
    """The ```python blocks of a Markdown file, in order."""
    blocks: list[str] = []
    current: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if current is None and line.strip() == "```python":
            current = []
        elif current is not None and line.strip() == "```":
            blocks.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line)
    return blocks


@pytest.fixture(name="doc_workdir")
def _doc_workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory with the files the snippets name, and no AI keys in the environment."""
    import shutil

    from esm_validate.cli import main

    (tmp_path / "examples").mkdir()
    shutil.copy(EXAMPLES / "reports.csv", tmp_path / "examples" / "reports.csv")
    (tmp_path / "answers.txt").write_text(
        "я думал о работе\nя сказал себе «ну»\n", encoding="utf-8"
    )
    with (tmp_path / "scored.csv").open("w", encoding="utf-8") as out:
        main(["--format", "csv", str(EXAMPLES / "reports.csv")], stdout=out, environ={})
    for name in AI_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("page", DOC_PAGES)
def test_doc_snippets_run(page: str, doc_workdir: Path) -> None:
    """Every Python block of the page runs, in order, in one namespace (texts and df given)."""
    import pandas as pd

    blocks = python_blocks(ROOT / page)
    df = pd.read_csv(doc_workdir / "examples" / "reports.csv")
    namespace: dict[str, object] = {"texts": df["text"].fillna("").tolist(), "df": df}

    for block in blocks:
        exec(compile(block, f"{page} block", "exec"), namespace)

    assert blocks
    if "a" in namespace:
        assert isinstance(namespace["a"], esm_validate.Assessment)
        assert namespace["a"].source == "local"  # type: ignore[attr-defined]
    if "AlwaysFine" in namespace:
        assert isinstance(namespace["AlwaysFine"](), esm_validate.Validator)  # type: ignore[operator]


def test_readme_opens_with_the_two_commands() -> None:
    """The README's first two code blocks are the install-and-run and the test commands."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0].strip() for b in text.split("```bash\n")[1:3]]

    title, rest = text.split("\n", 1)
    assert title.startswith("# ")
    assert rest.lstrip("\n").startswith("```bash\n")  # the commands come right after the title
    assert blocks == [
        "python3 -m venv .venv && .venv/bin/pip install -e . && "
        ".venv/bin/esm-validate examples/reports.csv",
        "python3 -m pip install nox && nox",
    ]
