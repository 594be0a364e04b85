"""Where each source lives in a project folder: the names golive reads, and the paths built from them.

plans/people.yaml                     everyone the plans name
plans/checklists/<checklist-id>.yaml  shared checklists
plans/<plan-id>/plan.yaml             one go-live
plans/<plan-id>/log.yaml              what happened during its call
plans/<plan-id>/postmortem.yaml       what the team learnt
plans/<plan-id>/rehearsals/<name>.yaml  what happened in a rehearsal of it
"""

from __future__ import annotations

from pathlib import Path

PLANS_DIR = "plans"
PEOPLE_FILE = "people.yaml"
CHECKLISTS_DIR = "checklists"
PLAN_FILE = "plan.yaml"
LOG_FILE = "log.yaml"
POSTMORTEM_FILE = "postmortem.yaml"
REHEARSALS_DIR = "rehearsals"


def plans_dir(root: Path) -> Path:
    return root / PLANS_DIR


def people_file(root: Path) -> Path:
    return root / PLANS_DIR / PEOPLE_FILE


def checklists_dir(root: Path) -> Path:
    return root / PLANS_DIR / CHECKLISTS_DIR


def plan_folder(root: Path, plan_id: str) -> Path:
    return root / PLANS_DIR / plan_id


def plan_file(root: Path, plan_id: str) -> Path:
    return root / PLANS_DIR / plan_id / PLAN_FILE


def log_file(root: Path, plan_id: str) -> Path:
    return root / PLANS_DIR / plan_id / LOG_FILE


def postmortem_file(root: Path, plan_id: str) -> Path:
    return root / PLANS_DIR / plan_id / POSTMORTEM_FILE


def rehearsals_dir(root: Path, plan_id: str) -> Path:
    return root / PLANS_DIR / plan_id / REHEARSALS_DIR


def rehearsal_file(root: Path, plan_id: str, name: str) -> Path:
    return root / PLANS_DIR / plan_id / REHEARSALS_DIR / f"{name}.yaml"
