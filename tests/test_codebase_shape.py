"""The shape a newcomer relies on: services called by keyword.

Fails with the name of what drifted, so whoever adds a workflow knows what to change."""

import importlib
import inspect
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = sorted(
    path.parent.name
    for path in ROOT.glob("*/apps.py")
    if path.parent.name not in {"tests", "node_modules", "static"}
)


def _service_modules():
    """Every module that writes: services modules and packages, the PDF exports, the audit trail."""
    paths = set()
    for app in [*APPS, "core"]:
        paths.update((ROOT / app).glob("services.py"))
        paths.update((ROOT / app).glob("services/*.py"))
    paths.add(ROOT / "compact" / "exports.py")
    paths.add(ROOT / "audit" / "__init__.py")
    names = []
    for path in sorted(paths):
        dotted = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        names.append(dotted.removesuffix(".__init__"))
    return names


@pytest.mark.parametrize("module_name", _service_modules())
def test_every_public_function_of_a_service_module_takes_keyword_arguments_only(module_name):
    module = importlib.import_module(module_name)
    positional = []
    for name, function in vars(module).items():
        if name.startswith("_") or not inspect.isfunction(function) or function.__module__ != module_name:
            continue
        parameters = inspect.signature(inspect.unwrap(function)).parameters.values()
        named = [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if named:
            positional.append(f"{name}({', '.join(named)})")
    assert positional == [], f"{module_name}: make these keyword-only (add `*,`): {positional}"


def test_the_service_modules_found_include_each_apps_workflows():
    # Guards the test above against finding nothing to check.
    found = _service_modules()
    for expected in ("compact.services", "consultation.services.results", "signatories.services"):
        assert expected in found
