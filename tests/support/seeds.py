"""What the data migrations seed (desks, letter libraries), put back where a transactional test flushed it."""

import importlib

SEED_MIGRATIONS = [
    "submissions.migrations.0003_seed_desks",
    "communications.migrations.0002_seed_libraries",
    "communications.migrations.0003_seed_libraries_fr_es_ru",
]


def ensure_seeded() -> None:
    from django.apps import apps

    from communications.models import LetterTemplate
    from submissions.models import Desk

    if not Desk.objects.exists() or not LetterTemplate.objects.exists():
        for module in SEED_MIGRATIONS:
            importlib.import_module(module).seed(apps, None)
