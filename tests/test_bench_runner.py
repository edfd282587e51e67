"""``benchmarks/run_all.py``: finds, runs and collects the benchmarks (exit codes, time-outs)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_all", ROOT / "benchmarks" / "run_all.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["run_all"] = module
    spec.loader.exec_module(module)
    return module


run_all = _load()


def test_discovers_every_benchmark_of_the_repository() -> None:
    names = [p.name for p in run_all.discover()]
    assert "run_all.py" not in names
    assert names == sorted(names)
    assert {"bench_local.py", "bench_layers.py", "bench_schedule.py"} <= set(names)


def test_only_selects_by_short_or_full_name_and_rejects_unknown(tmp_path: Path) -> None:
    for name in ("bench_a.py", "bench_b.py", "helper.py"):
        (tmp_path / name).write_text("print('x')\n")
    assert [p.name for p in run_all.discover(tmp_path)] == ["bench_a.py", "bench_b.py"]
    assert [p.name for p in run_all.discover(tmp_path, ["b"])] == ["bench_b.py"]
    assert [p.name for p in run_all.discover(tmp_path, ["bench_a.py"])] == ["bench_a.py"]
    with pytest.raises(SystemExit, match="no such benchmark: zz"):
        run_all.discover(tmp_path, ["zz"])


def test_run_one_collects_output_and_exit_code(tmp_path: Path) -> None:
    good = tmp_path / "bench_good.py"
    good.write_text("import os\nprint('ratio 3x')\nprint(os.environ['PYTHONPATH'])\n")
    bad = tmp_path / "bench_bad.py"
    bad.write_text("import sys\nprint('half')\nsys.exit(4)\n")
    ok = run_all.run_one(good, timeout=30)
    assert ok.ok
    assert ok.name == "bench_good"
    assert "ratio 3x" in ok.output
    assert str(ROOT) in ok.output  # the repository root is importable from a benchmark
    failed = run_all.run_one(bad, timeout=30)
    assert failed.returncode == 4
    assert not failed.ok
    assert "half" in failed.output


def test_a_hanging_benchmark_is_killed_at_its_time_out(tmp_path: Path) -> None:
    slow = tmp_path / "bench_slow.py"
    slow.write_text("import time\nprint('started', flush=True)\ntime.sleep(60)\n")
    result = run_all.run_one(slow, timeout=0.5)
    assert result.returncode is None
    assert result.seconds < 10
    assert "started" in result.output
    assert "killed after" in result.output
    assert "timed out" in run_all.summary([result])


def test_markdown_has_the_machine_and_one_block_per_benchmark() -> None:
    results = [
        run_all.BenchResult("bench_x", 0, 1.5, "x: 2 ms\n"),
        run_all.BenchResult("bench_y", 1, 0.2, "boom\n"),
    ]
    text = run_all.markdown(results, run_all.machine())
    assert "cores:" in text
    assert "## bench_x (1.5 s)" in text
    assert "x: 2 ms" in text
    assert "bench_y" in text
    assert "exit 1" in text


def test_main_writes_markdown_and_returns_nonzero_when_one_failed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bench_one.py").write_text("print('one: 5 us')\n")
    out = tmp_path / "bench.md"
    assert run_all.main(["--directory", str(tmp_path), "--output", str(out)]) == 0
    text = out.read_text()
    assert "one: 5 us" in text
    assert "bench_one" in text
    assert "bench_one" in capsys.readouterr().out
    (tmp_path / "bench_two.py").write_text("raise SystemExit(2)\n")
    assert run_all.main(["--directory", str(tmp_path)]) == 1


@pytest.mark.process
def test_command_line_rejects_an_unknown_benchmark() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run_all.py"), "--only", "nothing-here"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "no such benchmark: nothing-here" in done.stderr
