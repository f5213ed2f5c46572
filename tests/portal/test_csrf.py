"""CSRF protection with Referrer-Policy: no-referrer, under which browsers post with `Origin: null`."""

import re

import pytest
from django.conf import settings
from django.middleware.csrf import CsrfViewMiddleware
from django.test import Client
from django.utils.module_loading import import_string

from tests.support.intake import report_data

pytestmark = pytest.mark.django_db


def test_the_csrf_middleware_in_use_is_djangos():
    classes = [import_string(path) for path in settings.MIDDLEWARE]

    assert any(issubclass(cls, CsrfViewMiddleware) for cls in classes)


def form_token(client) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', client.get("/submit/").content.decode()).group(1)


@pytest.mark.parametrize(
    ("origin", "with_token", "status"),
    [
        ("null", True, 200),
        ("http://testserver", True, 200),
        ("null", False, 403),
        ("https://attacker.example", True, 403),
    ],
)
def test_a_post_needs_the_token_and_no_foreign_origin(origin, with_token, status):
    client = Client(enforce_csrf_checks=True)
    data = {**report_data(), "action": "review"}
    if with_token:
        data["csrfmiddlewaretoken"] = form_token(client)

    response = client.post("/submit/", data, HTTP_ORIGIN=origin)

    assert response.status_code == status
