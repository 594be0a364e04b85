"""The Jinja environment of the pages: templates/ in the package, and the filters that escape each field.

Every filter is registered here, once; templates/_macros.md.j2 holds the shared fragments.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape

from generator.read.models.checklist import PHASE_TITLES
from generator.read.models.plan import STATUS_LABELS
from generator.site import chart, markup
from generator.site.views.learning import TOLERANCE_TEXT, DurationCell
from generator.site.views.people import Contact

if TYPE_CHECKING:
    import jinja2


def escape_output(value: object) -> Markup:
    """Autoescaping of a page's {{ output }}: markupsafe.escape, except that Markup (what every
    filter below returns) passes as it is, instead of being copied into a new Markup: the pages
    write over a million values, and escape() and the copies took a sixth of rendering them."""
    return value if type(value) is Markup else escape(value)


@functools.cache
def _environment() -> jinja2.Environment:
    # deferred: Jinja stays unimported until a page is rendered, which keeps validate and log start-up fast
    import jinja2
    import jinja2.compiler

    class PageCodeGenerator(jinja2.compiler.CodeGenerator):
        """Jinja's compiler, with escape_output for autoescaped output (jinja2 writes escape()).
        Should a Jinja release no longer call this method, output is escaped by Jinja as before."""

        def _output_child_pre(self, node: jinja2.nodes.Expr, frame: jinja2.compiler.Frame, finalize: Any) -> None:
            if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
                return super()._output_child_pre(node, frame, finalize)
            self.write("environment.escape_output(")
            if finalize.src is not None:
                self.write(finalize.src)

    class PageEnvironment(jinja2.Environment):
        code_generator_class = PageCodeGenerator
        escape_output = staticmethod(escape_output)

    env = PageEnvironment(
        loader=jinja2.PackageLoader("generator.site", "templates"),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        # Pages: each field is escaped for where it lands by the filters below, which mark their
        # output safe; any value left unfiltered is HTML-escaped. So nothing read from plans/ can
        # put a "<" (a tag, or a golive:html marker) into site_src/: only the templates can.
        autoescape=jinja2.select_autoescape(enabled_extensions=("md.j2",), default_for_string=False),
    )
    env.globals["PHASE_TITLES"] = PHASE_TITLES
    env.globals["ESTIMATE_TOLERANCE"] = TOLERANCE_TEXT  # "±20% / 5 min": what "on estimate" means
    env.filters["text"] = _safe(markup.plain)
    env.filters["md"] = _safe(markup.markdown_block)
    env.filters["attr"] = _safe(markup.attribute)
    env.filters["code_span"] = _safe(markup.code_span)
    env.filters["gfm"] = _safe(markup.github_text)
    env.filters["safe_link"] = markup.safe_link
    env.filters["svg_chart"] = _safe(chart.svg)  # chart.py escapes every text it draws
    env.filters["status"] = lambda status: STATUS_LABELS.get(status, status)
    # Python, not Jinja macros: they run for every row of the big tables.
    env.filters["phone_html"] = _safe(phone_html)
    env.filters["person_html"] = _safe(person_html)
    env.filters["duration_cell"] = lambda cell, label="": Markup(duration_cell_html(cell, label))
    return env


def _safe(escape: Callable[[Any], str]) -> Callable[[Any], Markup]:
    """A filter whose output is escaped already: autoescaping leaves it as it is."""
    # str.__new__, not Markup(), whose constructor first looks for __html__ on what is a str
    return lambda value: str.__new__(Markup, escape(value))


def phone_html(contact: Contact) -> str:
    """A contact's phone number in HTML: a tel: link when it can dial."""
    if contact.tel:
        return f'<a href="{markup.attribute(contact.tel)}">{markup.attribute(contact.phone)}</a>'
    return markup.attribute(contact.phone) if contact.phone else ""


def person_html(contact: Contact) -> str:
    """A contact's name, and phone below it, in HTML."""
    return markup.attribute(contact.name) + (f"<br>{phone_html(contact)}" if contact.phone else "")


@functools.lru_cache(maxsize=4096)  # few distinct cells, in tables of thousands of them
def duration_cell_html(cell: DurationCell, label: str = "") -> str:
    """An actual duration as a table cell: an overrun in bold with its ▲; `label` names the run
    (or rehearsal) on a phone, where each row is a card."""
    text = markup.attribute(cell.text)
    content = f'<strong class="golive-overran">{text}</strong>' if cell.overran else text
    labelled = f' data-label="{markup.attribute(label)}"' if label else ""
    return f"<td{labelled}>{content}</td>"


def render_template(name: str, **context: object) -> str:
    """Render one template of templates/ with its context."""
    return _environment().get_template(name).render(**context)
