"""Fixtures shared by the public archive's page and statistics modules."""

import itertools

import pytest

from communications import stats as archive_stats
from tests.support.factories import make_staff_user

_names = itertools.count()


@pytest.fixture
def fresh_statistics():
    # A release clears the statistics cache on commit, and a test's transaction never commits.
    archive_stats.invalidate()
    yield
    archive_stats.invalidate()


@pytest.fixture
def staff():
    """A desk officer and a rapporteur, new for each test."""
    n = next(_names)
    return make_staff_user(f"pv-desk-{n}", "Desk officer"), make_staff_user(f"pv-rapporteur-{n}", "Rapporteur")
