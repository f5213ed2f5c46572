"""Every public form but the intake (tests/portal/test_hostile_intake.py) under hostile input.

The receipt login, the receipt pages' forms (a message with files, consent changed or withdrawn), the
archive's search and filters (page, CSV), the JSON API's parameters, the feeds, and the language switch:
whatever arrives, the answer is a page with clear errors or a 4xx, never a 500, and a rejected request
stores nothing. Each example runs in its own transaction, rolled back, with the rate limits cleared.
"""

import datetime
import json
import re
from urllib.parse import quote, unquote, urlencode, urljoin, urlsplit

import pytest
from django.core.cache import cache, caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from communications import services as communications
from communications import stats as archive_stats
from submissions.receipts import normalise_passphrase, normalise_reference
from tests.portal.hostile import hostile_text, rows
from tests.support.factories import make_sent_communication
from tests.support.intake import submit_case

pytestmark = pytest.mark.django_db

FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# A value of a form field: missing, hostile, or repeated.
field_value = st.one_of(st.none(), hostile_text, st.lists(hostile_text, min_size=2, max_size=3))


def with_values(base: dict, changed: dict) -> dict:
    data = dict(base)
    for key, value in changed.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def body_of(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace")


@pytest.fixture
def receipt():
    """A report sent through the form; its reference and passphrase."""
    cache.clear()
    html = submit_case(Client()).content.decode()
    reference = re.search(r'id="receipt-reference">([^<]+)<', html).group(1)
    passphrase = re.search(r'id="receipt-passphrase">([^<]+)<', html).group(1)
    return reference, passphrase


# --- The receipt login ------------------------------------------------------------------------------------


def typed(true_value: str):
    """The true value as a person might type it, or spoil it."""
    return st.one_of(
        st.just(true_value),
        st.just(true_value.lower()),
        st.just(f"  {true_value.upper()}  "),
        st.just(true_value.replace(" ", "  -")),
        st.integers(0, len(true_value)).flatmap(
            lambda at: st.sampled_from(["\u200b", "\u202e", "\x00", "\ufeff", "x"]).map(
                lambda char: true_value[:at] + char + true_value[at:]
            )
        ),
        hostile_text,
    )


@FUZZ
@given(data=st.data())
def test_the_receipt_login_opens_only_the_true_receipt_and_never_fails(receipt, data):
    true_reference, true_passphrase = receipt
    reference = data.draw(st.one_of(typed(true_reference), st.lists(hostile_text, min_size=2, max_size=3)))
    passphrase = data.draw(st.one_of(typed(true_passphrase), st.none()))
    extra = data.draw(st.dictionaries(st.sampled_from(["reference", "passphrase", "next", "x"]), field_value))
    with transaction.atomic():
        cache.clear()
        caches["ratelimit"].clear()  # each example is a first try, not one of many from one client
        before = rows()
        form = with_values({"reference": reference}, {"passphrase": passphrase, **extra})
        response = Client().post("/receipt/", form)

        assert response.status_code in (302, 400), response.status_code
        sent_reference, sent_passphrase = form.get("reference"), form.get("passphrase")
        if isinstance(sent_reference, list):
            sent_reference = sent_reference[-1]
        if isinstance(sent_passphrase, list):
            sent_passphrase = sent_passphrase[-1]
        opens = (
            isinstance(sent_reference, str)
            and isinstance(sent_passphrase, str)
            and "\x00" not in sent_reference + sent_passphrase
            and len(sent_reference) <= 40
            and len(sent_passphrase) <= 200
            and normalise_reference(sent_reference) == true_reference
            and normalise_passphrase(sent_passphrase) == normalise_passphrase(true_passphrase)
        )
        if opens:
            assert response.status_code == 302
            assert response["Location"] == "/receipt/case/"
        else:
            assert response.status_code == 400
            html = response.content.decode()
            if form:  # (a post of no field at all gets the empty form again, without a message)
                assert 'role="alert"' in html or "invalid-feedback" in html  # a message says what is wrong
        assert rows() == before
        transaction.set_rollback(True)


# --- The receipt pages' forms ----------------------------------------------------------------------------

upload = st.builds(
    SimpleUploadedFile,
    hostile_text.map(lambda name: re.sub(r'[\r\n"\\/]', "", name)[:120] or "x"),
    st.one_of(st.binary(max_size=400), st.just(b"A plain statement.\n"), st.just(b"%PDF-1.4\n<script>")),
)

message_forms = st.fixed_dictionaries(
    {},
    optional={
        "message-body": field_value,
        "message-files": st.one_of(upload, st.lists(upload, min_size=2, max_size=12), hostile_text),
        "body": hostile_text,
    },
)
consent_forms = st.fixed_dictionaries(
    {},
    optional={
        "action": st.one_of(st.sampled_from(["change", "withdraw"]), field_value),
        "consent-contact_government": st.one_of(st.sampled_from(["yes", "no"]), field_value),
        "consent-public_naming": st.one_of(st.sampled_from(["yes", "no"]), field_value),
        "consent-written_consent": st.one_of(st.sampled_from(["written", "is_victim", "oral"]), field_value),
    },
)


# What a page accepted may add; the status row is the answer to an open question of the staff.
STORED_BY = {
    "message": {"submissions.message", "submissions.attachment", "submissions.statuschange"},
    "consent": {"submissions.consent"},
}


def log_in(client, receipt):
    response = client.post("/receipt/", {"reference": receipt[0], "passphrase": receipt[1]})
    assert response.status_code == 302


@FUZZ
@given(page=st.sampled_from(["message", "consent"]), data=st.data())
def test_the_receipt_forms_answer_hostile_input_without_failing_or_storing_a_rejected_post(receipt, page, data):
    form = data.draw(message_forms if page == "message" else consent_forms)
    form = {key: value for key, value in form.items() if value is not None}
    with transaction.atomic():
        cache.clear()
        caches["ratelimit"].clear()  # each example is a first try, not one of many from one client
        client = Client()
        log_in(client, receipt)
        before = rows()

        response = client.post(f"/receipt/{page}/", form)

        asks_first = page == "consent" and form.get("action") == "withdraw"  # a page that asks once more
        assert response.status_code in ((200,) if asks_first else (302, 400)), response.status_code
        after = rows()
        if asks_first:
            assert after == before, "asking whether to withdraw stored something"
            assert "withdraw_confirmed" in response.content.decode()
        elif response.status_code == 302:
            assert response["Location"] == "/receipt/case/"
            grew = {model for model in after if after[model] != before[model]}
            assert grew and grew <= STORED_BY[page], grew
        else:
            assert after == before, "a rejected post left rows behind"
            assert "invalid-feedback" in response.content.decode()
        transaction.set_rollback(True)


# --- The public archive, its CSV and feeds, and the API --------------------------------------------------


@pytest.fixture
def released():
    """One released communication, so that filters and searches have something to go through."""
    communication = make_sent_communication(sent_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC))
    communications.communication_release(communication=communication, by=communication.created_by, reason="Press")
    archive_stats.invalidate()
    yield communication
    archive_stats.invalidate()


FILTERS = ["q", "recipient", "kind", "year", "theme", "violation", "reply", "page"]
API_FILTERS = ["q", "recipient", "kind", "year", "theme", "violation", "reply_status", "limit", "offset"]
query = st.dictionaries(st.one_of(st.sampled_from(FILTERS + API_FILTERS), hostile_text), field_value, max_size=4)


def get(client, path: str, params: dict, **headers):
    params = {key: value for key, value in params.items() if value is not None}
    return client.get(f"{path}?{urlencode(params, doseq=True)}" if params else path, **headers)


@FUZZ
@given(params=query, path=st.sampled_from(["/communications/", "/ru/communications/", "/communications/export.csv"]))
@example(params={"page": "²"}, path="/communications/")
@example(params={"page": "9" * 5000, "year": "9" * 5000, "q": "\x00"}, path="/communications/")
def test_the_archive_search_and_filters_answer_hostile_input_without_failing(released, params, path):
    with transaction.atomic():
        before = rows()
        response = get(Client(), path, params)

        assert response.status_code == 200
        body_of(response)  # the CSV is written while it is read
        assert rows() == before
        transaction.set_rollback(True)


@FUZZ
@given(params=query, path=st.sampled_from(["/api/v1/communications", "/api/v1/stats"]))
def test_the_api_answers_hostile_parameters_with_data_or_a_422(released, params, path):
    with transaction.atomic():
        before = rows()
        response = get(Client(), path, params)

        assert response.status_code in (200, 422), response.status_code
        assert response["Content-Type"].startswith("application/json")
        data = json.loads(response.content)
        if response.status_code == 422:
            assert data["detail"] and all("msg" in error for error in data["detail"])
        assert rows() == before
        transaction.set_rollback(True)


@FUZZ
@given(
    text=hostile_text,
    template=st.sampled_from(
        [
            "/communications/{}/",
            "/communications/{}/letter.pdf",
            "/communications/{}/replies/1/document",
            "/communications/feed/{}/",
            "/api/v1/communications/{}",
            "/api/v1/communications/{}/replies/1/document",
        ]
    ),
)
@example(text="\x00", template="/communications/feed/{}/")
@example(text="tjk", template="/communications/feed/{}/")
def test_addresses_with_hostile_parts_answer_a_page_or_a_404(released, text, template):
    with transaction.atomic():
        response = Client().get(template.format(quote(text, safe="")))

        assert response.status_code in (200, 404, 422), response.status_code
        body_of(response)
        transaction.set_rollback(True)


# --- The language switch ------------------------------------------------------------------------------------


@FUZZ
@given(
    prefix=st.one_of(st.sampled_from(["", "ru/", "en/", "fr/", "RU/"]), hostile_text.map(lambda t: quote(t) + "/")),
    page=st.sampled_from(["", "submit/", "receipt/", "communications/", "communications/stats/"]),
    params=st.dictionaries(hostile_text, field_value, max_size=3),
    accept_language=hostile_text,
    cookie=hostile_text,
)
def test_the_language_switch_answers_hostile_addresses_with_links_on_this_site(
    prefix, page, params, accept_language, cookie
):
    client = Client()
    client.cookies["django_language"] = quote(cookie)
    response = get(client, f"/{prefix}{page}", params, HTTP_ACCEPT_LANGUAGE=accept_language)

    assert response.status_code in (200, 404), response.status_code
    html = response.content.decode()
    assert re.search(r'<html lang="(en|ru)">', html)
    links = re.findall(r'<a class="nav-link" href="([^"]*)" lang="(\w+)" hreflang', html)
    assert links, "the language switch is missing"
    for url, _language in links:
        assert url.startswith("/") and not url.startswith("//"), url


# --- Hostile input through the CSRF-protected forms ------------------------------------------------------


def test_hostile_input_through_the_csrf_protected_forms_gets_an_answer_and_stores_nothing(receipt):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/receipt/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    hostile = {"reference": "\u202e" + receipt[0] + "\u200b", "passphrase": "\x00" + "ж" * 300}
    before = rows()

    wrong = client.post("/receipt/", {**hostile, "csrfmiddlewaretoken": token})
    forged = client.post("/receipt/", {**hostile, "csrfmiddlewaretoken": "\u202e" * 64})
    missing = client.post("/receipt/", hostile)
    right = client.post("/receipt/", {"reference": receipt[0], "passphrase": receipt[1], "csrfmiddlewaretoken": token})

    assert wrong.status_code == 400
    assert forged.status_code == missing.status_code == 403
    assert right.status_code == 302
    assert rows() == before


# --- Redirects and links that would leave the site --------------------------------------------------------

# How a path can name another host to a browser: protocol-relative, with a backslash (read as a slash),
# percent-encoded, with a tab (which browsers drop), or doubled after the language prefix.
OFF_SITE = [
    "//evil.example/",
    "/\\evil.example/",
    "/%2F%2Fevil.example/",
    "/%5Cevil.example/",
    "/%2F/evil.example/",
    "/%09/evil.example/",
    "///evil.example/",
    "/\\/evil.example/",
    "/ru//evil.example/",
    "/ru/%2F%2Fevil.example/",
]
PUBLIC_PAGES = [
    "", "submit/", "receipt/", "receipt/case/", "communications/", "communications/stats/", "communications/feed/",
    "admin/login/",
]  # fmt: skip


def stays_on_this_site(url: str) -> bool:
    resolved = urlsplit(urljoin("http://testserver/here/", url.replace("\\", "/").replace("\t", "")))
    return resolved.netloc == "testserver" or resolved.scheme not in ("http", "https", "")


@pytest.mark.parametrize("page", PUBLIC_PAGES)
@pytest.mark.parametrize("off_site", OFF_SITE)
def test_no_page_redirects_or_links_off_the_site(db, off_site, page):
    # As a WSGI server passes it: the path percent-decoded (the test client would read //host as a host).
    raw = unquote(off_site + page).encode().decode("iso-8859-1")
    for language in ("", "ru"):
        response = Client(HTTP_ACCEPT_LANGUAGE=language).get("/", PATH_INFO=raw)

        assert response.status_code in (200, 301, 302, 404), response.status_code
        if response.has_header("Location"):
            assert stays_on_this_site(response["Location"]), response["Location"]
        html = response.content.decode()
        for url in re.findall(r'(?:href|action|src)="([^"]*)"', html):
            assert stays_on_this_site(url), (raw, url)
