from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def display_value(bound_field) -> str:
    """A validated answer as the person would read it: choice labels, Yes/No, or the text."""
    value = bound_field.form.cleaned_data.get(bound_field.name)
    choices = dict(getattr(bound_field.field, "choices", ()) or ())
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list | tuple):
        return ", ".join(str(choices.get(item, item)) for item in value) or "—"
    if value in (None, ""):
        return "—"
    return str(choices.get(value, value))
