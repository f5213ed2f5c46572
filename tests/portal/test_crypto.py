import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.db import connection

from portal import crypto
from submissions.models import Submission
from tests.support.factories import make_submission

pytestmark = pytest.mark.django_db


def raw_source_name(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT source_name FROM submissions_submission WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_it_stores_ciphertext_and_reads_plain_text():
    submission = make_submission(source_name="Malika Sourcenova")

    assert "Malika" not in raw_source_name(submission.pk)
    assert Submission.objects.get(pk=submission.pk).source_name == "Malika Sourcenova"


def test_encrypted_fields_cannot_be_filtered_by_value():
    with pytest.raises(TypeError):
        Submission.objects.filter(source_name="Malika Sourcenova").exists()


def test_keyed_hashes_are_separated_by_purpose():
    assert crypto.keyed_hash("Askarov", purpose="a") != crypto.keyed_hash("Askarov", purpose="b")
    assert crypto.keyed_hash("Askarov", purpose="a") == crypto.keyed_hash("Askarov", purpose="a")


def raw_public_initials(defender_pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT public_initials FROM submissions_defender WHERE id = %s", [defender_pk])
        return cursor.fetchone()[0]


def test_rotation_re_encrypts_everything_under_the_new_key(settings, tmp_path):
    """The server's own key (what the worker reads: here a victim's initials; cases are sealed, see
    tests/portal/test_sealing.py) is rotated by re-encrypting every value under the new key."""
    # Files of its own: the worker's folder holds files that earlier tests wrote under keys of their own.
    settings.PRIVATE_MEDIA_ROOT = str(tmp_path)
    old_key = settings.ENCRYPTION_KEYS[0]
    submission = make_submission(source_name="Malika Sourcenova")
    defender = submission.defenders.get()
    new_key = Fernet.generate_key().decode()

    settings.ENCRYPTION_KEYS = [new_key, old_key]
    call_command("rotate_encryption_key", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.ENCRYPTION_KEYS = [new_key]

    token = raw_public_initials(defender.pk).encode()
    assert Fernet(new_key.encode()).decrypt(token) == b"U. M."
    with pytest.raises(InvalidToken):
        Fernet(old_key.encode()).decrypt(token)
    reloaded = Submission.objects.get(pk=submission.pk)
    assert reloaded.source_name == "Malika Sourcenova"
    assert reloaded.defenders.get().name == "Ulfathonim Mamadshoeva"
    assert reloaded.defenders.get().public_initials == "U. M."
