"""The public archive as a visitor uses it: list, filters, search, pages, detail, PDF, feeds, CSV (statistics:
tests/communications/test_public_statistics.py).

Every record here is made as the portal makes it: an accepted case, a draft, review, the rapporteur's
approval, sending, replies, and the 60-day clock releasing it.
"""

import csv
import datetime
import html
import io
import re

import pytest
import time_machine
from defusedxml import ElementTree
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from communications import services, views
from communications.models import Mandate, PublicRecord
from communications.release import slug_for
from tests.support.factories import make_accepted_submission, make_staff_user
from tests.support.seeds import ensure_seeded

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_statistics")]

NOW = datetime.datetime(2026, 6, 1, 9, 0, tzinfo=datetime.UTC)
ATOM = "{http://www.w3.org/2005/Atom}"

EN_SENTENCE = "The journalist was detained after publishing an investigation into forced evictions near Kazakhstan."
RU_SENTENCE = "Правозащитница была задержана после публикации расследования о принудительных выселениях."
RU_OTHER = "Активистка была задержана у здания суда."
CONFIDENTIAL_SUMMARY = "The State admits the detention and asks for discretion."
CONFIDENTIAL_PLACEHOLDER = "A reply was received and is not made public at the State"


def publish(
    staff, *, sent, kind="UA", recipient="TJK", recipient_name="Tajikistan", country="TJ", letter="", summary="",
    replies=(), mandates=(), follow_up_to=None, submissions=None, **answers,
):  # fmt: skip
    """A communication drafted from an accepted case, edited, approved, sent on `sent`, with its replies.

    replies: (received_on, kind, confidential, summary) each.
    """
    desk, rapporteur = staff
    submissions = submissions or [make_accepted_submission(country=country, **answers)]
    communication, _draft = services.communication_draft(
        submissions=submissions, kind=kind, recipient=recipient, recipient_name=recipient_name, language="en",
        by=desk, mandates=list(mandates), follow_up_to=follow_up_to,
    )  # fmt: skip
    problems = services.communication_edit(
        communication=communication, body=communication.body + letter, public_summary=summary
    )
    assert problems == []
    services.communication_submit_for_review(communication=communication, by=desk)
    services.communication_approve(communication=communication, by=rapporteur)
    sent_at = datetime.datetime.combine(sent, datetime.time(10), tzinfo=datetime.UTC)
    services.communication_send(communication=communication, by=desk, sent_at=sent_at)
    for received_on, reply_kind, confidential, reply_summary in replies:
        services.reply_record(
            communication=communication, received_on=received_on, kind=reply_kind, confidential=confidential,
            summary=reply_summary,
        )  # fmt: skip
    services.communication_public_approve(communication=communication, by=rapporteur)
    communication.refresh_from_db()
    return communication


def release(now=NOW) -> int:
    with time_machine.travel(now, tick=False):
        return services.release_due()


@pytest.fixture(scope="module")
def archive(django_db_setup, django_db_blocker):
    """Built once for the module (the tests only read it) and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_seeded()
        yield build_archive((make_staff_user("pv-desk", "Desk officer"), make_staff_user("pv-rapp", "Rapporteur")))
        transaction.set_rollback(True)


def build_archive(staff):
    """Four released communications, three States, every reply status, a joint letter and a follow-up."""
    d = datetime.date
    wgad = Mandate.objects.get(name="Working Group on Arbitrary Detention")
    a = publish(
        staff, sent=d(2025, 3, 10), violation_types=["arbitrary_detention"],
        letter=f"<p>{EN_SENTENCE}</p><p>{RU_SENTENCE}</p>",
        summary="Detention of a journalist who investigated forced evictions.",
        replies=[
            (d(2025, 3, 20), "acknowledgement", False, "Receipt acknowledged."),
            (d(2025, 4, 1), "substantive", False, "The Government states that the journalist was released on bail."),
        ],
    )  # fmt: skip
    b = publish(
        staff, sent=d(2024, 6, 1), kind="AL", recipient="KAZ", recipient_name="Kazakhstan", country="KZ",
        violation_types=["online_attacks"], mandates=[wgad], summary="Smear campaign against a lawyer online.",
        replies=[(d(2024, 6, 20), "acknowledgement", False, "The Mission acknowledges receipt.")],
    )  # fmt: skip
    c = publish(
        staff, sent=d(2026, 1, 15), kind="OL", recipient="UZB", recipient_name="Uzbekistan", country="UZ",
        letter=f"<p>{RU_OTHER}</p>", summary="A draft law restricting associations.",
        replies=[(d(2026, 3, 1), "substantive", True, CONFIDENTIAL_SUMMARY)],
    )  # fmt: skip
    d_ = publish(
        staff, sent=d(2026, 2, 1), violation_types=["killing"], follow_up_to=a,
        summary="Follow-up: the journalist was attacked after release.",
    )  # fmt: skip
    assert release() == 4
    records = {"A": a, "B": b, "C": c, "D": d_}
    for communication in records.values():
        communication.refresh_from_db()
    return records


# --- Reading the pages ----------------------------------------------------------


def page(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return response


def rows(response) -> list[str]:
    """Each result of the list page, as HTML, in the order shown."""
    text = response.content.decode()
    listing = re.search(r'<ol class="list-unstyled archive-list">(.*?)</ol>', text, re.S)
    return re.findall(r"<li[^>]*>(.*?)</li>", listing.group(1), re.S) if listing else []


def shown(response) -> list[str]:
    """The references of the results, in the order shown."""
    return [html.unescape(re.search(r'<a href="(?:/ru)?/communications/[^"]+/">([^<]+)</a>', row).group(1)) for row in
            rows(response)]  # fmt: skip


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def paging_links(response) -> dict[str, str]:
    nav = re.search(r'<nav aria-label="Pages of results"[^>]*>(.*?)</nav>', response.content.decode(), re.S)
    return {label: html.unescape(href) for href, label in re.findall(r'<a href="([^"]+)">(\w+)</a>', nav.group(1))}


def ref(archive, key) -> str:
    return archive[key].reference


def slug(archive, key) -> str:
    return archive[key].public_record.slug


# --- The list -------------------------------------------------------------------


# --- Pages that build their own records (before the module's archive exists) ---------------------


def test_an_empty_archive_says_so(client):
    response = page(client, "/communications/")

    assert shown(response) == []
    assert "No released communication matches." in response.content.decode()


def test_a_follow_up_on_the_same_case_is_drafted_from_that_case_and_linked_both_ways(client, staff):
    """The usual follow-up: the same case, a second letter. The case's status is then "communication sent"."""
    case = make_accepted_submission(country="TJ")
    first = publish(staff, sent=datetime.date(2025, 9, 1), submissions=[case], summary="First letter.")
    case.refresh_from_db()

    second = publish(
        staff, sent=datetime.date(2026, 1, 10), submissions=[case], follow_up_to=first, summary="Follow-up letter."
    )
    assert release() == 2

    first_page = page(client, f"/communications/{first.public_record.slug}/").content.decode()
    second_page = page(client, f"/communications/{second.public_record.slug}/").content.decode()
    assert f">{second.reference}</a>" in first_page
    assert f">{first.reference}</a>" in second_page


def test_an_unreleased_follow_up_is_not_linked_from_the_released_letter(client, staff):
    first = publish(staff, sent=datetime.date(2025, 9, 1), summary="First letter.")
    assert release() == 1
    later = publish(staff, sent=datetime.date(2026, 5, 1), follow_up_to=first, summary="Not yet public.")
    assert release() == 0

    text = page(client, f"/communications/{first.public_record.slug}/").content.decode()
    assert later.reference not in text
    assert "Other communications in this case" not in text


def test_an_earlier_letter_released_after_its_follow_up_is_then_linked_both_ways(client, staff):
    first = publish(staff, sent=datetime.date(2025, 9, 1), summary="First letter.")
    rapporteur = staff[1]
    services.communication_withhold(communication=first, by=rapporteur, reason="Acute risk")
    second = publish(staff, sent=datetime.date(2026, 1, 10), follow_up_to=first, summary="Follow-up letter.")
    assert release() == 1
    second_page = page(client, f"/communications/{second.public_record.slug}/").content.decode()
    assert first.reference not in second_page

    services.communication_release(communication=first, by=rapporteur, reason="The risk has passed")

    second_page = page(client, f"/communications/{second.public_record.slug}/").content.decode()
    first_page = page(client, f"/communications/{slug_for(first.reference)}/").content.decode()
    assert f">{first.reference}</a>" in second_page
    assert f">{second.reference}</a>" in first_page


def test_a_withheld_letter_between_two_released_ones_is_skipped_in_the_chain(client, staff):
    first = publish(staff, sent=datetime.date(2025, 5, 1), summary="First.")
    middle = publish(staff, sent=datetime.date(2025, 8, 1), follow_up_to=first, summary="Middle.")
    services.communication_withhold(communication=middle, by=staff[1], reason="Acute risk")
    last = publish(staff, sent=datetime.date(2025, 12, 1), follow_up_to=middle, summary="Last.")
    assert release() == 2

    first_page = page(client, f"/communications/{slug_for(first.reference)}/").content.decode()
    last_page = page(client, f"/communications/{slug_for(last.reference)}/").content.decode()
    assert f">{last.reference}</a>" in first_page and f">{first.reference}</a>" in last_page
    assert middle.reference not in first_page + last_page
    page(client, f"/communications/{slug_for(middle.reference)}/", status=404)


def test_the_list_shows_released_communications_newest_first(client, archive):
    response = page(client, "/communications/")

    assert shown(response) == [ref(archive, key) for key in "DCAB"]
    assert [ref(archive, key) for key in "DCAB"] == ["UA TJK 1/2026", "OL UZB 1/2026", "UA TJK 1/2025", "AL KAZ 1/2024"]


def test_each_row_gives_date_reference_recipient_type_mandates_summary_and_replies(client, archive):
    by_reference = dict(zip(shown(page(client, "/communications/")), rows(page(client, "/communications/")),
                            strict=True))  # fmt: skip

    joint = by_reference["AL KAZ 1/2024"]
    assert '<time datetime="2024-06-01">1 Jun 2024</time>' in joint
    assert f'href="/communications/{slug(archive, "B")}/"' in joint
    row = text_of(joint)
    assert "Kazakhstan" in row
    assert "Allegation letter" in row
    assert "joint with 1 other mandate" in row
    assert "Smear campaign against a lawyer online." in row
    assert "Acknowledgement only (1)" in row

    answered = text_of(by_reference["UA TJK 1/2025"])
    assert "Urgent appeal" in answered and "Tajikistan" in answered
    assert "Substantive reply (2)" in answered
    assert "joint with" not in answered
    assert "Detention of a journalist who investigated forced evictions." in answered

    assert "Confidential reply (1)" in text_of(by_reference["OL UZB 1/2026"])
    assert "Other letter" in text_of(by_reference["OL UZB 1/2026"])
    assert "No reply" in text_of(by_reference["UA TJK 1/2026"])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("recipient=TJK", "DA"),
        ("recipient=tjk", "DA"),
        ("kind=AL", "B"),
        ("kind=OL", "C"),
        ("year=2026", "DC"),
        ("year=2024", "B"),
        ("theme=imprisonment", "A"),
        ("theme=killing", "D"),
        # The factory's victims are women not named in public: a theme that describes the person is not public.
        ("theme=women", ""),
        ("violation=online_attacks", "B"),
        ("violation=arbitrary_detention", "A"),
        ("reply=none", "D"),
        ("reply=acknowledgement", "B"),
        ("reply=substantive", "A"),
        ("reply=confidential", "C"),
        ("recipient=TJK&year=2025", "A"),
        ("recipient=TJK&reply=none&theme=killing", "D"),
        ("recipient=KAZ&kind=UA", ""),
    ],
)
def test_each_filter(client, archive, query, expected):
    assert shown(page(client, f"/communications/?{query}")) == [ref(archive, key) for key in expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=eviction", "A"),  # English stemming: the letter says "evictions"
        ("q=forced+evictions+investigation", "A"),
        ("q=%22forced+evictions%22", "A"),  # a phrase
        ("q=выселения", "A"),  # Russian stemming: the letter says "выселениях"
        ("q=Правозащитница", "A"),
        ("q=задержана", "CA"),
        ("q=nothing-like-this-anywhere", ""),
        ("q=задержана&recipient=UZB", "C"),
        ("q=задержана&kind=UA", "A"),
        ("q=задержана&year=2024", ""),
        ("q=journalist&reply=substantive", "A"),
        ("q=journalist&theme=killing", "D"),
        ("q=eviction&recipient=KAZ", ""),
    ],
)
def test_full_text_search_in_english_and_russian_with_filters(client, archive, query, expected):
    assert shown(page(client, f"/communications/?{query}")) == [ref(archive, key) for key in expected]


def test_search_ranks_a_match_in_the_reference_or_recipient_above_one_in_the_letter(client, archive):
    # AL KAZ 1/2024 is older, but it is *to* Kazakhstan; UA TJK 1/2025 only mentions it.
    assert shown(page(client, "/communications/?q=Kazakhstan")) == [ref(archive, "B"), ref(archive, "A")]


def test_search_on_the_russian_pages(client, archive):
    response = page(client, "/ru/communications/?q=выселения")

    assert shown(response) == [ref(archive, "A")]
    assert 'lang="ru"' in response.content.decode()[:200]


def test_pages_of_results_link_newer_and_older_without_counting(client, archive, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)

    with CaptureQueriesContext(connection) as queries:
        first = page(client, "/communications/")
    assert not [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert shown(first) == [ref(archive, "D"), ref(archive, "C")]
    assert paging_links(first) == {"Older": "?page=2"}

    second = page(client, "/communications/" + paging_links(first)["Older"])
    assert shown(second) == [ref(archive, "A"), ref(archive, "B")]
    assert paging_links(second) == {"Newer": "?page=1"}

    beyond = page(client, "/communications/?page=3")
    assert shown(beyond) == []
    assert paging_links(beyond) == {"Newer": "?page=2"}


def test_pages_of_filtered_results_keep_the_filters(client, archive, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 1)

    first = page(client, "/communications/?recipient=TJK")
    assert shown(first) == [ref(archive, "D")]
    assert paging_links(first) == {"Older": "?recipient=TJK&page=2"}

    second = page(client, "/communications/" + paging_links(first)["Older"])
    assert shown(second) == [ref(archive, "A")]
    assert paging_links(second) == {"Newer": "?recipient=TJK&page=1"}


# --- One communication ------------------------------------------------------------


def test_the_detail_page_shows_the_letter_and_the_replies(client, archive):
    response = page(client, f"/communications/{slug(archive, 'A')}/")
    text = response.content.decode()

    assert re.search(r"<h1>\s*UA TJK 1/2025\s*</h1>", text)
    assert EN_SENTENCE in text and RU_SENTENCE in text
    assert "The Government states that the journalist was released on bail." in text
    assert "Receipt acknowledged." in text
    assert '<time datetime="2025-04-01">' in text
    assert "Acknowledgement of receipt only" in text and "Substantive reply" in text
    assert f'href="/communications/{slug(archive, "A")}/letter.pdf"' in text


def test_a_confidential_reply_shows_only_the_placeholder(client, archive):
    text = page(client, f"/communications/{slug(archive, 'C')}/").content.decode()

    assert CONFIDENTIAL_PLACEHOLDER in html.unescape(text)
    assert CONFIDENTIAL_SUMMARY not in text
    assert "admits the detention" not in text


def test_a_communication_without_a_reply_says_so(client, archive):
    assert "No reply has been received." in page(client, f"/communications/{slug(archive, 'D')}/").content.decode()


def test_earlier_and_later_communications_of_the_case_link_each_other(client, archive):
    earlier = page(client, f"/communications/{slug(archive, 'A')}/").content.decode()
    later = page(client, f"/communications/{slug(archive, 'D')}/").content.decode()

    assert re.search(rf'Later:\s*<a href="/communications/{slug(archive, "D")}/">UA TJK 1/2026</a>', earlier)
    assert re.search(rf'Earlier:\s*<a href="/communications/{slug(archive, "A")}/">UA TJK 1/2025</a>', later)
    unrelated = page(client, f"/communications/{slug(archive, 'B')}/").content.decode()
    assert "Other communications in this case" not in unrelated


def test_the_letter_pdf_is_a_pdf_with_the_reference(client, archive):
    response = page(client, f"/communications/{slug(archive, 'A')}/letter.pdf")

    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert "UA TJK 1/2025" in text
    assert "Tajikistan" in text
    assert "Правозащитница" in text
    assert "evictions" in text


@pytest.mark.parametrize(
    "path",
    [
        "/communications/ua-tjk-99-2026/",
        "/communications/ua-tjk-99-2026/letter.pdf",
        "/communications/ua-tjk-99-2026/replies/1/document",
        "/ru/communications/no-such-letter/",
    ],
)
def test_an_unknown_slug_is_not_found(client, archive, path):
    page(client, path, status=404)


def test_a_reply_document_is_only_found_under_its_own_communication(client, archive):
    reply = archive["A"].public_record.replies.first()

    page(client, f"/communications/{slug(archive, 'B')}/replies/{reply.pk}/document", status=404)


# --- Feeds and CSV ----------------------------------------------------------------


def feed_entries(response) -> list[tuple[str, str]]:
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ElementTree.fromstring(response.content)
    return [
        (entry.findtext(f"{ATOM}title"), entry.find(f"{ATOM}link").get("href")) for entry in root.iter(f"{ATOM}entry")
    ]


def test_the_atom_feed_lists_the_releases(client, archive):
    entries = feed_entries(page(client, "/communications/feed/"))

    assert sorted(title for title, _ in entries) == sorted(
        f"{c.reference}: {c.recipient_name}" for c in archive.values()
    )
    assert {link.split("://", 1)[1].split("/", 1)[1] for _, link in entries} == {
        f"communications/{c.public_record.slug}/" for c in archive.values()
    }


def test_the_atom_feed_of_one_country(client, archive):
    entries = feed_entries(page(client, "/communications/feed/tjk/"))

    assert sorted(title for title, _ in entries) == sorted(
        [f"{ref(archive, 'A')}: Tajikistan", f"{ref(archive, 'D')}: Tajikistan"]
    )
    assert feed_entries(page(client, "/communications/feed/ARM/")) == []


CSV_HEADER = ["reference", "type", "recipient", "recipient_name", "sent_on", "released_on", "mandates", "themes",
              "violation_types", "reply_status", "replies", "summary", "url"]  # fmt: skip


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    content = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(content)))


def test_the_csv_has_a_header_and_one_row_per_record(client, archive):
    table = csv_rows(page(client, "/communications/export.csv"))

    assert table[0] == CSV_HEADER
    assert [row[0] for row in table[1:]] == [ref(archive, key) for key in "DCAB"]
    joint = dict(zip(CSV_HEADER, table[4], strict=True))
    assert joint["type"] == "AL" and joint["recipient"] == "KAZ" and joint["sent_on"] == "2024-06-01"
    assert joint["mandates"] == "Working Group on Arbitrary Detention"
    assert joint["reply_status"] == "acknowledgement" and joint["replies"] == "1"
    assert joint["url"].endswith(f"/communications/{slug(archive, 'B')}/")


@pytest.mark.parametrize(
    ("query", "expected"),
    [("recipient=TJK", "DA"), ("reply=confidential", "C"), ("q=задержана&kind=UA", "A"), ("year=1999", "")],
)
def test_the_csv_follows_the_filters(client, archive, query, expected):
    table = csv_rows(page(client, f"/communications/export.csv?{query}"))

    assert table[0] == CSV_HEADER
    assert [row[0] for row in table[1:]] == [ref(archive, key) for key in expected]


def test_the_csv_of_a_search_takes_the_page_s_query_path(client, archive):
    with CaptureQueriesContext(connection) as queries:
        table = csv_rows(page(client, "/communications/export.csv?q=journalist"))

    listed = [record.reference for record in PublicRecord.objects.filtered(q="journalist").page(0, 100)]
    assert listed and [row[0] for row in table[1:]] == listed  # same records, same ranking
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert "enable_seqscan" in sql  # through PublicRecordQuerySet.page(), the search index
    assert "letter_text" not in sql and "letter_html" not in sql  # the list's columns, not the letters


def test_the_list_links_the_csv_of_the_same_filters(client, archive):
    text = page(client, "/communications/?recipient=TJK&reply=none").content.decode()

    assert 'href="/communications/export.csv?recipient=TJK&amp;reply=none"' in text


# --- Language, cookies --------------------------------------------------------------

ENGLISH_CHROME = {
    "/ru/communications/": [
        "Communications to States and other actors", "Search the letters", "Thematic priority",
        "Download these results (CSV)", "Urgent appeal", "No reply",
    ],
    "/ru/communications/stats/": [
        "Statistics of released communications", "Communications per year and type", "Median days to reply",
    ],
}  # fmt: skip


@pytest.mark.parametrize("path", ENGLISH_CHROME)
def test_the_russian_pages_are_in_russian(client, archive, path):
    text = page(client, path).content.decode()

    assert '<html lang="ru">' in text
    left_in_english = [phrase for phrase in ENGLISH_CHROME[path] if phrase in text]
    assert left_in_english == []
    h1 = text_of(re.search(r"<h1>(.*?)</h1>", text, re.S).group(1))
    assert re.search(r"[а-яА-Я]", h1), h1


@pytest.mark.parametrize(
    "path",
    [
        "/communications/",
        "/communications/?q=eviction&recipient=TJK",
        "/ru/communications/",
        "/communications/ua-tjk-1-2025/",
        "/communications/ua-tjk-1-2025/letter.pdf",
        "/communications/feed/",
        "/communications/export.csv",
        "/communications/stats/",
        "/ru/communications/stats/",
    ],
)
def test_the_public_pages_set_no_cookie(client, archive, path):
    response = page(client, path)

    assert not response.cookies
    assert "Set-Cookie" not in response.headers
    assert not client.cookies
