"""Working copies are made by the Celery worker, in a child process with limits, never in the request.

A report with files is stored at once with their originals (encrypted); a real worker then makes the
metadata-free copies. A file past the limits (here a PDF with more pages than the worker may
rewrite) or that the cleaner refuses keeps its original as evidence and is flagged for staff.
"""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from mutagen.id3 import ID3, TIT2, TXXX
from pypdf import PdfReader, PdfWriter

from portal.embedded import wait_for
from submissions.attachments import cleaning
from submissions.models import Attachment, Cleaning
from tests.submissions.test_attachments import MP3_FRAME, PERSON, mp4_bytes, pdf_bytes
from tests.submissions.test_submit_attachments import png_with_gps
from tests.support.intake import report_data
from tests.support.processes import Worker

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]

PAGE_LIMIT = 20


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker):
    from portal.celery import app

    app.control.purge()
    process = Worker(CELERY_VISIBILITY_TIMEOUT="10", ATTACHMENT_MAX_PDF_PAGES=str(PAGE_LIMIT))
    process.start()
    yield process
    process.stop()


def pdf_of(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": PERSON})
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


def tagged_mp3() -> bytes:
    audio = io.BytesIO(MP3_FRAME * 5)
    tags = ID3()
    tags.add(TIT2(encoding=3, text=f"Interview with {PERSON}"))
    tags.add(TXXX(encoding=3, desc="location", text="38.5598, 68.7870"))
    tags.save(audio)
    return audio.getvalue()


def cleaned(names: list[str]) -> dict[str, Attachment]:
    def done():
        rows = {a.name: a for a in Attachment.objects.all()}
        return rows if len(rows) == len(names) and all(a.cleaning != Cleaning.PENDING for a in rows.values()) else None

    return wait_for(done, timeout=90, interval=0.2, message="the worker's working copies")


def test_the_worker_makes_the_working_copies_and_flags_what_it_cannot_clean(worker):
    files = {
        "photo.png": png_with_gps(),
        "letter.pdf": pdf_bytes(),
        "long.pdf": pdf_of(PAGE_LIMIT + 5),
        "call.mp3": tagged_mp3(),
        "arrest.mp4": mp4_bytes(),
        "notes.txt": b"Seen at the station on 3 May.\n",
    }
    uploads = [SimpleUploadedFile(name, content) for name, content in files.items()]

    response = Client().post("/submit/", {**report_data(), "action": "submit", "attachments-files": uploads})

    assert response.status_code == 200
    rows = cleaned(list(files))
    for name, content in files.items():
        assert rows[name].content() == content  # the evidence, untouched, whatever happened to its copy
    assert rows["photo.png"].cleaning == Cleaning.CLEAN
    assert b"PhoneMaker" not in rows["photo.png"].content("working")
    assert rows["letter.pdf"].cleaning == Cleaning.CLEAN
    assert PERSON not in str(PdfReader(io.BytesIO(rows["letter.pdf"].content("working"))).metadata)
    assert rows["call.mp3"].cleaning == Cleaning.CLEAN
    assert PERSON.encode() not in rows["call.mp3"].content("working") and b"68.7870" not in rows["call.mp3"].content(
        "working"
    )
    assert rows["call.mp3"].content("working").endswith(MP3_FRAME)
    assert (rows["long.pdf"].cleaning, rows["long.pdf"].cleaning_note) == (Cleaning.FAILED, "page-limit")
    assert rows["long.pdf"].content("working") is None
    assert rows["arrest.mp4"].cleaning == Cleaning.ORIGINAL_ONLY and rows["arrest.mp4"].content("working") is None
    assert rows["notes.txt"].cleaning == Cleaning.CLEAN


def test_a_file_the_cleaner_refuses_is_kept_as_evidence_and_flagged(worker):
    damaged = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    upload = SimpleUploadedFile("scan.pdf", damaged)

    response = Client().post("/submit/", {**report_data(), "action": "submit", "attachments-files": [upload]})

    assert response.status_code == 200
    row = cleaned(["scan.pdf"])["scan.pdf"]
    assert row.content() == damaged
    assert row.cleaning == Cleaning.FAILED and row.content("working") is None
    assert row.cleaning_note


def test_the_cleaning_child_yields_the_processors_to_the_web_requests():
    # With Linux's autogroup a nice value counts only within a session: the child has a session of its own,
    # at the lowest priority, so that a flood of heavy files takes only the cycles nobody else wants.
    look = "import os; print(os.getsid(0) == os.getpid(), os.getpriority(os.PRIO_PROCESS, 0))"
    if Path("/proc/self/autogroup").exists():
        look += "; print(open('/proc/self/autogroup').read().split()[-1])"

    child = subprocess.run(
        [sys.executable, "-c", look], capture_output=True, text=True, preexec_fn=cleaning._limit_child, check=True
    )

    own_session, nice, *autogroup_nice = child.stdout.split()
    assert own_session == "True"
    assert int(nice) == cleaning.CHILD_NICE == 19
    assert all(int(value) == cleaning.CHILD_NICE for value in autogroup_nice)
