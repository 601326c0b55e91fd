# Rarely-set links get partial indexes (only rows that have the link are indexed), so intake
# does not pay for them; rarely-filtered foreign keys lose their index.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("hotline", "0002_trigram"),
    ]

    operations = [
        migrations.AlterField(
            model_name="ticket",
            name="created_by",
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="受理人"),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="merged_into",
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="merged_tickets", to="hotline.ticket", verbose_name="并入工单"),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="policy",
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="wagtailcore.page", verbose_name="涉及政策"),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="repeat_of",
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="hotline.ticket", verbose_name="重复于"),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="repeat_root",
            field=models.ForeignKey(blank=True, db_index=False, help_text="重复诉求所属事项的首件工单。", null=True, on_delete=django.db.models.deletion.PROTECT, related_name="repeats", to="hotline.ticket", verbose_name="诉求事项"),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="suggested_lead",
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="core.organisation", verbose_name="建议主办单位"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(condition=models.Q(("merged_into__isnull", False)), fields=["merged_into"], name="hotline_ticket_merged_into"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(condition=models.Q(("repeat_root__isnull", False)), fields=["repeat_root"], name="hotline_ticket_repeat_root"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(condition=models.Q(("repeat_of__isnull", False)), fields=["repeat_of"], name="hotline_ticket_repeat_of"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(condition=models.Q(("policy__isnull", False)), fields=["policy"], name="hotline_ticket_policy"),
        ),
    ]
