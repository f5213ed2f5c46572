"""Hostile files through the forms: refused with a message that names them, and nothing else is lost.

tests/submissions/test_attachments.py checks each kind of file on its own, and test_submit_attachments.py
a file whose name lies, one too large and too many files on the intake form. Here: a polyglot and a zip
bomb in a DOCX on the intake form, next to a good file, and the report sent again from the page that
refused them; and every kind of hostile upload on the receipt's message form, the message kept.
"""

import re
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from submissions.attachments import MAX_FILE_BYTES
from submissions.models import Attachment, Message, Submission
from tests.submissions.test_attachments import MB, docx_bytes, pdf_bytes, zip_bytes
from tests.support.intake import NARRATIVE, SOURCE_NAME, report_data, submit_case

pytestmark = pytest.mark.django_db

STATEMENT = b"Statement of the witness, signed on 3 May.\n"
POLYGLOT = ("report.pdf", lambda: pdf_bytes() + zip_bytes({"payload.exe": b"MZ" + b"\x00" * 100}))
ZIP_BOMB = ("statement.docx", lambda: docx_bytes(**{"word/document.xml": b"\x00" * (20 * MB)}))
HIDDEN = "carries another file or a script hidden inside it"
TOO_LARGE_UNPACKED = "is too large when unpacked"


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


class _HiddenFields(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "input" and attributes.get("type") == "hidden" and attributes.get("name"):
            self.fields.setdefault(attributes["name"], []).append(attributes.get("value") or "")


def hidden_fields(html: str) -> dict[str, list[str]]:
    parser = _HiddenFields()
    parser.feed(html)
    return parser.fields


@pytest.mark.parametrize(("bad", "reason"), [(POLYGLOT, HIDDEN), (ZIP_BOMB, TOO_LARGE_UNPACKED)])
def test_a_hostile_file_is_refused_by_name_and_the_report_goes_again_from_the_same_page(client, bad, reason):
    name, content = bad
    files = [SimpleUploadedFile("statement.txt", STATEMENT), SimpleUploadedFile(name, content())]

    refused = client.post("/submit/", {**report_data(), "action": "submit", "attachments-files": files})

    assert refused.status_code == 400
    page = refused.content.decode()
    assert re.search(rf"{re.escape(name)}.{{0,20}}{reason}", page)
    assert not re.search(r"statement\.txt.{0,20}(is not|carries|is too|does not)", page)  # the good one is fine
    assert Submission.objects.count() == 0
    # Everything typed is on the page, ready to send again with the good file alone.
    again = {**hidden_fields(page), "action": "submit"}
    accepted = client.post("/submit/", {**again, "attachments-files": SimpleUploadedFile("statement.txt", STATEMENT)})

    assert accepted.status_code == 200
    assert 'id="receipt-reference"' in accepted.content.decode()
    submission = Submission.objects.get()
    assert submission.source_name == SOURCE_NAME and submission.description == NARRATIVE
    assert submission.defenders.count() == 1
    assert [(a.name, a.content()) for a in Attachment.objects.all()] == [("statement.txt", STATEMENT)]


@pytest.fixture
def logged_in(client):
    html = submit_case(client).content.decode()
    reference = re.search(r'id="receipt-reference">([^<]+)<', html).group(1)
    passphrase = re.search(r'id="receipt-passphrase">([^<]+)<', html).group(1)
    client.cookies.clear()
    assert client.post("/receipt/", {"reference": reference, "passphrase": passphrase}).status_code == 302
    return client


MESSAGE = "New information: the hearing was moved to 12 June."


def upload(name: str, content: bytes) -> list:
    return [SimpleUploadedFile(name, content)]


@pytest.mark.parametrize(
    ("files", "reason"),
    [
        (lambda: upload("photo.jpg", pdf_bytes()), "does not match its name"),
        (lambda: upload(POLYGLOT[0], POLYGLOT[1]()), HIDDEN),
        (lambda: upload(ZIP_BOMB[0], ZIP_BOMB[1]()), TOO_LARGE_UNPACKED),
        (lambda: upload("video.mp4", b"\x00" * (MAX_FILE_BYTES + 1)), "larger than 10 MB"),
        (lambda: [SimpleUploadedFile(f"note{n}.txt", b"a note\n") for n in range(11)], "At most 10 files"),
    ],
    ids=["name-lies", "polyglot", "zip-bomb", "too-large", "too-many"],
)
def test_a_hostile_file_on_the_receipt_page_is_refused_and_the_message_kept(logged_in, files, reason):
    messages_before, attachments_before = Message.objects.count(), Attachment.objects.count()

    response = logged_in.post("/receipt/message/", {"message-body": MESSAGE, "message-files": files()})

    assert response.status_code == 400
    page = response.content.decode()
    assert reason in page
    assert MESSAGE in page  # the message is still in its box, to send again
    assert Message.objects.count() == messages_before
    assert Attachment.objects.count() == attachments_before
