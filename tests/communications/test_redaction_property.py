"""For any names and any consents, the public record never names who must stay unnamed.

The rule since the name gate: nothing is cut out of a text. A letter refers to victims through their
name references (rendered as public-naming consent allows); a name typed anywhere into the public
version (letter, summary, reply) of someone who may not be named in public, or the source's name or
contact, stops the approval of the public version and the release, and nothing is published.
"""

import datetime
import re

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, Phase, assume, given, note, settings
from hypothesis import strategies as st

from communications import references, services
from communications.models import PublicRecord
from submissions.models import Defender
from tests.support.factories import make_accepted_submission, make_sent_communication, make_staff_user

pytestmark = pytest.mark.django_db

LATIN = "abcdefghijklmnopqrstuvwxyz"
CYRILLIC = "абвгдежзийклмнопрстуфхцчшщыэюяқғҳҷӣӯ"
SENT = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.UTC)

word = st.builds(
    lambda first, rest: first.upper() + rest,
    st.sampled_from(LATIN + CYRILLIC),
    st.text(alphabet=st.sampled_from(LATIN + CYRILLIC), min_size=4, max_size=11),
).filter(lambda w: w.lower() not in {"withheld"})
name = st.lists(word, min_size=1, max_size=3).map(" ".join)
case = st.fixed_dictionaries(
    {
        "defenders": st.lists(name, min_size=1, max_size=3),
        "public_naming": st.booleans(),
        "contact_government": st.booleans(),
        "source": name,
        "contact": st.from_regex(r"\+[0-9]{3} [0-9]{6,9}", fullmatch=True),
    }
)


def named(text: str, value: str) -> bool:
    parts = [value, *[p for p in value.split() if len(p) >= 3]]
    return any(re.search(r"(?<!\w)" + re.escape(p) + r"(?!\w)", text, re.IGNORECASE) for p in parts)


@settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],  # no tracing "explain"
)
@given(cases=st.lists(case, min_size=1, max_size=3), typed=st.sampled_from(["nobody", "letter", "summary", "reply"]))
def test_the_public_record_never_names_who_must_stay_unnamed(cases, typed):
    # Different people: no part of one person's name is part of another's.
    people = [n for data in cases for n in data["defenders"]] + [data["source"] for data in cases]
    parts = [{p.lower() for p in person.split()} for person in people]
    assume(all(not (a & b) for i, a in enumerate(parts) for b in parts[i + 1 :]))
    note(f"cases={cases!r} typed={typed!r}")
    with transaction.atomic():  # each example on its own: rolled back at the end
        check(cases, typed, people)
        transaction.set_rollback(True)


def check(cases, typed, people):
    submissions = []
    for data in cases:
        submission = make_accepted_submission(
            country="TJ",
            public_naming=data["public_naming"],
            contact_government=data["contact_government"],
            source_name=data["source"],
            contact_details=data["contact"],
        )
        submission.defenders.all().delete()
        for position, defender_name in enumerate(data["defenders"]):
            Defender.objects.create(
                submission=submission, position=position, kind="person", name=defender_name, country="TJ",
                work_description="Lawyer", gender="woman",
            )  # fmt: skip
        submissions.append(submission)
    communication = make_sent_communication(submissions=submissions, sent_at=SENT, public_approved=False)
    rapporteur = make_staff_user("redaction-rapporteur", "Rapporteur")
    # Staff refer to everyone through the references, and may also type every name, as careless staff might.
    refs = " ".join(references.token(d) for s in submissions for d in s.defenders.all())
    everyone = " ".join(people)
    mention = f"{refs} {everyone}" if typed != "nobody" else refs
    services.communication_public_edit(
        communication=communication,
        public_body=communication.body + f"<p>{mention if typed == 'letter' else refs}</p>",
        public_summary=mention if typed == "summary" else f"Detention of lawyers: {refs}",
        keeps_traits=False,
    )
    services.reply_record(
        communication=communication, received_on=datetime.date(2026, 2, 1), kind="substantive",
        confidential=False, summary=f"The State replies about {mention if typed == 'reply' else 'the case'}.",
    )  # fmt: skip
    must_stay_unnamed = [data["source"] for data in cases] + [
        n for data in cases if not data["public_naming"] for n in data["defenders"]
    ]
    # A typed name of someone who may not be named in public (always so for the sources) stops the approval.
    if typed != "nobody":
        with pytest.raises(services.GateRefused):
            services.communication_public_approve(communication=communication, by=rapporteur)
    else:
        services.communication_public_approve(communication=communication, by=rapporteur)

    with time_machine.travel(SENT + datetime.timedelta(days=60), tick=False):
        released = services.release_due()

    assert released == (typed == "nobody")
    record = PublicRecord.objects.filter(communication=communication).first()
    public = (
        " ".join([record.letter_html, record.summary, *record.replies.values_list("text", flat=True)]) if record else ""
    )
    for person in must_stay_unnamed:
        assert not named(public, person), person
    for data in cases:
        assert data["contact"] not in public
        if record and data["public_naming"]:
            # Named through the reference, exactly as written in the case's records.
            assert all(defender in public for defender in data["defenders"])
