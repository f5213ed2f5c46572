"""What the data migrations seed (desks, letter libraries), put back where a transactional test flushed it."""

import hashlib
import importlib

from nacl.public import PrivateKey

from portal import sealing

SEED_MIGRATIONS = [
    "submissions.migrations.0003_seed_desks",
    "communications.migrations.0002_seed_libraries",
    "communications.migrations.0003_seed_libraries_fr_es_ru",
]


# The office key of the tests: fixed, so that it opens the cases of every xdist worker and of a kept
# (--reuse-db) test database. Staff made by tests/support/staff.make_staff are granted it.
OFFICE_PRIVATE_KEY = PrivateKey(hashlib.sha256(b"defender portal: the tests' office key").digest())


def office_keyring() -> sealing.Keyring:
    """What a staff member's login opens: the office key (the test code reads cases as staff do)."""
    return sealing.Keyring(office=sealing.office_keys([OFFICE_PRIVATE_KEY]))


def ensure_seeded() -> None:
    from django.apps import apps

    from communications.models import LetterTemplate
    from portal.models import OfficeKey
    from submissions.models import Desk

    if not Desk.objects.exists() or not LetterTemplate.objects.exists():
        for module in SEED_MIGRATIONS:
            importlib.import_module(module).seed(apps, None)
    if not OfficeKey.objects.filter(retired_at__isnull=True).exists():
        OfficeKey.objects.create(public_key=bytes(OFFICE_PRIVATE_KEY.public_key))
