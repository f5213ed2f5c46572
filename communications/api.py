"""The read-only public JSON API of released communications: /api/v1/..., its OpenAPI schema at /api/schema/.

Like every public view it reads PublicRecord and PublicReply only, the redacted
records that communications.release writes when a letter becomes public; the
confidential originals are not even imported here.
"""

from datetime import date
from typing import Any, Literal
from urllib.parse import urlencode

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import register_converter
from ninja import Field, NinjaAPI, Path, Query, Router, Schema

from communications import stats as archive_stats
from communications import views
from communications.models import Kind, PublicRecord, ReplyKind, ReplyStatus
from submissions.models import PriorityFlag, ViolationType

api = NinjaAPI(
    title="Human rights defenders: released communications",
    version="1",
    description=(
        "Read-only data of the communications of the UN Special Rapporteur on the situation of human rights "
        "defenders, as published 60 days after they were sent (earlier after a press release), with the "
        "replies the States allowed to be published. Names of defenders who did not agree to be named are "
        "replaced by initials or '[name withheld]'."
    ),
    urls_namespace="api",
    openapi_url="/schema/",
    docs_url=None,  # the interactive page would load Swagger UI from another host
    docs_decorator=views.public_cache,
)
api.add_decorator(views.public_cache, mode="view")
v1 = Router(tags=["communications"])

MAX_LIMIT = 100
# Far beyond the archive (the whole UN system keeps about 15 years of a few thousand letters); bounded so
# that a silly offset is a 422 instead of a database error.
MAX_OFFSET = 10_000_000
MAX_ID = 2**63 - 1

# Query values of the filters, as the schema lists them.
KindCode = Literal[tuple(Kind.values)]
ReplyStatusCode = Literal[tuple(ReplyStatus.values)]
ReplyKindCode = Literal[tuple(ReplyKind.values)]
ThemeCode = Literal[tuple(PriorityFlag.values)]
ViolationCode = Literal[tuple(ViolationType.values)]

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class AnyTextConverter:
    """Any non-empty path text, "/" and newlines included: a malformed slug reaches the validation (a JSON 422)
    instead of falling through to Django's HTML 404."""

    regex = r"[\s\S]+"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(AnyTextConverter, "anytext")


def page_path(slug: str) -> str:
    """The public HTML page of a record (English; Russian under /ru/)."""
    return f"/communications/{slug}/"


def api_path(slug: str) -> str:
    return f"/api/v1/communications/{slug}"


# --- Schemas ------------------------------------------------------------------


class Message(Schema):
    detail: str


class ValidationErrors(Schema):
    detail: list[dict[str, Any]] = Field(description="One entry per invalid parameter: loc, msg, type.")


class ListParams(Schema):
    recipient: str | None = Field(
        None, pattern=r"^[A-Za-z]{3}$", description="ISO 3166 alpha-3 code of the State (e.g. TJK), or OTH."
    )
    kind: KindCode | None = Field(None, description="UA urgent appeal, AL allegation letter, OL other letter.")
    year: int | None = Field(None, ge=1, le=9999, description="The year the letter was sent.")
    theme: ThemeCode | None = Field(None, description="A thematic priority of the case.")
    violation: ViolationCode | None = Field(None, description="A type of violation alleged.")
    reply_status: ReplyStatusCode | None = None
    q: str | None = Field(
        None,
        max_length=200,
        pattern=r"^[^\x00]*$",
        description="Full-text search in English and Russian; results ranked by relevance instead of date.",
    )
    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


class CommunicationOut(Schema):
    reference: str = Field(examples=["UA TJK 2/2026"])
    slug: str = Field(examples=["ua-tjk-2-2026"])
    kind: KindCode
    recipient: str = Field(description="ISO 3166 alpha-3 code, or OTH for a non-State actor.")
    recipient_name: str
    sent_on: date
    released_on: date
    mandates: list[str] = Field(description="Other special procedures that co-signed.")
    summary: str = Field(description="Plain text.")
    themes: list[str]
    violation_types: list[str]
    reply_status: ReplyStatusCode
    reply_count: int
    url: str = Field(description="Path of the public page.")
    api_url: str = Field(description="Path of this record in the API.")


class CommunicationPage(Schema):
    items: list[CommunicationOut]
    next: str | None = Field(description="Path of the next page with the same filters, or null on the last page.")


class ReplyOut(Schema):
    received_on: date
    kind: ReplyKindCode
    confidential: bool = Field(description="Confidential at the State's request: only its existence is public.")
    text: str
    document_url: str | None = Field(description="Path of the State's document, where it is published.")


class CommunicationDetail(CommunicationOut):
    language: str
    letter_html: str = Field(description="The letter as sanitised HTML.")
    earlier: list[str] = Field(description="References of the earlier released communications in the same case.")
    replies: list[ReplyOut]


class YearCount(Schema):
    year: int
    recipient: str
    kind: KindCode
    count: int


class RecipientStats(Schema):
    recipient: str
    recipient_name: str
    total: int
    answered: int
    answered_share: float = Field(ge=0, le=1)
    answered_within_60_days: int
    answered_within_60_days_share: float = Field(ge=0, le=1)
    median_days_to_first_reply: float | None


class Stats(Schema):
    by_year: list[YearCount] = Field(description="Communications per year, recipient and kind.")
    by_recipient: list[RecipientStats] = Field(description="Replies per recipient, most communications first.")


def _item(record: PublicRecord) -> dict:
    return {
        "reference": record.reference,
        "slug": record.slug,
        "kind": record.kind,
        "recipient": record.recipient,
        "recipient_name": record.recipient_name,
        "sent_on": record.sent_on,
        "released_on": record.released_on,
        "mandates": record.mandates,
        "summary": record.summary,
        "themes": record.themes,
        "violation_types": record.violation_types,
        "reply_status": record.reply_status,
        "reply_count": record.reply_count,
        "url": page_path(record.slug),
        "api_url": api_path(record.slug),
    }


LIST_FIELDS = [name for name in CommunicationOut.model_fields if name not in ("url", "api_url")] + ["id"]

# --- Operations -----------------------------------------------------------------


@v1.get("/communications", response={200: CommunicationPage, 422: ValidationErrors})
def communication_list(request: HttpRequest, params: Query[ListParams]) -> dict:
    """Released communications, newest first (best match first with `q`), with filters."""
    records = PublicRecord.objects.only(*LIST_FIELDS).filtered(
        q=params.q,
        recipient=params.recipient,
        kind=params.kind,
        year=params.year,
        theme=params.theme,
        violation=params.violation,
        reply_status=params.reply_status,
    )
    # One row more than asked tells whether there is a next page, without counting the whole set.
    page = records.page(params.offset, params.offset + params.limit + 1)
    following = None
    if len(page) > params.limit and params.offset + params.limit <= MAX_OFFSET:
        query = params.model_dump(exclude_none=True) | {"offset": params.offset + params.limit}
        following = f"{request.path}?{urlencode(query)}"
    return {"items": [_item(record) for record in page[: params.limit]], "next": following}


@v1.get(
    "/communications/{anytext:slug}/replies/{reply_id}/document",
    response={404: Message, 422: ValidationErrors},
    openapi_extra={
        "responses": {
            200: {
                "description": "The State's document, as received.",
                "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def reply_document(
    request: HttpRequest,
    slug: str = Path(..., max_length=40, pattern=SLUG_PATTERN),
    reply_id: int = Path(..., ge=1, le=MAX_ID),
) -> HttpResponse:
    """The document of a published reply, as an attachment; 404 where it is not published."""
    return views.reply_document(request, slug, reply_id)


# Registered after the document route, which the "anytext" slug would swallow otherwise.
@v1.get("/communications/{anytext:slug}", response={200: CommunicationDetail, 404: Message, 422: ValidationErrors})
def communication_detail(
    request: HttpRequest, slug: str = Path(..., max_length=40, pattern=SLUG_PATTERN, examples=["ua-tjk-2-2026"])
) -> dict:
    """One released communication with its letter and the replies the public may read."""
    record = PublicRecord.objects.defer("letter_text", "search", "search_rank").filter(slug=slug).first()
    if record is None:
        raise Http404("no released communication with this slug")
    replies = record.replies.defer("document").annotate(
        has_document=ExpressionWrapper(Q(document__isnull=False), output_field=BooleanField())
    )
    # Only earlier letters that are public themselves: a withheld one must not be revealed by its reference.
    released = set(PublicRecord.objects.filter(reference__in=record.earlier).values_list("reference", flat=True))
    return _item(record) | {
        "language": record.language,
        "letter_html": record.letter_html,
        "earlier": [reference for reference in record.earlier if reference in released],
        "replies": [
            {
                "received_on": reply.received_on,
                "kind": reply.kind,
                "confidential": reply.confidential,
                "text": reply.text,
                "document_url": (
                    f"{api_path(record.slug)}/replies/{reply.pk}/document" if reply.has_document else None
                ),
            }
            for reply in replies
        ],
    }


@v1.get("/stats", response=Stats)
def statistics(request: HttpRequest) -> dict:
    """Communications per year, recipient and kind; per recipient the share answered, and how fast."""
    # The same figures as the statistics page, from the same cache (cleared by every release).
    figures = archive_stats.statistics()
    return {
        "by_year": [{**row, "count": row["n"]} for row in figures["by_year"]],
        "by_recipient": [
            {
                "recipient": state.recipient,
                # Many companies and groups share the code OTH; the name of one of them would mislead.
                "recipient_name": "Non-State actors" if state.recipient == "OTH" else state.name,
                "total": state.total,
                "answered": state.answered,
                "answered_share": round(state.answered_share, 4),
                "answered_within_60_days": state.within_60,
                "answered_within_60_days_share": round(state.within_60_share, 4),
                "median_days_to_first_reply": state.median_days,
            }
            for state in figures["states"]
        ],
    }


api.add_router("/v1/", v1)

# What portal.urls mounts at /api/ with include("communications.api"), in the namespace the API reverses in.
urlpatterns = api.urls[0]
app_name = api.urls_namespace
