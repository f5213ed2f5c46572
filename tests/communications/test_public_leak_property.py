"""For any mix of communications in every state, no public output shows what must stay confidential.

Each communication carries unique marker words (in its letter, public summary, recipient name, reply
summary and reply document), a defender whose name is drawn at random (or the factory's), a source and
a contact. After the clock has released what is due, every public output is fetched: the list with and
without a search for each marker, the Russian list, each detail page and letter PDF, the reply documents
they link, the feeds, the CSV, the statistics and the JSON API. None may contain:

- a marker of a communication that is a draft, in review, approved, sent but not yet due, or withheld,
  nor its reference, nor its recipient's name, nor its defender's name;
- the summary or document of a confidential reply, or a reply document of a case with an unnamed defender;
- the name of a defender whose consent to public naming is No (withdrawn after release included);
- the name or contact of any source.
"""

import contextlib
import datetime
import io
import json
import re
from collections.abc import Iterator

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from communications import references, services
from communications import stats as archive_stats
from communications.models import PublicRecord
from communications.release import slug_for
from submissions import services as submission_services
from tests.support.factories import make_accepted_submission, make_staff_user
from tests.support.intake import DEFENDER_NAME

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 9, 1, 12, 0, tzinfo=datetime.UTC)
RECIPIENTS = ["TJK", "KAZ", "UZB"]

# The JSON API (communications/api.py). Add a row here for every public API address; "{slug}" is filled in
# with each released record, "{marker}" with each marker searched for.
API_PATHS = ["/api/v1/communications", "/api/v1/stats", "/api/v1/communications?limit=100"]
API_RECORD_PATHS = ["/api/v1/communications/{slug}"]
API_SEARCH_PATHS = ["/api/v1/communications?q={marker}"]
# A reply document, as the detail page and the API link to it.
DOCUMENT_LINK = re.compile(r'"((?:/api/v1)?/communications/[^"]+/replies/\d+/document)"')

# What happens to a communication. Every example has one of each, and maybe a few more.
DRAFT, IN_REVIEW, APPROVED, SENT, WITHHELD, WITHHELD_DUE, RELEASED, RELEASED_EARLY = FATES = (
    "draft", "in_review", "approved", "sent", "withheld", "withheld_due", "released", "released_early",
)  # fmt: skip
PUBLIC_FATES = {RELEASED, RELEASED_EARLY}
MARKER_KEYS = ("body", "summary", "recipient_name", "reply_text", "doc")

LATIN = "abcdefghijklmnopqrstuvwxyz"
CYRILLIC = "абвгдежзийклмнопрстуфхцчшщыэюя"
# Markers: "zq" and consonants. No hexadecimal hash (a static file's name) contains them, and without a
# vowel no English stemming rule applies: two markers never share a stem, so a search finds exactly one.
marker = st.text(alphabet="ghjklmnpqrtvwxz", min_size=8, max_size=8).map(lambda s: "zq" + s)
word = st.builds(
    lambda first, rest: first.upper() + rest,
    st.sampled_from(LATIN + CYRILLIC),
    st.text(alphabet=st.sampled_from(LATIN + CYRILLIC), min_size=4, max_size=9),
)
name = st.lists(word, min_size=1, max_size=3).map(" ".join)


def letter(fate: str):
    if fate in (SENT, RELEASED_EARLY):
        age = st.integers(0, 59)
    elif fate in (RELEASED, WITHHELD_DUE):
        age = st.integers(60, 700)
    else:
        age = st.integers(0, 700)
    return st.fixed_dictionaries(
        {
            "fate": st.just(fate),
            "age": age,
            "kind": st.sampled_from(["UA", "AL", "OL"]),
            "recipient": st.sampled_from(RECIPIENTS),
            "public_naming": st.booleans(),
            "contact_government": st.booleans(),
            "withdraw_after_release": st.booleans(),
            "defender": name,
            "source": name,
            "contact": st.from_regex(r"\+[0-9]{3} [0-9]{6,9}", fullmatch=True),
            "reply": st.sampled_from([None, "substantive", "acknowledgement", "confidential"]),
            "reply_after_release": st.booleans(),
            "document": st.booleans(),
            # A follow-up to the latest letter already sent that is (or will be) public, or not public.
            "follow_up": st.sampled_from([None, "unreleased", "released"]),
            # Staff type the source and their contact into the public summary: the gate stops the release.
            "careless": st.booleans(),
        }
    )


@st.composite
def archives(draw) -> list[dict]:
    order = list(draw(st.permutations(FATES)))
    # The clock's release follows up a letter that stays unpublished: its reference must not show.
    first, then = sorted([order.index(WITHHELD_DUE), order.index(RELEASED)])
    order[first], order[then] = WITHHELD_DUE, RELEASED
    extra = draw(st.lists(st.sampled_from(FATES), max_size=2))
    letters = [draw(letter(fate)) for fate in [*order, *extra]]
    letters[then]["follow_up"] = "unreleased"
    factory = draw(st.one_of(st.none(), st.integers(0, len(letters) - 1)))
    if factory is not None:
        letters[factory]["defender"] = DEFENDER_NAME
    markers = draw(st.lists(marker, min_size=5 * len(letters), max_size=5 * len(letters), unique=True))
    for index, data in enumerate(letters):
        data.update(zip(MARKER_KEYS, markers[5 * index : 5 * index + 5], strict=True))
    return letters


def words_of(value: str) -> set[str]:
    return {part.lower() for part in value.split() if len(part) >= 3}


def shows(text: str, value: str, *, a_name: bool) -> bool:
    """The value as a word of its own; for a name, also any part of it of three letters or more."""
    parts = [value, *[part for part in value.split() if len(part) >= 3]] if a_name else [value]
    return any(re.search(r"(?<!\w)" + re.escape(part) + r"(?!\w)", text, re.IGNORECASE) for part in parts)


# --- Making the archive -----------------------------------------------------------


def make(data: dict, staff, follow_up_to) -> dict:
    """One communication taken as far as its fate says (release itself is the clock's, later)."""
    desk, rapporteur = staff
    submission = make_accepted_submission(
        defender_name=data["defender"],
        country="TJ",
        public_naming=data["public_naming"],
        contact_government=data["contact_government"],
        source_name=data["source"],
        contact_details=data["contact"],
    )
    communication, _draft = services.communication_draft(
        submissions=[submission], kind=data["kind"], recipient=data["recipient"],
        recipient_name=f"Republic {data['recipient_name']}", language="en", by=desk, follow_up_to=follow_up_to,
    )  # fmt: skip
    # The letter names the defender through the draft's reference; careless staff type the source and the
    # contact into the public summary.
    defender = references.token(submission.defenders.get())
    careless = f", reported by {data['source']} ({data['contact']})" if data["careless"] else ""
    problems = services.communication_edit(
        communication=communication,
        body=communication.body + f"<p>Marker {data['body']}.</p>",
        public_summary=f"{data['summary']}: {defender}{careless}.",
    )
    assert problems == []
    fate = data["fate"]
    if fate != DRAFT:
        services.communication_submit_for_review(communication=communication, by=desk)
    if fate not in (DRAFT, IN_REVIEW):
        services.communication_approve(communication=communication, by=rapporteur)
    sent = fate not in (DRAFT, IN_REVIEW, APPROVED)
    if sent:
        sent_at = NOW - datetime.timedelta(days=data["age"], hours=1)
        services.communication_send(communication=communication, by=desk, sent_at=sent_at)
    if sent and fate not in (WITHHELD, WITHHELD_DUE):
        try:
            services.communication_public_approve(communication=communication, by=rapporteur)
        except services.GateRefused:
            assert data["careless"]
    if fate in (WITHHELD, WITHHELD_DUE):
        services.communication_withhold(communication=communication, by=rapporteur, reason="Acute risk")
    if fate == RELEASED_EARLY:
        try:
            services.communication_release(communication=communication, by=rapporteur, reason="Press release")
        except services.WorkflowError:
            assert data["careless"]  # the public version could not be approved
    communication.refresh_from_db()
    return {"data": data, "communication": communication, "submission": submission, "sent": sent}


def add_reply(made: dict, staff) -> None:
    data, communication = made["data"], made["communication"]
    kind = data["reply"]
    reference = references.token(made["submission"].defenders.get())
    services.reply_record(
        communication=communication,
        received_on=(communication.sent_at + datetime.timedelta(days=data["age"] // 2)).date(),
        kind="substantive" if kind == "confidential" else kind,
        confidential=kind == "confidential",
        summary=f"{data['reply_text']}: the State replies about {reference}.",
        document=f"{data['doc']} {data['defender']}".encode() if data["document"] else None,
        document_name="reply.txt" if data["document"] else "",
        content_type="text/plain" if data["document"] else "",
    )
    # A reply joins the public record only through an approved public version: the gate stops the approval
    # when the document names a defender not named in public (or the summary holds the source).
    with contextlib.suppress(services.WorkflowError):
        services.communication_public_approve(communication=communication, by=staff[1])


def build(letters: list[dict], staff) -> list[dict]:
    made = []
    for data in letters:
        earlier = [
            item["communication"] for item in made
            if item["sent"] and (item["data"]["fate"] in PUBLIC_FATES) == (data["follow_up"] == "released")
        ]  # fmt: skip
        made.append(make(data, staff, earlier[-1] if data["follow_up"] and earlier else None))
    for item in made:
        if item["sent"] and item["data"]["reply"] and not item["data"]["reply_after_release"]:
            add_reply(item, staff)
    services.release_due(now=NOW)
    for item in made:
        if item["sent"] and item["data"]["reply"] and item["data"]["reply_after_release"]:
            add_reply(item, staff)  # a late reply joins a released record once approved
        item["communication"].refresh_from_db()
        item["public"] = item["communication"].status == "released"
        assert item["public"] == (item["data"]["fate"] in PUBLIC_FATES and not item["data"]["careless"]), item["data"]
        item["named"] = item["data"]["public_naming"]
        if item["public"] and item["named"] and item["data"]["withdraw_after_release"]:
            submission_services.consent_change(
                submission=item["submission"],
                consent={"contact_government": True, "public_naming": False, "written_consent": "written"},
                language="en",
            )
            item["named"] = False
        # A withdrawal meeting a typed name (the reply document) takes the record down at once.
        item["public"] = PublicRecord.objects.filter(communication=item["communication"]).exists()
    return made


# --- What must not be seen ----------------------------------------------------------


def forbidden(made: list[dict]) -> Iterator[tuple[str, str, bool]]:
    """(what, text, whether it is a person's name) that no public output may contain."""
    for item in made:
        data, communication = item["data"], item["communication"]
        if not item["public"]:
            for key in MARKER_KEYS:
                yield f"{key} marker of a {data['fate']} communication", data[key], False
            yield f"defender of a {data['fate']} communication", data["defender"], True
            if communication.reference:
                yield f"reference of a {data['fate']} communication", communication.reference, False
                yield f"slug of a {data['fate']} communication", slug_for(communication.reference), False
        else:
            if data["reply"] == "confidential":
                yield "summary of a confidential reply", data["reply_text"], False
            if data["reply"] == "confidential" or not item["named"]:
                yield "document of a reply that may not be published", data["doc"], False
        if not item["named"]:
            yield "defender who did not agree to be named in public", data["defender"], True
        yield "source", data["source"], True
        yield "contact of a source", data["contact"], False


def searchable(made: list[dict]) -> dict[str, str]:
    """Marker -> the reference a search for it must find."""
    return {
        item["data"][key]: item["communication"].reference
        for item in made
        if item["public"]
        for key in ("body", "summary", "recipient_name")
    }


# --- Reading every public output ------------------------------------------------------


def body_text(response) -> str:
    content_type = response.get("Content-Type", "")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content_type.startswith("application/pdf"):
        return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    if content_type.startswith("application/json"):
        # JSON escapes non-ASCII letters: compare the decoded text.
        return json.dumps(json.loads(content), ensure_ascii=False)
    return content.decode("utf-8", errors="replace")


def fetch(client, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return body_text(response)


def record_paths(slug: str) -> list[str]:
    api = [path.format(slug=slug) for path in API_RECORD_PATHS]
    return [f"/communications/{slug}/", f"/ru/communications/{slug}/", f"/communications/{slug}/letter.pdf", *api]


def public_outputs(client, made: list[dict]) -> dict[str, str]:
    paths = [
        "/communications/", "/ru/communications/", "/communications/export.csv", "/communications/feed/",
        "/ru/communications/feed/", "/communications/stats/", "/ru/communications/stats/", *API_PATHS,
        *[f"/communications/feed/{code.lower()}/" for code in RECIPIENTS],
    ]  # fmt: skip
    outputs = {path: fetch(client, path) for path in paths}
    for item in made:
        if item["public"]:
            slug = item["communication"].public_record.slug
            for path in record_paths(slug):
                outputs[path] = fetch(client, path)
            # The reply documents the page and the API link to.
            linked = " ".join(outputs[path] for path in record_paths(slug))
            for document in sorted(set(DOCUMENT_LINK.findall(linked))):
                outputs[document] = fetch(client, document)
        elif item["communication"].reference:
            # Where it would be, were it released: nothing there.
            for path in record_paths(slug_for(item["communication"].reference)):
                fetch(client, path, status=404)
    return outputs


def results(text: str) -> list[str]:
    listing = re.search(r'<ol class="list-unstyled archive-list">(.*?)</ol>', text, re.S)
    return re.findall(r'<a href="/communications/[^"]+/">([^<]+)</a>', listing.group(1)) if listing else []


def leaks(outputs: dict[str, str], secrets: list[tuple[str, str, bool]]) -> list[str]:
    return [f"{where} shows the {what}: {value!r}" for where, text in outputs.items()
            for what, value, a_name in secrets if shows(text, value, a_name=a_name)]  # fmt: skip


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(letters=archives(), never_used=marker)
def test_no_public_output_shows_anything_unreleased_withheld_or_unnamed(client, staff, letters, never_used):
    people = [data["defender"] for data in letters] + [data["source"] for data in letters]
    parts = [words_of(person) for person in people]
    assume(all(not (a & b) for i, a in enumerate(parts) for b in parts[i + 1 :]))
    markers = {data[key] for data in letters for key in MARKER_KEYS}
    assume(never_used not in markers and not any(markers & part for part in parts))

    with transaction.atomic(), time_machine.travel(NOW, tick=True):
        archive_stats.invalidate()
        made = build(letters, staff)
        secrets = list(forbidden(made))
        outputs = public_outputs(client, made)

        # The outputs are what they seem: each released letter is there, with its marker.
        for item in made:
            data = item["data"]
            if item["public"]:
                record = item["communication"].public_record
                assert data["body"] in outputs[f"/communications/{record.slug}/"]
                assert data["body"] in outputs[f"/communications/{record.slug}/letter.pdf"]
                assert data["summary"] in outputs["/communications/"]
                if data["reply"] in ("substantive", "acknowledgement") and data["document"] and item["named"]:
                    # Published once its public copy is approved (the document names a defender named in public).
                    # The published document, at its address in the pages and at each in the API.
                    documents = [path for path, text in outputs.items() if data["doc"] in text]
                    assert len(documents) == 1 + len(API_RECORD_PATHS), documents

        # Searches: a released marker finds its letter; any other word finds nothing, and the page is the
        # page of a word never used anywhere (the search box shows the word searched for, nothing more).
        empty = {
            "list": fetch(client, f"/communications/?q={never_used}").replace(never_used, "WORD"),
            "csv": fetch(client, f"/communications/export.csv?q={never_used}"),
        }
        findable = searchable(made)
        for value in sorted(markers):
            page = fetch(client, f"/communications/?q={value}")
            csv_page = fetch(client, f"/communications/export.csv?q={value}")
            if value in findable:
                assert results(page) == [findable[value]], value
                continue
            assert results(page) == []
            assert page.replace(value, "WORD") == empty["list"], value
            assert csv_page == empty["csv"], value
            for path in API_SEARCH_PATHS:
                outputs[path.format(marker=value)] = fetch(client, path.format(marker=value))

        found = leaks(outputs, secrets)
        assert not found, "\n".join(found)
        archive_stats.invalidate()
        transaction.set_rollback(True)


@pytest.fixture
def staff():
    return make_staff_user("leak-desk", "Desk officer"), make_staff_user("leak-rapporteur", "Rapporteur")
