"""The pages a new staff member meets first (enrolment, backup codes) speak their language: chosen on
the staff site's switch or taken from the browser's Accept-Language, among ru, fr and es besides
English; the public site's language is not touched by it."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache

from portal import roles
from tests.support.staff import PASSWORD, login_staff, make_desk_officer, post_login

pytestmark = pytest.mark.django_db

ENROL = "/admin/enrol/"
TITLES = {
    "en": "Set up your second factor",
    "ru": "Настройте второй фактор входа",
    "fr": "Configurez votre second facteur",
    "es": "Configure su segundo factor",
}
CONFIRM = {"en": 'value="Confirm"', "ru": 'value="Подтвердить"', "fr": 'value="Confirmer"', "es": 'value="Confirmar"'}


@pytest.fixture(autouse=True)
def _fresh_lockouts():
    cache.clear()


@pytest.fixture
def newcomer(client):
    """A staff member just created, logged in with the password alone: the enrolment page is next."""
    user = get_user_model().objects.create_user(username="newcomer", password=PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name=roles.INTAKE_OFFICER))
    assert post_login(client, username="newcomer")["Location"] == ENROL
    return user


@pytest.mark.parametrize(
    ("accept", "language"),
    [("fr-FR,fr;q=0.9,en;q=0.5", "fr"), ("es", "es"), ("ru-RU,ru;q=0.9", "ru"), ("de-DE,de;q=0.9", "en"), ("", "en")],
)
def test_the_enrolment_page_speaks_the_browsers_language(client, newcomer, accept, language):
    response = client.get(ENROL, HTTP_ACCEPT_LANGUAGE=accept)

    page = response.content.decode()
    assert response.status_code == 200
    assert TITLES[language] in page and CONFIRM[language] in page
    assert response["Content-Language"] == language
    assert "Accept-Language" in response["Vary"]


def test_a_wrong_code_is_told_in_the_chosen_language(client, newcomer):
    client.post("/admin/language/", {"language": "fr", "next": ENROL})

    page = client.post(ENROL, {"otp_token": "000000"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Ce code n’est pas correct." in page


def test_the_switch_outweighs_the_browser_and_is_remembered(client, newcomer):
    response = client.post("/admin/language/", {"language": "es", "next": ENROL})

    assert response.status_code == 302 and response["Location"] == ENROL
    cookie = response.cookies["staff_language"]
    assert (cookie.value, cookie["samesite"], cookie["path"]) == ("es", "Strict", "/admin/") and cookie["httponly"]
    page = client.get(ENROL, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert TITLES["es"] in page
    # The switch is on the page, with the current language chosen.
    assert '<option value="es" lang="es" selected>Español</option>' in page


def test_the_switch_stays_on_the_staff_site(client, newcomer):
    for elsewhere in ("https://example.org/admin/", "//example.org/admin/", "/communications/", ""):
        response = client.post("/admin/language/", {"language": "fr", "next": elsewhere})
        assert response["Location"] == "/admin/"


def test_an_unknown_language_changes_nothing(client, newcomer):
    response = client.post("/admin/language/", {"language": "xx", "next": ENROL})

    assert "staff_language" not in response.cookies
    assert TITLES["en"] in client.get(ENROL).content.decode()


def test_the_public_site_keeps_its_own_language(client):
    client.cookies["staff_language"] = "fr"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response["Content-Language"] == "en"


def test_the_backup_codes_page_speaks_the_chosen_language(client):
    officer = make_desk_officer("central-asia")
    login_staff(client, officer)
    client.post("/admin/language/", {"language": "ru", "next": "/admin/backup-codes/"})

    page = client.get("/admin/backup-codes/").content.decode()
    assert "Создать новые резервные коды" in page and "Ваш пароль" in page

    done = client.post("/admin/backup-codes/", {"password": PASSWORD}).content.decode()
    assert "Ваши новые резервные коды" in done
