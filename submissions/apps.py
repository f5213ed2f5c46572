from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    name = "submissions"
    verbose_name = _("Submissions")

    def seed_demo(self) -> int:
        """For `manage.py seed_demo`: the fictional cases (submissions.demo). Returns how many were made."""
        from submissions import demo

        return demo.seed()
