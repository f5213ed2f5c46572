# The Celery app is made current in PortalConfig.ready() (portal/apps.py), not on import of this package:
# importing `portal` (as `python -m portal.embedded` does) must not set DJANGO_SETTINGS_MODULE for the
# commands it starts.
