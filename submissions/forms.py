"""Forms of the public intake and the receipt pages.

Forms only validate and normalise; submissions.services does the writing.
No answer is pre-selected: radio groups start empty, and the consent
questions must each be answered Yes or No.
"""

from functools import lru_cache

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from submissions import models as m
from submissions.receipts import DIGITS, WORDS, normalise_reference

MAX_CONFIDENTIAL_PEOPLE = 30
YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _radios(choices, **kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **kwargs)


def _checkboxes(choices, **kwargs) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **kwargs)


def _text(rows: int = 5, **kwargs) -> forms.CharField:
    return forms.CharField(widget=forms.Textarea(attrs={"rows": rows}), max_length=20000, **kwargs)


def _country_choices() -> list:
    return _countries_in(get_language())


@lru_cache(maxsize=16)
def _countries_in(language: str) -> list:
    return [("", str(_("Choose a country"))), *((code, str(name)) for code, name in countries)]


@lru_cache(maxsize=1)
def _country_codes() -> frozenset:
    return frozenset(code for code, _name in countries)


class CountryField(forms.ChoiceField):
    """A country from the list. The choices are a callable: every form instance
    deep-copies its fields, and copying 250 countries per field per request was
    the largest cost of a submission; a value is checked against a set rather
    than by walking the list."""

    def __init__(self, **kwargs):
        super().__init__(choices=_country_choices, **kwargs)

    def valid_value(self, value) -> bool:
        return value in _country_codes()


def _helper(legend, *fields) -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.layout = Layout(Fieldset(legend, *fields))
    return helper


def _yes(value: str) -> bool:
    return value == "yes"


class SourceForm(forms.Form):
    source_name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        help_text=_("The office needs to know who you are. Your name is never given to the government or published."),
    )
    source_relationship = _radios(m.SourceRelationship.choices, label=_("How do you know about the facts?"))
    source_relationship_detail = forms.CharField(
        label=_("Your relationship to the victim"),
        max_length=300,
        required=False,
        help_text=_("For example: brother, colleague at the same organisation, lawyer."),
    )
    contact_method = _radios(m.ContactMethod.choices, label=_("How can we contact you safely?"))
    contact_details = _text(
        rows=2,
        label=_("Contact details"),
        required=False,
        help_text=_("The number, address or user name for the way you chose, and any safety instructions."),
    )
    contact_safety = _radios(m.ContactSafety.choices, label=_("Is it safe for us to contact you?"))
    notify_email = forms.EmailField(
        label=_("Email for notifications (optional)"),
        required=False,
        help_text=_(
            "Only if you want it: when the office sends you a question we email this address the words "
            "“you have a new message”, nothing more. Leave empty to check with your receipt instead."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("About you (always confidential)"), *self.fields)

    def clean(self):
        data = super().clean()
        method = data.get("contact_method")
        if method and method != m.ContactMethod.RECEIPT_ONLY and not data.get("contact_details", "").strip():
            self.add_error("contact_details", _("Give the contact details for the way you chose."))
        return data


class DefenderForm(forms.Form):
    kind = _radios(m.DefenderKind.choices, label=_("Who is concerned?"))
    name = forms.CharField(
        label=_("Name of the person, group or organisation"),
        max_length=300,
        help_text=_("Full name, as written in their documents if you know it. Other spellings help too."),
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=m.Gender.choices, initial=m.Gender.UNDISCLOSED)
    age_group = forms.ChoiceField(label=_("Age"), choices=m.AgeGroup.choices, initial=m.AgeGroup.UNKNOWN)
    has_disability = forms.ChoiceField(
        label=_("Does the person live with a disability?"), choices=m.YesNoUnknown.choices, initial="unknown"
    )
    country = CountryField(label=_("Country where they live or work"))
    region = forms.CharField(label=_("Region or town"), max_length=200, required=False)
    remote_area = forms.BooleanField(label=_("They live or work in a remote or isolated area"), required=False)
    work_areas = _checkboxes(m.WorkArea.choices, label=_("Areas of their human rights work"), required=False)
    work_description = _text(
        rows=3,
        label=_("Their human rights work"),
        help_text=_("What they, or their group, do for human rights, and since when."),
    )
    cooperated_with_un = forms.ChoiceField(
        label=_("Have they cooperated with the United Nations?"),
        choices=m.YesNoUnknown.choices,
        initial="unknown",
        help_text=_("For example: spoke at the Human Rights Council, sent information to a UN body."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True


class BaseDefenderFormSet(forms.BaseFormSet):
    # In the source's words, not the framework's ("Please submit at least 1 form.").
    default_error_messages = {
        **forms.BaseFormSet.default_error_messages,
        "too_few_forms": _("Tell us about at least one defender."),
        "too_many_forms": _("A report can name at most 30 defenders. Send another report for the others."),
    }


DefenderFormSet = forms.formset_factory(
    DefenderForm,
    formset=BaseDefenderFormSet,
    extra=0,
    min_num=1,
    validate_min=True,
    max_num=30,
    validate_max=True,
    absolute_max=30,
)


class IncidentForm(forms.Form):
    violation_types = _checkboxes(m.ViolationType.choices, label=_("What was done? Choose all that apply."))
    violation_other = forms.CharField(label=_("If other, what?"), max_length=300, required=False)
    current_situation = _checkboxes(
        m.CurrentSituation.choices,
        label=_("Is any of this happening now? Choose all that apply."),
        required=False,
        help_text=_("This tells us whether to act urgently."),
    )
    incident_date = forms.DateField(
        label=_("Date it happened, or started"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Year-month-day, for example 2026-03-14. Leave empty if you are not sure."),
    )
    incident_dates_detail = _text(
        rows=2, label=_("Other dates"), required=False, help_text=_("Other events, or the dates if not exact.")
    )
    country = CountryField(label=_("Country where it happened"))
    place = forms.CharField(label=_("Place"), max_length=300, help_text=_("Town, district, prison, court..."))
    perpetrator_kind = _radios(m.PerpetratorKind.choices, label=_("Who is responsible?"))
    perpetrators = _text(
        rows=2,
        label=_("Alleged perpetrators"),
        help_text=_("Which authority, unit, company or group, and names of officials if known."),
    )
    description = _text(
        rows=8,
        label=_("What happened"),
        help_text=_("In detail and in order: what, when, where, how. Say how you know each fact."),
    )
    current_risk = _text(
        rows=3, label=_("What is the risk now?"), help_text=_("For the victim, their family and colleagues.")
    )
    steps_taken = _text(
        rows=3,
        label=_("Steps already taken"),
        required=False,
        help_text=_("Complaints to the police, prosecutors or courts, and what came of them."),
    )
    confidential_people = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_CONFIDENTIAL_PEOPLE * 200,
        label=_("People who must never be named (optional)"),
        required=False,
        help_text=_(
            "Anyone else your report mentions who would be at risk if named, for example a family member or "
            "a witness: one name per line, with other spellings if you know them. Like your own name, these "
            "names are never given to the government or published."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper(_("What happened"), *self.fields)

    def clean_confidential_people(self):
        return "\n".join(never_named_list(self.cleaned_data["confidential_people"]))

    def clean(self):
        data = super().clean()
        if m.ViolationType.OTHER in data.get("violation_types", []) and not data.get("violation_other", "").strip():
            self.add_error("violation_other", _("Say what the other violation was."))
        return data


def never_named_list(text: str, *, held: list[str] = ()) -> list[str]:
    """The names of people never to be named, as the intake form and the receipt page store them: one per
    line, spaces collapsed, each once, after those already `held`. Raises ValidationError past the limits."""
    names = list(dict.fromkeys([*held, *(" ".join(line.split()) for line in text.splitlines())]))
    names = [name for name in names if name]
    if len(names) > MAX_CONFIDENTIAL_PEOPLE:
        raise forms.ValidationError(
            _("List at most %(count)d people, one per line.") % {"count": MAX_CONFIDENTIAL_PEOPLE}
        )
    if any(len(name) > 200 for name in names):
        raise forms.ValidationError(_("Write one name per line (at most 200 characters each)."))
    return names


class ConsentForm(forms.Form):
    """The victim's consent for each use, and what the source confirms."""

    contact_government = _radios(YES_NO, label=_("Sending a letter to the government"))
    public_naming = _radios(YES_NO, label=_("Naming the victim in public"))
    written_consent = _radios(m.WrittenConsent.choices, label=_("Written consent"))
    good_faith = forms.BooleanField(
        label=_("I act in good faith, and what I report is true to the best of my knowledge.")
    )
    direct_knowledge = forms.BooleanField(
        label=_("I know the facts directly, or from a source I have good reason to trust.")
    )
    media_only = _radios(
        [("no", _("No, I or people I trust know the facts")), ("yes", _("Yes, only from media reports"))],
        label=_("Is your information based only on media reports?"),
        help_text=_("We still receive it, but we need more than media reports to act."),
    )
    # A field people never see or fill in; automated senders do.
    website = forms.CharField(label=_("Leave this field empty"), required=False)

    def __init__(self, *args, texts: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if texts:
            # The question itself, in full, is what the source answers: it is the label, not small print.
            for name in ("contact_government", "public_naming", "written_consent"):
                self.fields[name].label = texts[name]
        self.helper = _helper(
            _("Consent and confirmation"),
            "contact_government",
            "public_naming",
            "written_consent",
            "good_faith",
            "direct_knowledge",
            "media_only",
        )

    def clean_website(self):
        if self.cleaned_data["website"]:
            raise forms.ValidationError(_("This field must be left empty."))
        return ""

    def consent(self) -> dict:
        data = self.cleaned_data
        return {
            "contact_government": _yes(data["contact_government"]),
            "public_naming": _yes(data["public_naming"]),
            "written_consent": data["written_consent"],
        }

    def confirmations(self) -> dict:
        data = self.cleaned_data
        return {
            "good_faith": data["good_faith"],
            "direct_knowledge": data["direct_knowledge"],
            "media_only": _yes(data["media_only"]),
        }


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class AttachmentsForm(forms.Form):
    files = MultipleFileField(
        label=_("Documents, photos, audio or video (optional)"),
        required=False,
        help_text=_(
            "PDF, JPEG, PNG, Word (DOCX), OpenDocument text (ODT), plain text, MP3 or MP4; "
            "up to 10 files, 10 MB each and 25 MB in all. Photos and documents can carry hidden "
            "information such as the place a photo was taken: we keep your original as evidence and give "
            "staff a copy without it."
        ),
    )


class ReceiptLoginForm(forms.Form):
    reference = forms.CharField(label=_("Reference"), max_length=40, help_text=_("For example HRD-7KQ4M-9TXW2."))
    passphrase = forms.CharField(
        label=_("Secret passphrase"),
        max_length=200,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "The six words or the 24 digits you were given. Capital letters, spaces and ё or е do not matter, "
            "nor Latin letters that look like Russian ones."
        ),
    )

    def clean_reference(self):
        return normalise_reference(self.cleaned_data["reference"])

    def clean_passphrase(self):
        # Left as typed: submissions.receipts forgives what may differ, for each kind of passphrase.
        return self.cleaned_data["passphrase"].strip()


class PassphraseKindForm(forms.Form):
    passphrase_kind = forms.ChoiceField(
        label=_("Your secret passphrase"),
        choices=[
            (WORDS, _("Six words in the language of this page")),
            (DIGITS, _("24 digits in groups of four (easier to type on any keyboard)")),
        ],
        initial=WORDS,
        widget=forms.RadioSelect,
        help_text=_("Both are equally strong. You get it with your receipt when the report is sent."),
    )


class SourceMessageForm(forms.Form):
    body = _text(rows=5, label=_("Your message or new information"))
    files = MultipleFileField(label=_("Attachments (optional)"), required=False)


class ConsentChangeForm(forms.Form):
    contact_government = _radios(YES_NO, label=_("Sending a letter to the government"))
    public_naming = _radios(YES_NO, label=_("Naming the victim in public"))
    written_consent = _radios(m.WrittenConsent.choices, label=_("Written consent"))

    def __init__(self, *args, texts: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if texts:
            # The question itself, in full, is what the source answers: it is the label, not small print.
            for name in ("contact_government", "public_naming", "written_consent"):
                self.fields[name].label = texts[name]
        self.helper = _helper(_("Change consent"), *self.fields)

    def consent(self) -> dict:
        data = self.cleaned_data
        return {
            "contact_government": _yes(data["contact_government"]),
            "public_naming": _yes(data["public_naming"]),
            "written_consent": data["written_consent"],
        }


class NeverNamedAddForm(forms.Form):
    """From the receipt: more people never to be named, added to the list the case holds (`held`)."""

    names = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=MAX_CONFIDENTIAL_PEOPLE * 200,
        label=_("Add people who must never be named"),
        help_text=_(
            "One name per line, with other spellings if you know them (for example in Cyrillic and in Latin "
            "letters). From now on, no letter about your report may name them, in any form."
        ),
    )

    def __init__(self, *args, held: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.held = held
        self.helper = _helper(_("Add names"), *self.fields)

    def clean_names(self):
        names = never_named_list(self.cleaned_data["names"], held=self.held)
        if names == self.held:
            raise forms.ValidationError(_("These names are on the list already."))
        return names
