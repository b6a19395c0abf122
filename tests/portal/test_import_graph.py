"""The apps import one another in one direction only (docs/adr/0013-app-layout.md).

Reads every import of the application code (migrations aside) and fails on an
import against the layers' order, which also rules out any cycle between
apps. Imports inside functions count too: they are dependencies all the same.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Lowest first: a module may import its own layer and the layers below it.
LAYERS = [
    "result_verifier",  # the offline verifier: nothing of the portal's
    "core",  # the shared helpers: the core app, and those still in portal (audit, cache, ...)
    "procedures",
    "citizens",
    "notifications",
    "results_store",
    "dossiers",
    "shell",  # portal's project shell: settings, URLs, WSGI, Celery, site-wide pages
    "bench",  # the benchmarks, which drive everything and nothing imports
]
PACKAGES = {"result_verifier", "core", "portal", "procedures", "citizens", "notifications"}
PACKAGES |= {"results_store", "dossiers", "bench"}

# The modules of the portal package that wire the project together; the rest
# of it are shared helpers on their way to core.
SHELL = (
    "portal.settings",
    "portal.urls",
    "portal.wsgi",
    "portal.views",
    "portal.bench_views",
    "portal.context_processors",
    "portal.metrics",
    "portal.management.commands.bench_data",
    "portal.management.commands.seed_demo",
    "portal.management.commands.demo_totp",
)

# Imports against the order that issue 16 has still to take away, each with
# the step that will. The test also fails when one of them is gone, so that
# the list only shrinks.
KNOWN = {
    # `manage.py bench_data` lives in the shell but is the benchmark's.
    ("portal.management.commands.bench_data", "bench"),
}


def layer(module: str) -> str:
    package = module.split(".")[0]
    if package == "portal":
        return "shell" if module.startswith(SHELL) else "core"
    return package


def application_modules():
    for package in sorted(PACKAGES):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            yield ".".join(path.relative_to(ROOT).with_suffix("").parts), path


def imports_of(path: Path):
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            # `from core import pdf` imports the module core.pdf.
            for alias in node.names:
                submodule = ROOT.joinpath(*node.module.split("."), alias.name)
                if submodule.with_suffix(".py").exists() or submodule.is_dir():
                    yield f"{node.module}.{alias.name}"


def imports_against_the_order():
    found = set()
    for module, path in application_modules():
        for imported in imports_of(path):
            if imported.split(".")[0] not in PACKAGES:
                continue
            if LAYERS.index(layer(imported)) > LAYERS.index(layer(module)):
                found.add((module, imported))
    return found


def is_known(module: str, imported: str) -> bool:
    return any(module == known and imported.startswith(target) for known, target in KNOWN)


def test_no_app_imports_an_app_above_it():
    found = imports_against_the_order()
    unexpected = sorted(edge for edge in found if not is_known(*edge))
    assert unexpected == [], "imports against docs/adr/0013-app-layout.md:\n" + "\n".join(
        f"  {module} imports {imported} ({layer(module)} → {layer(imported)})"
        for module, imported in unexpected
    )


def test_every_known_exception_still_exists():
    found = imports_against_the_order()
    gone = [
        (known, target)
        for known, target in KNOWN
        if not any(module == known and imported.startswith(target) for module, imported in found)
    ]
    assert gone == [], f"remove from KNOWN what no longer happens: {gone}"


def test_the_layers_leave_no_cycle_between_apps():
    edges = {}
    for module, path in application_modules():
        for imported in imports_of(path):
            if imported.split(".")[0] in PACKAGES and layer(imported) != layer(module):
                edges.setdefault(layer(module), set()).add(layer(imported))
    known = {(layer(module), layer(target)) for module, target in KNOWN}
    cycles = sorted(
        (a, b)
        for a, targets in edges.items()
        for b in targets
        if a < b and a in edges.get(b, set()) and (a, b) not in known and (b, a) not in known
    )
    assert cycles == []
