"""How the code hangs together: pages import services, never the reverse, and no import goes in a circle.

Imports are read from the source with `ast`, inside functions too, so an import tucked into a
function to dodge a cycle is still counted.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "refcheck"
# The app factory puts the pages together with everything else; it is neither a page nor a service.
COMPOSITION_ROOT = "refcheck"
# Pure logic: no Flask, no database.
PURE = ("refcheck.crossverify", "refcheck.linter", "refcheck.scope", "refcheck.lifecycle",
        "refcheck.timeline", "refcheck.stats", "refcheck.months", "refcheck.text", "refcheck.fraud",
        "refcheck.likeness", "refcheck.finding_words", "refcheck.pace", "refcheck.dates",
        "refcheck.lint_base", "refcheck.lint_protected", "refcheck.lint_rules_life",
        "refcheck.lint_rules_identity", "refcheck.lint_work",
        "refcheck.lint_wording", "refcheck.lint_reword", "refcheck.lint_eval",
        "refcheck.lint_fold", "refcheck.lint_intl", "refcheck.lint_es", "refcheck.lint_es_wording",
        "refcheck.lint_fr", "refcheck.lint_fr_wording",
        "refcheck.periods", "refcheck.employers", "refcheck.legal_forms", "refcheck.titles",
        "refcheck.title_words", "refcheck.wording", "refcheck.crossverify_eval", "refcheck.words")


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Return the refcheck modules `name` imports, at the top or inside functions."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            # "from . import x" names a module x; "from .m import f" names the module m.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                       for alias in node.names]
        else:
            continue
        found.update(t for t in targets if t in known and t != name)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def _is_page(name: str) -> bool:
    """Say whether a module is one of the pages (refcheck.web and below; refcheck.webhooks is a service)."""
    return name == "refcheck.web" or name.startswith("refcheck.web.")


def test_no_service_module_imports_a_page_module():
    offending = sorted(f"{name} imports {target}" for name, targets in _graph().items()
                       if not _is_page(name) and name != COMPOSITION_ROOT
                       for target in targets if _is_page(target))
    assert offending == []


def test_pure_logic_imports_neither_flask_nor_the_database():
    modules = _modules()
    offending = []
    for name in PURE:
        for node in ast.walk(ast.parse(modules[name].read_text())):
            if isinstance(node, ast.Import | ast.ImportFrom):
                relative = isinstance(node, ast.ImportFrom) and node.level > 0
                names = ([node.module or ""] if isinstance(node, ast.ImportFrom)
                         else [alias.name for alias in node.names])
                offending += [f"{name}: {n}" for n in names if n.split(".")[0] in ("flask", "sqlalchemy")
                              or (relative and n in ("extensions", "models"))]
    assert offending == []


def test_no_modules_import_each_other_in_a_circle():
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for module in graph:
        if module not in index:
            visit(module)
    assert cycles == []


def test_the_layer_checks_see_what_they_are_meant_to_see():
    graph = _graph()
    # Relative imports of both kinds are resolved: a page imports its service, a service the models.
    assert "refcheck.cases" in graph["refcheck.web.staff.cases"]
    assert "refcheck.commands" in graph["refcheck.cases"]
    assert "refcheck.models" in graph["refcheck.commands"]
    assert "refcheck.web" in graph[COMPOSITION_ROOT]
