"""Migration communications.0011: letters stored under the server's key (and reasons stored in clear) are
sealed to a key per letter where the office has a key, and stay readable under the server's key where not."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from communications.models import Communication, CommunicationStatusChange, Reply
from portal import crypto, sealing
from portal.models import OfficeKey
from tests.support.seeds import OFFICE_PRIVATE_KEY, office_keyring

# Each test migrates the database back and forth: 2.5-7.5 s apiece, run by make test only.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]

LETTER = "<p>Зарина Шарипова was detained in Vahdat.</p>"
REASON = "The family fears reprisals in Vahdat."
DOCUMENT = b"The prosecutor of Rasht opened case 88-RA-2026."


def _fernet(text: str) -> str:
    return crypto.encrypt(text.encode()).decode()


def _letter_before_0011(author_id: int) -> tuple[int, int]:
    """A withheld letter as 0010 stored it: Fernet letter and reply, reasons in clear, its public version approved."""
    with connection.cursor() as cursor:
        cursor.execute(
            """INSERT INTO communications_communication (kind, recipient, recipient_name, copies_to, language, status,
                body, public_summary, public_body, withheld_reason, early_release_reason, created_by_id, created_at,
                updated_at, public_keeps_traits, public_approved_digest, public_approved_names, public_approved_at)
            VALUES ('UA', 'TJK', 'Tajikistan', '{}', 'en', 'withheld', %s, %s, %s, %s, '', %s, now(), now(), false,
                '', %s, now()) RETURNING id""",
            [_fernet(LETTER), _fernet("Detention."), _fernet(""), REASON, author_id, _fernet("{}")],
        )
        letter = cursor.fetchone()[0]
        cursor.execute(
            """INSERT INTO communications_communicationstatuschange (communication_id, from_status, to_status, reason,
                created_at) VALUES (%s, 'sent', 'withheld', %s, now())""",
            [letter, REASON],
        )
        cursor.execute(
            """INSERT INTO communications_reply (communication_id, received_on, kind, confidential, document,
                document_name, content_type, summary, created_at, public_approved_at)
            VALUES (%s, current_date, 'substantive', false, %s, %s, 'text/plain', %s, now(), now()) RETURNING id""",
            [letter, crypto.encrypt(DOCUMENT), _fernet("rasht.txt"), _fernet("The State confirms it.")],
        )
        return letter, cursor.fetchone()[0]


@pytest.mark.parametrize("office", [True, False], ids=["office-key", "no-office-key"])
def test_letters_are_sealed_to_their_own_key_where_the_office_has_one(office):
    author = get_user_model().objects.create(username="migration-author")
    OfficeKey.objects.get_or_create(public_key=bytes(OFFICE_PRIVATE_KEY.public_key))
    if not office:
        OfficeKey.objects.update(retired_at=timezone.now())
    call_command("migrate", "communications", "0010", verbosity=0)
    try:
        letter_id, reply_id = _letter_before_0011(author.pk)
    finally:
        call_command("migrate", "communications", verbosity=0)

    with sealing.using(None):  # a seized server, or the worker
        letter, reply = Communication.objects.get(pk=letter_id), Reply.objects.get(pk=reply_id)
        change = CommunicationStatusChange.objects.get(communication=letter)
        sealed = [letter.body, letter.withheld_reason, change.reason, reply.document, reply.summary]
        assert all(isinstance(value, sealing.Sealed) for value in sealed) is office
        assert (letter.letter_key_id is not None) is office
        # The approved public version, copied under the server's key for the clock either way.
        assert letter.approved_public_body == LETTER and letter.approved_public_summary == "Detention."
        assert reply.public_summary == "The State confirms it." and reply.public_document is None
    with sealing.using(office_keyring()):  # staff
        letter, reply = Communication.objects.get(pk=letter_id), Reply.objects.get(pk=reply_id)
        assert (letter.body, letter.withheld_reason) == (LETTER, REASON)
        assert CommunicationStatusChange.objects.get(communication=letter).reason == REASON
        assert (reply.document, reply.document_name) == (DOCUMENT, "rasht.txt")
