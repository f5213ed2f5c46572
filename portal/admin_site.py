from django.db.models import Count
from django_otp import devices_for_user
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite


class StaffLoginForm(OTPAdminAuthenticationForm):
    """User name, password and code on one page: a user's only device is taken without asking."""

    def _chosen_device(self, user):
        device = super()._chosen_device(user)
        if device is None:
            devices = list(devices_for_user(user, confirmed=True, for_verify=True))
            if len(devices) == 1:
                return devices[0]
        return device


class PortalAdminSite(OTPAdminSite):
    """The admin with a second factor, and the desk queues on its index page."""

    login_form = StaffLoginForm
    site_header = "Defender case portal: staff"
    site_title = "Case portal staff"
    index_title = "Queues and records"

    def index(self, request, extra_context=None):
        from submissions.models import Status, Submission
        from submissions.services import OPEN_STATUSES

        counts = (
            Submission.objects.visible_to(request.user)
            .filter(status__in=OPEN_STATUSES)
            .values("desk__id", "desk__name", "status")
            .annotate(n=Count("*"))  # COUNT(*): answered from the (desk, status) index alone
            .order_by("desk__name", "status")
        )
        desks: dict = {}
        for row in counts:
            desk = desks.setdefault(row["desk__id"], {"id": row["desk__id"], "name": row["desk__name"], "total": 0})
            desk[row["status"]] = row["n"]
            desk["total"] += row["n"]
        rows = list(desks.values())
        biggest = max((row["total"] for row in rows), default=0)
        columns = [(status, Status(status).label) for status in OPEN_STATUSES]
        for row in rows:
            row["cells"] = [row.get(status, 0) for status, _ in columns]
        context = {"queue_rows": rows, "queue_columns": columns, "queue_max": biggest, **(extra_context or {})}
        return super().index(request, context)
