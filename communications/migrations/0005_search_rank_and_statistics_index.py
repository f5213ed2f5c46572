import django.contrib.postgres.indexes
import django.contrib.postgres.search
from django.contrib.postgres.operations import BtreeGinExtension
from django.db import migrations, models

# communications.release._vector(title, summary) in SQL, for the records released before this column:
# SearchVector(Value(text), config=..., weight=...) is setweight(to_tsvector(config, COALESCE(text, '')), weight).
BACKFILL_SEARCH_RANK = """
UPDATE communications_publicrecord
SET search_rank = setweight(to_tsvector('english'::regconfig, COALESCE(reference || ' ' || recipient_name, '')), 'A')
    || setweight(to_tsvector('english'::regconfig, COALESCE(summary, '')), 'B')
    || setweight(to_tsvector('russian'::regconfig, COALESCE(summary, '')), 'B')
"""


class Migration(migrations.Migration):
    dependencies = [
        ("communications", "0004_public_search"),
    ]

    operations = [
        migrations.AddField(
            model_name="publicrecord",
            name="search_rank",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunSQL(BACKFILL_SEARCH_RANK, reverse_sql=migrations.RunSQL.noop, elidable=True),
        # The statistics index below leads with recipient, as does publicrecord_recipient: a third is not needed.
        # The search index also holds type and reply status (btree_gin: a trusted extension since PostgreSQL 13,
        # which the database's owner may create).
        BtreeGinExtension(),
        migrations.RemoveIndex(model_name="publicrecord", name="publicrecord_search"),
        migrations.AddIndex(
            model_name="publicrecord",
            index=django.contrib.postgres.indexes.GinIndex(
                fields=["search", "kind", "reply_status"], name="publicrecord_search"
            ),
        ),
        migrations.AlterField(
            model_name="publicrecord",
            name="recipient",
            field=models.CharField(max_length=3),
        ),
        migrations.AddIndex(
            model_name="publicrecord",
            index=models.Index(
                fields=["recipient"],
                include=("recipient_name", "kind", "sent_on", "first_reply_on"),
                name="publicrecord_statistics",
            ),
        ),
    ]
