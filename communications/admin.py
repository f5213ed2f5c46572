"""Communications in the staff site: drafting from accepted cases, the approval
workflow, replies, the PDF, and the libraries of norms, templates and mandates.

Each workflow button posts to a small view that calls one service."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django_countries import countries

from communications import gate, references, selectors, services
from communications.models import (
    Communication,
    CommunicationStatus,
    CommunicationStatusChange,
    Kind,
    Language,
    LetterTemplate,
    Mandate,
    NormParagraph,
    Reply,
)
from communications.names import initials
from communications.pdf import letter_pdf
from communications.proposals import Proposal, communication_propose
from communications.services import WorkflowError
from portal import sealing
from portal.audit import audit_read
from portal.roles import sees_every_desk
from submissions.models import Submission, ViolationType

S = CommunicationStatus
# Workflow steps recorded with the reason staff give.
REASON_NEEDED = ("withhold", "release", "back_to_draft", "acknowledge_consent")
# What the letter waits for, in words, above its workflow buttons.
NEXT_STEP = {
    S.DRAFT: "The desk officer edits the draft below, then submits it for review.",
    S.IN_REVIEW: "The rapporteur reads the letter below and approves it, or sends it back to draft.",
    S.APPROVED: "The desk officer sends the signed letter, then records it as sent: that gives it its reference.",
    S.SENT: "Record the State's reply when it comes. The letter becomes public 60 days after sending, "
    "unless the rapporteur releases it earlier or withholds it.",
    S.WITHHELD: "Withheld from publication. The rapporteur may release it, with a reason.",
    S.RELEASED: "Public. A late reply can still be recorded.",
}


def visible_communications(user):
    """Desk officers see the communications about their desks' cases; the others see all."""
    if sees_every_desk(user):
        return Communication.objects.all()
    return Communication.objects.filter(submissions__desk__members=user).distinct()


def recipient_choices():
    states = sorted((countries.alpha3(code), f"{countries.alpha3(code)}: {name}") for code, name in countries)
    return [("OTH", "OTH: a company, armed group or other non-State actor"), *states]


class CasePicker(forms.ModelMultipleChoiceField):
    """Each case as staff tell cases apart: reference, country, urgency, violations, the defenders' initials."""

    def label_from_instance(self, obj):
        parts = [obj.reference, obj.country.name, "URGENT" if obj.urgent else "not urgent"]
        parts.append(", ".join(str(ViolationType(v).label) for v in obj.violation_types if v in ViolationType.values))
        parts.append(" / ".join(initials(d.name) for d in obj.defenders.all()) or "no defender named")
        parts.append(f"received {obj.created_at:%Y-%m-%d}")
        return " · ".join(part for part in parts if part)


PROPOSE = [("", "Propose from the selected cases")]


class DraftForm(forms.Form):
    submissions = CasePicker(
        queryset=Submission.objects.none(), widget=forms.CheckboxSelectMultiple,
        help_text="Accepted submissions this letter is about (or, for a follow-up, cases already written about).",
    )  # fmt: skip
    kind = forms.ChoiceField(choices=[*PROPOSE, *Kind.choices], required=False)
    recipient = forms.ChoiceField(choices=lambda: [*PROPOSE, *recipient_choices()], required=False)
    recipient_name = forms.CharField(required=False, help_text="Needed for OTH: the company or group.")
    language = forms.ChoiceField(choices=[*PROPOSE, *Language.choices], required=False)
    mandates = forms.ModelMultipleChoiceField(
        queryset=Mandate.objects.filter(is_active=True), required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Other mandates co-signing (a joint communication).",
    )  # fmt: skip
    copies_to = forms.CharField(required=False, help_text="Alpha-3 codes of States receiving a copy, comma-separated.")
    follow_up_to = forms.ModelChoiceField(queryset=Communication.objects.none(), required=False)

    PROPOSED = ("kind", "recipient", "language")

    def __init__(self, *args, user=None, proposal: Proposal | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["submissions"].queryset = (
            Submission.objects.visible_to(user).filter(status__in=services.DRAFTABLE).prefetch_related("defenders")
        )
        # Only letters of the user's own desks: a reference of another desk's letter is theirs to know.
        self.fields["follow_up_to"].queryset = visible_communications(user).exclude(reference=None)
        for name, reason in (proposal.reasons if proposal else {}).items():
            self.fields[name].help_text = f"Proposed. {reason} Change it if it does not fit."

    def clean(self):
        data = super().clean()
        # A choice left on "Propose from the selected cases" takes the proposal.
        proposal = communication_propose(list(data.get("submissions") or []))
        for name in self.PROPOSED:
            if not data.get(name) and proposal is not None:
                data[name] = getattr(proposal, name)
        if data.get("recipient") == "OTH" and not data.get("recipient_name"):
            self.add_error("recipient_name", "Name the company or group.")
        return data


class StatusChangeInline(admin.TabularInline):
    model = CommunicationStatusChange
    extra = 0
    can_delete = False
    fields = readonly_fields = ["created_at", "from_status", "to_status", "changed_by", "reason"]

    def has_add_permission(self, request, obj=None):
        return False


class ReplyInline(admin.StackedInline):
    model = Reply
    extra = 0
    fields = readonly_fields = ["received_on", "kind", "confidential", "summary", "document_name"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class ReplyForm(forms.Form):
    received_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(choices=Reply._meta.get_field("kind").choices)
    confidential = forms.BooleanField(required=False, help_text="The State asked that the reply stay confidential.")
    summary = forms.CharField(widget=forms.Textarea, required=False)
    document = forms.FileField(required=False)


class RichTextarea(forms.Textarea):
    """The letter's HTML, edited in a rich-text editor (static/js/letter-editor.js over the vendored pell) so
    that staff need not write tags. The textarea stays the field: without JavaScript it is shown and edited as
    before, and whatever it sends is sanitised by nh3 on save (communications.services.sanitise)."""

    def __init__(self, attrs=None):
        super().__init__({"rows": 18, "cols": 90, "data-rich-text": "letter", **(attrs or {})})

    class Media:
        css = {"all": ["css/letter-editor.css"]}
        js = ["vendor/pell/pell.min.js", "js/letter-editor.js"]


class CommunicationForm(forms.ModelForm):
    class Meta:
        model = Communication
        fields = ["body", "public_summary"]
        widgets = {"body": RichTextarea()}
        help_texts = {
            "body": "Refer to each victim by the reference from “People of this letter” (for example "
            "[[person:12]]): the government copy shows the name only with consent to be named to the government, "
            "else initials. Never write the source's name, contact or relationship, and write in the office's "
            "voice: a sentence in the first person stops approval. A typed name is found in any form, script or "
            "spelling and stops approval; nothing is ever cut out of the letter for you.",
        }


class PublicVersionForm(forms.Form):
    public_body = forms.CharField(
        label="Public letter", widget=forms.Textarea(attrs={"rows": 18, "cols": 90}), required=False,
        help_text="The letter as the public will read it (HTML). Empty: the letter itself. Refer to people as "
        "[[person:N]] only: the public copy names a victim only with consent to be named in public, else "
        "initials or “[name withheld]”. Take out anything else that identifies a person.",
    )  # fmt: skip
    public_summary = forms.CharField(
        label="Public summary", widget=forms.Textarea(attrs={"rows": 3, "cols": 90}), required=False,
        help_text="A few lines for the public list (plain text), with [[person:N]] references only.",
    )  # fmt: skip
    keeps_traits = forms.BooleanField(
        label="Keep person-describing themes", required=False,
        help_text="LGBTI+, disability, child and woman themes describe a person: they are public only for victims "
        "named in public, unless you keep them here.",
    )  # fmt: skip


class LetterChangeList(ChangeList):
    """The list of letters: none of the sealed or encrypted columns it never shows are read or opened."""

    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).defer(*sealing.protected_fields(Communication))


def _needs_key(communication: Communication) -> Communication:
    """A letter's pages read it: without the key its login opened, the page says so (403, KeyringMiddleware)."""
    if not sealing.can_open(communication.letter_key_id):
        raise sealing.Locked("a letter needs the office key to be read")
    return communication


@admin.register(Communication)
class CommunicationAdmin(admin.ModelAdmin):
    form = CommunicationForm
    list_display = ["__str__", "kind", "recipient", "status", "sent_at", "release_due_on"]
    list_filter = ["status", "kind", "language"]
    search_fields = ["=reference", "recipient"]
    show_full_result_count = False
    inlines = [ReplyInline, StatusChangeInline]

    class Media:
        css = {"all": ["css/staff.css"]}

    readonly_fields = [
        "reference", "kind", "recipient", "recipient_name", "copies_to", "language", "status", "sent_at",
        "release_due_on", "released_at", "withheld_reason", "early_release_reason", "case_list", "mandate_list",
        "follow_up", "timeline",
    ]  # fmt: skip

    def get_fields(self, request, obj=None):
        if obj is not None and obj.status == S.DRAFT:
            return [*self.readonly_fields, "body", "public_summary"]
        return [*self.readonly_fields, "letter", "public_summary"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != S.DRAFT:
            return [*self.readonly_fields, "letter", "public_summary"]
        return self.readonly_fields

    def has_change_permission(self, request, obj=None):
        # Only a draft is edited; later steps go through the workflow buttons.
        if obj is not None and obj.status != S.DRAFT:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        """Desk officers see the communications about their desks' cases; the others see all."""
        return super().get_queryset(request).filter(pk__in=visible_communications(request.user).values("pk"))

    def get_changelist(self, request, **kwargs):
        return LetterChangeList

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            if self.has_view_or_change_permission(request, obj):  # (one who may not see it is refused as before)
                _needs_key(obj)
            # For the displays below, which Django calls without the request: only what this user may see.
            obj.viewer = request.user
        return obj

    @admin.display(description="release and reply due")
    def release_due_on(self, obj):
        return obj.release_due.date() if obj.release_due else "-"

    @admin.display(description="letter (as the government receives it)")
    def letter(self, obj):
        # The letter is HTML, to be read as a letter, not as its tags. Sanitised on save, and again here so
        # that no stored markup can ever run in a staff page; the name references rendered for the government.
        letter = services.sanitise(gate.government_letter(obj))
        return format_html("<div class='letter'>{}</div>", mark_safe(letter))  # noqa: S308  # nosec B308 B703

    @admin.display(description="cases")
    def case_list(self, obj):
        viewer = getattr(obj, "viewer", None)
        cases = obj.submissions.visible_to(viewer) if viewer is not None else []
        return ", ".join(s.reference for s in cases)

    @admin.display(description="co-signing mandates")
    def mandate_list(self, obj):
        return ", ".join(map(str, obj.mandates.all())) or "none"

    @admin.display(description="follow-up to")
    def follow_up(self, obj):
        earlier = obj.follow_up_to
        if earlier is None:
            return "-"
        viewer = getattr(obj, "viewer", None)
        if viewer is None or not visible_communications(viewer).filter(pk=earlier.pk).exists():
            return "[another desk's letter]"
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:communications_communication_change", args=[earlier.pk]), earlier
        )

    @admin.display(description="earlier and later communications")
    def timeline(self, obj):
        viewer = getattr(obj, "viewer", None)
        visible = set(visible_communications(viewer).values_list("pk", flat=True)) if viewer else set()
        chain, earlier = [], obj.follow_up_to
        while earlier is not None:
            chain.insert(0, str(earlier) if earlier.pk in visible else "[another desk's letter]")
            earlier = earlier.follow_up_to
        later = [str(c) for c in obj.follow_ups.all() if c.pk in visible]
        return " → ".join([*chain, f"[{obj}]", *later])

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = DraftForm(request.POST or None, user=request.user)
        if request.method == "POST" and "propose" in request.POST:
            form = self._draft_form_proposed(request, form)
        elif request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            name = data["recipient_name"] or dict(form.fields["recipient"].choices)[data["recipient"]].split(": ", 1)[1]
            try:
                communication, draft = services.communication_draft(
                    submissions=list(data["submissions"]), kind=data["kind"], recipient=data["recipient"],
                    recipient_name=name, language=data["language"], by=request.user, mandates=list(data["mandates"]),
                    copies_to=[c.strip() for c in data["copies_to"].split(",") if c.strip()],
                    follow_up_to=data["follow_up_to"],
                )  # fmt: skip
            except WorkflowError as error:
                form.add_error(None, str(error))
            else:
                for warning in draft.warnings:
                    messages.warning(request, warning)
                messages.success(request, "Draft created from the accepted cases. Edit it, then submit it for review.")
                return redirect("admin:communications_communication_change", communication.pk)
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "form": form,
                   "title": "Draft a communication"}  # fmt: skip
        return TemplateResponse(request, "admin/communications/communication/draft.html", context)

    def _draft_form_proposed(self, request, form: DraftForm) -> DraftForm:
        """The "Propose" step, which works without JavaScript: the form again, with the ticked cases, the
        other answers as given, and the type, recipient and language proposed from the cases, each with why."""
        if not form.is_valid() and "submissions" in form.errors:
            return form
        data = form.cleaned_data
        proposal = communication_propose(list(data["submissions"]))
        initial = {
            "submissions": data["submissions"], "recipient_name": data.get("recipient_name", ""),
            "mandates": data.get("mandates"), "copies_to": data.get("copies_to", ""),
            "follow_up_to": data.get("follow_up_to"),
            **{name: getattr(proposal, name) for name in DraftForm.PROPOSED},
        }  # fmt: skip
        return DraftForm(initial=initial, user=request.user, proposal=proposal)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        communication = self.get_object(request, object_id)
        if communication is not None:
            # People and reports of the reader's own desks only: another desk's case is theirs to know.
            cases = list(communication.submissions.all().visible_to(request.user))
            extra_context = {
                **(extra_context or {}),
                "gate_problems": services.government_problems(communication),
                "people": list(references.people(communication, cases).values()),
                "public_approved": gate.public_version_approved(communication),
                "narratives": [(s.reference, s.description, s.current_risk, s.steps_taken) for s in cases],
                "never_named": [(s.reference, s.confidential_names) for s in cases if s.confidential_names],
                "consent_alerts": services.consent_alerts_open(communication),
                "transitions": self._transitions(request, communication),
                "reason_needed": REASON_NEEDED,
                "next_step": NEXT_STEP.get(communication.status, ""),
                "timeline": selectors.communication_timeline(communication),
                "reply_form": ReplyForm() if communication.status in (S.SENT, S.RELEASED, S.WITHHELD) else None,
            }
        response = super().change_view(request, object_id, form_url, extra_context)
        # Only a page actually shown is a read (a form sent back after a POST too): a refused one (403) is not.
        if response.status_code == 200 and communication is not None:
            fields = ["body", "public_summary"]
            if communication.replies.exists():
                fields.append("reply.summary")
            audit_read(user=request.user, obj=communication, fields=fields)
            # The source's narrative, shown beside the draft to write from: a read of decrypted data.
            for submission in communication.submissions.all().visible_to(request.user):
                audit_read(
                    user=request.user,
                    obj=submission,
                    fields=["description", "current_risk", "steps_taken", "confidential_people"],
                )
        return response

    def save_model(self, request, obj, form, change):
        # Edits go through the service: sanitised, and only while a draft.
        try:
            problems = services.communication_edit(
                communication=obj, body=form.cleaned_data["body"], public_summary=form.cleaned_data["public_summary"]
            )
        except WorkflowError as error:
            messages.error(request, str(error))
            return
        if problems:
            messages.warning(
                request,
                f"The name gate found {len(problems)} problem(s) in the government copy; each is shown highlighted "
                "at the top of the page. It cannot be approved like this.",
            )

    def _transitions(self, request, communication):
        user = request.user
        options = {
            S.DRAFT: [("submit", "Submit for review", "change_communication")],
            S.IN_REVIEW: [("approve", "Approve", "approve_communication"),
                          ("back_to_draft", "Send back to draft", "change_communication")],
            S.APPROVED: [("send", "Record as sent", "send_communication"),
                         ("back_to_draft", "Send back to draft", "change_communication")],
            S.SENT: [("release", "Release now (early)", "release_communication"),
                     ("withhold", "Withhold", "release_communication")],
            S.WITHHELD: [("release", "Release", "release_communication")],
        }  # fmt: skip
        steps = options.get(communication.status, [])
        if services.consent_alerts_open(communication):
            steps = [("acknowledge_consent", "Acknowledge the consent change", "approve_communication"), *steps]
        if services.drafted_by(communication, user):
            steps = [step for step in steps if step[0] != "approve"]
        return [(action, label) for action, label, permission in steps if user.has_perm(f"communications.{permission}")]

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/step/<str:action>/", view(self.step_view), name="communications_communication_step"),
            path("<int:pk>/reply/", view(self.reply_view), name="communications_communication_reply"),
            path("<int:pk>/pdf/", view(self.pdf_view), name="communications_communication_pdf"),
            path("<int:pk>/public/", view(self.public_view), name="communications_communication_public"),
            *super().get_urls(),
        ]

    def _communication(self, request, pk) -> Communication:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return _needs_key(get_object_or_404(self.get_queryset(request), pk=pk))

    def step_view(self, request, pk, action):
        communication = self._communication(request, pk)
        if request.method != "POST":
            raise PermissionDenied
        user = request.user
        if (
            action == "approve"
            and services.drafted_by(communication, user)
            and user.has_perm("communications.approve_communication")
        ):
            services.communication_approve(communication=communication, by=user)  # refuses, and audits the attempt
        if action not in dict(self._transitions(request, communication)):
            raise PermissionDenied
        reason = request.POST.get("reason", "").strip()
        steps = {
            "submit": lambda: services.communication_submit_for_review(communication=communication, by=user),
            "approve": lambda: services.communication_approve(communication=communication, by=user),
            "back_to_draft": lambda: services.communication_back_to_draft(
                communication=communication, by=user, reason=reason
            ),
            "send": lambda: services.communication_send(communication=communication, by=user),
            "release": lambda: services.communication_release(communication=communication, by=user, reason=reason),
            "withhold": lambda: services.communication_withhold(communication=communication, by=user, reason=reason),
            "acknowledge_consent": lambda: services.communication_acknowledge_consent(
                communication=communication, by=user, reason=reason
            ),
        }
        if action in REASON_NEEDED and not reason:
            messages.error(request, "Give the reason: it is recorded with the decision.")
        else:
            try:
                steps[action]()
            except (WorkflowError, PermissionDenied) as error:
                messages.error(request, str(error))
            else:
                communication.refresh_from_db()
                messages.success(request, f"{communication}: {communication.get_status_display()}.")
        return redirect("admin:communications_communication_change", communication.pk)

    def reply_view(self, request, pk):
        communication = self._communication(request, pk)
        if request.method != "POST" or not request.user.has_perm("communications.change_communication"):
            raise PermissionDenied
        form = ReplyForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            upload = data["document"]
            services.reply_record(
                communication=communication, received_on=data["received_on"], kind=data["kind"],
                confidential=data["confidential"], summary=data["summary"],
                document=upload.read() if upload else None, document_name=upload.name if upload else "",
                content_type=upload.content_type if upload else "",
            )  # fmt: skip
            messages.success(request, "Reply recorded.")
        else:
            messages.error(request, f"The reply was not recorded: {form.errors.as_text()}")
        return redirect("admin:communications_communication_change", communication.pk)

    def public_view(self, request, pk):
        """The public version: exactly what the public will read, every redaction marked, person-like names
        flagged, the gate's findings in context; edited and approved here (communications.gate)."""
        communication = self._communication(request, pk)
        user = request.user
        may_edit = user.has_perm("communications.change_communication") and communication.status != S.DRAFT
        may_approve = user.has_perm("communications.release_communication") and communication.status in (
            S.APPROVED, S.SENT, S.WITHHELD, S.RELEASED,
        )  # fmt: skip
        initial = {
            "public_body": communication.public_body or communication.body,
            "public_summary": communication.public_summary,
            "keeps_traits": communication.public_keeps_traits,
        }
        form = PublicVersionForm(initial=initial)
        if request.method == "POST":
            action = request.POST.get("action")
            try:
                if action == "save" and may_edit:
                    form = PublicVersionForm(request.POST)
                    if form.is_valid():
                        data = form.cleaned_data
                        problems = services.communication_public_edit(
                            communication=communication, public_body=data["public_body"],
                            public_summary=data["public_summary"], keeps_traits=data["keeps_traits"],
                        )  # fmt: skip
                        messages.success(request, "Public version saved. Review it below, then approve it.")
                        if problems:
                            messages.warning(request, f"The name gate found {len(problems)} problem(s); see below.")
                        return redirect("admin:communications_communication_public", communication.pk)
                elif action == "approve" and may_approve:
                    services.communication_public_approve(communication=communication, by=user)
                    messages.success(request, "Public version approved: this is what will be released.")
                    return redirect("admin:communications_communication_public", communication.pk)
                else:
                    raise PermissionDenied
            except WorkflowError as error:
                messages.error(request, str(error))
                return redirect("admin:communications_communication_public", communication.pk)
        copy = gate.public_copy(communication, mark=True, all_replies=True)
        plain = gate.public_copy(communication, all_replies=True)
        problems = gate.gate_public_copy(communication, plain)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": communication,
            "title": f"Public version of {communication}",
            "copy": copy,
            "letter": mark_safe(services.sanitise_marked(copy.letter_html)),  # noqa: S308  # nosec B308 B703
            "problems": problems,
            "flagged": gate.person_like_names(communication, f"{plain.letter_html} {plain.summary}"),
            "withheld_themes": sorted({f for s in communication.submissions.all() for f in s.flags} - set(copy.themes)),
            "approved": gate.public_version_approved(communication),
            "form": form if may_edit else None,
            "may_approve": may_approve and not problems,
        }
        audit_read(user=user, obj=communication, fields=["body", "public_body", "public_summary"], action="view")
        return TemplateResponse(request, "admin/communications/communication/public_version.html", context)

    def pdf_view(self, request, pk):
        communication = self._communication(request, pk)
        audit_read(user=request.user, obj=communication, fields=["body"], action="pdf")
        response = HttpResponse(letter_pdf(communication), content_type="application/pdf")
        name = (communication.reference or f"draft-{communication.pk}").replace(" ", "-").replace("/", "-")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        response["Cache-Control"] = "no-store"
        return response


@admin.register(Mandate)
class MandateAdmin(admin.ModelAdmin):
    list_display = ["name", "is_active"]


@admin.register(NormParagraph)
class NormParagraphAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "language", "order"]
    list_filter = ["language"]


@admin.register(LetterTemplate)
class LetterTemplateAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "language"]
    list_filter = ["kind", "language"]
