from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from portal import health, views

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("communications.api")),  # outside i18n_patterns: one address for the data in every language
]

urlpatterns += i18n_patterns(
    path("", views.home, name="home"),
    path("", include("submissions.urls")),
    path("", include("communications.urls")),
    prefix_default_language=False,
)
