"""The titles of the mandates that co-sign letters (seeded by migration 0002), for the translation catalogue.

A letter gives every co-signing mandate's title in its own language (communications.drafting.mandate_title).
"""

from django.utils.translation import gettext_noop

TITLES = [
    gettext_noop(
        "Special Rapporteur on the promotion and protection of the right to freedom of opinion and expression"
    ),
    gettext_noop("Special Rapporteur on the rights to freedom of peaceful assembly and of association"),
    gettext_noop("Working Group on Arbitrary Detention"),
    gettext_noop("Special Rapporteur on torture and other cruel, inhuman or degrading treatment or punishment"),
    gettext_noop("Special Rapporteur on the independence of judges and lawyers"),
    gettext_noop("Working Group on Enforced or Involuntary Disappearances"),
    gettext_noop("Special Rapporteur on extrajudicial, summary or arbitrary executions"),
    gettext_noop("Special Rapporteur on violence against women and girls"),
    gettext_noop("Special Rapporteur on human rights and the environment"),
    gettext_noop("Working Group on business and human rights"),
    gettext_noop("Special Rapporteur on the rights of Indigenous Peoples"),
    gettext_noop("Special Rapporteur on the right to privacy"),
]
