"""The onion service beside the clearnet site, and the headers and cookies every page sends."""

import re
from pathlib import Path

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ONION = "portalxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx.onion"
CLEARNET = "portal.example.org"
PAGES = ["/", "/submit/", "/receipt/", "/communications/", "/ru/communications/stats/", "/no-such-page/"]


@pytest.fixture
def production_transport(settings):
    settings.ALLOWED_HOSTS = [CLEARNET, ONION]
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 63072000
    settings.ONION_LOCATION = f"http://{ONION}/"


@pytest.mark.parametrize("path", PAGES)
def test_the_onion_service_gets_its_pages_over_http_without_hsts(production_transport, path):
    response = Client(HTTP_HOST=ONION).get(path)

    assert response.status_code in (200, 404)
    assert "Strict-Transport-Security" not in response
    assert "Onion-Location" not in response


@pytest.mark.parametrize("path", PAGES)
def test_the_clearnet_site_redirects_to_https_and_announces_the_onion_service(production_transport, path):
    plain = Client(HTTP_HOST=CLEARNET).get(path)
    secure = Client(HTTP_HOST=CLEARNET).get(path, secure=True)

    assert plain.status_code == 301 and plain["Location"] == f"https://{CLEARNET}{path}"
    assert secure["Strict-Transport-Security"].startswith("max-age=63072000")
    assert secure["Onion-Location"] == f"http://{ONION}{path}"


def test_another_host_is_still_refused(production_transport):
    assert Client(HTTP_HOST="evil.onion").get("/").status_code == 400


@pytest.mark.parametrize("path", PAGES)
def test_every_page_sends_a_permissions_policy_denying_what_the_portal_never_uses(client, path):
    policy = client.get(path)["Permissions-Policy"]

    for feature in ("camera=()", "microphone=()", "geolocation=()", "interest-cohort=()", "browsing-topics=()"):
        assert feature in policy


def test_the_csrf_cookie_ends_with_the_browser_session(client):
    client.get("/submit/")
    cookie = client.cookies["csrftoken"]

    assert not cookie["expires"] and not cookie["max-age"]


def test_the_access_log_leaves_out_addresses_and_query_strings_and_gunicorn_has_no_shared_control_socket():
    procfile = (Path(__file__).resolve().parents[2] / "Procfile").read_text()
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    commands = [line for line in (procfile + readme).splitlines() if "gunicorn portal.wsgi" in line]

    assert len(commands) >= 2
    for command in commands:
        log_format = re.search(r"--access-logformat '([^']*)'", command).group(1)
        # h: the address; r: the request line with its query; q: the query; a, f: agent and referrer.
        assert not re.search(r"%\((h|r|q|a|f|\{[^}]*\}i)\)s", log_format), log_format
        assert "%(U)s" in log_format
        assert "--no-control-socket" in command
