import django.contrib.postgres.indexes
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("communications", "0012_merge_sealed_letters_and_never_named_alerts"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="publicrecord",
            index=models.Index(
                fields=["-sent_on", "-id"],
                include=("kind", "reply_status", "recipient", "themes", "violation_types", "search_rank"),
                name="publicrecord_ranked",
            ),
        ),
        migrations.AddIndex(
            model_name="publicrecord",
            index=django.contrib.postgres.indexes.GinIndex(fields=["search_rank"], name="publicrecord_search_rank"),
        ),
    ]
