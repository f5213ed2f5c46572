"""The error page shown when the portal fails: in the visitor's language, with nothing of the request in it."""

from django.test import RequestFactory
from django.utils import translation
from django.views.defaults import server_error


def test_the_error_page_speaks_the_language_of_the_page_asked_for():
    request = RequestFactory().post("/ru/submit/", {"source-source_name": "Malika Sourcenova"})
    with translation.override("ru"):
        response = server_error(request)

    page = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="ru">' in page
    assert "Что-то пошло не так" in page
    assert "Malika" not in page
