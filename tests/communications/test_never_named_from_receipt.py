"""A person the source adds, from the receipt, to the people never to be named: protected at once.

The addition takes effect like a consent withdrawal, in the source's own request: the gate refuses the
approval and the sending of any letter of the case naming them, in any grammatical form, script or
disguise; a released record naming them is rewritten (a reply document naming them is held) or taken off
every public surface; each approved, sent or released letter of the case gets an alert that holds its next
step, and the desk and the rapporteur one mail each, with no name in it.
"""

import datetime
import random
import re

import pytest
import time_machine
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, Phase, assume, given, note, settings
from hypothesis import strategies as st

from communications import services
from communications import stats as archive_stats
from communications.models import CommunicationStatus, ConsentAlert, PublicRecord, PublicReply
from communications.names import name_keys
from communications.release import slug_for
from portal import text as reading
from portal.models import Mail
from submissions import services as submission_services
from submissions.models import Desk
from tests.communications import name_samples as samples
from tests.communications.test_confidential_people import draft, public_text
from tests.communications.test_names import named_letters
from tests.support.factories import (
    make_accepted_submission,
    make_accepted_submission_with_receipt,
    make_staff_user,
)
from tests.support.intake import DEFENDER_NAME
from tests.support.mail import drain_outbox
from tests.support.staff import login_staff, make_rapporteur

pytestmark = pytest.mark.django_db

S = CommunicationStatus
SENT = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
DAY_60 = SENT + datetime.timedelta(days=60)
WITNESS = "Gulnora Witnessova"
DESK_EMAIL = "central-asia@example.org"
RAPPORTEUR_EMAIL = "rapporteur@example.org"


def add_on_the_receipt_page(client, receipt, *names: str) -> None:
    """The source logs in with the receipt and adds the names on /receipt/never-name/, as typed."""
    cache.clear()  # the receipt login's limits: each example starts with none used
    login = {"reference": receipt.reference, "passphrase": receipt.passphrase}
    assert client.post("/receipt/", login).status_code == 302
    response = client.post("/receipt/never-name/", {"action": "add", "never-names": "\n".join(names)})
    assert response.status_code == 302, response.content.decode()[:2000]
    client.post("/receipt/logout/")


def add_from_receipt(submission, *names: str):
    """What the receipt page's service does with the names the source typed (submissions.views)."""
    return submission_services.never_named_change(submission=submission, names=[*submission.confidential_names, *names])


def approved(communication, desk, rapporteur):
    services.communication_submit_for_review(communication=communication, by=desk)
    services.communication_approve(communication=communication, by=rapporteur)


@pytest.mark.slow  # 8 letters through every step and surface: 4-6 s (the tests by example stay in make quick)
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)
@given(letter=named_letters(), seed=st.integers(0, 2**16), where=st.sampled_from(["letter", "summary", "document"]))
def test_a_name_added_from_the_receipt_blocks_every_step_and_leaves_no_public_surface(client, letter, seed, where):
    before, written, after, protected = letter
    [name] = protected.names
    # Another person than the victim (named with consent) and than the source.
    taken = frozenset().union(*(name_keys(t.norm) for t in reading.tokens(f"{DEFENDER_NAME} A. Source")))
    assume(not any(name_keys(t.norm) & taken for t in reading.tokens(name)))
    note(f"name={name!r} written={written!r} where={where}")
    sentence = f"<p>{before}{written}{after}</p>"
    with transaction.atomic():
        archive_stats.invalidate()
        number = random.Random(seed).randrange(10**9)
        desk = make_staff_user(f"nn-desk-{number}", "Desk officer")
        rapporteur = make_staff_user(f"nn-rapp-{number}", "Rapporteur")
        submission, receipt = make_accepted_submission_with_receipt(
            country="TJ", public_naming=True, contact_government=True
        )
        # Before the source adds them, nothing protects them: a letter may name them and go public.
        public = draft(submission, desk)
        clean_body = public.body
        if where == "letter":
            assume(services.communication_edit(communication=public, body=clean_body + sentence) == [])
        approved(public, desk, rapporteur)
        services.communication_send(communication=public, by=desk, sent_at=SENT)
        services.communication_public_edit(
            communication=public,
            public_body=public.body,
            public_summary=before + written if where == "summary" else "Detention of a defender",
            keeps_traits=False,
        )
        if where == "document":
            services.reply_record(
                communication=public, received_on=datetime.date(2026, 4, 1), kind="substantive",
                confidential=False, summary="The State replies.", document=(before + written + after).encode(),
                document_name="reply.txt", content_type="text/plain",
            )  # fmt: skip
        assume(not services.public_problems(public))
        services.communication_public_approve(communication=public, by=rapporteur)
        with time_machine.travel(DAY_60, tick=False):
            assert services.release_due() == 1
        pending = draft(submission, desk)
        services.communication_edit(communication=pending, body=clean_body + sentence)
        approved(pending, desk, rapporteur)

        add_on_the_receipt_page(client, receipt, name, WITNESS)
        submission.refresh_from_db()
        assert submission.confidential_names == [name, WITNESS]

        # The government copy: the approved letter naming them is held, then refused by the gate.
        with pytest.raises(services.WorkflowError, match="consent changed"):
            services.communication_send(communication=pending, by=desk)
        services.communication_acknowledge_consent(communication=pending, by=rapporteur, reason="Seen")
        with pytest.raises(services.GateRefused, match="confidential person 1"):
            services.communication_send(communication=pending, by=desk)
        services.communication_back_to_draft(communication=pending, by=rapporteur, reason="Names a witness")
        services.communication_submit_for_review(communication=pending, by=desk)
        with pytest.raises(services.GateRefused, match="confidential person 1"):
            services.communication_approve(communication=pending, by=rapporteur)

        # The public record: taken down where its approved version names them; a reply document held.
        if where == "document":
            assert PublicRecord.objects.filter(communication=public).exists()
            assert not PublicReply.objects.filter(document__isnull=False).exists()
        else:
            assert not PublicRecord.objects.exists()
            public.refresh_from_db()
            assert public.public_approved_at is None
        parts = [part for part in [*name.split(), *WITNESS.split()] if len(part) >= 3]
        searches = [*parts, samples.transliterate(name, "bgn").split()[0]]
        text = public_text(client, slug_for(public.reference), searches)
        assert not [part for part in parts if re.search(rf"(?<!\w){re.escape(part)}(?!\w)", text, re.IGNORECASE)]
        assert not any(client.get("/api/v1/communications", {"q": word}).json()["items"] for word in searches)
        archive_stats.invalidate()
        transaction.set_rollback(True)


@pytest.fixture
def people():
    Desk.objects.filter(code="central-asia").update(email=DESK_EMAIL)
    return {
        "desk": make_staff_user("desk.officer", "Desk officer"),
        "rapporteur": make_staff_user("the.rapporteur", "Rapporteur", email=RAPPORTEUR_EMAIL),
    }


def test_the_desk_and_the_rapporteur_are_alerted_once_per_letter_without_the_name(people):
    submission = make_accepted_submission(country="TJ", public_naming=True, confidential_people=WITNESS)
    communication = draft(submission, people["desk"])
    approved(communication, people["desk"], people["rapporteur"])
    Mail.objects.all().delete()

    change = add_from_receipt(submission, "Rustam Brotherov", "Рустам Братов")
    # The same change taking effect again (a retried request, a second receiver) alerts nobody again, nor does
    # the same list sent twice (a double click): it is no change at all.
    services.never_named_change_take_effect(submission_id=submission.pk, change=change)
    assert add_from_receipt(submission, "Rustam Brotherov") is None

    alert = ConsentAlert.objects.get(communication=communication)
    assert (alert.never_named, alert.consent, alert.status_then) == (change, None, S.APPROVED)
    assert (change.added, change.removed) == (2, 0)
    assert mail.outbox == []  # nothing talks to a mail server in the source's request
    assert drain_outbox() == 1
    (email,) = mail.outbox
    assert email.to == sorted([DESK_EMAIL, RAPPORTEUR_EMAIL])
    assert submission.reference in email.body and "added 2 names to the people never to be named" in email.body
    whole = email.message().as_string()
    for personal in ("Brotherov", "Братов", "Rustam", WITNESS, DEFENDER_NAME, submission.source_name):
        assert personal not in whole
    with pytest.raises(services.WorkflowError, match="consent changed"):
        services.communication_send(communication=communication, by=people["desk"])


def test_a_name_taken_off_the_list_alerts_nobody_and_is_no_longer_protected(people):
    submission = make_accepted_submission(country="TJ", confidential_people=f"{WITNESS}\nRustam Brotherov")
    communication = draft(submission, people["desk"])
    body = communication.body + "<p>Rustam Brotherov saw the arrest.</p>"
    assert services.communication_edit(communication=communication, body=body)  # protected today

    change = submission_services.never_named_change(submission=submission, names=[WITNESS])

    assert (change.added, change.removed) == (0, 1)
    assert not ConsentAlert.objects.exists() and not Mail.objects.exists()
    services.communication_edit(communication=communication, body=communication.body)
    assert services.government_problems(communication) == []
    approved(communication, people["desk"], people["rapporteur"])


def test_an_approved_public_version_naming_them_lapses_before_the_clock_can_release_it(people):
    submission = make_accepted_submission(country="TJ", public_naming=True)
    communication = draft(submission, people["desk"])
    approved(communication, people["desk"], people["rapporteur"])
    services.communication_send(communication=communication, by=people["desk"], sent_at=SENT)
    services.communication_public_edit(
        communication=communication, public_body=communication.body, public_summary="Мамадшоеву задержал Рахимов",
        keeps_traits=False,
    )  # fmt: skip
    services.communication_public_approve(communication=communication, by=people["rapporteur"])

    add_from_receipt(submission, "Фаридун Рахимов")

    communication.refresh_from_db()
    assert communication.public_approved_at is None
    services.communication_acknowledge_consent(communication=communication, by=people["rapporteur"], reason="Seen")
    with time_machine.travel(DAY_60, tick=False):
        assert services.release_due() == 0
    assert not PublicRecord.objects.exists()


def test_the_alert_shows_on_the_letters_page_and_the_rapporteur_acknowledges_it_there(people):
    rapporteur = make_rapporteur()
    submission = make_accepted_submission(country="TJ")
    communication = draft(submission, people["desk"])
    approved(communication, people["desk"], people["rapporteur"])
    add_from_receipt(submission, "Rustam Brotherov")
    client = Client()
    login_staff(client, rapporteur)
    page_url = f"/admin/communications/communication/{communication.pk}/change/"

    page = client.get(page_url).content.decode()
    assert f"The source of case {submission.reference} added 1 name to the people never to be named" in page
    assert "step-acknowledge_consent" in page

    step = f"/admin/communications/communication/{communication.pk}/step/acknowledge_consent/"
    assert client.post(step, {"reason": "The letter does not name him"}).status_code == 302
    alert = ConsentAlert.objects.get()
    assert (alert.resolved_by, alert.resolution) == (rapporteur, "The letter does not name him")
    services.communication_send(communication=communication, by=people["desk"])
    communication.refresh_from_db()
    assert communication.status == S.SENT
