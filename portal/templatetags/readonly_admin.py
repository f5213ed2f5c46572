"""Read-only admin pages, written as Django's admin templates write them, for a fraction of the CPU.

A case page shows some forty read-only fields in fieldsets and five tables of read-only rows (defenders,
consents, messages, files, history). Django's `admin/includes/fieldset.html` and `edit_inline/tabular.html`
render each field through a dozen template variables and conditions: over a quarter of the page's CPU.
`{% readonly_fieldset %}` and `{% readonly_inline_rows %}` write the same HTML in one piece each, from the
same objects (admin.helpers' fieldsets, lines, read-only fields and inline forms); anything they were not
written for (a field that can be edited, several fields on a line, a row that can be added or deleted)
gives None, and the template then renders Django's own. tests/submissions/test_admin_queue.py compares the
two on a case with every part filled.
"""

from django import template
from django.contrib.admin.helpers import AdminReadonlyField
from django.utils.html import conditional_escape, escape, format_html
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


@register.simple_tag
def readonly_inline_rows(inline_admin_formset) -> SafeString | None:
    """The <tbody> rows edit_inline/tabular.html writes, if every row is read-only and none can be added or deleted."""
    formset = inline_admin_formset.formset
    if inline_admin_formset.has_add_permission or (formset.can_delete and inline_admin_formset.has_delete_permission):
        return None
    if inline_admin_formset.opts.show_change_link:
        return None
    rows = []
    for index, inline_admin_form in enumerate(inline_admin_formset):
        if inline_admin_form.form.non_field_errors() or inline_admin_form.show_url:
            return None
        cells = []
        for fieldset in inline_admin_form:
            for line in fieldset:
                for field in line:
                    if not isinstance(field, AdminReadonlyField):
                        return None
                    name = field.field["name"]
                    classes = (f"field-{name}" if name else "") + (" hidden" if field.field["is_hidden"] else "")
                    cells.append(f'<td class="{classes}"><p>{conditional_escape(field.contents())}</p></td>')
        original = inline_admin_form.original
        hidden = ""
        if inline_admin_form.needs_explicit_pk_field():
            hidden += str(inline_admin_form.pk_field().field)
        if inline_admin_form.fk_field():
            hidden += str(inline_admin_form.fk_field().field)
        rows.append(
            format_html(
                '<tr class="form-row {}" id="{}-{}"><td class="original">{}{}</td>',
                "has_original" if original else "",
                formset.prefix,
                index,
                format_html("<p>{}</p>", original) if original else "",
                mark_safe(hidden),  # noqa: S308 (Django's own widgets, which escape what they write)
            )
            + "".join(cells)
            + '<td class="delete"></td></tr>'
        )
    return mark_safe("".join(rows))  # noqa: S308 (each part escaped above)
