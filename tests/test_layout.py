"""pytest imports test modules by basename here: two test files with one name break collection."""

from collections import Counter
from pathlib import Path


def test_test_module_names_are_unique():
    names = Counter(p.name for p in Path(__file__).parent.rglob("*.py") if p.name != "conftest.py")
    assert [name for name, count in names.items() if count > 1] == []


# --- import rules (docs/architecture.md, "What each folder may import") ---------------------------------

SRC = Path(__file__).resolve().parents[1] / "src" / "aitraining"
# Cross-task imports that predate the rule: helpers to move into engine/ (the test fails once one is gone,
# so this list only shrinks). Never add to it: put shared code in engine/ or data/ instead.
KNOWN_CROSS_TASK: set[tuple[str, str]] = set()


def _imported_modules(path: Path) -> list[str]:
    """Every module `path` imports, at the top or inside functions (`from . import` resolved)."""
    import ast

    package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
    out = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            out += [module] + [f"{module}.{alias.name}" for alias in node.names]
    return out


def _sources(folder: str) -> list[Path]:
    return sorted((SRC / folder).rglob("*.py"))


def test_a_task_never_imports_another_task():
    found = set()
    for path in _sources("tasks"):
        own = path.relative_to(SRC / "tasks").parts[0]
        if own in ("registry.py", "__init__.py"):  # the registry names every task: its job
            continue
        for module in _imported_modules(path):
            parts = module.split(".")
            if parts[:2] == ["aitraining", "tasks"] and len(parts) > 2 and parts[2] not in (own, "registry"):
                found.add((own, parts[2]))
    assert found - KNOWN_CROSS_TASK == set(), "tasks/X imports tasks/Y: move the shared code to engine/ or data/"
    assert KNOWN_CROSS_TASK - found == set(), "an allowed cross-task import is gone: remove it from KNOWN_CROSS_TASK"


# The kill-test harness (`python -m aitraining.testing.interrupt`) patches every trainer's checkpoint save,
# our own PPO trainer's included: it is test tooling, not a layer the product runs through.
HARNESSES = {"testing/interrupt.py"}


def test_core_layers_reach_tasks_only_through_the_registry():
    bad = []
    for folder in ("engine", "data", "params", "cli", "testing"):
        for path in _sources(folder):
            if str(path.relative_to(SRC)) in HARNESSES:
                continue
            for module in _imported_modules(path):
                if module.startswith("aitraining.tasks.") and not module.startswith("aitraining.tasks.registry"):
                    bad.append(f"{path.relative_to(SRC)} imports {module}")
    assert bad == []


def test_params_and_cli_stay_free_of_ml_libraries_at_import_time():
    heavy = ("torch", "transformers", "trl", "peft", "datasets", "accelerate")
    import ast

    bad = []
    for folder in ("params", "cli"):
        for path in _sources(folder):
            for node in ast.parse(path.read_text()).body:  # module level only: imports inside functions are lazy
                names = (
                    [a.name for a in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                    if isinstance(node, ast.ImportFrom)
                    else []
                )
                bad += [f"{path.relative_to(SRC)}: {n}" for n in names if n.split(".")[0] in heavy]
    assert bad == []


def test_the_import_rule_checker_sees_imports():
    # the checks above must not pass merely because nothing was found
    modules = _imported_modules(SRC / "tasks" / "image_regression" / "task.py")
    assert "aitraining.engine.targets" in modules and "aitraining.engine.targets.as_number" in modules
    assert any(m.startswith("aitraining.engine") for m in _imported_modules(SRC / "tasks" / "llm" / "task.py"))


def test_every_command_params_class_has_the_core_and_hub_groups():
    # config.Resolved.params is typed CoreParams and engine.hub.hub_target reads HubParams: both rely on this
    from aitraining.params.groups import CoreParams, HubParams
    from aitraining.tasks.registry import TASKS

    classes = {name: task.params_class() for name, task in TASKS.items() if task.available}
    assert len(classes) >= 10
    assert [name for name, cls in classes.items() if not issubclass(cls, CoreParams)] == []
    assert [name for name, cls in classes.items() if not issubclass(cls, HubParams)] == []
