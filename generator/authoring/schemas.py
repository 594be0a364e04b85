"""JSON Schemas of the source kinds, for editors that complete and check YAML."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from generator.read.models import Checklist, Log, PeopleFile, Plan, Postmortem, Rehearsal

SCHEMA_DIR = "schemas"
SOURCE_KINDS: dict[str, tuple[type[BaseModel], str]] = {
    "people": (PeopleFile, "plans/people.yaml: the people of every plan"),
    "checklist": (Checklist, "plans/checklists/<id>.yaml: a reusable checklist"),
    "plan": (Plan, "plans/<plan-id>/plan.yaml: one go-live"),
    "log": (Log, "plans/<plan-id>/log.yaml: the log written during the call"),
    "postmortem": (Postmortem, "plans/<plan-id>/postmortem.yaml: the post-mortem"),
    "rehearsal": (Rehearsal, "plans/<plan-id>/rehearsals/<name>.yaml: the log of a rehearsal of the plan"),
}


def schema_for(kind: str) -> dict[str, Any]:
    """The JSON Schema of one source kind."""
    model, description = SOURCE_KINDS[kind]
    schema = model.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"golive {kind}",
        "description": description,
        **{k: v for k, v in schema.items() if k not in ("title", "description")},
    }


def schema_files() -> dict[str, str]:
    """The text of each schemas/<kind>.schema.json, by its path relative to the project folder."""
    return {
        f"{SCHEMA_DIR}/{kind}.schema.json": json.dumps(schema_for(kind), indent=2, ensure_ascii=False) + "\n"
        for kind in SOURCE_KINDS
    }


def write_schemas(root: Path) -> list[Path]:
    """Write schemas/<kind>.schema.json under root; return the files written."""
    (root / SCHEMA_DIR).mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_files().items():
        path = root / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
