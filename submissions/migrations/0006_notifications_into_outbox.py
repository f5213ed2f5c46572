from django.db import migrations
from django.urls import reverse
from django.utils import translation


def unsent_into_outbox(apps, schema_editor):
    """Mail the submissions' own outbox had not sent yet moves to the portal's outbox; its sweep sends it."""
    Notification = apps.get_model("submissions", "Notification")
    Mail = apps.get_model("portal", "Mail")
    for notification in Notification.objects.filter(sent_at__isnull=True).select_related("submission__desk"):
        submission = notification.submission
        if notification.kind == "urgent_to_desk":
            desk = submission.desk
            if desk is None or not desk.email:
                continue
            path = reverse("admin:submissions_submission_change", args=[submission.pk])
            key, to = f"submissions.urgent:{submission.pk}", desk.email
            subject = f"Urgent case in the {desk.name} queue"
            body = (
                f"An urgent submission waits in the {desk.name} queue.\n\n"
                f"Reference: {submission.reference}\nOpen it in the staff site: {path}\n"
            )
        else:
            if not submission.notify_email or notification.message_id is None:
                continue
            with translation.override(submission.language):
                subject = translation.gettext("You have a new message")
                body = translation.gettext("You have a new message. Open it with your receipt on the portal.")
            key, to = f"submissions.new-message:{notification.message_id}", submission.notify_email
        Mail.objects.get_or_create(
            key=key, defaults={"to": to, "subject": subject, "body": body, "created_at": notification.created_at}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("submissions", "0005_desk_queue_order_index"),
        ("portal", "0003_mail_outbox"),
    ]

    operations = [
        migrations.RunPython(unsent_into_outbox, migrations.RunPython.noop),
        migrations.DeleteModel(name="Notification"),
    ]
