from django import forms
from django.utils.translation import gettext_lazy as _

from communications.models import Kind, ReplyStatus
from submissions.models import PriorityFlag, ViolationType


def _optional(choices, label):
    return forms.ChoiceField(choices=[("", _("Any")), *choices], required=False, label=label)


class ArchiveFilterForm(forms.Form):
    """The public archive's search and filters; every field optional, bad values simply ignored."""

    q = forms.CharField(label=_("Search the letters"), required=False, max_length=200)
    recipient = forms.CharField(label=_("Country (ISO code, e.g. TJK)"), required=False, max_length=3)
    kind = _optional(Kind.choices, _("Type"))
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1990, max_value=2100)
    theme = _optional(PriorityFlag.choices, _("Thematic priority"))
    violation = _optional(ViolationType.choices, _("Violation"))
    reply = _optional(ReplyStatus.choices, _("Reply"))

    def filter(self, records):
        if not self.is_valid():
            return records.none()
        data = self.cleaned_data
        return records.filtered(
            q=data["q"],
            recipient=data["recipient"],
            kind=data["kind"],
            year=data["year"],
            theme=data["theme"],
            violation=data["violation"],
            reply_status=data["reply"],
        )
