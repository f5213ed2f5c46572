"""The public intake form and the receipt pages.

No JavaScript needed: the form has two steps (the report, in sections, then
attachments and a review), and every button posts the whole report back (the
section on screen as fields, the rest as a signed draft: submissions.sections),
so nothing typed is lost between sections, steps or after an error. Nothing is
stored until the final submit: a draft never reaches the database.
"""

import contextlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.forms import CheckboxInput, Field
from django.forms.widgets import ChoiceWidget
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.datastructures import MultiValueDict
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from portal import sealing, throttle
from portal.cache import RedisUnavailable
from submissions import consent as consent_texts
from submissions import limits, sections, services
from submissions.attachments import AttachmentRejected, check_files
from submissions.forms import (
    AttachmentsForm,
    ConsentChangeForm,
    ConsentForm,
    DefenderFormSet,
    IncidentForm,
    NeverNamedAddForm,
    PassphraseKindForm,
    ReceiptLoginForm,
    SourceForm,
    SourceMessageForm,
)
from submissions.models import Submission
from submissions.receipts import WORDS, normalise_reference
from submissions.uploads import upload_rejections

RECEIPT_SESSION_KEY = "receipt_submission"
RECEIPT_SESSION_STARTED = "receipt_started"
RECEIPT_SESSION_SECONDS = 30 * 60
# However active, a receipt session ends this long after the login: a device left open, or taken,
# does not keep the case open for ever.
RECEIPT_SESSION_MAX_SECONDS = 2 * 3600
RECEIPT_MESSAGES_PER_HOUR = 10
# What the never-name page says after a change, kept in the session for the page the change redirects to:
# a count, never a name (a name must not travel in a cookie, a URL or a log).
NEVER_NAMED_NOTICE = "never_named_notice"
logger = logging.getLogger(__name__)
_empty_form_cache: dict[str, str] = {}


def _private(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def _consent_texts() -> dict:
    return consent_texts.TEXTS[consent_texts.CURRENT_VERSION]


def _section_form(section: str, data=None, initial=None):
    """The form (or, for the defenders, the formset) of one section, bound to `data` or showing `initial`."""
    if section == "source":
        return SourceForm(data, prefix="source", initial=initial)
    if section == "defenders":
        return DefenderFormSet(data, prefix="defender", initial=initial)
    if section == "incident":
        return IncidentForm(data, prefix="incident", initial=initial)
    return ConsentForm(data, prefix="consent", initial=initial, texts=_consent_texts())


def _report_forms(data=None) -> dict:
    """The step-one forms, bound to `data`."""
    return {section: _section_form(section, data) for section in sections.SECTIONS}


# Each section's form class and prefix, for reading a post without building the forms.
_SECTION_FIELDS = {
    "source": (SourceForm, "source"),
    "defenders": (DefenderFormSet.form, "defender"),
    "incident": (IncidentForm, "incident"),
    "consent": (ConsentForm, "consent"),
}


def _typed_values(form_class, data, prefix: str) -> dict:
    """What was typed in one form's fields, read by their widgets as the bound form would read it.

    The form is not built for this: building one deep-copies every field, and the report's forms are
    built once more to validate it."""
    files = MultiValueDict()
    return {
        name: field.widget.value_from_datadict(data, files, f"{prefix}-{name}")
        for name, field in form_class.base_fields.items()
    }


def _section_values(data, section: str):
    """What was typed in one section, as posted in `data`."""
    form_class, prefix = _SECTION_FIELDS[section]
    if section == "defenders":
        formset = DefenderFormSet(data, prefix=prefix)
        return [_typed_values(form_class, data, formset.add_prefix(i)) for i in range(formset.total_form_count())]
    return _typed_values(form_class, data, prefix)


def _posted_values(data) -> tuple[dict, str | None]:
    """Every answer of the report, and the section the post came from (None for a whole report).

    A section's page posts its own fields and the signed draft of the others; a post with neither
    (an older page, a script) carries the whole report as fields.
    """
    section = data.get("section")
    section = section if section in sections.SECTIONS else None
    values = sections.draft_loads(data.get("draft", ""))
    if values is None and section is None and "draft" not in data:
        return {name: _section_values(data, name) for name in sections.SECTIONS}, None
    values = values or sections.values_empty()
    if section is not None:
        values[section] = _section_values(data, section)
    return values, section


def _plain(field, message: str) -> str:
    """The framework's wording in the source's: what to do, not "This field is required."."""
    if message == str(Field.default_error_messages["required"]):  # in the page's language
        choosing = isinstance(field.field.widget, ChoiceWidget | CheckboxInput)
        return str(_("Choose an answer.") if choosing else _("Fill this in."))
    return message


def _summary_line(label: str, message: str) -> str:
    # A label may end in "?" or "." (the consent questions): no "….: " run of punctuation.
    label = str(label).strip().rstrip(":").strip()
    return f"{label} {message}" if label.endswith(("?", ".", "!")) else f"{label}: {message}"


def _error_summary(forms, non_form_errors=()) -> list[dict]:
    errors = []
    for form in forms:
        for name, messages in form.errors.items():
            if name == "__all__":
                errors += [{"anchor": "", "label": "", "message": message} for message in messages]
                continue
            field = form[name]
            # A group of radios or checkboxes: link to its first choice.
            grouped = isinstance(field.field.widget, ChoiceWidget) and field.field.widget.input_type != "select"
            anchor = f"{field.auto_id}_0" if grouped else field.id_for_label
            errors += [
                {"anchor": anchor, "label": field.label, "message": _plain(field, message),
                 "line": _summary_line(field.label, _plain(field, message))}
                for message in messages
            ]  # fmt: skip
    errors += [{"anchor": "", "label": "", "message": message} for message in non_form_errors]
    return errors


def _section_errors(section: str, form) -> list[dict]:
    if section == "defenders":
        return _error_summary(form.forms, form.non_form_errors())
    return _error_summary([form])


def _render_section(request, values: dict, section: str, *, form=None, problems=(), status=200):
    """One section of step one: `form` bound with its errors, or else unbound showing the answers so far."""
    if form is None and values.get("checked"):
        # Once the review was asked for, a section shows what is still to correct wherever the source goes.
        forms = _report_forms(sections.form_data(values))
        problems = [name for name in sections.SECTIONS if not forms[name].is_valid()]
        form = forms[section] if section in problems else None
    if form is None:
        form = _section_form(section, initial=values[section])
        if section == "defenders":
            form.extra = 0  # one form per defender typed; min_num adds one when there is none
    previous, following = sections.neighbours(section)
    context = {
        "section": section,
        "form": form,
        "sections": sections.section_list(section, problems),
        "previous": previous,
        "following": following,
        # The other sections' answers travel with the page; the one on screen travels as its fields.
        "draft": sections.draft_dumps({**values, section: sections.values_empty()[section]}),
        "errors": _section_errors(section, form) if form.is_bound else [],
        "step": 1,
        "token": _token(request),
    }
    return _private(render(request, "submissions/submit.html", context, status=status))


def _token(request) -> str:
    # One signed token per filled-in form (submissions.limits): a second submit of the same form
    # (a reload, a double click) is recognised and stores nothing twice. A missing, forged or
    # expired token is replaced by a new one.
    if not hasattr(request, "_form_token"):
        request._form_token = limits.form_token_current(request.POST.get("token", ""))
    return request._form_token


def _empty_form(request):
    # The empty first section is the same for everyone in a language: render the
    # crispy form once per process and language, then reuse the HTML.
    language = get_language()
    if language not in _empty_form_cache:
        _empty_form_cache[language] = render_to_string(
            "submissions/_section_fields.html", {"section": "source", "form": _section_form("source")}, request=None
        )
    first = sections.SECTIONS[0]
    context = {
        "cached_fields": _empty_form_cache[language],
        "section": first,
        "sections": sections.section_list(first),
        "previous": None,
        "following": sections.neighbours(first)[1],
        "draft": sections.draft_dumps(sections.values_empty()),
        "step": 1,
        "token": _token(request),
        "errors": [],
    }
    return _private(render(request, "submissions/submit.html", context))


def _moved(request, values: dict, section: str | None, action: str):
    """The page a move within step one leads to, or None if the action asks for the review or the submit."""
    if action == "add_defender":
        if len(values["defenders"]) < DefenderFormSet.max_num:
            values["defenders"].append({})
        return _render_section(request, values, "defenders")
    if action.startswith("remove_defender_"):
        index = action.removeprefix("remove_defender_")
        drop = int(index) if index.isdecimal() and len(index) <= 2 else None
        if drop is not None and len(values["defenders"]) > 1 and drop < len(values["defenders"]):
            values["defenders"].pop(drop)
        return _render_section(request, values, "defenders")
    if action.startswith("goto_") and action.removeprefix("goto_") in sections.SECTIONS:
        return _render_section(request, values, action.removeprefix("goto_"))
    if action == "edit":
        return _render_section(request, values, sections.SECTIONS[0])
    if section is None:
        return None
    previous, following = sections.neighbours(section)
    if action == "back":
        return _render_section(request, values, previous or section)
    if action == "next" and following is not None:
        # Going on checks the section left; going back or to another section never does.
        form = _section_form(section, sections.form_data(values))
        if not form.is_valid():
            return _render_section(request, values, section, form=form, problems=[section], status=400)
        return _render_section(request, values, following)
    return None


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def submit(request):
    if request.method == "GET":
        return _empty_form(request)

    if not limits.form_post_allowed(request, _token(request)):
        return _private(render(request, "submissions/too_many.html", {"per_form": True}, status=429))
    values, section = _posted_values(request.POST)
    action = request.POST.get("action") or ("next" if section else "review")
    moved = _moved(request, values, section, action)
    if moved is not None:
        return moved

    forms = _report_forms(sections.form_data(values))
    problems = [name for name in sections.SECTIONS if not forms[name].is_valid()]
    if problems:
        values["checked"] = True
        # Each error is shown on its own section: the one on screen if it has any, else the first.
        shown = section if section in problems else problems[0]
        return _render_section(request, values, shown, form=forms[shown], problems=problems, status=400)

    draft = sections.draft_dumps(values)
    if action != "submit":
        return _render_review(request, forms, draft, AttachmentsForm(prefix="attachments"))
    # The cheap checks come first: no attachment is opened for a post they refuse.
    token = _token(request)
    if token != request.POST.get("token"):
        return _render_review(
            request, forms, draft, AttachmentsForm(prefix="attachments"), notice="expired", status=400
        )
    if not limits.form_token_waited(token, settings.FORM_MIN_FILL_SECONDS):
        return _render_review(
            request, forms, draft, AttachmentsForm(prefix="attachments"), notice="too_fast", status=400
        )
    if not limits.submit_allowed_for_client(request):
        return _private(render(request, "submissions/too_many.html", status=429))
    attachments_form = AttachmentsForm(request.POST, request.FILES, prefix="attachments")
    checked = _checked_attachments(request, attachments_form)
    if checked is None:
        return _render_review(request, forms, draft, attachments_form, status=400)
    token = limits.form_token_nonce(token)
    if not _first_use(token):
        return _private(render(request, "submissions/already_submitted.html", status=409))
    kind = PassphraseKindForm(request.POST)
    passphrase_kind = kind.cleaned_data["passphrase_kind"] if kind.is_valid() else WORDS
    try:
        submission, receipt = services.submission_create(
            answers={
                **forms["source"].cleaned_data,
                **forms["incident"].cleaned_data,
                **forms["consent"].confirmations(),
            },
            defenders=[form.cleaned_data for form in forms["defenders"].forms],
            consent=forms["consent"].consent(),
            attachments=checked,
            language=get_language(),
            passphrase_kind=passphrase_kind,
        )
    except Exception:
        with contextlib.suppress(RedisUnavailable):
            cache.delete(f"submit-token:{token}")
        raise
    limits.site_budget_count(request)
    return _private(render(request, "submissions/receipt_new.html", {"receipt": receipt, "submission": submission}))


def _first_use(token: str) -> bool:
    """False if a submission with this token was already stored (a reload, a double click).

    With Redis unreachable the check is skipped: a duplicate report is better
    than a lost one, and staff can mark it as a duplicate.
    """
    try:
        return cache.add(f"submit-token:{token}", 1, timeout=24 * 3600)
    except RedisUnavailable:
        logger.warning("cache unavailable; submission not checked for a repeat")
        return True


def _checked_attachments(request, form) -> list | None:
    """The form's files checked and ready to store, or None with the reasons added to the form."""
    rejections = list(upload_rejections(request))
    checked = []
    if form.is_valid():
        try:
            # Quick checks only: the worker makes the working copies (submissions.attachments.cleaning).
            checked = check_files(form.cleaned_data["files"], working_copies=False)
        except AttachmentRejected as rejection:
            rejections.append(rejection)
    if rejections:
        form.add_error("files", rejections)
    return checked if form.is_valid() else None


def _render_review(request, forms, draft: str, attachments_form, *, notice: str = "", status=200):
    context = {
        "notice": notice,
        "forms": forms,
        "draft": draft,
        "sections": sections.section_list(""),
        "attachments_form": attachments_form,
        # The choice travels with the review page; on a page shown again it keeps what was chosen.
        "passphrase_form": PassphraseKindForm(request.POST if "passphrase_kind" in request.POST else None),
        "errors": _error_summary([attachments_form]),
        "step": 2,
        "token": _token(request),
    }
    return _private(render(request, "submissions/review.html", context, status=status))


# --- Receipt ----------------------------------------------------------------


def _receipt_submission(request) -> Submission | None:
    submission_id = request.session.get(RECEIPT_SESSION_KEY)
    if submission_id is None:
        return None
    started = request.session.get(RECEIPT_SESSION_STARTED, 0)
    if not isinstance(started, int | float) or time.time() - started > RECEIPT_SESSION_MAX_SECONDS:
        request.session.flush()
        return None
    return Submission.objects.filter(pk=submission_id, shredded_at__isnull=True).first()


def _receipt_check(request, reference: str, passphrase: str, token: str) -> tuple[Submission | None, str]:
    """The case a passphrase opens, or None with why: "" (wrong), "client" or "reference" (wait)."""
    if not limits.receipt_client_allowed(request):
        return None, "client"
    if not limits.receipt_reference_open(request, reference, token):
        return None, "reference"
    submission = services.receipt_authenticate(reference=reference, passphrase=passphrase)
    if submission is None:
        limits.receipt_wrong_answer(request, reference)
    return submission, ""


@never_cache
@sensitive_post_parameters("passphrase")
@require_http_methods(["GET", "POST"])
def receipt_login(request):
    form = ReceiptLoginForm(request.POST if request.method == "POST" else None)
    # A new form token with every page: past a reference's budget of wrong answers, a login needs
    # one that waited (submissions.limits).
    context = {"form": form, "token": limits.form_token_new()}
    if request.method == "POST" and form.is_valid():
        reference = form.cleaned_data["reference"]
        submission, wait = _receipt_check(
            request, reference, form.cleaned_data["passphrase"], request.POST.get("token", "")
        )
        if wait:
            context.update(throttled=wait, wait_seconds=limits.RECEIPT_WAIT_SECONDS)
            return _private(render(request, "submissions/receipt_login.html", context, status=429))
        if submission is not None:
            request.session.cycle_key()
            request.session[RECEIPT_SESSION_KEY] = submission.pk
            request.session[RECEIPT_SESSION_STARTED] = int(time.time())
            request.session.set_expiry(RECEIPT_SESSION_SECONDS)
            if submission.receipt_keyring is not None:
                sealing.remember(request, submission.receipt_keyring)
            return redirect("submissions:receipt_case")
        form.add_error(None, _("The reference or the passphrase is not right. Check both and try again."))
        return _private(render(request, "submissions/receipt_login.html", context, status=400))
    status = 400 if request.method == "POST" else 200
    return _private(render(request, "submissions/receipt_login.html", context, status=status))


def _case_context(submission: Submission, **forms) -> dict:
    consent = submission.current_consent()
    initial = {}
    if consent is not None:
        initial = {
            "contact_government": "yes" if consent.contact_government else "no",
            "public_naming": "yes" if consent.public_naming else "no",
            "written_consent": consent.written_consent,
        }
    return {
        "submission": submission,
        "consent": consent,
        "consent_history": submission.consents.all(),
        "messages_list": submission.messages.all(),
        "message_form": forms.get("message_form") or SourceMessageForm(prefix="message"),
        "consent_form": forms.get("consent_form")
        or ConsentChangeForm(prefix="consent", initial=initial, texts=_consent_texts()),
    }


@never_cache
@require_http_methods(["GET"])
def receipt_case(request):
    submission = _receipt_submission(request)
    if submission is None:
        return redirect("submissions:receipt_login")
    return _private(render(request, "submissions/receipt_case.html", _case_context(submission)))


@never_cache
@sensitive_post_parameters()
@require_POST
def receipt_message(request):
    submission = _receipt_submission(request)
    if submission is None:
        return redirect("submissions:receipt_login")
    # Per case, before any attachment is opened: a session, even a stolen one, cannot flood the desk.
    if not throttle.hit(
        request, "receipt-message", key=str(submission.pk), limit=RECEIPT_MESSAGES_PER_HOUR, window=3600
    ):
        return HttpResponse(_("Too many messages. Wait an hour and try again."), status=429, content_type="text/plain")
    form = SourceMessageForm(request.POST, request.FILES, prefix="message")
    checked = _checked_attachments(request, form)
    if checked is not None:
        services.source_message_add(submission=submission, body=form.cleaned_data["body"], attachments=checked)
        return redirect("submissions:receipt_case")
    context = _case_context(submission, message_form=form)
    return _private(render(request, "submissions/receipt_case.html", context, status=400))


@never_cache
@require_POST
def receipt_consent(request):
    submission = _receipt_submission(request)
    if submission is None:
        return redirect("submissions:receipt_login")
    if request.POST.get("action") == "withdraw":
        # One click is too easy a way to take back what protects the victim: ask once more, on its own page.
        return _private(render(request, "submissions/receipt_withdraw.html", {"submission": submission}))
    if request.POST.get("action") == "withdraw_confirmed":
        services.consent_withdraw(submission=submission, language=get_language())
        return redirect("submissions:receipt_case")
    form = ConsentChangeForm(request.POST, prefix="consent", texts=_consent_texts())
    if form.is_valid():
        services.consent_change(submission=submission, consent=form.consent(), language=get_language())
        return redirect("submissions:receipt_case")
    context = _case_context(submission, consent_form=form)
    return _private(render(request, "submissions/receipt_case.html", context, status=400))


def _never_named_page(request, submission: Submission, form=None, *, status=200):
    form = form or NeverNamedAddForm(prefix="never", held=submission.confidential_names)
    context = {
        "submission": submission,
        "names": submission.confidential_names,
        "form": form,
        "errors": _error_summary([form]) if form.is_bound else [],
        "notice": request.session.pop(NEVER_NAMED_NOTICE, None) if status == 200 else None,
    }
    return _private(render(request, "submissions/receipt_never_name.html", context, status=status))


@never_cache
@sensitive_post_parameters()
@require_http_methods(["GET", "POST"])
def receipt_never_name(request):
    """The people the source asks never to be named, changed after the report: names added take effect at once,
    like a consent withdrawal (submissions.services.never_named_change); taking one off asks once more."""
    submission = _receipt_submission(request)
    if submission is None:
        return redirect("submissions:receipt_login")
    if request.method == "GET":
        return _never_named_page(request, submission)
    held = submission.confidential_names
    action = request.POST.get("action")
    if action in ("remove", "remove_confirmed"):
        name = request.POST.get("name", "")
        if name not in held:
            return redirect("submissions:receipt_never_name")  # taken off already (a second click, a back button)
        if action == "remove":
            context = {"submission": submission, "name": name}
            return _private(render(request, "submissions/receipt_never_name_remove.html", context))
        services.never_named_change(submission=submission, names=[other for other in held if other != name])
        request.session[NEVER_NAMED_NOTICE] = _("One name was taken off the list.")
        return redirect("submissions:receipt_never_name")
    form = NeverNamedAddForm(request.POST, prefix="never", held=held)
    if not form.is_valid():
        return _never_named_page(request, submission, form, status=400)
    added = len(form.cleaned_data["names"]) - len(held)
    services.never_named_change(submission=submission, names=form.cleaned_data["names"])
    request.session[NEVER_NAMED_NOTICE] = ngettext(
        "%(count)d name was added to the list. From now on, no letter about your report may name them.",
        "%(count)d names were added to the list. From now on, no letter about your report may name them.",
        added,
    ) % {"count": added}
    return redirect("submissions:receipt_never_name")


@never_cache
@require_POST
def receipt_delete(request):
    """The source asks for the case to be destroyed: a confirmation page first, then consent withdrawn and
    the case shredded (submissions.services.submission_delete_requested), and the session ended."""
    submission = _receipt_submission(request)
    if submission is None:
        return redirect("submissions:receipt_login")
    if request.POST.get("action") != "confirmed":
        return _private(render(request, "submissions/receipt_delete.html", {"submission": submission}))
    services.submission_delete_requested(submission=submission, language=get_language())
    request.session.flush()
    return _private(render(request, "submissions/receipt_deleted.html"))


@require_POST
def receipt_logout(request):
    request.session.flush()
    return redirect("submissions:receipt_login")


@never_cache
@sensitive_post_parameters("passphrase")
@require_POST
def receipt_download(request):
    """The receipt as a text file, from the page that showed it once."""
    reference = normalise_reference(request.POST.get("reference", ""))
    passphrase = request.POST.get("passphrase", "")
    # Each download tries a passphrase: the same limits as the receipt login.
    submission, wait = _receipt_check(request, reference, passphrase, request.POST.get("token", ""))
    if wait:
        return HttpResponse(_("Too many attempts. Wait a minute and try again."), status=429, content_type="text/plain")
    if submission is None:
        return HttpResponseBadRequest(_("This receipt cannot be downloaded."), content_type="text/plain")
    body = render_to_string("submissions/receipt.txt", {"reference": reference, "passphrase": passphrase})
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="receipt.txt"'
    return _private(response)
