"""A communication's life in the admin, in Chromium: a desk officer drafts it from an accepted case, the
rapporteur approves it, the desk officer records it as sent; the PDF downloads with its reference number."""

import io
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from communications import services
from communications.models import Communication, CommunicationStatus
from submissions.models import Status as SubmissionStatus
from tests.browser.staff import log_in
from tests.browser.visibility import CONTEXT
from tests.support.factories import make_accepted_submission
from tests.support.intake import DEFENDER_NAME, NARRATIVE
from tests.support.staff import make_desk_officer, make_rapporteur

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

S = CommunicationStatus
COMMUNICATIONS = "/admin/communications/communication/"


def log_out(page: Page, base_url: str) -> None:
    page.locator("#logout-form").get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Logged out")).to_be_visible()
    page.goto(f"{base_url}/admin/")
    expect(page.get_by_label("Username")).to_be_visible()  # back at the login page


def field(page: Page, name: str):
    """The shown value of a read-only field on an admin change page."""
    return page.locator(f".field-{name} .readonly")


def workflow_button(page: Page, label: str):
    return page.locator("fieldset.workflow").get_by_role("button", name=label, exact=True)


def press(page: Page, label: str) -> None:
    """Press a workflow button; the step's page comes back with the communication's new status."""
    with page.expect_response(lambda response: "/step/" in response.url and response.request.method == "POST"):
        workflow_button(page, label).click()
    page.wait_for_load_state()
    expect(page.locator(".messagelist")).to_be_visible()


def pdf_text(data: bytes) -> str:
    return "\n".join(pdf_page.extract_text() for pdf_page in PdfReader(io.BytesIO(data)).pages)


def test_a_desk_officer_drafts_the_rapporteur_approves_the_desk_officer_sends(browser: Browser, live_server):
    officer = make_desk_officer("central-asia")
    rapporteur = make_rapporteur()
    case = make_accepted_submission(country="TJ")
    assert case.desk.code == "central-asia"
    year = timezone.now().year
    reference = f"UA TJK 1/{year}"
    base = live_server.url

    desk = browser.new_context(accept_downloads=True, **CONTEXT)
    chambers = browser.new_context(**CONTEXT)
    try:
        page = desk.new_page()
        log_in(page, base, officer)

        # The draft form, from the list of communications.
        page.goto(f"{base}{COMMUNICATIONS}")
        page.get_by_role("link", name="Add communication").click()
        page.wait_for_url(f"{base}{COMMUNICATIONS}add/")
        expect(page.get_by_role("heading", name="Draft a communication")).to_be_visible()
        page.get_by_label(case.reference).check()
        page.get_by_label("Kind").select_option("UA")
        page.get_by_label("Recipient:", exact=True).select_option("TJK")
        page.get_by_label("Language:", exact=True).select_option("en")
        page.get_by_role("button", name="Create the draft").click()

        page.wait_for_url(re.compile(rf"{re.escape(base + COMMUNICATIONS)}\d+/change/$"))
        communication = Communication.objects.get()
        change_url = f"{base}{COMMUNICATIONS}{communication.pk}/change/"
        assert page.url == change_url
        expect(page.locator(".messagelist")).to_contain_text("Draft created from the accepted cases")
        expect(field(page, "status")).to_have_text("Draft")
        letter = page.locator("#id_body").input_value()
        assert "in our capacity as" in letter
        assert NARRATIVE not in letter  # the source's narrative is beside the draft, never in it
        expect(page.locator(".source-report")).to_contain_text(NARRATIVE)
        defender = case.defenders.get()
        assert f"[[person:{defender.pk}]]" in letter  # the victim, as a name reference
        expect(page.locator(".people-of-letter")).to_contain_text(DEFENDER_NAME)
        assert "within 60 days" in letter
        assert "A. Source" not in letter
        expect(field(page, "reference")).to_have_text("-")

        press(page, "Submit for review")
        expect(field(page, "status")).to_have_text("In review")
        expect(workflow_button(page, "Approve")).to_have_count(0)
        expect(page.get_by_role("button", name="Approve")).to_have_count(0)
        expect(workflow_button(page, "Send back to draft")).to_be_visible()
        # Posting the approval anyway is refused, and nothing changes.
        token = page.locator("fieldset.workflow input[name=csrfmiddlewaretoken]").first.input_value()
        refused = page.request.post(
            f"{base}{COMMUNICATIONS}{communication.pk}/step/approve/",
            form={"csrfmiddlewaretoken": token},
            headers={"Referer": change_url},
        )
        assert refused.status == 403
        communication.refresh_from_db()
        assert communication.status == S.IN_REVIEW

        log_out(page, base)

        # The rapporteur, at another desk.
        rapporteur_page = chambers.new_page()
        log_in(rapporteur_page, base, rapporteur)
        rapporteur_page.goto(f"{base}{COMMUNICATIONS}")
        rapporteur_page.get_by_role("link", name=str(communication), exact=True).click()
        rapporteur_page.wait_for_url(change_url)
        expect(field(rapporteur_page, "status")).to_have_text("In review")
        press(rapporteur_page, "Approve")
        expect(field(rapporteur_page, "status")).to_have_text("Approved")
        expect(workflow_button(rapporteur_page, "Record as sent")).to_have_count(0)
        communication.refresh_from_db()
        assert communication.status == S.APPROVED
        assert communication.reference is None

        # The desk officer again: the letter went out.
        log_in(page, base, officer, again=True)  # the code shown now may be the one the first login took
        page.goto(change_url)
        expect(field(page, "status")).to_have_text("Approved")
        expect(workflow_button(page, "Approve")).to_have_count(0)
        press(page, "Record as sent")
        expect(field(page, "status")).to_have_text("Sent")
        expect(field(page, "reference")).to_have_text(reference)
        expect(page.locator(".messagelist")).to_contain_text(reference)

        with page.expect_download() as downloading:
            page.get_by_role("link", name="Download PDF").click()
        download = downloading.value
        assert download.failure() is None
        assert download.suggested_filename == f"UA-TJK-1-{year}.pdf"
        with open(download.path(), "rb") as pdf:
            data = pdf.read()
        assert data.startswith(b"%PDF-")
        assert reference in pdf_text(data)
    finally:
        desk.close()
        chambers.close()

    communication.refresh_from_db()
    assert communication.status == S.SENT
    assert communication.reference == reference
    assert communication.sent_at is not None
    history = [
        (change.from_status, change.to_status, change.changed_by)
        for change in communication.status_changes.order_by("created_at", "id")
    ]
    assert history == [
        ("", S.DRAFT, officer),
        (S.DRAFT, S.IN_REVIEW, officer),
        (S.IN_REVIEW, S.APPROVED, rapporteur),
        (S.APPROVED, S.SENT, officer),
    ]
    case.refresh_from_db()
    assert case.status == SubmissionStatus.COMMUNICATION_SENT


def test_the_rapporteur_reads_the_letter_before_approving_it(page: Page, live_server):
    officer = make_desk_officer("central-asia")
    rapporteur = make_rapporteur()
    communication, _draft = services.communication_draft(
        submissions=[make_accepted_submission(country="TJ")], kind="UA", recipient="TJK",
        recipient_name="Tajikistan", language="en", by=officer,
    )  # fmt: skip
    services.communication_submit_for_review(communication=communication, by=officer)

    log_in(page, live_server.url, rapporteur)
    page.goto(f"{live_server.url}{COMMUNICATIONS}{communication.pk}/change/")

    expect(field(page, "status")).to_have_text("In review")
    expect(workflow_button(page, "Approve")).to_be_visible()
    # What is approved must be readable on the page where it is approved.
    expect(field(page, "letter")).to_contain_text("in our capacity as")
    expect(field(page, "letter")).to_contain_text(DEFENDER_NAME)  # the reference, as the government reads it
    expect(field(page, "letter")).not_to_contain_text(NARRATIVE)
