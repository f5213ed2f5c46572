"""The consent questions, versioned.

The exact wording a source was shown is recorded with each answer as
`text_version`. Change the wording only by adding a new version and pointing
CURRENT_VERSION at it; old versions stay so that old answers keep their text.
"""

from django.utils.translation import gettext_lazy as _

CURRENT_VERSION = "2026-11-v1"

TEXTS = {
    "2026-11-v1": {
        "contact_government": _(
            "Does the victim agree that the Special Rapporteur sends a letter naming them to the government "
            "or to the other actor concerned?"
        ),
        "public_naming": _(
            "Does the victim agree that their name appears in the public report and the online database of "
            "communications? If not, we use initials or “[name withheld]”."
        ),
        "written_consent": _(
            "Please confirm that the victim has given their consent in writing, or that you are the victim."
        ),
    },
}
