"""Read-only admin fieldsets, written as Django's admin template writes them, for a fraction of the CPU.

A case page shows some forty read-only fields in fieldsets. Django's `admin/includes/fieldset.html` renders
each field through a dozen template variables and conditions: a quarter of the page's CPU.
`{% readonly_fieldset %}` writes the same HTML in one piece, from the same objects (admin.helpers' fieldsets,
lines and read-only fields); a fieldset it was not written for (a field that can be edited, several fields
on a line) gives None, and the template then renders Django's own. tests/submissions/test_admin_queue.py compares
the two on a case with every part filled. (The case's tables of rows are submissions.admin.CaseTable.)
"""

from django import template
from django.contrib.admin.helpers import AdminReadonlyField
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


def _help(field) -> str:
    help_text = field.field["help_text"]
    if not help_text:
        return ""
    hidden = " hidden" if field.field["is_hidden"] else ""
    return f'<div class="help{hidden}"><div>{help_text}</div></div>'  # help text is HTML (the template: |safe)


@register.simple_tag
def readonly_fieldset(fieldset, *, prefix: str, id_prefix, id_suffix, heading_level: int = 2) -> SafeString | None:
    """What admin/includes/fieldset.html writes for `fieldset`, if each of its lines is one read-only field."""
    lines = []
    for line in fieldset:
        fields = list(line)
        if len(fields) != 1 or not isinstance(fields[0], AdminReadonlyField):
            return None
        (field,) = fields
        name = field.field["name"]
        classes = "form-row" + ("" if line.has_visible_field else " hidden") + (f" field-{name}" if name else "")
        lines.append(
            f'<div class="{classes}"><div><div class="flex-container">{field.label_tag()}'
            f'<div class="readonly">{conditional_escape(field.contents())}</div></div>{_help(field)}</div></div>'
        )
    heading = ""
    labelled = ""
    collapsible = fieldset.name and fieldset.is_collapsible
    if fieldset.name:
        heading_id = escape(f"{prefix}-{id_prefix}-{id_suffix}-heading")
        labelled = f' aria-labelledby="{heading_id}"'
        name = conditional_escape(fieldset.name)
        heading = f'<h{heading_level} id="{heading_id}" class="fieldset-heading">{name}</h{heading_level}>'
        if collapsible:
            heading = f"<details><summary>{heading}</summary>"
    description = f'<div class="description">{fieldset.description}</div>' if fieldset.description else ""
    return mark_safe(  # noqa: S308 (names, labels and contents escaped above; descriptions and help are HTML)
        f'<fieldset class="module aligned {conditional_escape(fieldset.classes)}"{labelled}>{heading}{description}'
        + "".join(lines)
        + ("</details>" if collapsible else "")
        + "</fieldset>"
    )
