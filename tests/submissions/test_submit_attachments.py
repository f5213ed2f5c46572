"""Evidence through the intake form: accepted, rejected with a message, the report kept."""

import io
import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from submissions import services
from submissions.attachments import MAX_FILE_BYTES
from submissions.models import Attachment, Submission
from tests.support.intake import NARRATIVE, SOURCE_NAME, report_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def png_with_gps() -> bytes:
    image = Image.new("RGB", (8, 8), "red")
    exif = Image.Exif()
    exif.get_ifd(0x8825)[2] = (38.0, 33.0, 0.0)  # GPSInfo: latitude
    exif[0x010F] = "PhoneMaker"
    buffer = io.BytesIO()
    image.save(buffer, "PNG", exif=exif)
    return buffer.getvalue()


def post_with_files(client, *files):
    return client.post("/submit/", {**report_data(), "action": "submit", "attachments-files": list(files)})


def test_an_accepted_file_is_stored_encrypted_with_its_hash_and_a_clean_copy(client):
    data = png_with_gps()

    response = post_with_files(client, SimpleUploadedFile("photo.png", data, content_type="image/png"))

    assert response.status_code == 200
    attachment = Attachment.objects.get()
    assert attachment.original == data
    assert attachment.kind == "png"
    assert len(attachment.sha256) == 64
    assert attachment.working_copy is None  # made by the worker (tests/submissions/test_working_copies.py)
    services.attachment_clean(attachment_id=attachment.pk)  # what the worker runs
    attachment.refresh_from_db()
    assert b"PhoneMaker" in data and b"PhoneMaker" not in attachment.working_copy


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("report.pdf", png_with_gps(), "does not match"),
        ("tool.exe", b"MZ\x90\x00" + b"\x00" * 200, "is not a type of file we accept"),
        ("page.txt", b"<html><script>alert(1)</script></html>", "looks like a web page"),
    ],
)
def test_a_rejected_file_gets_a_clear_message_and_the_report_is_kept(client, name, content, reason):
    response = post_with_files(client, SimpleUploadedFile(name, content))

    assert response.status_code == 400
    html = response.content.decode()
    assert name in html
    assert reason in html
    assert SOURCE_NAME in html and NARRATIVE in html  # carried in the review form, ready to send again
    assert Submission.objects.count() == 0


def test_a_file_over_the_limit_is_refused_without_losing_the_report(client):
    big = SimpleUploadedFile("video.mp4", b"\x00" * (MAX_FILE_BYTES + 1))

    response = post_with_files(client, big)

    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r"video\.mp4.{0,40}larger than 10 MB", html)
    assert NARRATIVE in html
    assert Submission.objects.count() == 0


def test_too_many_files_are_refused(client):
    files = [SimpleUploadedFile(f"note{n}.txt", b"a note\n") for n in range(11)]

    response = post_with_files(client, *files)

    assert response.status_code == 400
    assert "At most 10 files" in response.content.decode()
    assert Submission.objects.count() == 0
