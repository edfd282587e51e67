"""The layering of esm_bot (docs/architecture.md), checked on the source with ``ast``.

Every ``import`` in the package counts, also those inside functions and under ``TYPE_CHECKING``:
a lazy import is still a dependency. Two rules:

- a part of the package imports only parts of a strictly lower layer (or itself);
- no import cycle between modules.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "src" / "esm_bot"

#: The layers, lowest first; a part may import only parts of a lower layer (docs/architecture.md).
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"domain"}),
    frozenset({"settings", "i18n"}),
    frozenset({"store"}),
    frozenset({"study"}),
    frozenset({"ops"}),
    frozenset({"telegram"}),
    frozenset({"cli"}),
    frozenset({"__main__"}),
)
RANK = {part: rank for rank, parts in enumerate(LAYERS) for part in parts}


def _modules(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the package by dotted name (``esm_bot.study.engine``)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(name: str, path: Path, known: set[str]) -> Iterator[tuple[str, int]]:
    """The esm_bot modules ``name`` imports, with the line of each import."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # ``from pkg import sub`` depends on the submodule when there is one
            targets = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names
            ]
        else:
            continue
        for target in targets:
            if target == "esm_bot" or target.startswith("esm_bot."):
                yield target, node.lineno


def _part(module: str) -> str:
    """The part of the package a module belongs to: ``esm_bot.study.engine`` → ``study``."""
    return module.split(".")[1]


def _graph() -> dict[str, dict[str, int]]:
    modules = _modules()
    known = set(modules)
    graph: dict[str, dict[str, int]] = {}
    for name, path in modules.items():
        if name == "esm_bot":  # the public face: lazy re-exports of the layers' names
            continue
        graph[name] = {}
        for target, line in _imports(name, path, known):
            if target != name and target != "esm_bot":
                graph[name].setdefault(target, line)
    return graph


def _layer_violations(graph: dict[str, dict[str, int]]) -> list[str]:
    found = []
    for name, targets in graph.items():
        for target, line in targets.items():
            mine, theirs = _part(name), _part(target)
            if mine == theirs:
                continue
            if RANK[theirs] >= RANK[mine]:
                found.append(f"{name}:{line} imports {target} ({mine} may not depend on {theirs})")
    return found


def _cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, {}):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_part_of_the_package_has_a_layer() -> None:
    """A new top-level module or package must be placed in a layer (and in the docs) first."""
    parts = {_part(name) for name in _modules() if name != "esm_bot"}

    assert sorted(parts - set(RANK)) == []


def test_no_import_goes_up_or_sideways_a_layer() -> None:
    """domain ← settings, i18n ← store ← study ← ops ← telegram ← cli: never the other way."""
    assert _layer_violations(_graph()) == []


def test_no_import_cycle_between_modules() -> None:
    """No two modules of esm_bot import each other, directly or around a loop."""
    assert _cycles(_graph()) == []


def test_the_checks_see_a_violation_and_a_cycle(tmp_path: Path) -> None:
    """The checks themselves fail on a planted upward import and a planted cycle."""
    graph = {
        "esm_bot.store.base": {"esm_bot.study.engine": 3},
        "esm_bot.study.engine": {"esm_bot.store.base": 5},
    }

    assert _layer_violations(graph) == [
        "esm_bot.store.base:3 imports esm_bot.study.engine (store may not depend on study)"
    ]
    assert _cycles(graph) == [["esm_bot.store.base", "esm_bot.study.engine"]]


def test_relative_and_lazy_imports_are_seen(tmp_path: Path) -> None:
    """``from . import x`` inside a function resolves to the sibling module."""
    pkg = tmp_path / "esm_bot" / "study"
    pkg.mkdir(parents=True)
    (tmp_path / "esm_bot" / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from . import b\n    from ..store import base\n")
    (pkg / "b.py").write_text("")
    modules = _modules(tmp_path / "esm_bot")

    found = list(_imports("esm_bot.study.a", pkg / "a.py", set(modules)))

    assert found == [("esm_bot.study.b", 2), ("esm_bot.store", 3)]


@pytest.mark.process
@pytest.mark.parametrize("module", ["esm_bot.study", "esm_bot.store", "esm_bot.domain"])
def test_the_lower_layers_do_not_load_telegram(module: str) -> None:
    """Importing the study, the store or the domain values never pulls in pyTelegramBotAPI."""
    import subprocess
    import sys

    code = f"import sys, {module}; print('telebot' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "False"
