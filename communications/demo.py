"""Fictional demo communications for `manage.py seed_demo`: every status, replies, a follow-up."""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from communications import services
from communications.models import Communication
from portal import roles
from submissions.demo import CASES, demo_case
from submissions.models import Status

# (case index in submissions.demo.CASES, kind, recipient, name, final status, days since sending)
_LETTERS = [
    (0, "UA", "TJK", "Tajikistan", "draft", None),
    (1, "UA", "KGZ", "Kyrgyzstan", "in_review", None),
    (2, "AL", "KAZ", "Kazakhstan", "approved", None),
    (3, "AL", "UZB", "Uzbekistan", "sent", 20),
    (4, "AL", "KAZ", "Kazakhstan", "released", 90),
    (5, "UA", "TKM", "Turkmenistan", "released", 75),
    (8, "AL", "UZB", "Uzbekistan", "withheld", 40),
]


def seed() -> int:
    if Communication.objects.exists():
        return 0
    users = get_user_model().objects
    desk = users.filter(groups__name=roles.DESK_OFFICER).first() or users.filter(is_superuser=True).first()
    rapporteur = users.filter(groups__name=roles.RAPPORTEUR).first() or desk
    made = {}
    for index, kind, recipient, name, status, days in _LETTERS:
        case = demo_case(CASES[index], status=Status.ACCEPTED, staff=desk)
        communication, _ = services.communication_draft(
            submissions=[case], kind=kind, recipient=recipient, recipient_name=name, language="en", by=desk,
            follow_up_to=made.get(recipient),
        )  # fmt: skip
        communication.public_summary = f"Alleged {', '.join(case.violation_types).replace('_', ' ')} (demo)."
        communication.save(update_fields=["public_summary"])
        made[recipient] = communication
        if status == "draft":
            continue
        services.communication_submit_for_review(communication=communication, by=desk)
        if status == "in_review":
            continue
        services.communication_approve(communication=communication, by=rapporteur)
        if status == "approved":
            continue
        sent_at = timezone.now() - timedelta(days=days)
        services.communication_send(communication=communication, by=desk, sent_at=sent_at)
        if status == "withheld":
            services.communication_withhold(communication=communication, by=rapporteur, reason="Demo: acute risk")
        if index == 4:
            services.reply_record(
                communication=communication, received_on=date.today() - timedelta(days=50), kind="substantive",
                confidential=False, summary="The Government states that the organisation's registration is under "
                "review by the Ministry of Justice (demo).",
            )  # fmt: skip
        if index == 5:
            services.reply_record(
                communication=communication, received_on=date.today() - timedelta(days=30), kind="substantive",
                confidential=True, summary="Confidential reply (demo).",
            )  # fmt: skip
        if status == "released":
            # Nothing is released before a person approved its public version (communications.gate).
            services.communication_public_approve(communication=communication, by=rapporteur)
    services.release_due()
    return len(_LETTERS)
