"""The shape a newcomer relies on: services called by keyword, and docs/architecture.md naming
files and functions that are where it says.

Each fails with the name of what drifted, so whoever moves a workflow knows what to update."""

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARCHITECTURE = ROOT / "docs" / "architecture.md"
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


# --- docs/architecture.md -------------------------------------------------------------------------

TEXT = ARCHITECTURE.read_text(encoding="utf-8")
TICKED = [tick.strip('"') for tick in re.findall(r"`([^`\n]+)`", TEXT)]
# URLs ("/verify/") begin with a slash; files and folders do not.
PATHS = sorted({tick for tick in TICKED if "/" in tick and " " not in tick and not tick.startswith("/")})
# "`compact/exports.py` (`request_pdf`, `render_owed`)": the functions the document says a file holds.
HOLDS = re.findall(r"`([\w/]+\.py)` \(([^()]*)\)", TEXT)
DOTTED = sorted(
    {
        tick.removesuffix("()")
        for tick in TICKED
        if re.fullmatch(r"[a-z_]+(\.[a-z_]+)+(\(\))?", tick)
        and tick.split(".")[0] in [*APPS, "core", "config"]
    }
)


def test_the_architecture_page_names_files():
    assert len(PATHS) > 10 and len(HOLDS) > 5 and len(DOTTED) > 5


@pytest.mark.parametrize("path", PATHS)
def test_every_path_the_architecture_page_names_exists(path):
    assert (ROOT / path).exists(), f"docs/architecture.md names {path}, which does not exist"


def _defined_in(path):
    tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
    return names


@pytest.mark.parametrize(("path", "listed"), HOLDS, ids=[path for path, _ in HOLDS])
def test_every_function_the_architecture_page_places_in_a_file_is_defined_there(path, listed):
    named = re.findall(r"`(\w+)`", listed)
    missing = sorted(set(named) - _defined_in(path))
    assert missing == [], f"docs/architecture.md says {path} holds {missing}; it does not"


@pytest.mark.parametrize("dotted", DOTTED)
def test_every_module_and_function_the_architecture_page_names_can_be_imported(dotted):
    parts = dotted.split(".")
    for split in range(len(parts), 0, -1):
        try:
            found = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[split:]:
            assert hasattr(found, attribute), f"docs/architecture.md names {dotted}; {attribute} is not there"
            found = getattr(found, attribute)
        return
    pytest.fail(f"docs/architecture.md names {dotted}, which cannot be imported")


def test_no_task_repeats_the_retry_policy_the_shared_task_bases_carry():
    """config.tasks.LateAckTask and RetryingTask hold the policy once; a task naming it again
    is where two copies start to drift."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    repeating = [
        str(path.relative_to(root))
        for path in root.glob("*/tasks.py")
        if any(option in path.read_text() for option in ("autoretry_for=", "acks_late=", "retry_backoff="))
    ]
    assert repeating == []


def test_no_template_comment_spans_lines():
    # Django's {# … #} comment ends on its own line: one that runs on is printed to the reader
    # (a PDF once carried one above its signatories). Longer comments use {% comment %}.
    unclosed = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "{#" in line and "#}" not in line[line.index("{#") :]
    ]
    assert not unclosed, f"multi-line {{# comments (use {{% comment %}}): {unclosed}"
