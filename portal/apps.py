from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self) -> None:
        # The tasks of every app (shared_task) send through this app, in web processes too.
        import portal.celery  # noqa: F401
        from portal import signals
        from portal.roles import sync_roles

        signals.connect()

        post_migrate.connect(sync_roles, sender=self, dispatch_uid="portal.sync_roles")
