"""Nothing outside the repository is read, served or published: links, FIFOs, devices, plan ids, --output."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from conftest import REPO, golive
from generator.api import generate, publish, write
from generator.authoring import postmortem as postmortem_module
from generator.authoring.postmortem import PostmortemError, create_postmortem
from generator.check.validate import validate_project
from generator.read.document import SourceError
from generator.read.load import MAX_FILE_BYTES, load_document
from generator.review.publish import PublishError

GOLIVE = str(Path(sys.executable).with_name("golive"))
SECRET = "SECRET-TOKEN-4411"
LINK_ERROR = "error: symbolic links are not read (replace the link with the file itself)"


def run(*args: str) -> tuple[int, str]:
    """Run golive in this process; return the exit code and everything it printed."""
    result = golive(*args)
    return result.code, result.out + result.err


def limited_golive(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """golive in a subprocess that can neither hang the suite nor eat the machine's memory."""

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))

    return subprocess.run(
        [GOLIVE, *args], capture_output=True, text=True, timeout=timeout, preexec_fn=limit_memory, check=False
    )


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder outside the project, holding a secret and a valid-looking log and plan."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "secret.yaml").write_text(f"token: {SECRET}\n")
    return folder


# -- plans/ --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "link",
    [
        "plans/people.yaml",
        "plans/checklists/standard-pre-launch.yaml",
        "plans/shop/plan.yaml",
        "plans/shop/log.yaml",
        "plans/shop/postmortem.yaml",
        "plans/shop/notes.txt",
    ],
)
def test_a_symlinked_file_under_plans_is_an_error_naming_it(project: Path, outside: Path, link: str) -> None:
    target = project / link
    target.unlink(missing_ok=True)
    target.symlink_to(outside / "secret.yaml")
    code, output = run("validate", "--root", str(project))
    assert code == 1
    assert f"{link}:1:1: {LINK_ERROR}" in output.splitlines()
    assert SECRET not in output


def test_the_log_and_postmortem_pointing_at_valid_files_outside_are_still_refused(
    project: Path, tmp_path: Path
) -> None:
    # Valid contents: on the old code the links were read and the project was valid.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for name in ("log.yaml", "postmortem.yaml"):
        (project / "plans/shop" / name).rename(elsewhere / name)
        (project / "plans/shop" / name).symlink_to(elsewhere / name)
    validation = validate_project(project)
    assert [(d.file, d.message) for d in validation.errors] == [
        ("plans/shop/log.yaml", "symbolic links are not read"),
        ("plans/shop/postmortem.yaml", "symbolic links are not read"),
    ]


@pytest.mark.parametrize("folder", ["shop", "checklists"])
def test_a_symlinked_folder_under_plans_is_not_entered(project: Path, tmp_path: Path, folder: str) -> None:
    elsewhere = tmp_path / "elsewhere"
    (project / "plans" / folder).rename(elsewhere)
    (project / "plans" / folder).symlink_to(elsewhere, target_is_directory=True)
    validation = validate_project(project)
    read = validation.project.plans if folder == "shop" else validation.project.checklists
    assert read == {}
    assert (f"plans/{folder}", "symbolic links are not read") in [(d.file, d.message) for d in validation.errors]
    assert not [d for d in validation.diagnostics if d.file.startswith(f"plans/{folder}/")]


def test_a_symlinked_plans_folder_is_refused(project: Path, tmp_path: Path) -> None:
    (project / "plans").rename(tmp_path / "real-plans")
    (project / "plans").symlink_to(tmp_path / "real-plans", target_is_directory=True)
    validation = validate_project(project)
    assert validation.project.plans == {} and validation.project.people is None
    assert [(d.file, d.message) for d in validation.errors] == [("plans", "symbolic links are not read")]


def test_a_link_to_a_device_is_refused_without_reading_it(project: Path) -> None:
    (project / "plans/shop/postmortem.yaml").unlink()
    (project / "plans/shop/postmortem.yaml").symlink_to("/dev/zero")
    result = limited_golive("validate", "--root", str(project))
    assert (result.returncode, result.stderr) == (1, "")
    assert f"plans/shop/postmortem.yaml:1:1: {LINK_ERROR}" in result.stdout.splitlines()


@pytest.mark.parametrize("name", ["plans/shop/log.yaml", "plans/people.yaml", "plans/shop/fifo"])
def test_a_fifo_under_plans_is_an_error_not_a_hang(project: Path, name: str) -> None:
    fifo = project / name
    fifo.unlink(missing_ok=True)
    os.mkfifo(fifo)
    # No writer ever opens the FIFO: reading it would block forever.
    result = limited_golive("validate", "--root", str(project), timeout=60)
    assert result.returncode == 1
    expected = (
        f"{name}:1:1: error: a FIFO (named pipe), not a regular file: golive reads only regular files (remove it)"
    )
    assert expected in result.stdout.splitlines(), result.stdout + result.stderr


def test_load_document_refuses_links_fifos_and_folders(tmp_path: Path) -> None:
    (tmp_path / "real.yaml").write_text("a: 1\n")
    (tmp_path / "link.yaml").symlink_to(tmp_path / "real.yaml")
    os.mkfifo(tmp_path / "fifo.yaml")
    (tmp_path / "folder.yaml").mkdir()
    found = {}
    for name in ("link.yaml", "fifo.yaml", "folder.yaml"):
        with pytest.raises(SourceError) as error:
            load_document(tmp_path / name, name)
        found[name] = [d.message for d in error.value.diagnostics]
    assert found == {
        "link.yaml": ["symbolic links are not read"],
        "fifo.yaml": ["a FIFO (named pipe), not a regular file: golive reads only regular files"],
        "folder.yaml": ["a folder, not a regular file: golive reads only regular files"],
    }
    assert load_document(tmp_path / "real.yaml", "real.yaml").data == {"a": 1}


def test_the_size_limit_holds_on_the_bytes_read_not_on_stat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.truncate(4 * MAX_FILE_BYTES)
    real_stat, real_fstat = os.stat, os.fstat

    def small(result: os.stat_result) -> os.stat_result:
        return os.stat_result((*result[:6], 100, *result[7:10]))  # st_size: 100 bytes

    monkeypatch.setattr(os, "stat", lambda *a, **k: small(real_stat(*a, **k)))
    monkeypatch.setattr(os, "fstat", lambda *a, **k: small(real_fstat(*a, **k)))
    tracemalloc.start()
    try:
        with pytest.raises(SourceError) as error:
            load_document(big, "plans/big.yaml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [d.message for d in error.value.diagnostics] == ["file is larger than 16 MiB"]
    assert peak < 2.5 * MAX_FILE_BYTES  # not the whole 64 MiB file


# -- site_src/ and site/ ------------------------------------------------------------------


@pytest.fixture
def written(project: Path) -> Path:
    """The base project with mkdocs.yml and site_src/ up to date."""
    shutil.copy(REPO / "mkdocs.yml", project / "mkdocs.yml")
    generated = generate(project)
    assert generated.site is not None
    write(project, generated.site)
    return project


def test_a_symlink_in_site_src_fails_check_and_build(written: Path) -> None:
    (written / ".git").mkdir()
    (written / ".git/config").write_text(f"[http]\n\textraheader = AUTHORIZATION: basic {SECRET}\n")
    (written / "site_src/gitdir").symlink_to("../.git", target_is_directory=True)
    for command in ("check", "build"):
        code, output = run(command, "--root", str(written))
        assert code == 1, output
        assert f"site_src/gitdir:1:1: {LINK_ERROR}" in output.splitlines()
    assert not (written / "site").exists()


def test_a_symlinked_site_src_is_refused(written: Path, tmp_path: Path) -> None:
    (written / "site_src").rename(tmp_path / "elsewhere")
    (written / "site_src").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    code, output = run("check", "--root", str(written))
    assert code == 1
    assert f"site_src:1:1: {LINK_ERROR}" in output.splitlines()


def test_a_symlinked_site_folder_is_not_emptied_by_build(written: Path, outside: Path) -> None:
    # MkDocs empties site/ before a build: through a link, it would empty the folder linked to.
    (written / "site").symlink_to(outside, target_is_directory=True)
    code, output = run("build", "--root", str(written))
    assert code == 1
    assert f"site:1:1: {LINK_ERROR}" in output.splitlines()
    assert (outside / "secret.yaml").exists()


def test_publish_refuses_a_symlink_in_site_src(written: Path) -> None:
    (written / "site_src/home").symlink_to(Path.home(), target_is_directory=True)
    with pytest.raises(PublishError) as error:
        publish(written, "1.0")
    assert [(d.file, d.message) for d in error.value.diagnostics] == [("site_src/home", "symbolic links are not read")]


# -- plan ids -----------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["log", "pdf", "postmortem", "new"])
@pytest.mark.parametrize("bad_id", ["../../x", "learning-platform-launch/", "shop/../shop", "Shop", ""])
def test_every_plan_id_argument_is_a_slug(project: Path, command: str, bad_id: str) -> None:
    before = sorted(p.relative_to(project.parent) for p in project.parent.rglob("*"))
    result = golive(command, bad_id, *(["a note"] if command == "log" else []), "--root", project)
    assert result.code == 2
    err = result.err
    assert f"argument PLAN_ID: {bad_id!r} is not a plan id: use lowercase letters, digits and hyphens" in err
    assert sorted(p.relative_to(project.parent) for p in project.parent.rglob("*")) == before


# -- pdf --output -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("site_src", "is a folder; name the PDF file to write"),
        ("site_src/index.md", "is inside site_src/, which golive generates"),
        ("site/index.html", "would write into the built site site/"),
    ],
)
def test_pdf_output_refuses_a_folder_and_the_generated_site(written: Path, output: str, message: str) -> None:
    (written / "site").mkdir()
    (written / "site/index.html").write_text("<html></html>")
    before = {p: p.read_bytes() for p in written.rglob("*") if p.is_file()}
    code, printed = run("pdf", "shop", "--output", str(written / output), "--root", str(written))
    assert code == 1
    assert printed.startswith(f"golive pdf: --output {(written / output).as_posix()} {message}"), printed
    assert "internal error" not in printed
    assert {p: p.read_bytes() for p in written.rglob("*") if p.is_file()} == before


# -- golive postmortem --------------------------------------------------------------------


def test_postmortem_checks_its_prefill_before_writing_it(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "plans/shop/postmortem.yaml").unlink()
    monkeypatch.setattr(postmortem_module, "postmortem_yaml", lambda fill: "status: finished\nauthors: [nobody]\n")
    code, output = run("postmortem", "shop", "--root", str(project))
    assert (code, output) == (
        1,
        "golive postmortem: internal: the pre-filled post-mortem does not validate, nothing written: "
        "plans/shop/postmortem.yaml:1:9: 'finished' is not a valid status\n",
    )
    assert not (project / "plans/shop/postmortem.yaml").exists()


def test_postmortem_refuses_a_prefill_that_is_not_yaml(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "plans/shop/postmortem.yaml").unlink()
    monkeypatch.setattr(postmortem_module, "postmortem_yaml", lambda fill: "status: [draft\n")
    with pytest.raises(PostmortemError):
        create_postmortem(project, "shop", postmortem_module.dt.date(2026, 12, 7))
    assert not (project / "plans/shop/postmortem.yaml").exists()


def test_postmortem_never_writes_through_a_link(project: Path, outside: Path) -> None:
    (project / "plans/shop/postmortem.yaml").unlink()
    (project / "plans/shop/postmortem.yaml").symlink_to(outside / "postmortem.yaml")  # dangling
    code, output = run("postmortem", "shop", "--root", str(project))
    assert (code, output) == (
        1,
        "golive postmortem: plans/shop/postmortem.yaml is a symlink; remove it, "
        "golive writes only a regular file there\n",
    )
    assert not (outside / "postmortem.yaml").exists()


def test_new_never_writes_through_a_linked_plans_folder(project: Path, tmp_path: Path) -> None:
    (project / "plans").rename(tmp_path / "real-plans")
    (project / "plans").symlink_to(tmp_path / "real-plans", target_is_directory=True)
    code, output = run("new", "payments", "--root", str(project))
    assert (code, output) == (
        1,
        "golive new: plans: symbolic links are not read (replace the link with the file itself)\n",
    )
    assert not (tmp_path / "real-plans/payments").exists()


@pytest.mark.parametrize("command", ["validate", "serve"])
def test_validate_and_serve_refuse_a_symlink_in_site_src(written: Path, command: str) -> None:
    (written / "site_src/gitdir").symlink_to("../.git", target_is_directory=True)
    # On the old code `serve` would start serving: the timeout ends it, and the test fails.
    result = limited_golive(command, "--root", str(written), *(["--dev-addr", "127.0.0.1:0"] * (command == "serve")))
    assert result.returncode == 1
    assert f"site_src/gitdir:1:1: {LINK_ERROR}" in result.stdout.splitlines()


def test_file_names_in_messages_stay_on_one_line(project: Path) -> None:
    folder = os.fsencode(project / "plans/shop")
    os.symlink(b"/etc/passwd", folder + b"/link\n\x1b[31mred")
    (project / "plans/shop/stray\r\n.yaml").write_text("a: 1\n")
    (project / os.fsdecode(folder + b"/not-utf8-\xff.yaml")).write_text("a: 1\n")
    code, output = run("validate", "--root", str(project))
    assert code == 1
    assert output.splitlines() == [
        f"plans/shop/link\\n\\x1b[31mred:1:1: {LINK_ERROR}",
        "plans/shop/not-utf8-\\udcff.yaml:1:1: error: not a golive source file in this place (move it, or remove it)",
        "plans/shop/stray\\r\\n.yaml:1:1: error: not a golive source file in this place (move it, or remove it)",
        "golive: 1 plan, 6 files read: 3 errors, 0 warnings",
    ]
