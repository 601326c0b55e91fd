"""Who may follow a ticket in the enterprise portal: the enterprise that filed it there
(``filed_by_enterprise``), no longer any enterprise whose credit code staff recorded on it."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Q, Subquery

# What ``hotline.services.actor_name`` records for a request nobody on the staff took in.
REQUESTER = "诉求人"


def backfill_portal_requests(apps, schema_editor):
    """Tickets filed through the portal before the field existed keep their enterprise: the
    政企通 channel, taken in by no staff member (no 受理人, an intake event by the requester),
    with the credit code of an enterprise on record. Staff-recorded tickets stay unlinked."""
    Ticket = apps.get_model("hotline", "Ticket")
    TicketEvent = apps.get_model("hotline", "TicketEvent")
    Enterprise = apps.get_model("enterprises", "Enterprise")

    staff_intake = TicketEvent.objects.filter(action="intake").filter(
        Q(actor__isnull=False) | ~Q(actor_name__in=[REQUESTER, ""])).values("ticket_id")
    Ticket.objects.filter(
        channel="enterprise", created_by__isnull=True, filed_by_enterprise__isnull=True,
    ).exclude(enterprise_credit_code="").exclude(pk__in=staff_intake).update(
        filed_by_enterprise_id=Subquery(Enterprise.objects.filter(
            credit_code=OuterRef("enterprise_credit_code")).values("pk")[:1]))


class Migration(migrations.Migration):

    dependencies = [
        ("enterprises", "0005_push_withdrawal"),
        ("hotline", "0006_private_attachments"),
    ]

    operations = [
        migrations.AddField(
            model_name="ticket",
            name="filed_by_enterprise",
            field=models.ForeignKey(blank=True, db_index=False, help_text="通过企业门户提交本诉求的企业，仅由门户填写。", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="enterprises.enterprise", verbose_name="提交企业"),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="enterprise_credit_code",
            field=models.CharField(blank=True, help_text="诉求涉及的企业，用于关联企业档案；企业凭此不能查看或评价本工单。", max_length=18, verbose_name="涉及企业统一社会信用代码"),
        ),
        migrations.AlterField(
            model_name="ticket",
            name="enterprise_name",
            field=models.CharField(blank=True, max_length=100, verbose_name="涉及企业名称"),
        ),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(condition=models.Q(("filed_by_enterprise__isnull", False)), fields=["filed_by_enterprise"], name="hotline_ticket_filed_by_enter"),
        ),
        migrations.RunPython(backfill_portal_requests, migrations.RunPython.noop, elidable=True),
    ]
