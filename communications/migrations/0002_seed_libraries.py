from django.db import migrations

MANDATES = [
    "Special Rapporteur on the promotion and protection of the right to freedom of opinion and expression",
    "Special Rapporteur on the rights to freedom of peaceful assembly and of association",
    "Working Group on Arbitrary Detention",
    "Special Rapporteur on torture and other cruel, inhuman or degrading treatment or punishment",
    "Special Rapporteur on the independence of judges and lawyers",
    "Working Group on Enforced or Involuntary Disappearances",
    "Special Rapporteur on extrajudicial, summary or arbitrary executions",
    "Special Rapporteur on violence against women and girls",
    "Special Rapporteur on human rights and the environment",
    "Working Group on business and human rights",
    "Special Rapporteur on the rights of Indigenous Peoples",
    "Special Rapporteur on the right to privacy",
]

# (code, title, topics, text): topics are submissions' violation types and work areas.
NORMS_EN = [
    ("declaration-hrd", "Declaration on Human Rights Defenders", ["always"],
     "We refer to the Declaration on the Right and Responsibility of Individuals, Groups and Organs of Society "
     "to Promote and Protect Universally Recognized Human Rights and Fundamental Freedoms (the Declaration on "
     "Human Rights Defenders), in particular articles 1 and 2, which provide that everyone has the right to promote "
     "and to strive for the protection and realization of human rights, and that each State has a prime "
     "responsibility to protect them, and article 12, paragraphs 2 and 3, which require the State to take all "
     "necessary measures to ensure the protection of everyone against any violence, threats, retaliation, "
     "pressure or any other arbitrary action as a consequence of their legitimate exercise of those rights."),
    ("iccpr-9", "ICCPR, article 9 (liberty and security of person)", ["arbitrary_detention", "disappearance"],
     "Article 9 of the International Covenant on Civil and Political Rights guarantees the right to liberty and "
     "security of person, prohibits arbitrary arrest or detention, and requires that anyone arrested be "
     "promptly informed of the charges and brought promptly before a judge."),
    ("iccpr-14", "ICCPR, article 14 (fair trial)", ["judicial_harassment", "arbitrary_detention", "legal"],
     "Article 14 of the Covenant guarantees the right to a fair and public hearing by a competent, independent "
     "and impartial tribunal, the presumption of innocence, and adequate time and facilities to prepare a "
     "defence and to communicate with counsel of one's own choosing."),
    ("iccpr-19", "ICCPR, article 19 (freedom of expression)", ["journalism", "online_attacks", "civil_political"],
     "Article 19 of the Covenant protects the right to hold opinions without interference and the right to "
     "freedom of expression, including the freedom to seek, receive and impart information and ideas of all "
     "kinds. Any restriction must be provided by law and necessary for a legitimate aim."),
    ("iccpr-21", "ICCPR, article 21 (peaceful assembly)", ["civil_political", "environment"],
     "Article 21 of the Covenant recognises the right of peaceful assembly; no restrictions may be placed on it "
     "other than those imposed in conformity with the law and necessary in a democratic society."),
    ("iccpr-22", "ICCPR, article 22 (freedom of association)", ["registration_funding", "business", "civil_political"],
     "Article 22 of the Covenant protects the right to freedom of association, which includes the ability of "
     "associations to seek, receive and use resources, including from abroad."),
    ("cat", "Convention against Torture", ["torture", "sexual_violence"],
     "Articles 2 and 16 of the Convention against Torture and Other Cruel, Inhuman or Degrading Treatment or "
     "Punishment require the State to take effective measures to prevent acts of torture and ill-treatment, and "
     "article 12 requires a prompt and impartial investigation wherever there is reasonable ground to believe "
     "that such an act has been committed."),
    ("iccpr-6", "ICCPR, article 6 (right to life)", ["killing", "attempted_killing", "death_threats"],
     "Article 6 of the Covenant protects the right to life; the State must protect defenders against threats "
     "to their life from State and non-State actors and investigate killings and attempts promptly and effectively."),
    ("cedaw", "Convention on the Elimination of All Forms of Discrimination against Women", ["women"],
     "The Convention on the Elimination of All Forms of Discrimination against Women, and General Assembly "
     "resolution 68/181 on women human rights defenders, call on States to protect women defenders against "
     "gender-based violence and discrimination in their work."),
    ("un-reprisals", "Cooperation with the United Nations", ["un_reprisals"],
     "Human Rights Council resolution 42/28 calls on States to prevent and refrain from any act of intimidation "
     "or reprisal against those who seek to cooperate, cooperate or have cooperated with the United Nations."),
]

TEMPLATES_EN = {
    "UA": {
        "opening": "Excellency,\n\nWe have the honour to address you in our capacity as {mandates}, pursuant to "
                   "Human Rights Council resolutions.\n\nIn this connection, we would like to bring to the urgent "
                   "attention of your Excellency's Government information we have received concerning the situation "
                   "described below, which appears to require immediate action.",
        "facts_intro": "According to the information received:",
        "concerns": "While we do not wish to prejudge the accuracy of these allegations, we express grave concern "
                    "at the alleged acts, which appear to be directly linked to the peaceful and legitimate human "
                    "rights work of those concerned, and at the risk they face now.",
        "norms_intro": "In connection with the above alleged facts and concerns, we would like to draw the attention "
                       "of your Excellency's Government to the following international norms and standards:",
        "questions": "Please provide any additional information and comment you may have on the above allegations.\n"
                     "Please provide information on the legal basis for the measures taken and how they are "
                     "compatible with international human rights law.\n"
                     "Please indicate the measures taken to guarantee the physical and psychological integrity of "
                     "those concerned and to protect them from further harm.\n"
                     "Please indicate the measures taken to ensure that human rights defenders can carry out their "
                     "legitimate work in a safe and enabling environment, without fear of reprisal.",
        "closing": "We would appreciate receiving a response within 60 days. After this period, this communication "
                   "and any response received from your Excellency's Government will be made public via the "
                   "communications reporting website and presented in the report to the Human Rights Council.\n\n"
                   "While awaiting a reply, we urge that all necessary interim measures be taken to halt the alleged "
                   "violations and prevent their re-occurrence.\n\nPlease accept, Excellency, the assurances of our "
                   "highest consideration.",
    },
    "AL": {
        "opening": "Excellency,\n\nWe have the honour to address you in our capacity as {mandates}, pursuant to "
                   "Human Rights Council resolutions.\n\nIn this connection, we would like to bring to the attention "
                   "of your Excellency's Government information we have received concerning the events described "
                   "below.",
        "facts_intro": "According to the information received:",
        "concerns": "Without prejudging the accuracy of the information received, we express serious concern at "
                    "these allegations, which, if confirmed, would be in contravention of the rights of those "
                    "concerned and appear to be connected to their human rights work.",
        "norms_intro": "We would like to draw the attention of your Excellency's Government to the following "
                       "international norms and standards:",
        "questions": "Please provide any additional information and comment you may have on the above allegations.\n"
                     "Please provide information on any investigation carried out into these events, and its "
                     "results.\n"
                     "Please indicate the steps taken to provide an effective remedy to those concerned.",
        "closing": "We would appreciate receiving a response within 60 days. After this period, this communication "
                   "and any response received from your Excellency's Government will be made public via the "
                   "communications reporting website and presented in the report to the Human Rights Council.\n\n"
                   "Please accept, Excellency, the assurances of our highest consideration.",
    },
    "OL": {
        "opening": "Excellency,\n\nWe have the honour to address you in our capacity as {mandates}, pursuant to "
                   "Human Rights Council resolutions.\n\nIn this connection, we would like to offer the following "
                   "comments on legislation and policies that affect the work of human rights defenders.",
        "facts_intro": "According to the information received:",
        "concerns": "We are concerned that these measures, if adopted or maintained, may unduly restrict the "
                    "legitimate work of human rights defenders and civil society.",
        "norms_intro": "We would like to recall the following international norms and standards:",
        "questions": "Please provide any additional information and comment you may have on the above.\n"
                     "Please explain how these measures are compatible with the State's obligations under "
                     "international human rights law.\n"
                     "Please indicate whether civil society was consulted, and how.",
        "closing": "We would appreciate receiving a response within 60 days. After this period, this communication "
                   "and any response received from your Excellency's Government will be made public via the "
                   "communications reporting website.\n\nPlease accept, Excellency, the assurances of our highest "
                   "consideration.",
    },
}


def seed(apps, schema_editor):
    Mandate = apps.get_model("communications", "Mandate")
    NormParagraph = apps.get_model("communications", "NormParagraph")
    LetterTemplate = apps.get_model("communications", "LetterTemplate")
    for name in MANDATES:
        Mandate.objects.get_or_create(name=name)
    for order, (code, title, topics, text) in enumerate(NORMS_EN):
        NormParagraph.objects.get_or_create(
            code=code, language="en", defaults={"title": title, "topics": topics, "text": text, "order": order}
        )
    for kind, parts in TEMPLATES_EN.items():
        LetterTemplate.objects.get_or_create(kind=kind, language="en", defaults=parts)


class Migration(migrations.Migration):
    dependencies = [("communications", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
