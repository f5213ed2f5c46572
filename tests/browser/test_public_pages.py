"""Every public page, with JavaScript on and off: sound, accessible, self-contained."""

import datetime
from typing import NamedTuple

import pytest

from communications import services
from communications.models import Mandate
from communications.stats import invalidate
from tests.browser.axe import assert_no_axe_violations
from tests.browser.csp import CspViolationLog, assert_strict_csp
from tests.browser.network import RequestLog
from tests.support.factories import make_accepted_submission, make_staff_user

# Every test here only reads: the pages' data is made once for the module and kept (tests/browser/conftest.py).
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("kept_database")]


class PublicPage(NamedTuple):
    path: str
    language: str
    # A module-scoped fixture that puts in place the data the page shows (it commits: the live server reads it).
    data: str | None = None


ARCHIVE = "released_communications"
SEARCH = "/communications/?q=journalist&recipient=TJK&kind=UA&year=2026&theme=women&violation=death_threats"

# Later issues add a row for each public page they build.
PUBLIC_PAGES = [
    PublicPage("/", "en"),
    PublicPage("/ru/", "ru"),
    PublicPage("/submit/", "en"),
    PublicPage("/ru/submit/", "ru"),
    PublicPage("/receipt/", "en"),
    PublicPage("/ru/receipt/", "ru"),
    PublicPage("/communications/", "en", ARCHIVE),
    PublicPage("/ru/communications/", "ru", ARCHIVE),
    PublicPage(SEARCH, "en", ARCHIVE),
    PublicPage("/ru" + SEARCH, "ru", ARCHIVE),
    PublicPage("/communications/?q=nothing-matches&year=1800", "en", ARCHIVE),  # no result, a field in error
    PublicPage("/communications/ua-tjk-1-2026/", "en", ARCHIVE),
    PublicPage("/ru/communications/al-tjk-2-2026/", "ru", ARCHIVE),
    PublicPage("/communications/stats/", "en", ARCHIVE),
    PublicPage("/ru/communications/stats/", "ru", ARCHIVE),
]


@pytest.fixture(scope="module")
def released_communications(kept_database):
    """Two released letters of one case (UA TJK 1/2026, then AL TJK 2/2026), with a public and a confidential reply."""
    desk, rapporteur = make_staff_user("pages-desk", "Desk officer"), make_staff_user("pages-rapp", "Rapporteur")
    case = make_accepted_submission(country="TJ")
    earlier = None
    letters = [("UA", datetime.date(2026, 1, 10), False), ("AL", datetime.date(2026, 2, 20), True)]
    for kind, sent_on, confidential in letters:
        communication, _ = services.communication_draft(
            submissions=[case], kind=kind, recipient="TJK", recipient_name="Tajikistan", language="en", by=desk,
            mandates=[Mandate.objects.get(name="Working Group on Arbitrary Detention")], follow_up_to=earlier,
        )  # fmt: skip
        services.communication_edit(
            communication=communication, body=communication.body, public_summary="Death threats against a journalist."
        )
        services.communication_submit_for_review(communication=communication, by=desk)
        services.communication_approve(communication=communication, by=rapporteur)
        sent_at = datetime.datetime.combine(sent_on, datetime.time(10), tzinfo=datetime.UTC)
        services.communication_send(communication=communication, by=desk, sent_at=sent_at)
        services.reply_record(
            communication=communication, received_on=sent_on + datetime.timedelta(days=30), kind="substantive",
            confidential=confidential, summary="The Government states that an investigation was opened.",
        )  # fmt: skip
        services.communication_public_approve(communication=communication, by=rapporteur)
        earlier = communication
    assert services.release_due(now=datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC)) == 2
    invalidate()  # the statistics of an earlier test's data
    yield
    invalidate()


@pytest.mark.parametrize("public_page", PUBLIC_PAGES, ids=[row.path for row in PUBLIC_PAGES])
def test_it_serves_a_sound_self_contained_page(request, any_page, live_server, public_page):
    if public_page.data:
        request.getfixturevalue(public_page.data)
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
