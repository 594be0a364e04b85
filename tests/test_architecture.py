"""The package's shape: imports flow one way through the pipeline's stages, units stay readable, and the
commands that must start fast do not load MkDocs or WeasyPrint.

The checks read the source with `ast`, so they see every import, including those inside functions and
under `if TYPE_CHECKING:`. Each check is also run on a tiny synthetic package, so none of them is a test
that cannot fail.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import REPO, make_project

PACKAGE = REPO / "generator"

# The pipeline, earliest first: a module may import from its own stage or an earlier one, never a later one.
STAGES = (
    "base",
    "read",
    "schedule",
    "check",
    "call",
    "authoring",
    "review",
    "site",
    "paper",
    "mkdocs",
    "api",
    "cli",
)
# Top-level modules that belong to a stage other than their own name.
STAGE_OF_TOP_LEVEL = {
    "__init__": "base",
    "diagnostics": "base",
    "errors": "base",
    "report": "base",
    "hosts": "base",
    "__main__": "cli",
}

MAX_MODULE_LINES, MAX_CLASS_LINES, MAX_FUNCTION_LINES = 500, 250, 80
# "module" or "module:Qualified.name" -> why it may be longer than the limit. Keep it empty if at all possible.
SIZE_EXCEPTIONS: dict[str, str] = {}

# Libraries whose import alone costs a noticeable part of a second; commands that do not need them must not load them.
# What `golive validate` and `golive log` never need: MkDocs and WeasyPrint (most of the cost),
# and the libraries that only rendering and publishing use.
HEAVY_LIBRARIES = ("mkdocs", "weasyprint", "mike", "jinja2", "icalendar")


@dataclass(frozen=True)
class Import:
    """One import statement's target inside the package."""

    source: str  # importing module, dotted
    target: str  # imported module, dotted
    line: int
    in_function: bool


@dataclass(frozen=True)
class Package:
    """The modules of a package as found on disk: dotted name -> file."""

    name: str
    files: dict[str, Path]

    @classmethod
    def scan(cls, folder: Path) -> Package:
        files: dict[str, Path] = {}
        for path in sorted(folder.rglob("*.py")):
            parts = path.relative_to(folder.parent).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            files[name] = path
        return cls(folder.name, files)

    def is_package(self, module: str) -> bool:
        return self.files[module].name == "__init__.py"

    def stage(self, module: str) -> str:
        parts = module.split(".")
        if len(parts) == 1:
            return "base"
        top = parts[1]
        return STAGE_OF_TOP_LEVEL.get(top, top)

    def imports(self) -> list[Import]:
        found: list[Import] = []
        for module, path in self.files.items():
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            found.extend(self._imports_in(module, tree))
        return found

    def _imports_in(self, module: str, tree: ast.Module) -> list[Import]:
        found: list[Import] = []

        def visit(node: ast.AST, in_function: bool) -> None:
            for child in ast.iter_child_nodes(node):
                nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
                if isinstance(child, ast.Import | ast.ImportFrom):
                    for target in self._targets(module, child):
                        found.append(Import(module, target, child.lineno, in_function))
                visit(child, nested)

        visit(tree, False)
        return found

    def _targets(self, module: str, node: ast.Import | ast.ImportFrom) -> list[str]:
        """The package's modules an import statement loads (outside ones are left out)."""
        if isinstance(node, ast.Import):
            return [alias.name for alias in node.names if self._inside(alias.name)]
        base = node.module or ""
        if node.level:
            # a relative import: count up from the importing module's package
            anchor = module.split(".")
            if not self.is_package(module):
                anchor = anchor[:-1]
            anchor = anchor[: len(anchor) - (node.level - 1)]
            base = ".".join([*anchor, *([base] if base else [])])
        if not self._inside(base):
            return []
        targets = []
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            # `from generator.x import y` loads the module generator.x.y when y is one
            targets.append(submodule if submodule in self.files else base)
        return targets

    def _inside(self, dotted: str) -> bool:
        return dotted == self.name or dotted.startswith(self.name + ".")


def backward_imports(package: Package, imports: list[Import]) -> list[str]:
    """Imports from a module to a module of a later stage, as 'a (stage) -> b (stage), line n'."""
    rank = {stage: index for index, stage in enumerate(STAGES)}
    problems = []
    for edge in imports:
        source_stage, target_stage = package.stage(edge.source), package.stage(edge.target)
        if rank[target_stage] > rank[source_stage]:
            problems.append(f"{edge.source} ({source_stage}) imports {edge.target} ({target_stage}), line {edge.line}")
    return sorted(set(problems))


def unknown_stages(package: Package) -> list[str]:
    """Modules whose top-level folder is not one of the stages (a new stage must be placed in STAGES)."""
    return sorted(m for m in package.files if package.stage(m) not in STAGES)


def import_cycles(imports: list[Import]) -> list[list[str]]:
    """One cycle per strongly connected group of modules, each as a path that returns to its start."""
    graph: dict[str, set[str]] = {}
    for edge in imports:
        graph.setdefault(edge.source, set()).add(edge.target)
        graph.setdefault(edge.target, set())
    # Tarjan's algorithm, iterative so a deep package cannot hit the recursion limit
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1 or node in graph[node]:
                    groups.append(sorted(group))
    return [_cycle_through(graph, group) for group in sorted(groups)]


def _cycle_through(graph: dict[str, set[str]], group: list[str]) -> list[str]:
    """A shortest path from the group's first module back to itself, staying inside the group."""
    members, start = set(group), group[0]
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node] & members):
                if child == start:
                    return [*paths[node], start]
                if child not in paths:
                    paths[child] = [*paths[node], child]
                    following.append(child)
        frontier = following
    raise AssertionError(f"no cycle through {group}")  # cannot happen for a strongly connected group


def lazy_internal_imports(imports: list[Import]) -> list[str]:
    """Imports of the package's own modules inside a function (a lazy import hides a cycle or a layering slip)."""
    return sorted({f"{e.source} imports {e.target} inside a function, line {e.line}" for e in imports if e.in_function})


def oversized_units(package: Package) -> list[str]:
    """Modules, classes and functions over the size limits and not in SIZE_EXCEPTIONS."""
    problems = []
    for module, path in package.files.items():
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES and module not in SIZE_EXCEPTIONS:
            problems.append(f"module {module}: {lines} lines (limit {MAX_MODULE_LINES})")
        for name, kind, length in _units(ast.parse(text)):
            limit = MAX_CLASS_LINES if kind == "class" else MAX_FUNCTION_LINES
            key = f"{module}:{name}"
            if length > limit and key not in SIZE_EXCEPTIONS:
                problems.append(f"{kind} {key}: {length} lines (limit {limit})")
    return problems


def _units(tree: ast.Module) -> list[tuple[str, str, int]]:
    """(qualified name, 'class' or 'function', lines) of every class and function, nested ones included."""
    units: list[tuple[str, str, int]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                kind = "class" if isinstance(child, ast.ClassDef) else "function"
                assert child.end_lineno is not None
                units.append((name, kind, child.end_lineno - child.lineno + 1))
                visit(child, f"{name}.")
            else:
                visit(child, prefix)

    visit(tree, "")
    return units


def _listing(problems: list[str]) -> str:
    return "\n  " + "\n  ".join(problems)


# -- the package itself ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def package() -> Package:
    return Package.scan(PACKAGE)


@pytest.fixture(scope="module")
def imports(package: Package) -> list[Import]:
    return package.imports()


def test_every_module_belongs_to_a_stage(package: Package) -> None:
    unplaced = unknown_stages(package)
    assert not unplaced, f"modules outside the stages {STAGES}:{_listing(unplaced)}"


def test_no_import_cycle(imports: list[Import]) -> None:
    cycles = [" -> ".join(cycle) for cycle in import_cycles(imports)]
    assert not cycles, f"import cycles inside generator/:{_listing(cycles)}"


def test_no_import_from_a_later_stage(package: Package, imports: list[Import]) -> None:
    backward = backward_imports(package, imports)
    assert not backward, f"imports from a later stage (order: {' < '.join(STAGES)}):{_listing(backward)}"


def test_no_lazy_import_of_a_generator_module(imports: list[Import]) -> None:
    lazy = lazy_internal_imports(imports)
    assert not lazy, f"function-level imports of generator modules (import at the top instead):{_listing(lazy)}"


def test_units_stay_within_their_size_limits(package: Package) -> None:
    oversized = oversized_units(package)
    assert not oversized, (
        f"units over the size limits (split them, or explain in SIZE_EXCEPTIONS):{_listing(oversized)}"
    )


def test_size_exceptions_name_existing_units_with_a_reason(package: Package) -> None:
    units = {f"{m}:{name}" for m, path in package.files.items() for name, _, _ in _units(ast.parse(path.read_bytes()))}
    for key, reason in SIZE_EXCEPTIONS.items():
        assert key in package.files or key in units, f"SIZE_EXCEPTIONS names {key}, which does not exist"
        assert reason.strip(), f"SIZE_EXCEPTIONS[{key!r}] gives no reason"


# `golive validate` and `golive log` run in a fresh interpreter so that nothing else in the test run has
# already loaded the heavy libraries.
HEAVY_PROBE = """
import io, json, sys, contextlib
from generator.cli.main import main
out, err = io.StringIO(), io.StringIO()
with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
    code = main(sys.argv[1:])
heavy = sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r})
print(json.dumps({{"code": code, "err": err.getvalue(), "heavy": heavy}}))
"""


@pytest.mark.parametrize(
    "command",
    [
        ["validate"],
        ["log", "shop", "a note from the architecture test", "--by", "ana", "--at", "2026-12-05 22:30"],
    ],
    ids=["validate", "log"],
)
def test_fast_commands_do_not_load_mkdocs_weasyprint_or_the_renderers(tmp_path: Path, command: list[str]) -> None:
    root = make_project(tmp_path / "project")
    probe = HEAVY_PROBE.format(heavy=HEAVY_LIBRARIES)
    done = subprocess.run(
        [sys.executable, "-c", probe, *command, "--root", str(root)],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["code"] == 0, report["err"]
    loaded = sorted({module.split(".")[0] for module in report["heavy"]})
    assert not loaded, f"golive {command[0]} loads {' and '.join(loaded)} ({len(report['heavy'])} modules)"


TEMPLATES = sorted((REPO / "generator").glob("*/templates/*.j2"))
TEMPLATE_LINE_MAX = 160


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: f"{path.parent.parent.name}/{path.name}")
def test_templates_have_short_lines_and_read_views_not_models(template: Path) -> None:
    """A template reads what its view offers (view.contacts), never the models behind it
    (view.plan.stakeholders), so a change to a model cannot silently change a page."""
    for number, line in enumerate(template.read_text(encoding="utf-8").splitlines(), 1):
        assert len(line) <= TEMPLATE_LINE_MAX, f"{template.name}:{number} is {len(line)} characters long"
        assert ".plan." not in line and ".schedule." not in line, f"{template.name}:{number} reads a model: {line}"


def test_the_templates_are_found() -> None:
    assert len(TEMPLATES) > 10, TEMPLATES


# -- the checker on a synthetic package, so each check is known to fail when it should ----------------------


def _write_package(root: Path, files: dict[str, str]) -> Package:
    for relative, text in files.items():
        path = root / "pkg" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return Package.scan(root / "pkg")


CLEAN_FILES = {
    "__init__.py": "",
    "diagnostics.py": "",
    "read/__init__.py": "",
    "read/load.py": "from pkg import diagnostics\n",
    "site/__init__.py": "",
    "site/render.py": "from pkg.read import load\nimport pkg.diagnostics\n",
    "cli/__init__.py": "",
    "cli/main.py": "from pkg.site.render import *\ndef main():\n    import json\n    return json\n",
    "__main__.py": "from pkg.cli.main import main\n",
}


def test_checker_passes_a_clean_package(tmp_path: Path) -> None:
    package = _write_package(tmp_path, CLEAN_FILES)
    imports = package.imports()
    assert {(e.source, e.target) for e in imports} == {
        ("pkg.read.load", "pkg.diagnostics"),
        ("pkg.site.render", "pkg.read.load"),
        ("pkg.site.render", "pkg.diagnostics"),
        ("pkg.cli.main", "pkg.site.render"),
        ("pkg.__main__", "pkg.cli.main"),
    }
    assert unknown_stages(package) == []
    assert import_cycles(imports) == []
    assert backward_imports(package, imports) == []
    assert lazy_internal_imports(imports) == []
    assert oversized_units(package) == []


def test_checker_finds_a_cycle_through_a_submodule_import(tmp_path: Path) -> None:
    package = _write_package(
        tmp_path,
        {
            **CLEAN_FILES,
            # `from pkg.read import sources` imports the module pkg.read.sources, not the package pkg.read
            "read/load.py": "from pkg.read import sources\n",
            "read/sources.py": "from .. import read\nfrom . import load\n",
        },
    )
    cycles = import_cycles(package.imports())
    assert cycles == [["pkg.read.load", "pkg.read.sources", "pkg.read.load"]]


def test_checker_finds_a_backward_import_and_a_lazy_internal_one(tmp_path: Path) -> None:
    package = _write_package(
        tmp_path,
        {
            **CLEAN_FILES,
            "read/load.py": (
                "from pkg import diagnostics\n"
                "def later():\n"
                "    from pkg.site.render import x\n"
                "    import yaml  # a third-party import in a function is allowed\n"
                "    return x\n"
            ),
        },
    )
    imports = package.imports()
    assert backward_imports(package, imports) == ["pkg.read.load (read) imports pkg.site.render (site), line 3"]
    assert lazy_internal_imports(imports) == ["pkg.read.load imports pkg.site.render inside a function, line 3"]
    # the lazy import still closes a cycle: site.render imports read.load at the top
    assert import_cycles(imports) == [["pkg.read.load", "pkg.site.render", "pkg.read.load"]]


def test_checker_finds_a_module_outside_the_stages(tmp_path: Path) -> None:
    package = _write_package(tmp_path, {**CLEAN_FILES, "helpers.py": "", "misc/__init__.py": ""})
    assert unknown_stages(package) == ["pkg.helpers", "pkg.misc"]


def test_checker_finds_oversized_units(tmp_path: Path) -> None:
    long_body = "    x = 1\n" * MAX_FUNCTION_LINES
    package = _write_package(
        tmp_path,
        {
            **CLEAN_FILES,
            "read/load.py": f"class Loader:\n    def read(self):\n{textwrap.indent(long_body, '    ')}\n",
            "site/render.py": "x = 1\n" * (MAX_MODULE_LINES + 1),
        },
    )
    assert oversized_units(package) == [
        f"function pkg.read.load:Loader.read: {MAX_FUNCTION_LINES + 1} lines (limit {MAX_FUNCTION_LINES})",
        f"module pkg.site.render: {MAX_MODULE_LINES + 1} lines (limit {MAX_MODULE_LINES})",
    ]
