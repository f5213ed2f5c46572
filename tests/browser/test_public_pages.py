"""Every public page, with JavaScript on and off: sound, accessible, self-contained."""

from typing import NamedTuple

import pytest

from tests.browser.axe import assert_no_axe_violations
from tests.browser.csp import CspViolationLog, assert_strict_csp
from tests.browser.network import RequestLog

pytestmark = pytest.mark.browser


class PublicPage(NamedTuple):
    path: str
    language: str


# Later issues add a row for each public page they build.
PUBLIC_PAGES = [
    PublicPage("/", "en"),
    PublicPage("/ru/", "ru"),
    PublicPage("/submit/", "en"),
    PublicPage("/ru/submit/", "ru"),
    PublicPage("/receipt/", "en"),
    PublicPage("/ru/receipt/", "ru"),
]

BROWSERS = ["page", "page_no_js"]


@pytest.fixture(params=BROWSERS)
def any_page(request):
    """The same test once with JavaScript on and once with it off."""
    return request.getfixturevalue(request.param)


@pytest.mark.parametrize("public_page", PUBLIC_PAGES, ids=[row.path for row in PUBLIC_PAGES])
def test_it_serves_a_sound_self_contained_page(any_page, live_server, public_page):
    requests = RequestLog(any_page)
    csp_violations = CspViolationLog(any_page)

    response = any_page.goto(live_server.url + public_page.path)

    assert response.status == 200
    assert any_page.locator("h1").count() == 1
    assert any_page.locator("html").get_attribute("lang") == public_page.language
    assert_strict_csp(response)
    assert_no_axe_violations(any_page)
    requests.assert_nothing_from_another_host(live_server.url)
    csp_violations.assert_none()


@pytest.mark.parametrize(
    ("start", "link", "destination", "language"),
    [("/", "Русский", "/ru/", "ru"), ("/ru/", "English", "/", "en")],
    ids=["en-to-ru", "ru-to-en"],
)
def test_the_language_switch_leads_to_the_other_home(any_page, live_server, start, link, destination, language):
    any_page.goto(live_server.url + start)

    # Each language is named in itself, so the link text is the same on every page.
    any_page.get_by_role("link", name=link, exact=True).click()

    any_page.wait_for_url(live_server.url + destination)
    assert any_page.locator("html").get_attribute("lang") == language
