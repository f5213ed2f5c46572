"""Evidence through the intake form: accepted, rejected with a message, the report kept."""

import io
import os
import re
import time

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from PIL import Image

from portal import sealed_files, sealing
from submissions import services
from submissions.attachments import MAX_FILE_BYTES
from submissions.models import Attachment, Cleaning, Submission
from tests.support.intake import NARRATIVE, SOURCE_NAME, report_data
from tests.support.staff import login_staff, make_rapporteur

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


@pytest.fixture(autouse=True)
def _cleaning_at_the_tests_priority(monkeypatch):
    """The cleaning child keeps this process's priority: at the lowest, under the other xdist workers' load,
    it would crawl. Its lowering is tested in tests/submissions/test_working_copies.py.

    Set on the settings themselves: pytest-django's `settings` fixture would hide SETTINGS_MODULE, which the
    cleaning passes on to its child."""
    monkeypatch.setattr(django_settings, "ATTACHMENT_CLEAN_LOWEST_PRIORITY", False)


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
    assert attachment.content() == data
    assert attachment.kind == "png"
    assert len(attachment.sha256) == 64
    assert attachment.content("working") is None  # made by the worker (tests/submissions/test_working_copies.py)
    with sealing.using(None):  # what the worker runs, with no key of its own
        services.attachment_clean(attachment_id=attachment.pk)
    attachment.refresh_from_db()
    assert b"PhoneMaker" in data and b"PhoneMaker" not in attachment.content("working")


def test_each_file_is_written_once_sealed_to_its_case_and_kept_out_of_the_database(client):
    data = png_with_gps()

    post_with_files(client, SimpleUploadedFile("photo.png", data, content_type="image/png"))

    attachment = Attachment.objects.get()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT octet_length(original), octet_length(to_clean), octet_length(working_copy),"
            " octet_length(clean_key) FROM submissions_attachment"
        )
        original, to_clean, working_copy, clean_key = cursor.fetchone()
    assert (original, to_clean, working_copy) == (None, None, None)
    assert clean_key < 200  # the file's key for the worker, under the server's key: not the file
    stored = sealed_files.path_of(attachment.file).read_bytes()
    assert b"PhoneMaker" not in stored and data not in stored
    with sealing.using(None), pytest.raises(sealing.Locked):
        attachment.content()

    with sealing.using(None):
        services.attachment_clean(attachment_id=attachment.pk)

    attachment.refresh_from_db()
    assert attachment.clean_key is None  # from now on only the case's key opens the file
    assert attachment.working_file and attachment.working_file != attachment.file
    with sealing.using(None), pytest.raises(sealing.Locked):
        attachment.content("working")


def test_a_rolled_back_report_leaves_no_file(client, monkeypatch):
    before = set(sealed_files.root().iterdir()) if sealed_files.root().exists() else set()

    def fail(submission_id):
        raise RuntimeError("the database went away before the commit")

    monkeypatch.setattr(services, "_screen_after_commit", fail)  # inside the transaction, after the files
    with pytest.raises(RuntimeError):
        post_with_files(client, SimpleUploadedFile("photo.png", png_with_gps()), SimpleUploadedFile("a.txt", b"hi"))

    assert not Submission.objects.exists() and not Attachment.objects.exists()
    assert set(sealed_files.root().iterdir()) == before


def test_the_sweep_keeps_the_files_of_attachments_and_deletes_the_rest(client):
    post_with_files(client, SimpleUploadedFile("photo.png", png_with_gps()))
    attachment = Attachment.objects.get()
    orphan = sealed_files.write(b"a report whose transaction rolled back", case_key=attachment.submission.case_key)
    hours_ago = time.time() - 7200
    for name in (attachment.file, orphan.name):
        os.utime(sealed_files.path_of(name), (hours_ago, hours_ago))

    services.attachment_files_sweep()

    assert sealed_files.path_of(attachment.file).exists()
    assert not sealed_files.path_of(orphan.name).exists()


def test_an_attachment_stored_before_files_still_reads_cleans_and_downloads(client):
    post_with_files(client)
    submission = Submission.objects.get()
    data = png_with_gps()
    # As the intake stored it before: the bytes in the row, sealed, and a copy under the server's key.
    old = Attachment.objects.create(
        submission=submission,
        name="photo.png",
        kind="png",
        content_type="image/png",
        size=len(data),
        sha256="0" * 64,
        original=data,
        to_clean=data,
    )
    old = Attachment.objects.get(pk=old.pk)
    assert old.content() == data

    with sealing.using(None):
        services.attachment_clean(attachment_id=old.pk)

    old.refresh_from_db()
    assert old.cleaning == Cleaning.CLEAN and old.to_clean is None
    assert b"PhoneMaker" not in old.content("working")
    staff = Client()
    login_staff(staff, make_rapporteur())
    response = staff.get(f"/admin/submissions/submission/{submission.pk}/attachment/{old.pk}/original/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == data


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
