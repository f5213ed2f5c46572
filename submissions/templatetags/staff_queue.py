"""The queue's table of submissions, written as Django's admin writes it, for a fraction of the CPU.

Django's `{% result_list %}` works out each cell from scratch: it looks the column up by name (a model
field, else a method), asks the admin for its empty value, lists a choice field's choices, reverses the
change URL and merges the filters into it, and escapes the cell through format_html; then the template
renders each of the 550 cells of a page as a variable of its own. That was two fifths of a list page's
CPU. `{% queue_result_list cl %}` works each column out once per page and each row once, and writes
each row as one piece: the same HTML (tests/submissions/test_admin_queue.py compares the two on a
page of varied cases). A changelist that edits rows in place (list_editable) or is a popup goes
through Django's own tag.
"""

import datetime

from django import template
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.templatetags.admin_list import ResultList, _boolean_icon, _coerce_field_name
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.contrib.admin.utils import _get_non_gfk_field, display_for_field, display_for_value, quote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe

register = template.Library()

# Stands for a row's primary key in the change URL worked out once per page.
_PK = "QUEUEROWPK"
# A cell whose value is a date or a time does not wrap (items_for_result adds the class per row).
NOWRAP = object()


def _cell_of_field(field, empty: str, link: bool):
    """(value of a row -> what the cell shows) for a model field, as items_for_result shows it."""
    if isinstance(field.remote_field, models.ManyToOneRel):

        def related(row):
            value = getattr(row, field.name)
            return empty if value is None else value

        return related

    numbers: dict[int, str] = {}  # a number is written once per page (number_format looks up the locale's format)

    def plain(row):
        value = getattr(row, field.name)
        if type(value) is int:
            if value not in numbers:
                numbers[value] = display_for_field(value, field, empty, avoid_link=link)
            return numbers[value]
        if isinstance(value, str) and value.strip() == "":
            value = ""
        return display_for_field(value, field, empty, avoid_link=link)

    try:
        # Listed once per page, not once per row, and translated once: a lazy label is translated again each
        # time it is written out.
        shown = {value: str(label) for value, label in (field.flatchoices or ())}
    except TypeError:  # list-like choices: display_for_field knows them
        return plain
    if not shown:
        return plain

    def choice(row):
        value = getattr(row, field.name)
        if isinstance(value, str) and value.strip() == "":
            value = ""
        try:
            return shown.get(value, empty)
        except TypeError:
            return plain(row)

    return choice


def _cell_of_callable(attr, empty: str):
    """(row -> what the cell shows) for a method of the admin or the model (a display), as items_for_result."""
    empty = getattr(attr, "empty_value_display", empty)
    if getattr(attr, "boolean", False):
        icons = {value: _boolean_icon(value) for value in (True, False, None)}

        def boolean(row):
            return icons[attr(row)]  # True, False or None, as _boolean_icon takes them

        return boolean

    def shown(row):
        value = attr(row)
        if isinstance(value, str):
            # What display_for_value makes of text, without its checks for every other type.
            return value if value.strip() else empty
        if isinstance(value, datetime.date | datetime.time):
            return display_for_value(value, empty), NOWRAP
        return display_for_value(value, empty)

    return shown


def _columns(cl: ChangeList) -> list | None:
    """Per column: (classes, is the link, row -> shown value); None where only Django's tag can tell."""
    model_admin = cl.model_admin
    empty = model_admin.get_empty_value_display()
    columns = []
    first = True
    for index, name in enumerate(cl.list_display):
        if cl.list_display_links is None:
            link = False
        else:
            link = (first and not cl.list_display_links) or name in cl.list_display_links
        classes = [f"field-{_coerce_field_name(name, index)}"]
        try:
            field = _get_non_gfk_field(cl.lookup_opts, name)
        except FieldDoesNotExist:
            field = None
        except Exception:  # a foreign key's column name, or anything else lookup_field refuses
            return None
        if field is not None and not field.auto_created:
            cell = _cell_of_field(field, empty, link)
            if isinstance(field, models.DateField | models.TimeField | models.ForeignKey):
                classes.append("nowrap")
        elif field is None and isinstance(name, str) and hasattr(model_admin, name) and name != "__str__":
            attr = getattr(model_admin, name)
            if not callable(attr):
                return None
            if name == "action_checkbox":
                classes = ["action-checkbox"]
            cell = _cell_of_callable(attr, empty)
        else:
            return None  # a model attribute or property, a callable in list_display: Django's own way
        joined = " ".join(classes)
        columns.append(((f' class="{joined}"', f' class="{joined} nowrap"'), link, cell))
        if link:
            first = False
    return columns


def _change_url(cl: ChangeList) -> str | None:
    """The change URL of a row with the filters kept, with _PK where the row's key goes."""
    try:
        url = reverse(
            f"admin:{cl.opts.app_label}_{cl.opts.model_name}_change",
            args=(_PK,),
            current_app=cl.model_admin.admin_site.name,
        )
    except NoReverseMatch:
        return None
    return escape(add_preserved_filters({"preserved_filters": cl.preserved_filters, "opts": cl.opts}, url))


def queue_results(cl: ChangeList) -> list[ResultList]:
    """The rows of the page, each one piece of HTML: what Django's admin_list.results(cl) writes."""
    columns = None if cl.formset or cl.is_popup or cl.to_field else _columns(cl)
    if columns is None:
        return list(admin_list.results(cl))
    url = _change_url(cl)
    pk_name = cl.pk_attname
    rows = []
    for row in cl.result_list:
        cells = []
        linked = False
        for (row_class, nowrap_class), link, cell in columns:
            shown = cell(row)
            if type(shown) is tuple and shown[1] is NOWRAP:
                shown, row_class = shown[0], nowrap_class
            if link:
                tag = "td" if linked else "th"
                linked = True
                if url is not None:
                    href = url.replace(_PK, escape(quote(getattr(row, pk_name))))
                    shown = f'<a href="{href}">{conditional_escape(shown)}</a>'
                else:
                    shown = conditional_escape(shown)
                cells.append(f"<{tag}{row_class}>{shown}</{tag}>")
            else:
                cells.append(f"<td{row_class}>{conditional_escape(shown)}</td>")
        rows.append(ResultList(None, [mark_safe("".join(cells))]))  # noqa: S308 (every part escaped above)
    return rows


def queue_result_list(cl: ChangeList) -> dict:
    """admin_list.result_list with the rows of queue_results."""
    headers = list(admin_list.result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": list(admin_list.result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for header in headers if header["sortable"] and header["sorted"]),
        "results": queue_results(cl),
    }


@register.tag(name="queue_result_list")
def queue_result_list_tag(parser, token):
    return InclusionAdminNode(
        parser, token, func=queue_result_list, template_name="change_list_results.html", takes_context=False
    )
