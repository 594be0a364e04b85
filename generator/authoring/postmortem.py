"""`golive postmortem`: write a new post-mortem, pre-filled from what the plan and the log already say."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from generator.authoring.templates import render_yaml
from generator.call.calllog import read_log
from generator.call.postmortem import Prefill, prefill
from generator.check.validate import validate_project
from generator.errors import GoliveError
from generator.read.layout import PLANS_DIR, POSTMORTEM_FILE


class PostmortemError(GoliveError):
    """The post-mortem was not created; the message says why."""


def postmortem_yaml(fill: Prefill) -> str:
    """The pre-filled post-mortem as YAML, with a hint above every part still to write."""
    return render_yaml("postmortem.yaml.j2", fill=fill)


def create_postmortem(root: Path, plan_id: str, today: dt.date) -> Path:
    """Write plans/<plan_id>/postmortem.yaml pre-filled; never overwrite one."""
    path = root / PLANS_DIR / plan_id / POSTMORTEM_FILE
    shown = f"{PLANS_DIR}/{plan_id}/{POSTMORTEM_FILE}"
    if path.is_symlink():  # even one that points nowhere: writing would follow it
        raise PostmortemError(f"{shown} is a symlink; remove it, golive writes only a regular file there")
    if path.exists():
        raise PostmortemError(f"{shown} already exists; golive never overwrites it")
    validation = validate_project(root)
    sources = validation.project.plans.get(plan_id)
    if sources is None or plan_id not in validation.schedules:
        if not (root / PLANS_DIR / plan_id).is_dir():
            raise PostmortemError(f"no plan '{plan_id}' in {PLANS_DIR}/")
        raise PostmortemError(f"{PLANS_DIR}/{plan_id} has errors; run `golive validate` and fix them first")
    schedule = validation.schedules[plan_id]
    call_log = read_log(sources.log.model.entries, schedule) if sources.log else None
    text = postmortem_yaml(prefill(sources.plan.model, schedule, call_log, today))
    # A post-mortem that golive cannot read back would be a bad start: check before writing.
    checked = validate_project(root, {path: text.encode("utf-8")})
    problems = [d for d in checked.errors if d.file == shown]
    if problems:
        first = problems[0]
        raise PostmortemError(
            f"internal: the pre-filled post-mortem does not validate, nothing written: "
            f"{first.file}:{first.line}:{first.column}: {first.message}"
        )
    try:
        with open(path, "x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
            handle.write(text)
    except FileExistsError:
        raise PostmortemError(f"{shown} already exists; golive never overwrites it") from None
    except OSError as error:
        path.unlink(missing_ok=True)
        raise PostmortemError(f"cannot write {shown}: {error.strerror or error}; nothing was written") from None
    return path
