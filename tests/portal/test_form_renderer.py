"""portal.form_renderer writes each <input> and <select> as Django's widget templates write them, character for
character, whatever the names, values, labels, attributes and groups."""

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from hypothesis import given
from hypothesis import strategies as st

from portal.form_renderer import INPUTS, SELECT, WidgetsInPython

INPUT_WIDGETS = [
    forms.HiddenInput, forms.TextInput, forms.EmailInput, forms.NumberInput, forms.URLInput, forms.SearchInput,
    forms.TelInput, forms.ColorInput, forms.DateInput, forms.DateTimeInput, forms.TimeInput, forms.CheckboxInput,
    forms.FileInput, forms.PasswordInput,
]  # fmt: skip
# Text with what HTML must escape, quotes, and scripts of the portal's languages.
TEXT = st.text(alphabet=st.sampled_from("aZ09 -_<>&\"'=/\u00e9\u0416\u0628\u4e2d\u200b"), max_size=12)
VALUES = st.one_of(st.none(), TEXT, st.integers(), st.booleans(), TEXT.map(mark_safe), st.dates())
ATTRS = st.dictionaries(
    st.sampled_from(["id", "class", "required", "disabled", "placeholder", "aria-describedby", "data-x", "min"]),
    st.one_of(TEXT, st.booleans(), st.integers()),
    max_size=4,
)
LABELS = st.one_of(TEXT, TEXT.map(mark_safe), st.integers(), st.just(gettext_lazy("Other")))
CHOICE = st.tuples(st.one_of(TEXT, st.integers()), LABELS)
CHOICES = st.lists(st.one_of(CHOICE, st.tuples(st.one_of(TEXT, st.just("")), st.lists(CHOICE, max_size=3))), max_size=6)


def written(widget, name, value, attrs):
    context = widget.get_context(name, value, attrs)
    return WidgetsInPython().render(widget.template_name, context), DjangoTemplates().render(
        widget.template_name, context
    )


def test_the_portal_renders_forms_with_it():
    assert isinstance(get_default_renderer(), WidgetsInPython)
    assert {widget.template_name for widget in INPUT_WIDGETS} <= INPUTS
    assert forms.Select.template_name == forms.SelectMultiple.template_name == SELECT


@pytest.mark.parametrize("widget", INPUT_WIDGETS, ids=lambda widget: widget.__name__)
@given(name=TEXT, value=VALUES, attrs=ATTRS)
def test_an_input_is_written_as_djangos_templates_write_it(widget, name, value, attrs):
    ours, djangos = written(widget(), name, value, attrs)

    assert ours == djangos
    assert ours.startswith("<input ")


@pytest.mark.parametrize("widget", [forms.Select, forms.SelectMultiple, forms.NullBooleanSelect])
@given(name=TEXT, choices=CHOICES, attrs=ATTRS, data=st.data())
def test_a_select_is_written_as_djangos_templates_write_it(widget, name, choices, attrs, data):
    if widget is forms.NullBooleanSelect:
        made, value = widget(), data.draw(st.sampled_from([None, True, False, "true", "false", "2"]))
    else:
        made, value = widget(choices=choices), data.draw(st.one_of(st.none(), TEXT, st.lists(TEXT, max_size=2)))

    ours, djangos = written(made, name, value, attrs)

    assert ours == djangos
    assert ours.startswith("<select ")


def test_other_widgets_keep_their_templates():
    for widget in (forms.Textarea(), forms.RadioSelect(choices=[("a", "<A>")])):
        ours, djangos = written(widget, "w", "a", {"id": "w"})
        assert ours == djangos
