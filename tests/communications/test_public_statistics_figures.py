"""The public archive's statistics page: every figure worked out by hand from six records made as the portal
makes them (the page's other tests are in tests/communications/test_public_statistics.py)."""

import datetime
import re

import pytest
from django.db import transaction

from tests.communications.test_public_statistics import table_rows
from tests.communications.test_public_views import page, publish, release
from tests.support.factories import make_staff_user
from tests.support.seeds import ensure_seeded

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_statistics")]


@pytest.fixture(scope="module")
def replied(django_db_setup, django_db_blocker):
    """Six records whose replies are known, so that every figure can be worked out by hand. Made once for the
    module (six letters through every step and their release take seconds; the tests only read them) and
    rolled back after it.

    Tajikistan: 4 letters; replies after 30, 100 and 20 days (the first reply counts), one unanswered:
    answered 75 %, within 60 days 50 %, median 30 days.
    Kazakhstan: 2 letters; one reply after 90 days: answered 50 %, within 60 days 0 %, median 90 days.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_seeded()
        _publish_six((make_staff_user("st-desk", "Desk officer"), make_staff_user("st-rapp", "Rapporteur")))
        yield
        transaction.set_rollback(True)


def _publish_six(staff):
    d = datetime.date
    kz = {"recipient": "KAZ", "recipient_name": "Kazakhstan", "country": "KZ"}
    publish(staff, sent=d(2025, 1, 10), kind="UA", replies=[(d(2025, 2, 9), "substantive", False, "")])
    publish(staff, sent=d(2025, 3, 1), kind="AL", replies=[(d(2025, 6, 9), "substantive", True, "")])
    publish(
        staff, sent=d(2025, 5, 1), kind="UA",
        replies=[(d(2025, 5, 21), "acknowledgement", False, ""), (d(2025, 8, 1), "substantive", False, "")],
    )  # fmt: skip
    publish(staff, sent=d(2026, 1, 5), kind="UA")
    publish(staff, sent=d(2025, 2, 1), kind="OL", replies=[(d(2025, 5, 2), "substantive", False, "")], **kz)
    publish(staff, sent=d(2026, 2, 1), kind="AL", **kz)
    assert release() == 6


def test_statistics_count_communications_per_year_and_type(client, replied):
    text = page(client, "/communications/stats/").content.decode()

    assert table_rows(text, "Released communications by year of sending and type") == [
        ["2025", "2", "1", "1"],
        ["2026", "1", "1", "0"],
    ]


def test_statistics_of_replies_per_state(client, replied):
    text = page(client, "/communications/stats/").content.decode()

    rows_ = table_rows(text, "For each recipient: communications, the share answered")
    assert rows_ == [
        ["Tajikistan (TJK)", "4", "75%", "50%", "30"],
        ["Kazakhstan (KAZ)", "2", "50%", "0%", "90"],
    ]


def test_statistics_per_year_recipient_and_type(client, replied):
    text = page(client, "/communications/stats/").content.decode()

    assert table_rows(text, "Every combination of year, recipient and type") == [
        ["2025", "KAZ", "OL", "1"],
        ["2025", "TJK", "AL", "1"],
        ["2025", "TJK", "UA", "2"],
        ["2026", "KAZ", "AL", "1"],
        ["2026", "TJK", "UA", "1"],
    ]


def test_statistics_charts_are_accessible_svg(client, replied):
    text = page(client, "/communications/stats/").content.decode()

    charts = re.findall(r"<svg\b[^>]*>.*?</svg>", text, re.S)
    assert len(charts) == 2
    for chart in charts:
        opening = re.match(r"<svg\b[^>]*>", chart).group(0)
        assert 'role="img"' in opening
        title = re.search(r'<title id="([^"]+)">([^<]+)</title>', chart)
        desc = re.search(r'<desc id="([^"]+)">([^<]+)</desc>', chart)
        assert title and desc
        assert f'aria-labelledby="{title.group(1)} {desc.group(1)}"' in opening
    per_year, answered = charts
    assert ">2025<" in per_year and ">4<" in per_year  # four letters sent in 2025
    assert ">Tajikistan<" in answered or ">TJK<" in answered
    assert ">75%<" in answered and ">50%<" in answered
