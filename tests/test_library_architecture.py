"""esm_validate's shape, read from its sources with ``ast``: layers, no import cycles, one face.

The layers, lowest first. A module may import from its own layer or a lower one, never a higher
one; and neither the modules nor the packages (``_ai``, ``_backends``, ``local``, ...) may import
each other in a circle. Imports under ``if TYPE_CHECKING:`` are left out: they never run, and only
name types for annotations.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

import esm_validate

SRC = Path(esm_validate.__file__).resolve().parent
ROOT = "esm_validate"

#: Each unit (a top-level module or package of esm_validate) and its layer, lowest first.
LAYERS: Mapping[str, int] = {
    # value types, errors, the seams, settings and small helpers: import nothing of ours above
    "_types": 0,
    "_errors": 0,
    "protocols": 0,
    "config": 0,
    "_closing": 0,
    "_env": 0,
    # the pure local rule engine, and other leaves that need only the value types
    "local": 1,
    "_metrics": 1,
    "_io": 1,
    "_output": 1,
    # the HTTP backends, the layers around a validator, batch validation
    "_backends": 2,
    "_layers": 2,
    "_batch": 2,
    # the AI validator (above the backends it drives), pandas, the evaluation of a labelled file
    "_ai": 3,
    "_dataframe": 3,
    "evaluate": 3,
    # the default stack and from_env
    "_pipeline": 4,
    # the faces: the package itself, the command line, the optional exporters
    "__init__": 5,
    "cli": 5,
    "contrib": 5,
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join([ROOT, *parts])


def _unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_nodes(node: ast.AST) -> Iterator[ast.AST]:
    """Every node below ``node`` except the bodies of ``if TYPE_CHECKING:`` blocks."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and _is_type_checking(child):
            for other in child.orelse:
                yield other
                yield from _runtime_nodes(other)
            continue
        yield child
        yield from _runtime_nodes(child)


def _imports(module: str) -> set[str]:
    """The esm_validate modules ``module`` imports at run time (function-level imports too)."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                found.add(sub if sub in MODULES else target)
    return {name for name in found if name in MODULES and name != module}


GRAPH: dict[str, set[str]] = {module: _imports(module) for module in MODULES}


def _cycle(graph: Mapping[str, set[str]]) -> list[str] | None:
    """Return one import cycle as a path (first node repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (found := visit(nxt)) is not None:
                return found
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)) is not None:
            return found
    return None


def test_every_unit_has_a_layer() -> None:
    """A new module or package must be placed in LAYERS before it can be imported by anything."""
    assert {_unit(m) for m in MODULES} - set(LAYERS) == set()


def _upward(graph: Mapping[str, set[str]]) -> list[str]:
    return sorted(
        f"{module} (layer {LAYERS[_unit(module)]}) imports {target} (layer {LAYERS[_unit(target)]})"
        for module, targets in graph.items()
        for target in targets
        if LAYERS[_unit(target)] > LAYERS[_unit(module)]
    )


def test_no_import_goes_to_a_higher_layer() -> None:
    assert _upward(GRAPH) == []


def test_no_import_cycle_between_modules() -> None:
    assert _cycle(GRAPH) is None


def test_no_import_cycle_between_packages() -> None:
    """E.g. the AI validator may use the backends, but the backends never import the AI layer."""
    units: dict[str, set[str]] = {}
    for module, targets in GRAPH.items():
        units.setdefault(_unit(module), set()).update(
            _unit(t) for t in targets if _unit(t) != _unit(module)
        )
    assert _cycle(units) is None


def test_the_checks_see_a_cycle_and_an_upward_import() -> None:
    """The checks above can fail: a planted cycle and a planted upward import are found."""
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
    assert _upward({"esm_validate._types": {"esm_validate._pipeline"}}) != []
    # relative, absolute and function-level imports are seen; TYPE_CHECKING ones are not
    assert "esm_validate._ai.answer" in GRAPH["esm_validate._ai.validator"]
    assert "esm_validate.local" in GRAPH["esm_validate._ai.validator"]
    assert "esm_validate._ai.validator" in GRAPH["esm_validate._pipeline"]
    assert "esm_validate.local" not in GRAPH["esm_validate.protocols"]


#: Protocols that may live outside protocols.py, each with its reason.
PROTOCOLS_ELSEWHERE: Mapping[str, str] = {
    # the CLI's own output formats: not a seam of the library
    "esm_validate._output.Writer": "private to the command line",
}


def _protocol_classes() -> Iterator[str]:
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                (isinstance(b, ast.Name) and b.id == "Protocol")
                or (isinstance(b, ast.Attribute) and b.attr == "Protocol")
                for b in node.bases
            ):
                yield f"{module}.{node.name}"


def test_every_protocol_is_in_protocols_py() -> None:
    """The seams are in one module; no near-duplicate (a narrower Validator, say) elsewhere."""
    found = set(_protocol_classes())
    in_protocols = {name for name in found if name.startswith("esm_validate.protocols.")}
    assert {n.rpartition(".")[2] for n in in_protocols} >= {
        "Validator",
        "ChatBackend",
        "LocalRule",
        "CacheStore",
        "RateLimiter",
        "LocalFunction",
    }
    assert found - in_protocols <= set(PROTOCOLS_ELSEWHERE)


#: Every name in ``esm_validate.__all__`` before the public face was made (a contract).
CONTRACT_NAMES = [
    "ISSUE_CODES",
    "PHENOMENA",
    "QUALITY_LEVELS",
    "VALIDATOR_VERSION",
    "AIConfig",
    "AIValidator",
    "AnthropicBackend",
    "Assessment",
    "BackendAuthError",
    "BackendError",
    "BackendTimeout",
    "CachingValidator",
    "ChatBackend",
    "Clock",
    "ConfigurationError",
    "EsmValidateError",
    "FallbackValidator",
    "Issue",
    "LocalRule",
    "LocalValidator",
    "MalformedAIResponse",
    "MeteredValidator",
    "Metrics",
    "OpenAIBackend",
    "OpenAICompatibleBackend",
    "PermanentBackendError",
    "RateLimitExceeded",
    "RateLimitedValidator",
    "Severity",
    "Sleep",
    "SlidingWindowLimiter",
    "TransientBackendError",
    "ValidationConfig",
    "Validator",
    "__version__",
    "assess_dataframe",
    "build_validator",
    "detect_language",
    "from_env",
    "quality_from_score",
    "validate",
    "validate_many",
]


def test_the_face_keeps_every_contract_name() -> None:
    assert set(CONTRACT_NAMES) <= set(esm_validate.__all__)


@pytest.mark.parametrize("name", sorted(esm_validate.__all__))
def test_every_public_name_resolves_and_is_documented(name: str) -> None:
    value = getattr(esm_validate, name)
    assert name in dir(esm_validate)
    if callable(value) and name not in {"Clock", "Sleep"}:
        assert (value.__doc__ or "").strip(), f"{name} has no docstring"


def test_the_lazy_names_are_the_type_checking_names() -> None:
    """mypy and IDEs see, under TYPE_CHECKING, exactly the names __getattr__ imports later."""
    tree = ast.parse((SRC / "__init__.py").read_text(encoding="utf-8"))
    typed = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and _is_type_checking(node)
        for stmt in node.body
        if isinstance(stmt, ast.ImportFrom)
        for alias in stmt.names
    }
    assert typed == set(esm_validate._LAZY)
    assert set(esm_validate._LAZY) <= set(esm_validate.__all__)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        _ = esm_validate.nonexistent  # type: ignore[attr-defined]


@pytest.mark.process
def test_local_validation_loads_neither_httpx_nor_tenacity_nor_asyncio() -> None:
    """`import esm_validate` and a local validation leave the AI stack unimported."""
    code = (
        "import sys, esm_validate\n"
        "a = esm_validate.validate('At the beep I was saying to myself: where are my keys?')\n"
        "assert 0 <= a.score <= 100\n"
        "print(','.join(m for m in ('httpx', 'tenacity', 'asyncio') if m in sys.modules) or '-')\n"
        "esm_validate.AIValidator, esm_validate.OpenAIBackend('sk-test-key')\n"
        "print(','.join(m for m in ('httpx', 'tenacity', 'asyncio') if m in sys.modules) or '-')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    before, after = proc.stdout.split()
    assert before == "-"
    assert after == "httpx,tenacity,asyncio"  # the probe sees them once the AI stack is used
