"""The command line through its entry point main(), in process: exact exit codes and messages; and a few
smoke tests of the installed console script and `python -m generator` in a real subprocess."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from dataclasses import astuple
from pathlib import Path

import pytest

from conftest import REPO, golive

GOLIVE = str(Path(sys.executable).with_name("golive"))


def break_owner(project: Path) -> None:
    plan = project / "plans/shop/plan.yaml"
    plan.write_text(plan.read_text().replace("    owner: dev\n    duration: 25m", "    owner: deb\n    duration: 25m"))


def test_validate_valid_project_prints_one_summary_line(project: Path) -> None:
    result = golive("validate", "--root", str(project))
    assert (result.code, result.out, result.err) == (
        0,
        "golive: 1 plan, 6 files read: all valid\n",
        "",
    )


def test_validate_runs_in_the_current_folder_by_default(project: Path) -> None:
    result = golive("validate", cwd=project)
    assert result.code == 0


def test_validate_reports_error_with_place_and_hint(project: Path) -> None:
    break_owner(project)
    result = golive("validate", "--root", str(project))
    assert result.code == 1
    assert result.out == (
        'plans/shop/plan.yaml:56:12: error: steps[1].owner (backup-db, "Snapshot the orders database"): '
        "unknown person 'deb' (did you mean 'dev' (Devi Raman)?)\n"
        "golive: 1 plan, 6 files read: 1 error, 0 warnings\n"
    )
    assert "Traceback" not in result.err


def test_validate_json_format(project: Path) -> None:
    break_owner(project)
    result = golive("validate", "--format", "json", "--root", str(project))
    assert result.code == 1
    assert json.loads(result.out) == [
        {
            "file": "plans/shop/plan.yaml",
            "line": 56,
            "column": 12,
            "severity": "error",
            "path": "steps[1].owner",  # the path alone: tools read it
            "message": "unknown person 'deb'",
            "hint": "did you mean 'dev' (Devi Raman)?",
        }
    ]


def test_validate_github_format(project: Path) -> None:
    break_owner(project)
    result = golive("validate", "--format", "github", "--root", str(project))
    assert result.code == 1
    assert result.out == (
        "::error file=plans/shop/plan.yaml,line=56,col=12,title=steps[1].owner::"
        "unknown person 'deb' (did you mean 'dev' (Devi Raman)?)\n"
    )


def test_warnings_pass_unless_strict(project: Path) -> None:
    people = project / "plans/people.yaml"
    people.write_text(people.read_text().replace('    phone: "+91 22 5550 1234"\n', ""))
    lenient = golive("validate", "--root", str(project))
    strict = golive("validate", "--strict", "--root", str(project))
    warning = (
        'plans/shop/plan.yaml:56:12: warning: steps[1].owner (backup-db, "Snapshot the orders database"): '
        "step owner 'dev' has no phone number in people.yaml\n"
    )
    assert (lenient.code, lenient.out) == (
        0,
        warning + "golive: 1 plan, 6 files read: 0 errors, 1 warning\n",
    )
    assert strict.code == 1


@pytest.mark.parametrize(
    "args",
    [(), ("validate", "--format", "xml"), ("frobnicate",), ("new",), ("validate", "--bogus")],
)
def test_wrong_usage_exits_2(args: tuple[str, ...]) -> None:
    result = golive(*args)
    assert result.code == 2
    assert "usage: golive" in result.err


def _commands() -> list[str]:
    from generator.cli.parser import build_parser

    parser = build_parser()
    [subparsers] = [a for a in parser._actions if a.dest == "command"]
    return sorted(subparsers.choices)  # type: ignore[arg-type]


def test_every_spec_command_exists() -> None:
    spec = [
        "build",
        "call",
        "check",
        "diff",
        "export",
        "import",
        "init",
        "log",
        "new",
        "pdf",
        "postmortem",
        "publish",
        "schema",
        "serve",
        "validate",
    ]
    assert _commands() == spec


@pytest.mark.parametrize("command", _commands())
def test_every_command_has_help_with_an_example(command: str) -> None:
    result = golive(command, "--help")
    assert result.code == 0
    assert "example:\n  golive " + command in result.out
    assert "--root DIR" in result.out


def test_new_creates_a_valid_draft_and_refuses_to_overwrite(project: Path) -> None:
    created = golive("new", "payments-cutover", "--root", str(project))
    assert created.code == 0
    assert created.out == "created plans/payments-cutover/plan.yaml: a draft to edit; check it with `golive validate`\n"
    text = (project / "plans/payments-cutover/plan.yaml").read_text()
    assert text.startswith("# yaml-language-server: $schema=../../schemas/plan.schema.json\n")
    assert "status: draft" in text
    check = golive("validate", "--root", str(project))
    assert check.code == 0, check.out
    again = golive("new", "payments-cutover", "--root", str(project))
    assert (again.code, again.err) == (
        1,
        "golive new: plans/payments-cutover already exists\n",
    )
    assert (project / "plans/payments-cutover/plan.yaml").read_text() == text


@pytest.mark.parametrize("bad_id", ["Payments", "pay_ments", "pay.ments", "a" * 64])
def test_new_refuses_an_invalid_id(project: Path, bad_id: str) -> None:
    result = golive("new", bad_id, "--root", str(project))
    assert result.code == 2
    assert f"golive new: error: argument PLAN_ID: '{bad_id}' is not a plan id" in result.err
    assert not (project / "plans" / bad_id).exists()


def test_schema_writes_one_schema_per_source_kind(project: Path) -> None:
    result = golive("schema", "--root", str(project))
    assert result.code == 0
    kinds = ["people", "checklist", "plan", "log", "postmortem", "rehearsal"]
    assert result.out.splitlines() == [f"wrote schemas/{kind}.schema.json" for kind in kinds]
    plan = json.loads((project / "schemas/plan.schema.json").read_text())
    assert plan["additionalProperties"] is False
    assert set(plan["required"]) == {"title", "timezone", "window", "stakeholders", "steps"}
    assert "point_of_no_return" in plan["$defs"]["Step"]["properties"]
    checklist = json.loads((project / "schemas/plan.schema.json").read_text())
    assert "pre-launch" in checklist["$defs"]["PlanChecklists"]["properties"]


def test_internal_error_shows_no_traceback_without_debug(project: Path) -> None:
    # A plans/ that is a file, not a folder, is a setup mistake, reported like any source error.
    broken = project / "broken"
    broken.mkdir()
    (broken / "plans").write_text("not a folder")
    result = golive("validate", "--root", str(broken))
    assert result.code == 1
    assert "Traceback" not in result.out + result.err
    assert result.out.startswith("plans:1:1: error: no plans/ folder here")


# The shipped examples warn only where they are meant to: the ERP move's rehearsals took longer
# than planned on two steps, and the December payments release plans two steps below what the
# earlier runs of its series took. Every other plan is quiet.
SHIPPED_WARNINGS = [
    "plans/erp-datacentre-migration/plan.yaml:215:15: warning: steps[6].duration (final-backup, ",
    "plans/erp-datacentre-migration/plan.yaml:315:15: warning: steps[16].duration (technical-checks, ",
    "plans/pay-2026-12/plan.yaml:198:15: warning: steps[6].duration (drain-queues, ",
    "plans/pay-2026-12/plan.yaml:280:15: warning: steps[14].duration (reconcile-payments, ",
]


def test_shipped_plans_are_valid_and_warn_only_where_meant_to() -> None:
    # mobile-banking-4-2 shows a call in progress on 2026-11-26: checked as of the next day, or
    # its status would be stale (tests never depend on the clock).
    result = golive("validate", "--now", "2026-11-27 12:00", "--root", str(REPO))
    assert result.code == 0, result.out
    *warnings, summary = result.out.splitlines()
    assert [w[: len(start)] for w, start in zip(warnings, SHIPPED_WARNINGS, strict=True)] == SHIPPED_WARNINGS
    assert "rehearsal mock-1 took 1h52m" in warnings[0] and "rehearsal mock-2 took 1h37m" in warnings[1]
    assert "median of 24m" in warnings[2] and "median of 38m" in warnings[3]
    assert summary.endswith(": 0 errors, 4 warnings")


@pytest.mark.parametrize(("status", "outcomes"), [("in-progress", "live, completed"), ("live", "completed")])
def test_a_plan_still_running_a_day_after_its_window_is_a_warning_of_validate(
    project: Path, status: str, outcomes: str
) -> None:
    plan = project / "plans/shop/plan.yaml"
    plan.write_text(plan.read_text().replace("status: approved", f"status: {status}"))
    # The window ends 2026-12-06 02:00 in London, which is UTC then.
    late = golive("validate", "--strict", "--now", "2026-12-07 02:01", "--root", str(project))
    assert (late.code, late.out) == (
        1,
        f"plans/shop/plan.yaml:4:9: warning: status: the plan is still {status}, but its window ended 1 day ago "
        f"(2026-12-06 02:00) (set it to what happened: {outcomes} or rolled-back)\n"
        "golive: 1 plan, 6 files read: 0 errors, 1 warning\n",
    )
    in_time = golive("validate", "--strict", "--now", "2026-12-07T01:59Z", "--root", str(project))
    assert (in_time.code, in_time.out) == (0, "golive: 1 plan, 6 files read: all valid\n")


def test_the_stale_status_warning_reads_the_clock_but_never_reaches_the_pages(project: Path) -> None:
    from generator.check.validate import stale_status_warnings, validate_project
    from generator.site.views.plan import build_plan_view

    plan = project / "plans/shop/plan.yaml"
    text = plan.read_text().replace("status: approved", "status: in-progress")
    plan.write_text(
        text.replace("2026-12-05 22:00", "2020-12-05 22:00").replace("2026-12-06 02:00", "2020-12-06 02:00")
    )
    validation = validate_project(project)
    assert validation.diagnostics == []  # what the pages are built from
    assert build_plan_view(validation, "shop").warnings == ()
    [stale] = stale_status_warnings(validation)  # today is long after 2020
    assert stale.message.startswith("the plan is still in-progress, but its window ended ")
    assert stale_status_warnings(validation, now=dt.datetime(2020, 12, 7, 1, 0, tzinfo=dt.UTC)) == []
    [weeks] = stale_status_warnings(validation, now=dt.datetime(2021, 1, 6, 2, 0, tzinfo=dt.UTC))
    assert "ended 4 weeks ago (2020-12-06 02:00)" in weeks.message
    # a window end given with an offset counts as the same moment
    ended = golive("validate", "--now", "2020-12-07T03:01+01:00", "--root", str(project))
    assert "window ended 1 day ago" in ended.out


def test_validate_now_must_be_a_date(project: Path) -> None:
    result = golive("validate", "--now", "tomorrow", "--root", str(project))
    assert result.code == 2
    assert "argument --now: 'tomorrow' is not a date; write 2026-12-05" in result.err


@pytest.mark.parametrize("debug", [False, True])
def test_a_bug_is_one_line_and_a_traceback_only_with_debug(
    project: Path, debug: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator.cli.commands import COMMANDS

    def broken(args: object) -> int:
        raise RuntimeError("a bug in a handler")

    monkeypatch.setitem(COMMANDS, "validate", broken)
    code, out, err = astuple(golive(*(["--debug"] if debug else []), "validate", "--root", project))
    assert (code, out) == (1, "")
    assert err.endswith("golive: internal error: RuntimeError: a bug in a handler (rerun with --debug for details)\n")
    assert ("Traceback (most recent call last)" in err) is debug
    assert len(err.splitlines()) == 1 or debug


# -- the real thing, in a subprocess: the installed script and `python -m generator` -----------------------


@pytest.mark.parametrize("command", [[GOLIVE], [sys.executable, "-m", "generator"]], ids=["script", "module"])
def test_the_console_script_and_the_module_run_validate(project: Path, command: list[str]) -> None:
    result = subprocess.run([*command, "validate", "--root", str(project)], capture_output=True, text=True)
    assert (result.returncode, result.stdout, result.stderr) == (0, "golive: 1 plan, 6 files read: all valid\n", "")


def test_the_console_script_exits_1_on_errors_and_2_on_wrong_usage(project: Path) -> None:
    break_owner(project)
    invalid = subprocess.run([GOLIVE, "validate", "--root", str(project)], capture_output=True, text=True)
    assert invalid.returncode == 1
    assert invalid.stdout.endswith("golive: 1 plan, 6 files read: 1 error, 0 warnings\n")
    usage = subprocess.run([GOLIVE, "frobnicate"], capture_output=True, text=True)
    assert usage.returncode == 2
    assert "usage: golive" in usage.stderr


def test_the_console_script_prints_no_traceback_for_a_broken_project(tmp_path: Path) -> None:
    (tmp_path / "plans").write_text("not a folder")
    for command in ("validate", "build", "check", "pdf"):
        args = [GOLIVE, command, *(["shop"] if command == "pdf" else []), "--root", str(tmp_path)]
        result = subprocess.run(args, capture_output=True, text=True)
        assert result.returncode == 1, (command, result.stderr)
        assert "Traceback" not in result.stdout + result.stderr, command
