"""The layout keeps one home per rule: no import cycles between the app's modules, every route of
the app in its URLconf, every module on the README's map."""

import ast
from pathlib import Path

from django.conf import settings
from django.urls import reverse

APP = Path(settings.BASE_DIR) / "registry"


def module_name(path: Path) -> str:
    parts = path.relative_to(settings.BASE_DIR).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def app_modules() -> dict[str, Path]:
    return {module_name(path): path for path in APP.rglob("*.py") if "migrations" not in path.parts}


def top_level_imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Modules of the app that ``name`` imports when it is imported (module level only: an import
    inside a function runs later and cannot make a cycle at import time)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found |= {f"{base}.{alias.name}" for alias in node.names}
    return {module for module in found if module in known and module != name}


def test_no_module_of_the_app_imports_another_in_a_circle():
    modules = app_modules()
    known = set(modules)
    graph = {name: top_level_imports(name, path, known) for name, path in modules.items()}
    cycles = []

    def visit(node, trail):
        for target in graph[node]:
            if target in trail:
                cycle = trail[trail.index(target) :] + [target]
                # a package importing its own submodules (models/__init__) is how re-exports work
                if not all(b.startswith(a + ".") for a, b in zip(cycle, cycle[1:], strict=False)):
                    cycles.append(" → ".join(cycle))
            elif len(trail) < 30:
                visit(target, [*trail, target])

    for name in graph:
        visit(name, [name])
    assert cycles == []


def test_the_cycle_finder_finds_a_cycle(tmp_path):
    """The check above can fail: two modules that import each other are found."""
    (tmp_path / "a.py").write_text("from . import b\n")
    (tmp_path / "b.py").write_text("from .a import x\n")
    known = {"pkg.a", "pkg.b"}
    assert top_level_imports("pkg.a", tmp_path / "a.py", known) == {"pkg.b"}
    assert top_level_imports("pkg.b", tmp_path / "b.py", known) == {"pkg.a"}


def test_the_agreement_document_route_is_the_apps():
    assert reverse("registry:agreement-document", args=["x"]) == "/agreements/x/document.pdf"


def test_every_module_of_the_app_is_on_the_readme_map():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    missing = [
        name
        for name, path in app_modules().items()
        if path.name not in ("__init__.py", "apps.py") and path.stem.lstrip("_") not in readme
    ]
    assert missing == []


def test_every_template_comment_of_one_line_closes_on_its_line():
    """Django's ``{# … #}`` is one line: one running over two is printed on the page (the city
    network page showed its comment to readers); a longer comment is ``{% comment %}``."""
    templates = Path(settings.BASE_DIR) / "templates"
    unclosed = [
        f"{path.relative_to(templates)}:{number}"
        for path in sorted(templates.rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if "{#" in line and "#}" not in line.split("{#", 1)[1]
    ]
    assert unclosed == []
