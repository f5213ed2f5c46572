from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    """The staff site: Django's admin, requiring a second factor (django-otp)."""

    default_site = "portal.admin_site.PortalAdminSite"
