"""The package's shape, which docs/architecture.md promises: stages in the order the data flows, no import circles,
the command line apart from the domain, DAG files that import only the task layer, small modules."""

from __future__ import annotations

import ast
from pathlib import Path

from citycredit.core import paths

PACKAGE = paths.PROJECT_ROOT / "include" / "citycredit"
STAGES = ["feeds", "normalize", "validate", "load", "indicators", "publish"]  # the flow's order
MAX_LINES = 400


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imported(path: Path) -> set[str]:
    """Every citycredit module a file imports, at any depth of the file (lazy imports count too)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else [])
                )
            targets = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        for target in targets:
            while target and target not in MODULES:
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


GRAPH = {name: imported(path) for name, path in MODULES.items()}


def top(name: str) -> str:
    return name.split(".")[1] if "." in name else ""


def test_a_stage_imports_only_itself_earlier_stages_and_core():
    wrong = []
    for name, targets in GRAPH.items():
        for target in targets:
            if top(name) in STAGES and top(target) in STAGES and STAGES.index(top(target)) > STAGES.index(top(name)):
                wrong.append(f"{name} -> {target}")
            if top(name) == "core" and top(target) not in ("core", ""):
                wrong.append(f"{name} -> {target}")
            if top(target) in ("tasks", "tools", "cli", "web") and top(name) in [*STAGES, "core"]:
                wrong.append(f"{name} -> {target}")
    assert wrong == []


def test_nothing_but_the_command_line_imports_it():
    assert [f"{n} -> {t}" for n, ts in GRAPH.items() for t in ts if top(t) == "cli" and top(n) != "cli"] == []


def test_no_import_circle():
    graph = {n: {t for t in ts if not t.startswith(n + ".") and not n.startswith(t + ".")} for n, ts in GRAPH.items()}
    done: set[str] = set()

    def circle_from(node: str, path: list[str]) -> list[str] | None:
        if node in path:
            return path[path.index(node) :] + [node]
        if node in done:
            return None
        for target in sorted(graph[node]):
            if found := circle_from(target, [*path, node]):
                return found
        done.add(node)
        return None

    assert [c for n in sorted(graph) if (c := circle_from(n, []))] == []


def test_domain_modules_print_nothing_and_leave_exits_and_parsers_to_the_command_line():
    wrong = []
    for name, path in MODULES.items():
        if top(name) in ("cli", "tools"):  # tools/bench runs a script of its own in child interpreters
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                wrong.append(f"{name}:{node.lineno} print")
            if isinstance(node, ast.Name) and node.id == "SystemExit":
                wrong.append(f"{name}:{node.lineno} SystemExit")
            if isinstance(node, ast.FunctionDef) and (node.name == "add_parser" or node.name.startswith("cmd_")):
                wrong.append(f"{name}:{node.lineno} {node.name}")
    assert wrong == []


def test_dag_files_import_only_the_task_layer():
    wrong = []
    for dag_file in sorted(paths.DAGS_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(dag_file.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            wrong += [f"{dag_file.name}: {n}" for n in names if n.startswith("citycredit") and n != "citycredit.tasks"]
    assert wrong == []


def test_modules_are_small():
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in MODULES.items()}
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}
