"""The public JSON API: only released records; filters, search, pages, replies, statistics; nothing confidential."""

import datetime
import json
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.db import transaction
from django.urls import resolve

from communications import services
from communications import stats as archive_stats
from communications.documents import document_text
from communications.release import CONFIDENTIAL_REPLY
from tests.support.documents import pdf_with
from tests.support.factories import make_accepted_submission, make_sent_communication, make_staff_user
from tests.support.seeds import ensure_seeded

pytestmark = pytest.mark.django_db

LIST = "/api/v1/communications"
RELEASE_AT = datetime.datetime(2026, 4, 10, 12, 0, tzinfo=datetime.UTC)
WITHHELD_NAME = "Ulfathonim Mamadshoeva"  # the factory's defender, who did not agree to be named
NAMED = "Azimjan Askarov"
ENGLISH = "<p>Bulldozers demolished the office of the association in the night.</p>"
RUSSIAN = "<p>Правозащитница была задержана сотрудниками милиции в Хороге.</p>"
# Words that appear only in letters the public must not see.
UNRELEASED = "<p>Quokkaflux unreleased marker.</p>"
WITHHELD = "<p>Zebrawobble withheld marker.</p>"
DRAFT = "<p>Narwhalquill draft marker.</p>"
STATE_REPLY = pdf_with("The Government of Kazakhstan replies that the investigation continues.")
SECRETS = ["Quokkaflux", "Zebrawobble", "Narwhalquill", "Ulfathonim", "Mamadshoeva", "A. Source"]


def at(year: int, month: int, day: int) -> datetime.datetime:
    return datetime.datetime(year, month, day, 9, 0, tzinfo=datetime.UTC)


def add_to_letter(communication, html: str) -> None:
    communication.body += html
    communication.save(update_fields=["body"])


def reply(communication, received_on: datetime.date, kind: str, *, confidential: bool = False, **fields) -> None:
    fields.setdefault("summary", f"The State answers on {received_on}.")
    services.reply_record(
        communication=communication, received_on=received_on, kind=kind, confidential=confidential, **fields
    )


def build_archive() -> dict:
    """Released, unreleased, withheld and draft communications, made as the portal makes them."""
    tjk_ua = make_sent_communication(sent_at=at(2026, 1, 5), recipient="TJK", kind="UA")
    add_to_letter(tjk_ua, ENGLISH + RUSSIAN)
    # A document that cannot be read (no text) cannot be checked by the gate: never published.
    reply(tjk_ua, datetime.date(2026, 2, 1), "acknowledgement", summary="Received.",
          document=b"%PDF-1.4 ack", document_name="ack.pdf", content_type="application/pdf")  # fmt: skip
    tjk_al = make_sent_communication(
        sent_at=at(2026, 2, 1), recipient="TJK", kind="AL", violation_types=["arbitrary_detention"]
    )
    tjk_old = make_sent_communication(sent_at=at(2025, 12, 1), recipient="TJK", kind="UA")
    named = make_accepted_submission(defender_name=NAMED, country="KZ", public_naming=True, violation_types=["torture"])
    kaz = make_sent_communication(submissions=[named], sent_at=at(2025, 11, 10), recipient="KAZ", kind="AL")
    reply(kaz, datetime.date(2025, 12, 20), "substantive", document=STATE_REPLY,
          document_name="reply.pdf", content_type="application/pdf")  # fmt: skip
    oth = make_sent_communication(sent_at=at(2026, 1, 20), recipient="OTH", kind="OL")
    reply(oth, datetime.date(2026, 3, 1), "substantive", confidential=True, document=b"%PDF-1.4 secret",
          document_name="secret.pdf", content_type="application/pdf")  # fmt: skip

    withheld = make_sent_communication(sent_at=at(2026, 1, 10), recipient="TJK", kind="UA")
    add_to_letter(withheld, WITHHELD)
    services.communication_withhold(
        communication=withheld, by=make_staff_user("api-rapporteur", "Rapporteur"), reason="Acute risk"
    )
    unreleased = make_sent_communication(sent_at=at(2026, 4, 1), recipient="TJK", kind="UA")
    add_to_letter(unreleased, UNRELEASED)
    reply(unreleased, datetime.date(2026, 4, 5), "substantive")
    draft, _ = services.communication_draft(
        submissions=[make_accepted_submission(country="TJ")], kind="UA", recipient="TJK",
        recipient_name="Tajikistan", language="en", by=make_staff_user("api-desk", "Desk officer"),
    )  # fmt: skip
    add_to_letter(draft, DRAFT)

    rapporteur = make_staff_user("api-public-approver", "Rapporteur")
    for communication in (tjk_ua, tjk_al, tjk_old, kaz, oth, unreleased):
        services.communication_public_approve(communication=communication, by=rapporteur)
    with time_machine.travel(RELEASE_AT, tick=False):
        assert services.release_due() == 5
    # A late reply joins the public record once its public copy is approved.
    reply(tjk_al, datetime.date(2026, 5, 1), "substantive")
    services.communication_public_approve(communication=tjk_al, by=rapporteur)

    released = {"tjk_ua": tjk_ua, "tjk_al": tjk_al, "tjk_old": tjk_old, "kaz": kaz, "oth": oth}
    return {name: c.public_record.slug for name, c in released.items()}


@pytest.fixture(scope="module")
def archive(django_db_setup, django_db_blocker):
    """Built once for the module (a dozen staff users and letters take seconds), rolled back at the end."""
    with django_db_blocker.unblock(), transaction.atomic():
        ensure_seeded()
        slugs = build_archive()
        yield slugs
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _fresh_statistics():
    # A release clears the cached statistics on commit, and these transactions never commit.
    archive_stats.invalidate()
    yield
    archive_stats.invalidate()


def get(client, path: str, **params):
    response = client.get(path, params)
    assert response.status_code == 200, response.content
    return response.json()


def slugs_of(client, **params) -> list[str]:
    return [item["slug"] for item in get(client, LIST, limit=100, **params)["items"]]


def test_it_lists_only_released_communications_newest_first(client, archive):
    assert slugs_of(client) == [archive[n] for n in ("tjk_al", "oth", "tjk_ua", "tjk_old", "kaz")]


def test_an_item_has_the_public_fields_and_links(client, archive):
    item = next(i for i in get(client, LIST)["items"] if i["slug"] == archive["kaz"])

    assert item["reference"] == "AL KAZ 1/2025"
    assert (item["kind"], item["recipient"], item["sent_on"], item["released_on"]) == (
        "AL", "KAZ", "2025-11-10", "2026-04-10",
    )  # fmt: skip
    assert (item["reply_status"], item["reply_count"]) == ("substantive", 1)
    assert item["violation_types"] == ["torture"]
    assert item["url"] == f"/communications/{archive['kaz']}/"
    assert item["api_url"] == f"/api/v1/communications/{archive['kaz']}"
    assert resolve(item["api_url"]).url_name == "communication_detail"
    assert "letter_html" not in item


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"recipient": "KAZ"}, ["kaz"]),
        ({"recipient": "oth"}, ["oth"]),
        ({"kind": "AL"}, ["tjk_al", "kaz"]),
        ({"year": 2025}, ["tjk_old", "kaz"]),
        ({"violation": "torture"}, ["kaz"]),
        ({"theme": "imprisonment"}, ["tjk_al"]),
        ({"reply_status": "none"}, ["tjk_old"]),
        ({"reply_status": "acknowledgement"}, ["tjk_ua"]),
        ({"reply_status": "substantive"}, ["tjk_al", "kaz"]),
        ({"reply_status": "confidential"}, ["oth"]),
        ({"recipient": "TJK", "kind": "UA", "year": 2026}, ["tjk_ua"]),
        ({"recipient": "TJK", "year": 2024}, []),
    ],
)
def test_each_filter_narrows_the_list(client, archive, params, expected):
    assert slugs_of(client, **params) == [archive[name] for name in expected]


@pytest.mark.parametrize("words", ["demolish", "bulldozer office", "милиция", "задержана Хорог"])
def test_search_finds_a_released_letter_by_its_words_in_english_and_russian(client, archive, words):
    assert slugs_of(client, q=words) == [archive["tjk_ua"]]


def test_search_combines_with_filters_and_never_finds_what_is_not_public(client, archive):
    assert slugs_of(client, q="милиция", recipient="KAZ") == []
    for word in ("Quokkaflux", "Zebrawobble", "Narwhalquill", "Mamadshoeva"):
        assert slugs_of(client, q=word) == []


def test_search_of_nothing_searchable_lists_nothing_or_everything_but_never_fails(client, archive):
    assert slugs_of(client, q="   ") == slugs_of(client)
    assert slugs_of(client, q="!!! & | :*") == []


@pytest.mark.parametrize("limit", [1, 2, 3, 5])
def test_next_links_walk_every_item_exactly_once(client, archive, limit):
    seen, path, params = [], LIST, {"limit": limit}
    for _page in range(10):
        page = get(client, path, **params)
        assert len(page["items"]) <= limit
        seen += [item["slug"] for item in page["items"]]
        if page["next"] is None:
            break
        parts = urlsplit(page["next"])
        path, params = parts.path, {key: values[0] for key, values in parse_qs(parts.query).items()}
        assert params["limit"] == str(limit)
    assert seen == slugs_of(client)


def test_next_links_keep_the_filters(client, archive):
    page = get(client, LIST, kind="AL", limit=1)
    assert parse_qs(urlsplit(page["next"]).query) == {"kind": ["AL"], "limit": ["1"], "offset": ["1"]}
    assert get(client, page["next"])["next"] is None


def test_the_detail_shows_the_letter_and_replies_with_a_document_only_where_published(client, archive):
    kaz = get(client, f"{LIST}/{archive['kaz']}")
    assert NAMED in kaz["letter_html"] and kaz["language"] == "en"
    [state_reply] = kaz["replies"]
    assert state_reply["kind"] == "substantive" and not state_reply["confidential"]
    document = client.get(state_reply["document_url"])
    assert document.status_code == 200
    assert document.content == STATE_REPLY
    assert document["Content-Type"] == "application/pdf"
    assert document["Content-Disposition"] == 'attachment; filename="reply.pdf"'

    # A document whose text cannot be read cannot be checked by the gate, so it stays unpublished.
    tjk = get(client, f"{LIST}/{archive['tjk_ua']}")
    assert "U. M." in tjk["letter_html"]
    assert [(r["kind"], r["document_url"]) for r in tjk["replies"]] == [("acknowledgement", None)]


def test_a_confidential_reply_shows_only_the_placeholder_and_no_document(client, archive):
    [secret] = get(client, f"{LIST}/{archive['oth']}")["replies"]
    assert secret == {
        "received_on": "2026-03-01", "kind": "substantive", "confidential": True, "text": CONFIDENTIAL_REPLY,
        "document_url": None,
    }  # fmt: skip
    from communications.models import PublicReply

    for public in PublicReply.objects.all():
        path = f"{LIST}/{public.record.slug}/replies/{public.pk}/document"
        assert client.get(path).status_code == (200 if public.record.slug == archive["kaz"] else 404)


def test_an_unknown_or_unreleased_slug_is_404_and_a_malformed_one_422(client, archive):
    for slug in ("ua-tjk-99-2026", "ua-tjk-4-2026", "ua-tjk-3-2026"):  # unknown, unreleased, withheld
        response = client.get(f"{LIST}/{slug}")
        assert response.status_code == 404 and response.json()["detail"].startswith("Not Found")
    for slug in ("UA TJK 1%2F2026", "a/b", "-x-", "x" * 41):
        response = client.get(f"{LIST}/{slug}")
        assert response.status_code == 422, slug
        assert response.json()["detail"][0]["loc"] == ["path", "slug"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 101}, "limit"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
        ({"kind": "XX"}, "kind"),
        ({"recipient": "TJKX"}, "recipient"),
        ({"year": "soon"}, "year"),
        ({"theme": "cats"}, "theme"),
        ({"violation": "cats"}, "violation"),
        ({"reply_status": "maybe"}, "reply_status"),
        ({"q": "a\x00b"}, "q"),
    ],
)
def test_invalid_parameters_answer_422_naming_the_parameter(client, archive, params, field):
    response = client.get(LIST, params)
    assert response.status_code == 422
    assert [error["loc"] for error in response.json()["detail"]] == [["query", field]]


def test_the_statistics_count_released_communications_and_replies(client, archive):
    stats = get(client, "/api/v1/stats")

    assert stats["by_year"] == [
        {"year": 2025, "recipient": "KAZ", "kind": "AL", "count": 1},
        {"year": 2025, "recipient": "TJK", "kind": "UA", "count": 1},
        {"year": 2026, "recipient": "OTH", "kind": "OL", "count": 1},
        {"year": 2026, "recipient": "TJK", "kind": "AL", "count": 1},
        {"year": 2026, "recipient": "TJK", "kind": "UA", "count": 1},
    ]
    by_recipient = {row["recipient"]: row for row in stats["by_recipient"]}
    assert [row["recipient"] for row in stats["by_recipient"]] == ["TJK", "KAZ", "OTH"]
    # TJK: replies after 27 days (2026-01-05 -> 02-01) and 89 days (02-01 -> 05-01); one letter unanswered.
    assert by_recipient["TJK"] == {
        "recipient": "TJK", "recipient_name": "Tajikistan", "total": 3, "answered": 2, "answered_share": 0.6667,
        "answered_within_60_days": 1, "answered_within_60_days_share": 0.3333, "median_days_to_first_reply": 58.0,
    }  # fmt: skip
    assert (by_recipient["KAZ"]["answered_share"], by_recipient["KAZ"]["median_days_to_first_reply"]) == (1.0, 40.0)
    assert by_recipient["OTH"]["recipient_name"] == "Non-State actors"
    assert by_recipient["OTH"]["answered_within_60_days"] == 1  # a confidential reply still counts as a reply


def test_statistics_of_an_empty_archive(client, archive):
    from communications.models import PublicRecord

    PublicRecord.objects.all().delete()  # undone with the test's transaction

    assert get(client, "/api/v1/stats") == {"by_year": [], "by_recipient": []}
    assert get(client, LIST) == {"items": [], "next": None}


def test_no_response_contains_an_unreleased_or_withheld_letter_or_a_withheld_name(client, archive):
    bodies = [client.get(LIST, {"limit": 100}).content, client.get("/api/v1/stats").content]
    for slug in archive.values():
        detail = client.get(f"{LIST}/{slug}")
        bodies.append(detail.content)
        bodies += [
            document_text(client.get(r["document_url"]).content).encode()
            for r in detail.json()["replies"]
            if r["document_url"]
        ]
    text = b"\n".join(bodies).decode()
    assert "Zebrawobble" not in text and "Quokkaflux" not in text and "Narwhalquill" not in text
    assert not [secret for secret in SECRETS if secret in text]
    assert "ua-tjk-3-2026" not in text and "ua-tjk-4-2026" not in text  # the withheld and unreleased letters
    assert "UA TJK 3/2026" not in text and "UA TJK 4/2026" not in text


def test_responses_carry_the_security_headers_and_are_cacheable_for_the_public(client, archive):
    for path in (LIST, f"{LIST}/{archive['kaz']}", "/api/v1/stats", "/api/schema/"):
        response = client.get(path)
        assert response.status_code == 200
        assert response["Cache-Control"] == "public, max-age=60"
        assert "default-src 'none'" in response["Content-Security-Policy"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "no-referrer"
        assert response["X-Frame-Options"] == "DENY"


def test_the_schema_is_served_as_json_and_there_is_no_docs_page_from_another_host(client):
    response = client.get("/api/schema/")
    assert response["Content-Type"].startswith("application/json")
    schema = json.loads(response.content)
    assert set(schema["paths"]) == {
        "/api/v1/communications", "/api/v1/communications/{slug}",
        "/api/v1/communications/{slug}/replies/{reply_id}/document", "/api/v1/stats",
    }  # fmt: skip
    assert client.get("/api/docs").status_code == 404
    assert client.get("/api/v1/communications", HTTP_ACCEPT_LANGUAGE="ru").status_code == 200


def test_the_api_module_reads_no_confidential_model():
    import ast
    from pathlib import Path

    import communications.api

    tree = ast.parse(Path(communications.api.__file__).read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for alias in node.names}
    assert not imported & {"Communication", "Reply", "Submission", "Defender", "Consent"}
