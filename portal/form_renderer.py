"""Django's form renderer, with <input> and <select> elements written in Python.

Django renders each <input> through three templates (the widget's, `input.html`, `attrs.html`) and each
<option> of a <select> through two: a section of the intake form (a country list, the sections' choices)
rendered some seven hundred templates, most of them options (over the sections' tests, 6 of the 10.6 s
spent in templates).
`WidgetsInPython` writes what those templates write, character for character, for Django's own widget
templates only: while the template a name finds is Django's file (an app that overrides one gets its
template rendered), and for a <select> only if each of its options uses `select_option.html`. Every other
template (textareas, radio lists, a form's layout, crispy-forms' templates) renders as before.
tests/portal/test_form_renderer.py compares the two on generated widgets.
"""

from functools import cache
from pathlib import Path

import django.forms
from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import conditional_escape

WIDGETS = Path(django.forms.__file__).parent / "templates" / "django" / "forms" / "widgets"
INPUT = "django/forms/widgets/input.html"
SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
ATTRS = "django/forms/widgets/attrs.html"
# How `{{ value }}` writes a value: localized, and escaped unless it is safe HTML already.
_AUTOESCAPE = Context(autoescape=True)


def _only_input() -> frozenset[str]:
    """The widget templates of Django that only include input.html (hidden, text, email, checkbox...)."""
    include = '{% include "django/forms/widgets/input.html" %}'
    names = {path.name for path in WIDGETS.glob("*.html") if path.read_text().strip() == include}
    return frozenset({INPUT, *(f"django/forms/widgets/{name}" for name in names)})


INPUTS = _only_input()


def _text(value) -> str:
    """`{{ value|stringformat:'s' }}`."""
    return conditional_escape(str(value))  # str() of safe HTML is that HTML, still marked safe


def _attrs(attrs: dict) -> str:
    """attrs.html: ` name="value"` each, a True one bare, a False one left out."""
    return "".join(
        f" {conditional_escape(name)}" if value is True else f' {conditional_escape(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def write_input(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
    kind, name = conditional_escape(widget["type"]), conditional_escape(widget["name"])
    return f'<input type="{kind}" name="{name}"{value}{_attrs(widget["attrs"])}>'


def write_select(widget: dict) -> str | None:
    """select.html with its select_option.html options; None if an option has a template of its own."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{render_value_in_context(group_name, _AUTOESCAPE)}">')
        for option in options:
            if option["template_name"] != OPTION:
                return None
            label = render_value_in_context(option["label"], _AUTOESCAPE)
            # The include keeps the template file's last line break; the renderer strips the whole at the end.
            parts.append(f'\n  <option value="{_text(option["value"])}"{_attrs(option["attrs"])}>{label}</option>\n')
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


class WidgetsInPython(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name in INPUTS and self._djangos_own(template_name, INPUT, ATTRS):
            return write_input(context["widget"])
        if template_name == SELECT and self._djangos_own(SELECT, OPTION, ATTRS):
            written = write_select(context["widget"])
            if written is not None:
                return written.strip()
        return super().render(template_name, context, request)

    @cache  # noqa: B019 (one renderer for the process; a handful of template names)
    def _djangos_own(self, *names: str) -> bool:
        """Whether each template these names find is Django's own file."""
        return all(Path(self.get_template(name).origin.name).parent == WIDGETS for name in names)
