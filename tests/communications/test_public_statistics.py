"""The public archive's statistics page: its empty state, companies, every row's codes and the clock's release.

Apart from tests/communications/test_public_views.py, whose helpers it uses, so that pytest-xdist's
loadfile gives the two modules to different workers; the figures worked out by hand from six records are
tests/communications/test_public_statistics_figures.py.
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
