"""The Jinja environment of the files golive writes into plans/ for people to edit: YAML, not HTML."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2


@functools.cache
def _environment() -> jinja2.Environment:
    # deferred: Jinja stays unimported until a file is written, which keeps validate and log start-up fast
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("generator.authoring", "templates"),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        # YAML, not HTML: HTML escaping would write "&amp;" into a title. The templates take care of
        # YAML's own rules instead: they write ids and dates golive made or checked (slugs, never
        # quoted), free text only as block scalars, and every file is validated before it is written.
        autoescape=False,
    )


def render_yaml(name: str, **context: object) -> str:
    """The YAML text of the template `name` (in generator/authoring/templates/) with `context`."""
    return _environment().get_template(name).render(**context)
