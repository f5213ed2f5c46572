"""Every page of a letter that shows its decrypted text is audited: the page with its replies' summaries,
and the page sent back with errors after a POST."""

import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from communications import services
from portal.models import AuditEvent
from tests.support.factories import make_accepted_submission, make_sent_communication
from tests.support.staff import login_staff, make_desk_officer, make_staff

pytestmark = pytest.mark.django_db

PAGE = "/admin/communications/communication/{}/change/"


@pytest.fixture(autouse=True)
def _fresh_lockouts():
    cache.clear()


def reads(communication):
    return list(
        AuditEvent.objects.filter(object_type="communications.communication", object_id=str(communication.pk))
        .order_by("seq")
        .values_list("action", "fields")
    )


def test_the_page_with_reply_summaries_is_audited_with_them(client):
    letter = make_sent_communication(sent_at=timezone.now() - datetime.timedelta(days=3))
    services.reply_record(
        communication=letter, received_on=timezone.now().date(), kind="substantive", confidential=True,
        summary="The State denies the detention.", document=None, document_name="", content_type="",
    )  # fmt: skip
    # The replies' inline shows to whoever may view replies (a superuser here).
    login_staff(client, make_staff(None, superuser=True))

    page = client.get(PAGE.format(letter.pk)).content.decode()

    assert "The State denies the detention." in page
    assert reads(letter) == [("view", ["body", "public_summary", "reply.summary"])]


def test_a_draft_sent_back_with_errors_is_audited(client):
    officer = make_desk_officer("central-asia")
    draft, _ = services.communication_draft(
        submissions=[make_accepted_submission(country="TJ")], kind="AL", recipient="TJK",
        recipient_name="Tajikistan", language="en", by=officer,
    )  # fmt: skip
    login_staff(client, officer)

    response = client.post(PAGE.format(draft.pk), {"body": "", "public_summary": ""})

    assert response.status_code == 200  # the form again, with the letter's text
    assert reads(draft) == [("view", ["body", "public_summary"])]
