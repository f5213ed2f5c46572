"""The models and their migrations agree: a field or index changed without its migration would reach a
deployment without its table change (the queue's per-flag indexes are made from a list, for one)."""

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_every_model_change_has_its_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
