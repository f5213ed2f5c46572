"""The demo data still releases letters: their public versions are approved through the services."""

import io

import pytest
from django.core.management import call_command

from communications import gate
from communications.models import Communication, CommunicationStatus, PublicRecord

pytestmark = pytest.mark.django_db


@pytest.mark.slow  # the whole demo data set
def test_seed_demo_releases_letters_whose_public_version_was_approved():
    call_command("seed_demo", stdout=io.StringIO())

    released = Communication.objects.filter(status=CommunicationStatus.RELEASED)
    assert released.count() == 2
    assert PublicRecord.objects.count() == 2
    for communication in released:
        assert gate.public_version_approved(communication)
        assert gate.gate_public_copy(communication) == []
