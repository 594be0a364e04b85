"""The Jinja environment of the files golive writes into plans/ for people to edit: YAML, not HTML."""

from __future__ import annotations

import jinja2

_env = jinja2.Environment(
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
    return _env.get_template(name).render(**context)
