"""For any names and any consents, the public record never names who must stay unnamed."""

import datetime
import re

import pytest
import time_machine
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from communications import services
from communications.models import PublicRecord
from submissions.models import Consent, Defender, Submission
from tests.support.factories import make_accepted_submission, make_sent_communication

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


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cases=st.lists(case, min_size=1, max_size=3), summary_mentions=st.booleans())
def test_the_public_record_never_names_who_must_stay_unnamed(cases, summary_mentions):
    # Different people: no part of one person's name is part of another's.
    people = [n for data in cases for n in data["defenders"]] + [data["source"] for data in cases]
    parts = [{p.lower() for p in person.split()} for person in people]
    assume(all(not (a & b) for i, a in enumerate(parts) for b in parts[i + 1 :]))
    Submission.objects.all().delete()
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
    communication = make_sent_communication(submissions=submissions, sent_at=SENT)
    # Staff wrote every name into the letter, the summary and a reply, as careless staff might.
    everyone = [n for data in cases for n in data["defenders"]] + [data["source"] for data in cases]
    mention = " ".join(everyone)
    communication.body += f"<p>{mention}</p>"
    communication.public_summary = mention if summary_mentions else "Detention of lawyers"
    communication.save(update_fields=["body", "public_summary"])
    services.reply_record(
        communication=communication, received_on=datetime.date(2026, 2, 1), kind="substantive",
        confidential=False, summary=f"The State replies about {mention}.",
    )  # fmt: skip

    with time_machine.travel(SENT + datetime.timedelta(days=60), tick=False):
        services.release_due()

    record = PublicRecord.objects.get(communication=communication)
    public = " ".join([record.letter_html, record.summary, *record.replies.values_list("text", flat=True)])
    for data, submission in zip(cases, submissions, strict=True):
        consent = Consent.objects.filter(submission=submission).order_by("-recorded_at", "-id").first()
        for defender_name in data["defenders"]:
            if not consent.public_naming:
                assert not named(public, defender_name), defender_name
        assert not named(public, data["source"])
        assert data["contact"] not in public
