"""The JSON Schemas that editors use agree with the models and the shipped files."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import REPO
from generator.authoring.schemas import SOURCE_KINDS, schema_for
from generator.read.load import parse_document

SHIPPED = sorted((REPO / "plans").rglob("*.yaml"))


def kind_of(path: Path) -> str:
    if path.name == "people.yaml":
        return "people"
    if path.parent.name == "checklists":
        return "checklist"
    if path.parent.name == "rehearsals":
        return "rehearsal"
    return path.stem


@pytest.mark.parametrize("kind", list(SOURCE_KINDS))
def test_committed_schemas_are_current(kind: str) -> None:
    committed = json.loads((REPO / "schemas" / f"{kind}.schema.json").read_text(encoding="utf-8"))
    assert committed == schema_for(kind), "run `make schema` and commit schemas/"


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(REPO).as_posix())
def test_shipped_file_names_its_schema_and_matches_it(path: Path) -> None:
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    prefix = "# yaml-language-server: $schema="
    assert first_line.startswith(prefix)
    schema_path = (path.parent / first_line[len(prefix) :]).resolve()
    assert schema_path == REPO / "schemas" / f"{kind_of(path)}.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    # The schemas describe values as golive reads them, so load with golive's own loader.
    data = parse_document(path.read_bytes(), path.name).data
    jsonschema.validate(data, schema)


def test_shipped_files_parse_as_plain_yaml_too() -> None:
    for path in SHIPPED:
        assert isinstance(yaml.safe_load(path.read_text(encoding="utf-8")), dict)
