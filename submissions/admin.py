"""The staff review queue in the Django admin.

Every decision calls a service in submissions.services; nothing here writes
a status itself. Desk officers see only their desks' submissions: the
queryset is filtered, so other desks' cases are absent, not merely hidden.
Every page that shows decrypted personal data writes an audit record.
"""

import logging
from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import display_for_field
from django.contrib.admin.views.main import ChangeList
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, prefetch_related_objects
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import linebreaksbr
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext

from portal import sealed_files
from portal.audit import audit_read, audit_refusal
from portal.roles import EVERY_DESK, manages_desks, sees_every_desk
from portal.sealing import protected_fields
from submissions import selectors, services
from submissions.models import (
    DONE,
    Attachment,
    Consent,
    ContactMethod,
    ContactSafety,
    CurrentSituation,
    Defender,
    Desk,
    DeskCountry,
    Element,
    InadmissibleReason,
    Message,
    PriorityFlag,
    SourceRelationship,
    Status,
    StatusChange,
    Submission,
    ViolationType,
    WorkArea,
    WrittenConsent,
)
from submissions.services import OPEN_STATUSES, StatusConflict

logger = logging.getLogger(__name__)

OVERDUE_URGENT = timedelta(hours=48)
OVERDUE_OTHER = timedelta(days=30)
# A filter matching more than this is shown as "more than ...": counting a long
# queue to the end costs more than the page, and nobody pages past it.
COUNT_CAP = 1_000


# What a row of the queue shows (SubmissionAdmin.list_display): the rest of a case is not read for the list.
ROW_FIELDS = [
    "reference", "status", "desk", "urgent", "priority", "flags", "created_at", "missing_elements", "assignee",
]  # fmt: skip

# Stands for a case's key in a change URL reversed once for a list.
CASE_PK = "CASEPK"

# Possible duplicates listed on a case page, oldest first (the rest counted).
DUPLICATES_SHOWN = 25


class CappedCountPaginator(Paginator):
    """Counts at most COUNT_CAP rows: a queue page never scans the whole table to count it."""

    @cached_property
    def count(self) -> int:
        # SELECT COUNT(*) FROM (... LIMIT COUNT_CAP + 1): stops early on a long queue.
        return self.object_list.order_by().values("pk")[: COUNT_CAP + 1].count()


class QueueChangeList(ChangeList):
    """The queue list: none of the encrypted columns it never shows are read or decrypted."""

    @property
    def count_cap(self) -> int:
        return COUNT_CAP

    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).defer(*protected_fields(Submission))

    def get_results(self, request):
        # The rows read only what the columns show (ROW_FIELDS): building 50 cases of 30 columns, their arrays
        # parsed, was most of reading the page. Not in get_queryset: an action gets whole cases from there.
        self.queryset = self.queryset.only(*ROW_FIELDS)
        super().get_results(request)
        # The consent column reads each row's consents: one query for the page, not one per row.
        self.result_list = list(self.result_list)
        prefetch_related_objects(self.result_list, selectors.with_consents())


class FlagFilter(admin.SimpleListFilter):
    title = "priority flag"
    parameter_name = "flag"

    def lookups(self, request, model_admin):
        return PriorityFlag.choices

    def queryset(self, request, queryset):
        return queryset.filter(flags__contains=[self.value()]) if self.value() else queryset


class WorkFilter(admin.SimpleListFilter):
    """The queue opens on work still to do: closed, duplicate, inadmissible and sent cases are one click away.
    A status chosen in the status filter is shown whatever it is."""

    title = "work"
    parameter_name = "work"

    def lookups(self, request, model_admin):
        return [("done", "Closed, duplicate, not admissible or sent"), ("all", "Everything")]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": "Open work",
        }
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == "done":
            return queryset.filter(status__in=DONE)
        # An action (a POST) acts on the ticked rows even if one was decided meanwhile: it then says so.
        if self.value() == "all" or "status__exact" in request.GET or request.method == "POST":
            return queryset
        return queryset.exclude(status__in=DONE)


class CompletenessFilter(admin.SimpleListFilter):
    title = "completeness"
    parameter_name = "complete"

    def lookups(self, request, model_admin):
        return [("yes", "Complete"), ("no", "Something missing")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(missing_elements=[])
        if self.value() == "no":
            return queryset.exclude(missing_elements=[])
        return queryset


class AssigneeFilter(admin.SimpleListFilter):
    title = "assignee"
    parameter_name = "assignee"

    def lookups(self, request, model_admin):
        return [("me", "Assigned to me"), ("none", "Unassigned")]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(assignee=request.user)
        if self.value() == "none":
            return queryset.filter(assignee__isnull=True)
        return queryset


class DeskFilter(admin.RelatedFieldListFilter):
    def field_choices(self, field, request, model_admin):
        desks = Desk.objects.all()

        if not sees_every_desk(request.user):
            desks = desks.filter(members=request.user)
        return [(desk.pk, desk.name) for desk in desks]


_FLAG_WORDS: dict[str, dict[str, str]] = {}


def flag_words() -> dict[str, str]:
    """The priority flags' labels in the language of the request, translated once per language: the queue
    shows a few on each of its rows, and a lazy label is translated again each time it is written."""
    language = get_language()
    words = _FLAG_WORDS.get(language)
    if words is None:
        words = _FLAG_WORDS[language] = {flag.value: str(flag.label) for flag in PriorityFlag}
    return words


def labels(values, choices) -> str:
    """Stored codes as their labels, unknown ones as they are."""
    return ", ".join(_label(value, choices) for value in values) or "-"


def _label(value, choices) -> str:
    try:
        return str(choices(value).label)  # a lookup; `value in choices.values` listed every choice each time
    except ValueError:
        return value


# The source's own answers as staff read them. The form's choices speak as the source does ("I am the
# victim", "Do not contact me"); on a staff page that reads as if the office were speaking.
FOR_STAFF = {
    "source_relationship": {
        SourceRelationship.VICTIM: "The source is the victim",
        SourceRelationship.FAMILY: "A family member of the victim",
        SourceRelationship.ORGANISATION: "An organisation working with the victim",
        SourceRelationship.WITNESS: "A witness",
        SourceRelationship.OTHER: "Other (see the relationship to the victim)",
    },
    "contact_method": {
        ContactMethod.RECEIPT_ONLY: "Not to be contacted: the source checks with the receipt",
    },
    "contact_safety": {
        ContactSafety.SAFE: "Safe to contact",
        ContactSafety.CAREFUL: "Only with care (see the contact details)",
        ContactSafety.UNSAFE: "Not safe: do not contact the source",
    },
    "written_consent": {
        WrittenConsent.SOURCE_IS_VICTIM: "The source is the victim",
        WrittenConsent.WRITTEN: "The victim has given written consent",
        WrittenConsent.NOT_YET: "Written consent not obtained yet",
    },
}


def country_words(obj) -> str:
    """The country's name, as the admin shows a country field. The admin looks a field's value up in all its
    choices: for a country it builds and normalises 250 of them, twice, for each country on the page."""
    return obj.country.name or "-"


def for_staff(obj, field: str) -> str:
    """A choice the source made, in the third person; the form's own label where it reads the same."""
    value = getattr(obj, field)
    return FOR_STAFF[field].get(value) or getattr(obj, f"get_{field}_display")() or "-"


class CaseTable:
    """One part of a case (its defenders, consents, messages, files or history), read-only rows on its page.

    These were Django's tabular inlines: on a page where nothing can be changed, each request built a form class,
    a form for every row with its hidden inputs, and a management form, about a fifth of the case page's CPU
    (bench/profile_queue.py). A table reads its rows in one query and writes each cell as the admin writes a
    read-only field: choices in words, dates in the staff's format, yes and no as the admin's icons, "-" for none.
    """

    prefix: str  # the HTML ids of the table and its rows ("defenders-group", "defenders-0")
    model: type
    title: str
    fields: list[str]  # the model's fields, or the table's methods (admin.display) for cells in words
    order_by: list[str]  # within the case: ordering by the case itself would join its table for nothing
    related: list[str] = []
    # Each row a block of labelled lines, not a line of cells: for rows of many fields, which as columns would
    # not fit beside the admin's menu at 1,024 px.
    stacked = False
    row_title = ""  # heading of a stacked row, numbered

    def __init__(self, submission: Submission, empty: str):
        self.submission = submission
        self.empty = empty

    def rows(self) -> list:
        rows = self.model.objects.filter(submission=self.submission).order_by(*self.order_by)
        if self.related:  # select_related() with no names would follow every foreign key, the case's included
            rows = rows.select_related(*self.related)
        rows = list(rows)
        for row in rows:
            row.submission = self.submission  # for displays that name the case: not read again for each row
        return rows

    def columns(self) -> list[tuple[str, str, str]]:
        """(name, label, help text) of each column."""
        columns = []
        for name in self.fields:
            if hasattr(self, name):
                columns.append((name, capfirst(getattr(self, name).short_description), ""))
            else:
                field = self.model._meta.get_field(name)
                columns.append((name, capfirst(field.verbose_name), field.help_text))
        return columns

    def cell(self, row, name: str) -> str:
        """What the admin's AdminReadonlyField.contents() writes for this field of a row."""
        if hasattr(self, name):
            value = getattr(self, name)(row)
            return value if hasattr(value, "__html__") else linebreaksbr(value)
        field = self.model._meta.get_field(name)
        value = getattr(row, name)
        if field.is_relation:
            return linebreaksbr(self.empty if value is None else str(value))
        return linebreaksbr(display_for_field(value, field, self.empty))

    def context(self) -> dict:
        columns = self.columns()
        return {
            "prefix": self.prefix,
            "title": self.title,
            "stacked": self.stacked,
            "row_title": self.row_title,
            "columns": columns,
            "rows": [[(name, label, self.cell(row, name)) for name, label, _ in columns] for row in self.rows()],
        }


class DefenderTable(CaseTable):
    prefix, model, title = "defenders", Defender, "Defenders"
    fields = [
        "kind", "name", "gender", "age_group", "has_disability", "country_words", "region", "remote_area",
        "work_area_words", "work_description", "cooperated_with_un",
    ]  # fmt: skip
    order_by = ["position"]
    stacked, row_title = True, "Defender"

    @admin.display(description=Defender._meta.get_field("country").verbose_name)
    def country_words(self, obj):
        return country_words(obj)

    @admin.display(description="areas of work")
    def work_area_words(self, obj):
        return labels(obj.work_areas, WorkArea)


class ConsentTable(CaseTable):
    prefix, model, title = "consents", Consent, "Consent (newest last; the newest applies)"
    fields = [
        "recorded_at", "contact_government", "public_naming", "written_consent_words", "withdrawn", "via",
        "text_version", "language",
    ]  # fmt: skip

    def rows(self) -> list:
        # Read once with the case (SubmissionAdmin.get_object): the consent panel shows the newest too.
        return sorted(self.submission.consents.all(), key=lambda c: (c.recorded_at, c.pk))

    @admin.display(description="written consent")
    def written_consent_words(self, obj):
        return for_staff(obj, "written_consent")


class MessageTable(CaseTable):
    prefix, model, title = "messages", Message, "Messages"
    fields = ["created_at", "direction", "author", "body"]
    order_by = ["created_at", "id"]
    related = ["author"]


class AttachmentTable(CaseTable):
    prefix, model, title = "attachments", Attachment, "Attachments"
    fields = ["created_at", "name", "kind", "size", "sha256", "cleaning", "cleaning_note", "download"]
    order_by = ["created_at", "id"]

    @admin.display(description="files")
    def download(self, obj):
        links = [
            (
                reverse("admin:submissions_submission_attachment", args=[obj.submission_id, obj.pk, "original"]),
                "original (evidence)",
            )
        ]
        if obj.has_working_copy():
            links.append(
                (
                    reverse("admin:submissions_submission_attachment", args=[obj.submission_id, obj.pk, "working"]),
                    "working copy",
                )
            )
        return format_html_join(" · ", '<a href="{}">{}</a>', links)


class StatusChangeTable(CaseTable):
    prefix, model, title = "status_changes", StatusChange, "Decisions and status changes"
    fields = ["created_at", "from_status", "to_status", "actor", "changed_by", "reason"]
    order_by = ["created_at", "id"]
    related = ["changed_by"]


class DecisionForm(forms.Form):
    DECISIONS = [
        ("assign", "Assign to a colleague"),
        ("request_information", "Ask the source for more information"),
        ("accept", "Accept (move on to a communication)"),
        ("not_admissible", "Not admissible"),
        ("duplicate", "Duplicate of another submission (merge into it)"),
        ("link", "Link to another submission about the same defender"),
    ]
    decision = forms.ChoiceField(choices=DECISIONS, widget=forms.RadioSelect)
    assignee = forms.ModelChoiceField(queryset=get_user_model().objects.none(), required=False)
    question = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text="Shown to the source in their receipt inbox.",
    )
    reason = forms.ChoiceField(choices=[("", "---"), *InadmissibleReason.choices], required=False)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="Why: recorded with the decision."
    )
    other_reference = forms.CharField(required=False, help_text="Reference of the other submission, HRD-XXXXX-XXXXX.")

    def __init__(self, *args, submission: Submission, **kwargs):
        super().__init__(*args, **kwargs)
        # Only colleagues who can see the case: anyone else would never find it in a queue.
        self.fields["assignee"].queryset = (
            get_user_model()
            .objects.filter(is_staff=True, is_active=True)
            .filter(
                Q(is_superuser=True)
                | Q(groups__name__in=EVERY_DESK)
                | (Q(desks=submission.desk_id) if submission.desk_id else Q(pk__in=[]))
            )
            .distinct()
            .order_by("username")
        )

    def clean(self):
        data = super().clean()
        needs = {
            "assign": "assignee",
            "request_information": "question",
            "not_admissible": "reason",
            "duplicate": "other_reference",
            "link": "other_reference",
        }
        field = needs.get(data.get("decision"))
        if field and not data.get(field):
            self.add_error(field, "Needed for this decision.")
        return data


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = [
        "reference", "status", "desk", "urgency", "priority", "flag_list", "waiting", "assignee", "complete",
        "consent_now",
    ]  # fmt: skip
    list_filter = [
        WorkFilter, "status", ("desk", DeskFilter), FlagFilter, "urgent", CompletenessFilter, AssigneeFilter,
    ]  # fmt: skip
    list_select_related = ["desk", "assignee"]
    search_fields = ["=reference"]
    ordering = ["-urgent", "-priority", "created_at"]
    paginator = CappedCountPaginator
    show_full_result_count = False
    list_per_page = 50
    actions = ["assign_to_me", "accept", "confirm_suggested_flags"]
    # The parts of a case, in tables under its fields.
    tables = [DefenderTable, ConsentTable, MessageTable, AttachmentTable, StatusChangeTable]

    class Media:
        css = {"all": ["css/staff.css"]}

    fieldsets = [
        ("Queue", {"fields": [
            "reference", "status", "desk", "urgent", "priority", "flag_words", "suggested_flag_words", "missing_words",
            "assignee", "created_at", "screened_at", "duplicate_of_link", "related_list", "consent_now",
        ]}),
        ("Source (never disclosed)", {"fields": [
            "source_name", "source_relationship_words", "source_relationship_detail", "contact_method_words",
            "contact_details", "contact_safety_words", "notify_email", "language",
        ]}),
        ("People who must never be named (the source's list)", {
            "fields": ["confidential_list"],
            "description": "Like the source, never named to the government or in public: the name gate stops any "
                           "letter, summary or reply that holds one of these names, in any form or spelling.",
        }),
        ("What happened", {"fields": [
            "violation_words", "violation_other", "situation_words", "incident_date", "incident_dates_detail",
            "country_words", "place", "perpetrator_kind", "perpetrators", "description", "current_risk", "steps_taken",
        ]}),
        ("Confirmed by the source", {"fields": ["good_faith", "direct_knowledge", "media_only"]}),
    ]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        return [name for fieldset in self.fieldsets for name in fieldset[1]["fields"]]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        # Read-only: every change is a decision, made through the decide view and the services.
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_changelist(self, request, **kwargs):
        return QueueChangeList

    # --- columns --------------------------------------------------------------

    def action_checkbox(self, obj):
        # Django's checkbox, written out: rendering a widget through the template engine for every row was a
        # fifth of the queue page's time. Then format_html, twice a row, was half of what was left: the same
        # HTML, the case's reference escaped and the translated wording written as it is, as format_html does.
        label = gettext("Select this object for an action - {}").format(escape(str(obj)))
        return mark_safe(  # noqa: S308 (the values escaped above and here)
            f'<input type="checkbox" name="{escape(helpers.ACTION_CHECKBOX_NAME)}" value="{escape(obj.pk)}" '
            f'class="action-select" aria-label="{label}">'
        )

    @admin.display(description="urgent", ordering="-urgent")
    def urgency(self, obj):
        return format_html('<strong class="urgent">{}</strong>', "URGENT") if obj.urgent else ""

    @admin.display(description="flags")
    def flag_list(self, obj):
        words = flag_words()
        return ", ".join(words.get(flag) or str(PriorityFlag(flag).label) for flag in obj.flags)

    @admin.display(description="waiting", ordering="created_at")
    def waiting(self, obj):
        age = timezone.now() - obj.created_at
        text = f"{age.days} d" if age.days else f"{age.seconds // 3600} h"
        limit = OVERDUE_URGENT if obj.urgent else OVERDUE_OTHER
        if obj.status in OPEN_STATUSES and age > limit:
            return format_html('<strong class="overdue">{} overdue</strong>', text)
        return text

    @admin.display(description="complete", boolean=True)
    def complete(self, obj):
        return obj.is_complete

    def get_object(self, request, object_id, from_field=None):
        # The case page asks twice (change_view below, then Django's own view): the case is read and opened once.
        known = getattr(request, "_queue_case", None)
        if known is not None and known[0] == (object_id, from_field):
            return known[1]
        # Django's lookup, with the desk and the assignee the page shows read in the same query.
        field = Submission._meta.pk if from_field is None else Submission._meta.get_field(from_field)
        try:
            obj = (
                self.get_queryset(request)
                .select_related("desk", "assignee")
                .get(**{field.name: field.to_python(object_id)})
            )
        except (Submission.DoesNotExist, ValidationError, ValueError):
            obj = None
        if obj is not None:
            # For the displays below, which Django calls without the request: only what this user may see.
            obj.viewer = request.user
            # The consent shows twice on the page (the panel and the field): one query for both.
            prefetch_related_objects([obj], "consents")
        request._queue_case = ((object_id, from_field), obj)
        return obj

    def _visible(self, obj, queryset):
        viewer = getattr(obj, "viewer", None)
        return queryset.visible_to(viewer) if viewer is not None else queryset.none()

    # Codes in words: staff read "Online attacks or smear campaigns", not "online_attacks".
    @admin.display(description="priority flags")
    def flag_words(self, obj):
        return labels(obj.flags, PriorityFlag)

    @admin.display(description="suggested flags")
    def suggested_flag_words(self, obj):
        return labels(obj.suggested_flags, PriorityFlag)

    @admin.display(description="missing elements")
    def missing_words(self, obj):
        return labels(obj.missing_elements, Element)

    # The source's answers in the third person (FOR_STAFF); the labels are the model's verbose names.
    @admin.display(description="how the source knows the facts")
    def source_relationship_words(self, obj):
        return for_staff(obj, "source_relationship")

    @admin.display(description="safe way to contact the source")
    def contact_method_words(self, obj):
        return for_staff(obj, "contact_method")

    @admin.display(description="is it safe to contact the source")
    def contact_safety_words(self, obj):
        return for_staff(obj, "contact_safety")

    @admin.display(description="violations")
    def violation_words(self, obj):
        return labels(obj.violation_types, ViolationType)

    @admin.display(description="situation now")
    def situation_words(self, obj):
        return labels(obj.current_situation, CurrentSituation)

    @admin.display(description=Submission._meta.get_field("country").verbose_name)
    def country_words(self, obj):
        return country_words(obj)

    @admin.display(description="names")
    def confidential_list(self, obj):
        names = obj.confidential_names
        if not names:
            return "none"
        items = format_html_join("", "<li>{}</li>", ((name,) for name in names))
        return format_html('<ul class="confidential-people">{}</ul>', items)

    @admin.display(description="consent")
    def consent_now(self, obj):
        consent, previous = selectors.consent_pair(obj)
        if consent is None:
            return "-"
        state, words = consent.glance(previous)
        how = "through the receipt" if consent.via == "receipt" else "at intake"
        return format_html(
            '<span class="consent consent-{}">{}</span> <span class="consent-when">({} {})</span>',
            state, words, how, consent.recorded_at.strftime("%Y-%m-%d"),
        )  # fmt: skip

    @admin.display(description="linked submissions")
    def related_list(self, obj):
        # Other desks' cases stay unnamed: a desk officer sees the links within their own desks.
        # Their references only: no sealed column of theirs read, so that no other case's key is opened for it.
        linked = self._visible(obj, obj.related.only("pk", "reference"))
        return (
            format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                ((reverse("admin:submissions_submission_change", args=[o.pk]), o) for o in linked),
            )
            or "none"
        )

    @admin.display(description="duplicate of")
    def duplicate_of_link(self, obj):
        if obj.duplicate_of_id is None:
            return "-"
        original = self._visible(obj, Submission.objects.filter(pk=obj.duplicate_of_id).only("reference")).first()
        return original.reference if original else "a case of another desk"

    # --- reading, audited -----------------------------------------------------

    def change_view(self, request, object_id, form_url="", extra_context=None):
        submission = self.get_object(request, object_id)
        if submission is not None:
            # What the panel shows of each: no sealed column, so that no other case's key is opened for it.
            duplicates = (
                services.possible_duplicates(submission)
                .visible_to(request.user)
                .only("pk", "reference", "status", "created_at")
            )
            # A defender reported many times would make a page of hundreds of links: the oldest few, and how many.
            shown = list(duplicates[:DUPLICATES_SHOWN])
            extra_context = {
                **(extra_context or {}),
                "possible_duplicates": shown,
                "possible_duplicates_count": duplicates.count() if len(shown) == DUPLICATES_SHOWN else len(shown),
                "consent_unnoted": selectors.consent_change_unnoted(submission),
                "consent_glance": self.consent_now(submission),
                "case_tables": [table(submission, self.get_empty_value_display()).context() for table in self.tables],
            }
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200 and submission is not None:
            fields = protected_fields(Submission) + [f"defender.{name}" for name in protected_fields(Defender)]
            fields += ["message.body", "attachment.name", "statuschange.reason"]
            audit_read(user=request.user, obj=submission, fields=fields)
        return response

    def get_urls(self):
        return [
            path(
                "<int:pk>/decide/", self.admin_site.admin_view(self.decide_view), name="submissions_submission_decide"
            ),
            path(
                "<int:pk>/consent-noted/",
                self.admin_site.admin_view(self.consent_noted_view),
                name="submissions_submission_consent_noted",
            ),
            path(
                "<int:pk>/attachment/<int:attachment_id>/<str:copy>/",
                self.admin_site.admin_view(self.attachment_view),
                name="submissions_submission_attachment",
            ),
            *super().get_urls(),
        ]

    def _visible_submission(self, request, pk) -> Submission:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=pk)

    def attachment_view(self, request, pk, attachment_id, copy):
        submission = self._visible_submission(request, pk)
        attachment = get_object_or_404(Attachment, pk=attachment_id, submission=submission)
        if copy not in ("original", "working"):
            raise Http404
        try:
            chunks = attachment.chunks(copy)
        except sealed_files.Unreadable:
            logger.error("attachment %s: its %s file is missing", attachment.pk, copy)
            raise Http404 from None
        if chunks is None:
            raise Http404
        audit_read(user=request.user, obj=attachment, fields=[copy], action="download")
        # Decrypted piece by piece as it is sent: a large file never sits whole in the worker's memory.
        response = StreamingHttpResponse(chunks, content_type=attachment.content_type)
        response["Content-Disposition"] = "attachment"
        response["Cache-Control"] = "no-store"
        return response

    def changelist_view(self, request, extra_context=None):
        news = selectors.consent_news(user=request.user)
        # One URL reversed for the panel, each case's key put in it (as the queue's rows have theirs).
        change = reverse("admin:submissions_submission_change", args=[CASE_PK], current_app=self.admin_site.name)
        for case in news:
            case.consent_glance = self.consent_now(case)
            case.change_url = change.replace(CASE_PK, str(case.pk))
        return super().changelist_view(request, {**(extra_context or {}), "consent_news": news})

    # --- decisions --------------------------------------------------------------

    def consent_noted_view(self, request, pk):
        submission = self._visible_submission(request, pk)
        if request.method != "POST" or not request.user.has_perm("submissions.triage_submission"):
            raise PermissionDenied
        services.submission_consent_noted(submission=submission, by=request.user)
        messages.success(request, f"{submission}: the consent change is noted.")
        return redirect("admin:submissions_submission_change", submission.pk)

    def decide_view(self, request, pk):
        submission = self._visible_submission(request, pk)
        if not request.user.has_perm("submissions.triage_submission"):
            raise PermissionDenied
        form = DecisionForm(request.POST or None, submission=submission)
        if request.method == "POST" and form.is_valid():
            try:
                self._apply(request, submission, form.cleaned_data)
            except StatusConflict:
                messages.error(request, f"{submission} was decided by someone else meanwhile; nothing was changed.")
            except Submission.DoesNotExist:
                form.add_error("other_reference", "No submission you can see has this reference.")
            except ValueError as error:
                form.add_error("other_reference", str(error))
            else:
                messages.success(request, f"{submission}: decision recorded.")
                return redirect("admin:submissions_submission_change", submission.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": submission,
            "form": form,
            "title": f"Decide on {submission}",
        }
        return TemplateResponse(request, "admin/submissions/submission/decide.html", context)

    def _apply(self, request, submission: Submission, data: dict) -> None:
        decision = data["decision"]
        user = request.user
        if decision == "assign":
            services.submission_assign(submission=submission, assignee=data["assignee"], by=user)
        elif decision == "request_information":
            services.submission_request_information(submission=submission, by=user, question=data["question"])
        elif decision == "accept":
            services.submission_accept(submission=submission, by=user, reason=data["note"])
        elif decision == "not_admissible":
            services.submission_reject(submission=submission, by=user, reason=data["reason"], note=data["note"])
        else:
            other = self.get_queryset(request).get(reference=data["other_reference"].strip().upper())
            if decision == "duplicate":
                services.submission_mark_duplicate(submission=submission, original=other, by=user)
            else:
                services.submission_link(submission=submission, other=other, by=user)

    def _each(self, request, queryset, decide, done: str):
        if not request.user.has_perm("submissions.triage_submission"):
            raise PermissionDenied
        changed = 0
        for submission in queryset:
            try:
                decide(submission)
                changed += 1
            except StatusConflict:
                messages.warning(request, f"{submission} is no longer open; left as it is.")
        messages.success(request, f"{changed} submission(s) {done}.")

    @admin.action(description="Assign to me")
    def assign_to_me(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda s: services.submission_assign(submission=s, assignee=request.user, by=request.user),
            "assigned to you",
        )

    @admin.action(description="Accept (move on to a communication)")
    def accept(self, request, queryset):
        self._each(request, queryset, lambda s: services.submission_accept(submission=s, by=request.user), "accepted")

    @admin.action(description="Confirm the suggested priority flags")
    def confirm_suggested_flags(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda s: services.submission_confirm_flags(submission=s, flags=s.suggested_flags),
            "updated",
        )


class DeskCountryInline(admin.TabularInline):
    model = DeskCountry
    extra = 1


@admin.register(Desk)
class DeskAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "email"]
    inlines = [DeskCountryInline]
    filter_horizontal = ["members"]

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # A desk's members see its cases: nobody adds themselves (another administrator does).
        if request.method == "POST" and str(request.user.pk) in request.POST.getlist("members"):
            desk = self.get_object(request, object_id) if object_id else None
            if desk is None or not desk.members.filter(pk=request.user.pk).exists():
                audit_refusal(user=request.user, obj=desk or request.user, attempted=["desk member"])
                raise PermissionDenied
        return super().changeform_view(request, object_id, form_url, extra_context)

    def get_queryset(self, request):
        # A desk officer sees their own desks and colleagues; administrators keep every desk.
        queryset = super().get_queryset(request)
        if sees_every_desk(request.user) or manages_desks(request.user):
            return queryset
        return queryset.filter(members=request.user)


@admin.register(DeskCountry)
class DeskCountryAdmin(admin.ModelAdmin):
    list_display = ["country", "desk"]
    list_filter = ["desk"]


def queue_panel(request) -> dict:
    """The admin index's panel: open submissions per desk and status, of the desks the user sees."""
    # Counted by desk id from the (status, desk) index alone (COUNT(*)), and the few desks named after: grouping
    # every open case by the joined desk name cost 8 of 10 ms at 100,000 cases.
    counts = (
        Submission.objects.visible_to(request.user)
        .filter(status__in=OPEN_STATUSES)
        .values("desk", "status")
        .annotate(n=Count("*"))
        .order_by()
    )
    desks: dict = {}
    for row in counts:
        desk = desks.setdefault(row["desk"], {"id": row["desk"], "total": 0})
        desk[row["status"]] = row["n"]
        desk["total"] += row["n"]
    names = dict(Desk.objects.filter(pk__in=[pk for pk in desks if pk is not None]).values_list("pk", "name"))
    for desk in desks.values():
        desk["name"] = names.get(desk["id"])
    # By name, cases of no desk last (as PostgreSQL sorts NULL).
    rows = sorted(desks.values(), key=lambda row: (row["name"] is None, row["name"] or ""))
    biggest = max((row["total"] for row in rows), default=0)
    columns = [(status, Status(status).label) for status in OPEN_STATUSES]
    for row in rows:
        row["cells"] = [row.get(status, 0) for status, _ in columns]
    return {"queue_rows": rows, "queue_columns": columns, "queue_max": biggest}


admin.site.register_index_panel("admin/submissions/queue_panel.html", queue_panel)
