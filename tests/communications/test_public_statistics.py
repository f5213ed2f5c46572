"""The public archive's statistics page: every figure worked out by hand from records made as the portal makes them.

Apart from tests/communications/test_public_views.py, whose helpers it uses, so that pytest-xdist's
loadfile gives the two modules to different workers.
"""

import datetime
import html
import re

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communications import stats as archive_stats
from communications.tasks import tick
from communications.templatetags.archive import by_year_rows
from tests.communications.test_public_views import page, publish, release, text_of
from tests.support.factories import make_sent_communication

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_statistics")]


def table_rows(text: str, caption: str) -> list[list[str]]:
    table = re.search(rf"<table[^>]*>\s*<caption>{re.escape(caption)}.*?</table>", text, re.S).group(0)
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1)
    return [[text_of(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]  # fmt: skip


@pytest.fixture
def replied(staff):
    """Six records whose replies are known, so that every figure can be worked out by hand.

    Tajikistan: 4 letters; replies after 30, 100 and 20 days (the first reply counts), one unanswered:
    answered 75 %, within 60 days 50 %, median 30 days.
    Kazakhstan: 2 letters; one reply after 90 days: answered 50 %, within 60 days 0 %, median 90 days.
    """
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


def test_statistics_of_an_empty_archive(client):
    text = page(client, "/communications/stats/").content.decode()

    assert table_rows(text, "Released communications by year of sending and type") == []


def test_statistics_do_not_give_one_company_s_name_to_every_non_state_actor(client, staff):
    """OTH is the code of every company and armed group: no one of them is "the recipient" of all their letters."""
    d = datetime.date
    publish(staff, sent=d(2026, 1, 5), kind="AL", recipient="OTH", recipient_name="Acme Mining Ltd")
    publish(staff, sent=d(2026, 1, 20), kind="AL", recipient="OTH", recipient_name="Zeta Armed Group",
            replies=[(d(2026, 2, 1), "substantive", False, "")])  # fmt: skip
    assert release() == 2

    text = page(client, "/communications/stats/").content.decode()

    [row] = table_rows(text, "For each recipient: communications, the share answered")
    assert row[0].endswith("(OTH)") and row[1:] == ["2", "50%", "50%", "12"]
    assert "Acme Mining Ltd" not in row[0] and "Zeta Armed Group" not in row[0], row[0]


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])  # fresh_statistics only empties a cache
@given(
    year=st.integers(1, 9999),
    recipient=st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=3),
    kind=st.text(st.characters(exclude_categories=("Cs", "Cc")), max_size=2),
    count=st.integers(0, 10**6),
)
def test_a_row_of_every_combination_shows_its_codes_as_text(year, recipient, kind, count):
    # The rows are written by a tag (communications.templatetags.archive), outside the template's escaping.
    rows = by_year_rows([{"year": year, "recipient": recipient, "kind": kind, "n": count}])

    cells = re.findall(r"<td>(.*?)</td>", rows, re.S)
    assert "".join(f"<td>{cell}</td>" for cell in cells) == rows.removeprefix("<tr>").removesuffix("</tr>")
    assert [html.unescape(cell) for cell in cells] == [str(year), recipient, kind, str(count)]
    assert all("<" not in cell and ">" not in cell for cell in cells)


@pytest.mark.django_db(transaction=True)  # the release clears the figures when it commits, as in the worker
def test_after_the_clock_releases_a_letter_the_figures_are_ready_before_any_visitor_asks(django_assert_num_queries):
    sent = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
    make_sent_communication(sent_at=sent)
    assert archive_stats.statistics()["states"] == []  # kept: the archive is empty

    with time_machine.travel(sent + datetime.timedelta(days=60), tick=False):
        tick()

    with django_assert_num_queries(0):
        figures = archive_stats.statistics()
    assert [(state.recipient, state.total) for state in figures["states"]] == [("TJK", 1)]
