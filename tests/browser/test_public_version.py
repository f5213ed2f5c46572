"""The review of a letter's public version in the admin, in Chromium, with JavaScript on and off: the rapporteur
sees the public copy as the public will, withheld names marked, the gate's hits in context; takes out a typed
name, approves; visible at 1024, 1280 and 1920 px and axe-core clean."""

import datetime

import pytest
from playwright.sync_api import Page, expect

from communications import gate, services
from tests.browser.axe import assert_no_axe_violations
from tests.browser.staff import log_in
from tests.browser.visibility import WIDTHS
from tests.support.factories import make_accepted_submission, make_sent_communication
from tests.support.staff import make_rapporteur

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SENT = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)


def assert_seen(page: Page, locator, width: int) -> None:
    """Visible, of non-zero size, and within the viewport's width once scrolled to."""
    expect(locator).to_be_visible()
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    assert box and box["width"] > 0 and box["height"] > 0, box
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, (width, box)


def test_the_rapporteur_reviews_fixes_and_approves_the_public_version(any_page: Page, live_server):
    page = any_page
    rapporteur = make_rapporteur()
    submission = make_accepted_submission(country="TJ", public_naming=False)
    communication = make_sent_communication(submissions=[submission], sent_at=SENT, public_approved=False)
    services.communication_public_edit(
        communication=communication, public_body=communication.body + "<p>Г-жа Мамадшоева задержана.</p>",
        public_summary="Detention of a lawyer", keeps_traits=False,
    )  # fmt: skip
    url = f"{live_server.url}/admin/communications/communication/{communication.pk}/public/"

    log_in(page, live_server.url, rapporteur)
    page.goto(url)

    expect(page.get_by_role("heading", name=f"Public version of {communication}")).to_be_visible()
    expect(page.locator(".gate-hits mark")).to_have_text("Мамадшоева")
    expect(page.locator(".public-letter mark.redaction").first).to_have_text("U. M.")
    expect(page.get_by_role("button", name="Approve this public version")).to_have_count(0)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for element in (
            page.locator(".gate-hits"), page.locator(".public-letter"), page.get_by_label("Public letter"),
            page.get_by_role("button", name="Save the public version"),
        ):  # fmt: skip
            assert_seen(page, element, width)
    assert_no_axe_violations(page)

    # The typed name taken out; the public letter follows the letter itself again.
    page.get_by_label("Public letter").fill(communication.body)
    page.get_by_role("button", name="Save the public version").click()
    expect(page.locator(".messagelist")).to_contain_text("Public version saved")
    expect(page.locator(".gate-hits")).to_have_count(0)
    approve = page.get_by_role("button", name="Approve this public version")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert_seen(page, approve, width)
    assert_no_axe_violations(page)
    approve.click()
    expect(page.locator(".messagelist")).to_contain_text("Public version approved")
    expect(page.locator("#approval-state")).to_contain_text("Approved on")

    communication.refresh_from_db()
    assert gate.public_version_approved(communication)


def test_a_held_reply_document_is_shown_with_its_hits_and_the_rest_is_approved(any_page: Page, live_server):
    page = any_page
    rapporteur = make_rapporteur()
    submission = make_accepted_submission(country="TJ", public_naming=False)
    communication = make_sent_communication(submissions=[submission], sent_at=SENT, public_approved=False)
    services.reply_record(
        communication=communication, received_on=datetime.date(2026, 4, 1), kind="substantive",
        confidential=False, summary="The State replies about the case.",
        document=b"The Government regrets the claims of Ms. Mamadshoeva.", document_name="reply.txt",
        content_type="text/plain",
    )  # fmt: skip
    url = f"{live_server.url}/admin/communications/communication/{communication.pk}/public/"

    log_in(page, live_server.url, rapporteur)
    page.goto(url)

    held = page.locator(".held-document")
    expect(held).to_contain_text("Document reply.txt held.")
    expect(held.locator("mark")).to_have_text("Mamadshoeva")
    expect(page.locator(".gate-problems")).to_have_count(0)  # it does not stop the approval
    approve = page.get_by_role("button", name="Approve this public version")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for element in (held, approve):
            assert_seen(page, element, width)
    assert_no_axe_violations(page)
    approve.click()
    expect(page.locator(".messagelist")).to_contain_text("Public version approved")
    expect(page.locator(".held-document")).to_contain_text("held")
