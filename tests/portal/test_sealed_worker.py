"""The Celery worker does its work without ever opening a case (portal.sealing): a real worker process,
which has no key, screens and routes a report, finds a duplicate across scripts, makes an attachment's
working copy and releases a letter on day 60; a probe task shows that the same worker cannot read a
case's narrative."""

import datetime
import re
import secrets

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from communications.models import PublicRecord
from communications.tasks import tick
from portal import sealing
from submissions import services
from submissions.models import Attachment, Cleaning, Status, Submission
from tests.submissions.test_submit_attachments import png_with_gps
from tests.support.factories import make_accepted_submission, make_sent_communication, make_submission
from tests.support.intake import DEFENDER_NAME, report_data, submit_case
from tests.support.processes import wait_for
from tests.support.tasks import letter_probe, read_probe

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()


def test_the_worker_routes_a_report_and_finds_its_duplicate_across_scripts_without_a_key(client, celery_worker):
    response = submit_case(client)
    reference = re.search(r'id="receipt-reference">([^<]+)<', response.content.decode()).group(1)
    assert DEFENDER_NAME == "Ulfathonim Mamadshoeva"
    cyrillic = make_submission(country="TJ", defender_name="Мамадшоева Ульфатхоним")

    wait_for(
        lambda: Submission.objects.filter(screened_at__isnull=False).count() == 2, message="the worker to route both"
    )
    latin = Submission.objects.get(reference=reference)
    assert latin.status == Status.QUEUED and latin.desk.code == "central-asia"
    assert "imprisonment" in latin.flags  # screened at intake, before sealing
    assert list(services.possible_duplicates(latin)) == [Submission.objects.get(pk=cyrillic.pk)]

    token = secrets.token_hex(8)
    read_probe.delay(token, latin.pk)
    wait_for(lambda: cache.get(f"probe:{token}"), message="the probe")
    assert cache.get(f"probe:{token}") == "sealed"


def test_the_worker_cleans_an_attachment_without_a_key_and_then_cannot_open_it(client, celery_worker):
    photo = png_with_gps()

    response = client.post(
        "/submit/",
        {**report_data(), "action": "submit", "attachments-files": [SimpleUploadedFile("photo.png", photo)]},
    )

    assert response.status_code == 200
    wait_for(lambda: Attachment.objects.filter(cleaning=Cleaning.CLEAN).exists(), message="the worker's working copy")
    # The report's screening too: the next test's emptying of the tables must not meet the worker mid-task.
    wait_for(lambda: Submission.objects.filter(screened_at__isnull=False).exists(), message="the worker to route it")
    attachment = Attachment.objects.get()
    assert attachment.clean_key is None and attachment.working_file  # its way in is gone once used
    assert b"PhoneMaker" not in attachment.content("working")  # read here with the office key
    assert attachment.content() == photo
    with sealing.using(None), pytest.raises(sealing.Locked):  # the worker's context: no key
        attachment.content()


def test_the_worker_releases_a_letter_on_day_60_without_a_key(celery_worker):
    named = make_accepted_submission(country="TJ", public_naming=True, defender_name="Azimjan Askarov")
    unnamed = make_accepted_submission(country="TJ", public_naming=False)
    sent = timezone.now() - datetime.timedelta(days=60, minutes=1)
    communication = make_sent_communication(submissions=[named, unnamed], sent_at=sent)

    tick.delay()
    wait_for(lambda: PublicRecord.objects.exists(), message="the worker to release the letter")
    letter = PublicRecord.objects.get().letter_html
    assert "Azimjan Askarov" in letter  # the name its victim agreed to make public
    assert "Mamadshoeva" not in letter and "U. M." in letter  # initials for the one who did not
    # It released the approved public version: no key of the worker opens the letter itself.
    token = secrets.token_hex(8)
    letter_probe.delay(token, communication.pk)
    wait_for(lambda: cache.get(f"probe:{token}"), message="the letter probe")
    assert cache.get(f"probe:{token}") == "sealed"
