from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunicationsConfig(AppConfig):
    name = "communications"
    verbose_name = _("Communications")

    def seed_demo(self) -> int:
        """For `manage.py seed_demo`: the fictional letters (communications.demo), which the communications
        worker writes in the first minutes; returns 0, as none is made here."""
        from communications import demo

        return demo.seed()

    def ready(self) -> None:
        from submissions.signals import consent_changed, never_named_changed

        consent_changed.connect(_consent_takes_effect, dispatch_uid="communications.consent_changed")
        never_named_changed.connect(_never_named_takes_effect, dispatch_uid="communications.never_named_changed")


def _consent_takes_effect(sender, *, submission_id: int, consent, previous, **kwargs) -> None:
    # At once, in the source's own request and its transaction: a public record must not keep a name a
    # minute longer than the consent allows, and a withdrawal is never recorded without its effect.
    from communications.services import consent_change_take_effect

    consent_change_take_effect(submission_id=submission_id, consent=consent, previous=previous)


def _never_named_takes_effect(sender, *, submission_id: int, change, **kwargs) -> None:
    # Like a withdrawal: in the source's request, where the case is open and the gate reads the new names.
    from communications.services import never_named_change_take_effect

    never_named_change_take_effect(submission_id=submission_id, change=change)
