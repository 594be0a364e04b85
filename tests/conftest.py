from __future__ import annotations

import shutil
from pathlib import Path

import pytest

TESTS = Path(__file__).parent
DATA = TESTS / "data"
BASE_PROJECT = DATA / "base"
REPO = TESTS.parent


def make_project(target: Path, overlay: Path | None = None) -> Path:
    """Copy the base project to target and lay a case's files over it.

    A case folder holds replacement or extra files under plans/, and may list
    base files to delete (one path per line) in remove.txt.
    """
    shutil.copytree(BASE_PROJECT, target)
    if overlay is not None:
        removals = overlay / "remove.txt"
        if removals.exists():
            for line in removals.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    (target / line.strip()).unlink()
        if (overlay / "plans").is_dir():
            shutil.copytree(overlay / "plans", target / "plans", dirs_exist_ok=True)
    return target


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A valid project folder (the base case) to modify in a test."""
    return make_project(tmp_path / "project")


def copy_shipped_project(target: Path) -> Path:
    """A copy of the repository's own project: plans/ and mkdocs.yml."""
    target.mkdir(parents=True)
    shutil.copytree(REPO / "plans", target / "plans")
    shutil.copy(REPO / "mkdocs.yml", target / "mkdocs.yml")
    return target


def build_project(root: Path) -> Path:
    """Run the whole pipeline (validate, write site_src, mkdocs build --strict); return site/."""
    from generator.build import build_html, generate, write

    generated = generate(root)
    assert generated.site is not None, [d for d in generated.validation.errors]
    write(root, generated.site)
    return build_html(root)


@pytest.fixture(scope="session")
def shipped_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped plans built into a real MkDocs site, once per test run; returns the project root."""
    root = copy_shipped_project(tmp_path_factory.mktemp("shipped") / "project")
    build_project(root)
    return root


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/ from the current rendering (review the diff before committing)",
    )
