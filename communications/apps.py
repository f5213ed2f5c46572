from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunicationsConfig(AppConfig):
    name = "communications"
    verbose_name = _("Communications")

    def seed_demo(self) -> int:
        """For `manage.py seed_demo`: the fictional letters (communications.demo), on submissions' demo cases.

        Returns how many were made.
        """
        from communications import demo

        return demo.seed()

    def ready(self) -> None:
        from submissions.signals import consent_changed

        consent_changed.connect(_redact_released_records, dispatch_uid="communications.consent_changed")


def _redact_released_records(sender, *, submission_id: int, **kwargs) -> None:
    # At once, in the source's own request: a public record must not keep a
    # name a minute longer than the consent allows.
    from communications.services import public_record_refresh_for_submission

    public_record_refresh_for_submission(submission_id=submission_id)
