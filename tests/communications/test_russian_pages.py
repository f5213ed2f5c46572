"""Russian as a native reader expects it on the public pages: dates in the genitive, countries by their
Russian names (django-countries' catalogue); a company or group keeps the name it was given."""

from datetime import date
from types import SimpleNamespace

from django.template import Context, Template
from django.utils import translation

from communications.templatetags.archive import recipient_name


def render(source: str, **context) -> str:
    return Template("{% load archive %}" + source).render(Context(context))


def test_dates_are_in_the_genitive_in_russian_and_plain_in_english():
    day = date(2026, 10, 2)
    with translation.override("ru"):
        assert render("{{ day|date }}", day=day) == "2 октября 2026"
    with translation.override("en"):
        assert render("{{ day|date }}", day=day) == "2 October 2026"


def test_a_state_is_named_in_the_pages_language():
    record = SimpleNamespace(recipient="TJK", recipient_name="Tajikistan")
    with translation.override("ru"):
        assert recipient_name(record) == "Таджикистан"
        assert render("{{ record|recipient_name }}", record=record) == "Таджикистан"
    with translation.override("en"):
        assert recipient_name(record) == "Tajikistan"


def test_a_non_state_recipient_keeps_its_name():
    record = SimpleNamespace(recipient="OTH", recipient_name="Kumtor Gold Company")
    with translation.override("ru"):
        assert recipient_name(record) == "Kumtor Gold Company"
