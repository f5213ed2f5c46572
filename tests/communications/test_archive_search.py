"""The archive's search order (PublicRecordQuerySet.search and page()): what is ranked, what follows, and that
every page of it, at any offset, is the same list cut in the same places; the page, the API and the CSV share it.

The bounds (RANKED records ranked, WALK newest records read before the index, OLDER records in the first span
the index is asked about) are set small here, so that a handful of records, made as the portal makes them, go
through every branch that 100,000 records would.
"""

import datetime
from unittest import mock

import pytest
from django.contrib.postgres.search import SearchQuery
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from communications import views
from communications.models import PublicRecord, PublicRecordQuerySet
from tests.communications.test_public_views import csv_rows, page, publish, release
from tests.support.factories import make_staff_user
from tests.support.seeds import ensure_seeded

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_statistics")]

KZ = {"recipient": "KAZ", "recipient_name": "Kazakhstan", "country": "KZ"}
UZ = {"recipient": "UZB", "recipient_name": "Uzbekistan", "country": "UZ"}
# name: (sent on, recipient, kind, summary, letter paragraph)
RECORDS = {
    "blogger": ((2024, 1, 10), {}, "UA", "Detention of a blogger.", "The blogger is held in detention in Dushanbe."),
    "lawyer": ((2024, 3, 10), KZ, "AL", "Threats against a lawyer.", "The lawyer was threatened with detention."),
    "poet": ((2024, 5, 10), {}, "AL", "Detention, and a second detention, of a poet.", "The poet was arrested twice."),
    "law": ((2024, 7, 10), UZ, "OL", "A draft law on associations.", "The law restricts the funding of associations."),
    "journalist": ((2024, 9, 10), KZ, "UA", "Detention of a journalist in Almaty.", "The journalist covered a strike."),
    "raid": ((2025, 1, 10), {}, "AL", "A raid on an organisation.", "After the raid, the detention of its director."),
    "ban": ((2025, 3, 10), UZ, "UA", "Travel ban on a lawyer.", "The lawyer was stopped at the border in Tashkent."),
    "union": ((2025, 5, 10), KZ, "AL", "Surveillance of a trade union leader.", "Spyware was found on the phone."),
}
TERMS = [
    "detention", "lawyer", "Kazakhstan", "journalist", "raid", "spyware", "border", "associations", "blogger",
    "detention lawyer", "detention -raid", '"held in detention"', "detention or spyware", "задержание",
    "nowhere", "government", "rights",
]  # fmt: skip
FILTERS = [{}, {"kind": "AL"}, {"recipient": "KAZ"}, {"year": 2025}]
PLAIN_WORDS = ["detention", "lawyer", "Kazakhstan", "journalist", "raid", "spyware", "border", "nowhere", "government"]


@pytest.fixture(scope="module")
def records(django_db_setup, django_db_blocker):
    """Built once for the module (the tests only read it) and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_seeded()
        staff = (make_staff_user("as-desk", "Desk officer"), make_staff_user("as-rapp", "Rapporteur"))
        made = {
            name: publish(
                staff, sent=datetime.date(*sent), kind=kind, summary=summary, letter=f"<p>{letter}</p>", **recipient
            )
            for name, (sent, recipient, kind, summary, letter) in RECORDS.items()
        }
        assert release(datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)) == len(RECORDS)
        yield {name: communication.reference for name, communication in made.items()}
        transaction.set_rollback(True)


def ranked_everything(term: str, filters: dict) -> list:
    """Every match ranked by ts_rank over reference, recipient and summary, then newest: the order without bounds."""
    return list(PublicRecord.objects.filtered(q=term, **filters))


def expected(term: str, filters: dict, ranked: int) -> list[str]:
    """search()'s order as its docstring states it, worked out in Python from the database's own ranks."""
    matches = ranked_everything(term, filters)
    query = SearchQuery(term, config="english", search_type="websearch") | SearchQuery(
        term, config="russian", search_type="websearch"
    )
    in_summary = set(PublicRecord.objects.filter(search_rank=query).values_list("pk", flat=True))
    newest = sorted(matches, key=lambda r: (r.sent_on, r.pk), reverse=True)
    candidates = [r for r in newest if r.pk in in_summary][:ranked]
    best = sorted(candidates, key=lambda r: (r.rank, r.sent_on, r.pk), reverse=True)
    return [r.reference for r in best] + [r.reference for r in newest if r not in candidates]


def listed(term: str, filters: dict, start: int, stop: int) -> list[str]:
    return [r.reference for r in PublicRecord.objects.filtered(q=term, **filters).page(start, stop)]


@pytest.mark.parametrize("term", PLAIN_WORDS)
@pytest.mark.parametrize("filters", FILTERS)
def test_a_single_word_is_ranked_as_if_every_match_were_ranked(records, term, filters):
    assert listed(term, filters, 0, 100) == [r.reference for r in ranked_everything(term, filters)]


def test_a_match_in_the_summary_comes_before_a_newer_match_in_the_letter_only(records):
    order = listed("detention", {}, 0, 100)

    # The poet's summary says it twice, then the other two summaries newest first; the raid of 2025 has it in
    # its letter only, after them.
    assert order[:4] == [records["poet"], records["journalist"], records["blogger"], records["raid"]]


def test_with_more_matches_in_summaries_than_it_ranks_the_newest_are_ranked_and_the_rest_follow_newest_first(
    records,
):
    with mock.patch.object(PublicRecordQuerySet, "RANKED", 2):
        order = listed("detention", {}, 0, 100)

    # Ranked: the two newest with the word in the summary (the journalist, 2024-09; the poet, 2024-05, whose
    # summary has it twice). Then the other matches newest first, the older blogger's summary among them.
    assert order[:3] == [records["poet"], records["journalist"], records["raid"]]
    assert order.index(records["lawyer"]) < order.index(records["blogger"])
    assert order == expected("detention", {}, ranked=2)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    term=st.sampled_from(TERMS),
    filters=st.sampled_from(FILTERS),
    ranked=st.integers(1, 10),
    walk=st.integers(1, 10),
    older=st.integers(1, 10),
    start=st.integers(0, 9),
    length=st.integers(1, 10),
)
def test_any_page_is_the_stated_order_cut_at_start_and_stop(records, term, filters, ranked, walk, older, start, length):
    with mock.patch.multiple(PublicRecordQuerySet, RANKED=ranked, WALK=walk, OLDER=older):
        assert listed(term, filters, start, start + length) == expected(term, filters, ranked)[start : start + length]


def test_a_phrase_or_an_excluded_word_is_checked_against_the_whole_letter(records):
    assert listed('"held in detention"', {}, 0, 100) == [records["blogger"]]
    without_raid = listed("detention -raid", {}, 0, 100)
    assert records["raid"] not in without_raid and records["poet"] in without_raid


def test_the_csv_of_a_search_is_in_the_page_s_order(client, records, monkeypatch):
    monkeypatch.setattr(views, "CSV_CHUNK", 2)
    monkeypatch.setattr(PublicRecordQuerySet, "RANKED", 2)

    table = csv_rows(page(client, "/communications/export.csv?q=detention"))

    assert [row[0] for row in table[1:]] == expected("detention", {}, ranked=2)


@pytest.mark.parametrize("term", ["detention", "government", None])
def test_a_stream_reads_the_records_a_chunk_at_a_time_in_the_page_s_order(records, term):
    found = PublicRecord.objects.filtered(q=term)

    with CaptureQueriesContext(connection) as queries:
        streamed = [record.reference for record in found.stream(100, chunk=3)]

    assert streamed == [record.reference for record in found.page(0, 100)]
    reads = [q["sql"] for q in queries.captured_queries if "letter_html" in q["sql"]]
    if term:  # the records by id, a query per chunk
        assert len(streamed) > 3 and len(reads) == -(-len(streamed) // 3)
    else:  # the archive newest first, through a server-side cursor
        assert len(reads) == 1 and reads[0].startswith("DECLARE")


def test_the_api_lists_a_search_in_the_same_order(client, records, monkeypatch):
    monkeypatch.setattr(PublicRecordQuerySet, "RANKED", 2)

    response = client.get("/api/v1/communications", {"q": "detention", "limit": 3})
    following = client.get(response.json()["next"])

    order = expected("detention", {}, ranked=2)
    assert [item["reference"] for item in response.json()["items"]] == order[:3]
    assert [item["reference"] for item in following.json()["items"]] == order[3:6]
