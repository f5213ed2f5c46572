"""The portal's URLs plus two baseline views for bench/intake.py.

/bench/text/   the cheapest Django answer: a short text.
/bench/insert/ one INSERT in autocommit into bench_row, a table the bench
               creates with raw SQL (bench/intake.py), then a short text.
"""

from django.db import connection
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from portal.urls import urlpatterns as portal_urlpatterns


@require_GET
def text(request):
    return HttpResponse("ok", content_type="text/plain")


@csrf_exempt
@require_POST
def insert(request):
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_row (body) VALUES (%s)", [request.body.decode("utf-8", "replace")])
    return HttpResponse("ok", content_type="text/plain")


# portal.urls uses i18n_patterns, which Django allows only in the root
# URLconf: extend its list rather than include() it.
urlpatterns = [
    path("bench/text/", text),
    path("bench/insert/", insert),
    *portal_urlpatterns,
]
