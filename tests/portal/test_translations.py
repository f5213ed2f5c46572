"""Every public string of the portal is in every language's catalogue, placeholders intact.

The strings are found as makemessages finds them (portal/catalogue.py), from the code and the
templates; staff pages stay in English and are left out, but for those a new staff member meets
first (enrolment, backup codes, the language switch: catalogue.STAFF_TRANSLATED), which are in every
staff language's catalogue too.
"""

import io

import pytest
from babel import Locale
from babel.messages.mofile import write_mo
from django.conf import settings
from django.core.management import call_command

from portal import catalogue

TRANSLATED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
STAFF_TRANSLATED = [code for code, _name in settings.STAFF_LANGUAGES if code != settings.LANGUAGE_CODE]


@pytest.fixture(scope="module")
def strings():
    return catalogue.project_messages()


def listing(messages) -> str:
    lines = []
    for message in messages:
        where = ", ".join(f"{path}:{line}" for path, line in message.locations)
        context = f" (context {message.context!r})" if message.context else ""
        lines.append(f"  {message.id!r}{context}  in {where}")
    return "\n".join(lines)


def ids(found) -> list:
    return [(f.msgid, f.context) for f in found]


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_public_string_is_translated(strings, language):
    missing = catalogue.untranslated(strings, catalogue.read_catalogue(language))

    assert not missing, (
        f"{len(missing)} strings have no {Locale.parse(language).english_name} translation (missing, empty or "
        f"fuzzy) in {catalogue.po_path(language).relative_to(settings.BASE_DIR)}; "
        f"`python manage.py catalogue {language}` adds them:\n{listing(missing)}"
    )


@pytest.mark.parametrize("language", STAFF_TRANSLATED)
def test_every_string_of_the_first_staff_pages_is_translated(language):
    template = catalogue.staff_messages()
    missing = catalogue.untranslated(template, catalogue.read_catalogue(language))

    assert template.get("Set up your second factor") is not None
    assert not missing, f"untranslated in {language}:\n{listing(missing)}"


@pytest.mark.parametrize("language", STAFF_TRANSLATED)
def test_every_translation_keeps_the_placeholders_of_its_original(language):
    wrong = catalogue.placeholder_mismatches(catalogue.read_catalogue(language))

    assert not wrong, "\n".join(
        f"  {message.id!r}: {catalogue.placeholders(str(message.id))} -> {string!r}" for message, string in wrong
    )


@pytest.mark.parametrize("language", STAFF_TRANSLATED)
def test_the_catalogue_compiles(language):
    translations = catalogue.read_catalogue(language)

    problems = [(message.id, [str(e) for e in errors]) for message, errors in translations.check()]
    write_mo(io.BytesIO(), translations)

    assert not problems


def test_it_finds_the_strings_of_the_503_page(strings):
    assert strings.get("The portal is briefly unavailable") is not None
    assert ("templates/503.html", 5) in strings.get("The portal is briefly unavailable").locations


def test_it_leaves_out_staff_pages():
    paths = [path for path, _kind in catalogue.project_files()]

    assert "submissions/views.py" in paths
    assert "templates/503.html" in paths
    assert "templates/submissions/receipt.txt" in paths
    staff = [p for p in paths if p.endswith("/admin.py") or p.startswith("templates/admin/")]
    assert sorted(staff) == sorted(p for p in catalogue.STAFF_TRANSLATED if p.startswith("templates/admin/"))


def test_it_reads_templates_as_django_renders_them():
    source = """{% load i18n %}
    <p>{% translate "Plain" %} {% trans 'Old style' %} {% translate "May" context "month" %}</p>
    {% blocktranslate trimmed with name=person.name %}
      Hello {{ name }},
      welcome back.
    {% endblocktranslate %}
    {% blocktrans count counter=items|length %}one item{% plural %}{{ counter }} items{% endblocktrans %}
    {% blocktranslate context "greeting" %}Hi {{ who }}{% endblocktranslate %}
    {% translate "100%" %} {% blocktranslate %}{{ n }}% done{% endblocktranslate %}
    {{ value|default:_("Nothing") }}
    """

    assert ids(catalogue.template_messages(source)) == [
        ("Plain", None),
        ("Old style", None),
        ("May", "month"),
        ("Hello %(name)s, welcome back.", None),
        (("one item", "%(counter)s items"), None),
        ("Hi %(who)s", "greeting"),
        ("100%%", None),
        ("%(n)s%% done", None),
        ("Nothing", None),
    ]


def test_it_reads_every_gettext_call_in_code():
    source = b"""
from django.utils.translation import gettext as _, gettext_lazy, ngettext_lazy, pgettext_lazy, npgettext

class Kind(models.TextChoices):
    UA = "UA", _("Urgent appeal")
    EN = "en", "English"

label = gettext_lazy("Lazy")
many = ngettext_lazy("%(n)s file", "%(n)s files", "n")
month = pgettext_lazy("month", "May")
both = npgettext("people", "%(n)s defender", "%(n)s defenders", n)
"""

    assert ids(catalogue.python_messages(source)) == [
        ("Urgent appeal", None),
        ("Lazy", None),
        (("%(n)s file", "%(n)s files"), None),
        ("May", "month"),
        (("%(n)s defender", "%(n)s defenders"), "people"),
    ]


def test_placeholders_ignore_escaped_percent_and_braces():
    assert catalogue.placeholders("%(name)s is 100%% {count} {{literal}} %s") == ["%(name)s", "%s", "{count}"]


def test_the_command_starts_a_new_language_and_adds_only_what_is_missing(tmp_path, monkeypatch, strings):
    monkeypatch.setattr(catalogue, "LOCALE_DIR", tmp_path)
    out = io.StringIO()

    call_command("catalogue", "kk", stdout=out)
    kazakh = catalogue.read_catalogue("kk")

    assert len(kazakh) == len(strings)
    assert kazakh.plural_forms == "nplurals=2; plural=(n != 1);"
    assert len(catalogue.untranslated(strings, kazakh)) == len(strings)

    po = catalogue.po_path("kk")
    entries = po.read_text().split("\n\n")
    kept = [e for e in entries if 'msgid "Page not found"' not in e]
    po.write_text("\n\n".join([*kept, 'msgid "Gone from the code"\nmsgstr "Жоқ"\n']))
    call_command("catalogue", "kk", stdout=out)

    assert len(kept) == len(entries) - 1
    assert po.read_text().count('msgid "Page not found"\nmsgstr ""\n') == 1
    assert 'msgid "Gone from the code"\nmsgstr "Жоқ"\n' in po.read_text()
    assert "1 strings added" in out.getvalue()
    assert "no longer used: 'Gone from the code'" in out.getvalue()


def test_the_command_writes_the_template(tmp_path, strings):
    call_command("catalogue", "--pot", tmp_path / "django.pot", stdout=io.StringIO())

    assert 'msgid "The portal is briefly unavailable"' in (tmp_path / "django.pot").read_text()
