"""People the source asked never to be named (a relative, a witness): protected like the source.

Whatever the victims' consent, a name on the case's list stops the approval and the sending of the
letter, the approval of its public version and its release, in any grammatical form, script, spelling
or disguise; a reply document naming one is held; nothing of the name reaches a public surface.
"""

import datetime
import json
import random
import re

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, Phase, assume, given, note, settings
from hypothesis import strategies as st

from communications import gate, services
from communications import stats as archive_stats
from communications.models import PublicRecord, PublicReply
from communications.names import name_keys
from communications.references import GOVERNMENT, PUBLIC
from portal import text as reading
from tests.communications import name_samples as samples
from tests.communications.test_names import named_letters
from tests.support.factories import make_accepted_submission, make_staff_user
from tests.support.intake import DEFENDER_NAME

pytestmark = pytest.mark.django_db

SENT = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=datetime.UTC)
DAY_60 = SENT + datetime.timedelta(days=60)
WITNESS = "Gulnora Witnessova"


def draft(submission, desk):
    communication, _draft = services.communication_draft(
        submissions=[submission], kind="UA", recipient="TJK", recipient_name="Tajikistan", language="en", by=desk
    )
    return communication


def test_the_list_is_protected_in_both_copies_whatever_the_consent():
    submission = make_accepted_submission(
        country="TJ", public_naming=True, contact_government=True, confidential_people=f"{WITNESS}\nIsmoil Brotherov"
    )

    for audience in (GOVERNMENT, PUBLIC):
        items = gate.protected_of([submission], audience)
        labels = {item.label: item.names for item in items if "confidential person" in item.label}
        assert sorted(labels.values()) == [("Gulnora Witnessova",), ("Ismoil Brotherov",)]
    # The drafting of free-text answers leaves out what names them, as it does for the source.
    assert any(WITNESS in item.names for item in gate.protected_of([submission], GOVERNMENT, source_only=True))


def test_a_family_name_shared_with_a_named_victim_is_protected_only_with_the_rest_of_the_name():
    # The victim (named with consent) is Ulfathonim Mamadshoeva; her brother must never be named.
    submission = make_accepted_submission(
        country="TJ", public_naming=True, contact_government=True, confidential_people="Rustam Mamadshoev"
    )

    [brother] = [item for item in gate.protected_of([submission], PUBLIC) if "confidential person" in item.label]

    assert brother.names == ("rustam",)


def test_a_draft_leaves_an_answer_naming_a_confidential_person_to_complete():
    desk = make_staff_user("desk", "Desk officer")
    submission = make_accepted_submission(
        country="TJ", confidential_people=WITNESS, current_risk="Gulnora Witnessova, who saw the arrest, is threatened."
    )

    communication = draft(submission, desk)

    assert "Witnessova" not in communication.body
    assert "[TO COMPLETE" in communication.body


def read(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode(errors="replace")


def public_text(client, slug: str, searches: list[str]) -> str:
    texts = [read(client.get(path)) for path in (
        "/communications/", "/ru/communications/", "/communications/export.csv", "/communications/feed/",
        "/api/v1/communications", f"/communications/{slug}/", f"/api/v1/communications/{slug}",
    )]  # fmt: skip
    for word in searches:
        found = client.get("/api/v1/communications", {"q": word}).json()["items"]
        texts.append(json.dumps(found, ensure_ascii=False))
    return "\n".join(texts)


@pytest.mark.slow  # 15 letters through every step and surface: 5-15 s (the tests by example stay in make quick)
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
)
@given(letter=named_letters(), seed=st.integers(0, 2**16))
def test_a_confidential_person_in_any_form_blocks_every_step_and_never_reaches_a_public_surface(client, letter, seed):
    before, written, after, protected = letter
    [name] = protected.names
    # Another person than the victim (the factory's "Ulfathonim Mamadshoeva", named with consent).
    victim_keys = frozenset().union(*(name_keys(t.norm) for t in reading.tokens(DEFENDER_NAME)))
    assume(not any(name_keys(t.norm) & victim_keys for t in reading.tokens(name)))
    note(f"name={name!r} written={written!r}")
    sentence = f"<p>{before}{written}{after}</p>"
    with transaction.atomic():
        archive_stats.invalidate()
        number = random.Random(seed).randrange(10**9)
        desk = make_staff_user(f"conf-desk-{number}", "Desk officer")
        rapporteur = make_staff_user(f"conf-rapp-{number}", "Rapporteur")
        submission = make_accepted_submission(
            country="TJ", public_naming=True, contact_government=True, confidential_people=f"{name}\n{WITNESS}"
        )
        communication = draft(submission, desk)
        clean_body = communication.body

        # The government copy: the letter cannot be approved, nor sent, while it names them.
        problems = services.communication_edit(communication=communication, body=clean_body + sentence)
        assert any("confidential person 1" in problem.what for problem in problems), problems
        services.communication_submit_for_review(communication=communication, by=desk)
        with pytest.raises(services.GateRefused):
            services.communication_approve(communication=communication, by=rapporteur)
        services.communication_back_to_draft(communication=communication, by=rapporteur, reason="Names a witness")
        assert services.communication_edit(communication=communication, body=clean_body) == []
        services.communication_submit_for_review(communication=communication, by=desk)
        services.communication_approve(communication=communication, by=rapporteur)
        services.communication_send(communication=communication, by=desk, sent_at=SENT)

        # The public copy: neither the public letter nor the summary may name them.
        for body, summary in ((clean_body + sentence, "Detention of a defender"), (clean_body, before + written)):
            services.communication_public_edit(
                communication=communication, public_body=body, public_summary=summary, keeps_traits=False
            )
            with pytest.raises(services.GateRefused):
                services.communication_public_approve(communication=communication, by=rapporteur)
            with time_machine.travel(DAY_60, tick=False):
                assert services.release_due() == 0
        assert not PublicRecord.objects.exists()

        # A reply document naming them is held; the rest is approved and released.
        services.communication_public_edit(
            communication=communication, public_body=clean_body, public_summary="Detention of a defender",
            keeps_traits=False,
        )  # fmt: skip
        services.reply_record(
            communication=communication, received_on=datetime.date(2026, 4, 1), kind="substantive",
            confidential=False, summary="The State replies.", document=(before + written + after).encode(),
            document_name="reply.txt", content_type="text/plain",
        )  # fmt: skip
        [reply] = gate.public_copy(communication, all_replies=True).replies
        assert reply.held and reply.document_text is None
        services.communication_public_approve(communication=communication, by=rapporteur)
        with time_machine.travel(DAY_60, tick=False):
            assert services.release_due() == 1

        assert not PublicReply.objects.filter(document__isnull=False).exists()
        parts = [part for part in [*name.split(), *WITNESS.split()] if len(part) >= 3]
        searches = [*parts, samples.transliterate(name, "bgn").split()[0]]
        text = public_text(client, PublicRecord.objects.get().slug, searches)
        assert not [part for part in parts if re.search(rf"(?<!\w){re.escape(part)}(?!\w)", text, re.IGNORECASE)]
        assert not any(client.get("/api/v1/communications", {"q": word}).json()["items"] for word in searches)
        archive_stats.invalidate()
        transaction.set_rollback(True)
