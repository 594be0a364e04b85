"""`golive init`: a new plans repository that validates and builds at once, and never overwrites a file."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

from conftest import GIT_ENV, copy_shipped_project, golive
from generator import __version__

REPOSITORY = Path(__file__).resolve().parents[1]
CREATED = [
    "plans/people.yaml",
    "plans/checklists/pre-launch.yaml",
    "plans/checklists/post-launch.yaml",
    "mkdocs.yml",
    ".gitignore",
    ".github/workflows/golive.yml",
    ".pre-commit-config.yaml",
    "README.md",
    "schemas/people.schema.json",
    "schemas/checklist.schema.json",
    "schemas/plan.schema.json",
    "schemas/log.schema.json",
    "schemas/postmortem.schema.json",
    "schemas/rehearsal.schema.json",
    "plans/example-go-live/plan.yaml",
]
SCHEMA_LINES = {
    "plans/people.yaml": "# yaml-language-server: $schema=../schemas/people.schema.json",
    "plans/checklists/pre-launch.yaml": "# yaml-language-server: $schema=../../schemas/checklist.schema.json",
    "plans/checklists/post-launch.yaml": "# yaml-language-server: $schema=../../schemas/checklist.schema.json",
    "plans/example-go-live/plan.yaml": "# yaml-language-server: $schema=../../schemas/plan.schema.json",
}


def test_init_creates_a_repository_that_validates(tmp_path: Path) -> None:
    root = tmp_path / "team-go-lives"
    run = golive("init", root)
    assert run.code == 0, run.err
    assert run.out.splitlines()[:-1] == [f"created {name}" for name in CREATED]
    for name in CREATED:
        assert (root / name).is_file(), name
    for name, line in SCHEMA_LINES.items():
        assert (root / name).read_text(encoding="utf-8").splitlines()[0] == line
    mkdocs = (root / "mkdocs.yml").read_text(encoding="utf-8")
    assert 'site_name: "team-go-lives"' in mkdocs
    assert "generator" not in mkdocs  # plugin and extension by entry-point name, no module path
    for name in (".github/workflows/golive.yml", ".pre-commit-config.yaml"):
        assert f"golive=={__version__}" in (root / name).read_text(encoding="utf-8")
    assert "/site/" in (root / ".gitignore").read_text(encoding="utf-8").splitlines()
    workflow = yaml.safe_load((root / ".github/workflows/golive.yml").read_text(encoding="utf-8"))
    [cache] = [step for step in workflow["jobs"]["golive"]["steps"] if step.get("uses") == "actions/cache@v4"]
    assert cache["with"] == {  # the history kept between builds; GitHub's expression left to GitHub
        "path": ".git/golive",
        "key": "golive-history-${{ github.sha }}",
        "restore-keys": "golive-history-",
    }
    validated = golive("validate", "--root", root)
    assert validated.code == 0, validated.out + validated.err
    assert "all valid" in validated.out  # no error, no warning


def test_init_twice_creates_nothing(tmp_path: Path) -> None:
    assert golive("init", tmp_path).code == 0
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    run = golive("init", "--root", tmp_path)
    assert run.code == 0, run.err
    assert run.out.splitlines()[:-1] == [f"skipped {name} (exists)" for name in CREATED]
    assert run.out.splitlines()[-1].startswith("golive: 0 files created")
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before


def test_init_keeps_existing_files_and_adds_the_rest(tmp_path: Path) -> None:
    mkdocs = b"site_name: Ours\n# hand-made\n"
    people = b"people:\n  - id: kim\n    name: Kim\n"
    (tmp_path / "plans").mkdir()
    (tmp_path / "mkdocs.yml").write_bytes(mkdocs)
    (tmp_path / "plans" / "people.yaml").write_bytes(people)
    run = golive("init", tmp_path)
    assert run.code == 0, run.err
    assert "skipped mkdocs.yml (exists)" in run.out.splitlines()
    assert "skipped plans/people.yaml (exists)" in run.out.splitlines()
    assert "created plans/example-go-live/plan.yaml" in run.out.splitlines()
    assert (tmp_path / "mkdocs.yml").read_bytes() == mkdocs
    assert (tmp_path / "plans" / "people.yaml").read_bytes() == people
    assert "owner: kim" in (tmp_path / "plans/example-go-live/plan.yaml").read_text(encoding="utf-8")


def test_init_adds_no_example_next_to_existing_plans(tmp_path: Path) -> None:
    assert golive("init", tmp_path).code == 0
    (tmp_path / "plans" / "example-go-live").rename(tmp_path / "plans" / "ours")
    run = golive("init", tmp_path)
    assert "skipped plans/example-go-live/plan.yaml (plans/ already has a plan)" in run.out.splitlines()
    assert not (tmp_path / "plans" / "example-go-live").exists()


def test_init_refuses_a_file_and_links(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    run = golive("init", tmp_path / "afile")
    assert (run.code, run.out) == (1, "")
    assert "afile is a file, not a folder" in run.err

    outside = tmp_path / "outside"
    outside.mkdir()
    project = tmp_path / "project"
    project.mkdir()
    (project / "plans").symlink_to(outside)
    run = golive("init", project)
    assert run.code == 1
    assert "golive init: plans is a symbolic link" in run.err
    assert list(outside.iterdir()) == [] and [p.name for p in project.iterdir()] == ["plans"]  # nothing written

    (tmp_path / "link").symlink_to(outside)
    run = golive("init", tmp_path / "link")
    assert run.code == 1 and "is a symbolic link" in run.err
    assert list(outside.iterdir()) == []


# -- the repository as a new user gets it: golive from a wheel, in a virtual environment of its own


def _golive_wheel(folder: Path) -> Path:
    """A wheel of golive built from a copy of its sources, with no download (no build isolation)."""
    source = folder / "source"
    source.mkdir()
    shutil.copytree(REPOSITORY / "generator", source / "generator", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPOSITORY / name, source / name)
    wheels = folder / "wheels"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    built = subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q", "-w", wheels, source],
        capture_output=True,
        text=True,
    )
    # setuptools before 70.1 needs the `wheel` package for bdist_wheel: the test extra asks for a newer one
    assert built.returncode == 0, f"building golive's wheel (needs setuptools>=70.1 here): {built.stderr[-2000:]}"
    (wheel,) = wheels.glob("golive-*.whl")
    return wheel


def _fresh_venv(folder: Path, wheel: Path) -> Path:
    """A new virtual environment with the wheel installed; its dependencies are this one's (a .pth file)."""
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
        env=_clean_env(),
    ).stdout.strip()
    # After the venv's own site-packages: the wheel's golive comes first, mkdocs & co. from here.
    Path(purelib, "golive-test-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index", wheel],
        check=True,
        capture_output=True,
    )
    return venv


def _clean_env() -> dict[str, str]:
    """This environment without PYTHONPATH or a virtual environment's marks, and with git isolated."""
    drop = {"PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME"}
    return {k: v for k, v in GIT_ENV.items() if k not in drop}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ folder of a fresh virtual environment outside the repository, golive installed from a wheel."""
    folder = tmp_path_factory.mktemp("golive-wheel")
    assert not folder.resolve().is_relative_to(REPOSITORY)
    venv = _fresh_venv(folder, _golive_wheel(folder))
    # golive itself comes from the wheel (with its templates), not from this repository
    where = _run([venv / "bin" / "python", "-c", "import generator; print(generator.__file__)"], folder).stdout
    assert Path(where.strip()).is_relative_to(venv)
    return venv / "bin"


def _run(command: list[str | Path], cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=_clean_env(), timeout=300)
    assert result.returncode == 0, f"{command}: {result.stdout}{result.stderr}"
    return result


@pytest.mark.slow
def test_a_new_user_builds_a_site_with_the_installed_wheel(installed: Path, tmp_path: Path) -> None:
    golive_script = installed / "golive"
    _run([golive_script, "init", "demo"], tmp_path)
    _run([golive_script, "new", "first-go-live", "--root", "demo"], tmp_path)
    demo = tmp_path / "demo"
    validated = _run([golive_script, "validate"], demo)
    assert "2 plans" in validated.stdout and "all valid" in validated.stdout
    _run([golive_script, "build"], demo)
    assert (demo / "site" / "index.html").is_file()
    assert (demo / "site" / "plans" / "first-go-live" / "runbook.html").is_file()
    assert (demo / "site" / "plans" / "example-go-live" / "runbook.html").is_file()


@pytest.mark.slow
def test_the_generated_workflow_passes(installed: Path, tmp_path: Path) -> None:
    golive_script = installed / "golive"
    _run([golive_script, "init", "plans-repo"], tmp_path)
    root = tmp_path / "plans-repo"
    _run([golive_script, "build"], root)
    workflow = yaml.safe_load((root / ".github" / "workflows" / "golive.yml").read_text(encoding="utf-8"))
    commands = [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]
    install = [c for c in commands if c.startswith("pip install")]
    assert install == [f'pip install "golive=={__version__}"']
    checks = [c for c in commands if c not in install]
    assert checks == ["golive validate --format github", "golive check", "golive build"]
    path = f"{installed}{os.pathsep}{os.environ.get('PATH', '')}"
    for command in checks:
        result = subprocess.run(
            command, shell=True, cwd=root, capture_output=True, text=True, env={**_clean_env(), "PATH": path}
        )
        assert result.returncode == 0, f"{command}: {result.stdout}{result.stderr}"


def test_build_without_mkdocs_yml_says_to_run_init_and_writes_nothing(tmp_path: Path) -> None:
    root = copy_shipped_project(tmp_path / "project")
    (root / "mkdocs.yml").unlink()
    assert not (root / "site_src").exists()  # the copy holds plans/ and mkdocs.yml only
    run = golive("build", "--root", root)
    assert run.code == 1
    assert f"golive build: no mkdocs.yml in {root.resolve()}: `golive init` adds one" in run.err
    assert not (root / "site_src").exists() and not (root / "site").exists()
