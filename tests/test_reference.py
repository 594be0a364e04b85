"""docs/reference.md, the field reference generated from the models, is current, complete and described."""

from __future__ import annotations

import json
import re
import typing
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from conftest import REPO
from generator.authoring.reference import anchor, reference_markdown
from generator.authoring.schemas import SOURCE_KINDS, schema_files


def test_committed_reference_is_current() -> None:
    committed = (REPO / "docs" / "reference.md").read_text(encoding="utf-8")
    assert committed == reference_markdown(), "docs/reference.md is stale: run `make reference` and commit it"


def nested_models(model: type[BaseModel]) -> Iterator[type[BaseModel]]:
    """The models a model's fields hold, at any depth of list, union or Annotated."""
    for field in model.model_fields.values():
        pending: list[Any] = [field.annotation]
        while pending:
            annotation = pending.pop()
            if isinstance(annotation, type) and issubclass(annotation, BaseModel):
                yield annotation
            pending.extend(typing.get_args(annotation))


def reachable_models(root: type[BaseModel]) -> list[type[BaseModel]]:
    found = [root]
    for model in found:
        found.extend(m for m in nested_models(model) if m not in found)
    return found


def tables_by_anchor(markdown: str) -> dict[str, str]:
    """Each block of the reference by the anchor that starts it."""
    parts = re.split(r'<a id="([^"]+)"></a>', markdown)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


@pytest.mark.parametrize("kind", list(SOURCE_KINDS))
def test_every_field_of_every_model_has_a_row(kind: str) -> None:
    tables = tables_by_anchor(reference_markdown())
    root, _ = SOURCE_KINDS[kind]
    missing = []
    for model in reachable_models(root):
        table = tables[kind if model is root else anchor(kind, model.__name__)]
        for name, field in model.model_fields.items():
            key = field.alias or name
            if f"\n| `{key}` | " not in table:
                missing.append(f"{model.__name__}.{key}")
    assert not missing, f"fields missing from the reference of {kind}: {missing}"


def schema_properties() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Every property of every object in every schema written by `golive schema`: (file, object.key, schema)."""
    for path, text in schema_files().items():
        schema = json.loads(text)
        objects = {"(top)": schema, **schema.get("$defs", {})}
        for name, obj in objects.items():
            for key, prop in obj.get("properties", {}).items():
                yield path, f"{name}.{key}", prop


def test_schemas_have_properties_to_describe() -> None:
    assert len(list(schema_properties())) > 100


def test_every_schema_property_has_a_description() -> None:
    undescribed = [f"{path}: {where}" for path, where, prop in schema_properties() if not prop.get("description")]
    assert not undescribed, f"{len(undescribed)} schema properties without a description:\n" + "\n".join(undescribed)
