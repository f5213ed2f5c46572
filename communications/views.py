"""The public archive: released, redacted records only (PublicRecord, PublicReply).

Nothing here reads a Communication, a Reply or a Submission: a bug in a
public view cannot reach a confidential original.
"""

import csv

from django.core.cache import cache
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from communications import stats as archive_stats
from communications.forms import ArchiveFilterForm
from communications.models import PublicRecord, PublicReply
from communications.pdf import public_letter_stored

PAGE_SIZE = 20
CSV_LIMIT = 10_000
CSV_CHUNK = 500
LIST_FIELDS = [
    "reference", "slug", "kind", "recipient", "recipient_name", "sent_on", "mandates", "summary", "reply_status",
    "reply_count", "themes", "violation_types",
]  # fmt: skip
# Columns a page of one record never shows: the search vectors alone are about 5 KB a record.
DERIVED_FIELDS = ["letter_text", "search", "search_rank"]

# For browsers and proxies, on every public page and the API. Short, because a consent withdrawn after
# release must leave caches quickly.
public_cache = cache_control(public=True, max_age=60)


def _page_number(request) -> int:
    raw = request.GET.get("page", "1")
    # isdecimal, not isdigit: int() refuses digits such as "²".
    return max(1, int(raw)) if raw.isdecimal() and len(raw) < 6 else 1


@require_safe
@public_cache
def archive(request):
    form = ArchiveFilterForm(request.GET or None)
    records = form.filter(PublicRecord.objects.all()) if request.GET else PublicRecord.objects.all()
    page = _page_number(request)
    # One row more than a page tells whether there is a next page, without counting the archive.
    rows = records.only(*LIST_FIELDS).page((page - 1) * PAGE_SIZE, page * PAGE_SIZE + 1)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form if request.GET else ArchiveFilterForm(),
        "records": rows[:PAGE_SIZE],
        "page": page,
        "has_next": len(rows) > PAGE_SIZE,
        "query": query.urlencode(),
    }
    return render(request, "communications/archive.html", context)


@require_safe
@public_cache
def detail(request, slug):
    record = get_object_or_404(PublicRecord.objects.defer(*DERIVED_FIELDS), slug=slug)
    context = {
        "record": record,
        "replies": record.replies.all(),
        "earlier": PublicRecord.objects.filter(reference__in=record.earlier).only("reference", "slug", "sent_on"),
        "later": PublicRecord.objects.filter(earlier__contains=[record.reference]).only("reference", "slug", "sent_on"),
    }
    return render(request, "communications/detail.html", context)


@require_safe
@public_cache
def letter_pdf(request, slug):
    record = get_object_or_404(PublicRecord.objects.defer(*DERIVED_FIELDS), slug=slug)
    response = HttpResponse(public_letter_stored(record), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{slug}.pdf"'
    return response


@require_safe
@public_cache
def reply_document(request, slug, reply_id):
    """The document of a published reply, as an attachment; 404 where it is not published. Also in the API."""
    reply = (
        PublicReply.objects.filter(record__slug=slug, pk=reply_id, document__isnull=False)
        .only("document", "document_name", "content_type")
        .first()
    )
    if reply is None:
        raise Http404("no published document")
    response = HttpResponse(bytes(reply.document), content_type=reply.content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=reply.document_name or f"reply-{reply.pk}"
    )
    return response


class _Echo:
    def write(self, value):
        return value


# A spreadsheet opening the CSV runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value):
    """The value as a cell a spreadsheet shows as text: a leading quote before a formula's first character."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


@require_safe
@public_cache
def export_csv(request):
    form = ArchiveFilterForm(request.GET or None)
    records = form.filter(PublicRecord.objects.all()) if request.GET else PublicRecord.objects.all()
    header = ["reference", "type", "recipient", "recipient_name", "sent_on", "released_on", "mandates", "themes",
              "violation_types", "reply_status", "replies", "summary", "url"]  # fmt: skip
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(header)
        # The page's query path (page()'s order) and its columns, not the letters', a chunk at a time.
        for record in records.only(*LIST_FIELDS, "released_on").stream(CSV_LIMIT, chunk=CSV_CHUNK):
            yield writer.writerow(
                _cell(value)
                for value in [
                    record.reference, record.kind, record.recipient, record.recipient_name, record.sent_on,
                    record.released_on, "; ".join(record.mandates), "; ".join(record.themes),
                    "; ".join(record.violation_types), record.reply_status, record.reply_count, record.summary,
                    request.build_absolute_uri(f"/communications/{record.slug}/"),
                ]
            )  # fmt: skip

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="communications.csv"'
    return response


@require_safe
@public_cache
def statistics(request):
    # The rendered page is cached as well as the figures, per language, and cleared with them: its table
    # of every year, recipient and type has thousands of rows, which take longer to render than to count.
    # Not with a query string, which the language links repeat.
    key = archive_stats.page_cache_key(get_language())
    page = None if request.GET else cache.get(key)
    if page is None:
        page = render_to_string("communications/stats.html", _statistics_context(), request=request)
        if not request.GET:
            cache.set(key, page, archive_stats.CACHE_SECONDS)
    return HttpResponse(page)


def _statistics_context() -> dict:
    data = archive_stats.statistics()
    years = data["years"]
    states = data["states"][:20]
    charts = {
        "years": archive_stats.bar_chart_svg(
            chart_id="per-year",
            title=_("Communications per year"),
            description=_("Number of released communications sent each year; the table below gives the numbers."),
            bars=[(str(year), sum(counts.values())) for year, counts in years.items()],
        ),
        "answered": archive_stats.bar_chart_svg(
            chart_id="answered",
            title=_("Share of communications answered, by State"),
            description=_("Per cent of released communications that received a reply; the table below gives it."),
            bars=[(state.recipient, round(100 * state.answered_share)) for state in states],
            unit="%",
        ),
    }
    return {
        "years": years,
        "states": data["states"],
        "by_year_count": len(data["by_year"]),
        "by_year": data["by_year"],
        "charts": charts,
    }
