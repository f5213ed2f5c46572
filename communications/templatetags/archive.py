"""Template filters of the public archive."""

from django import template
from django_countries import countries

register = template.Library()


@register.filter
def recipient_name(item) -> str:
    """A State's name in the page's language (from django-countries' catalogue), else the name as stored:
    a record keeps the name in English, and a company or group has no translation."""
    code = getattr(item, "recipient", "")
    alpha2 = countries.alpha2(code) if code and code != "OTH" else ""
    if alpha2:
        return countries.name(alpha2)
    return getattr(item, "recipient_name", "") or getattr(item, "name", "")
