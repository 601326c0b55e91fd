"""Admin of 企业服务 reference data and profiles (企业档案, 企业资质, 国民经济行业) and the
免申即享 eligible-enterprise lists.

Profiles, qualifications and industries use model permissions. A 免申即享 list is for the
department to act on, so it carries full contact details; it is open to superusers and 督办人
for every policy, and to 编辑 and 审签人 for the policies their organisation (or one below it)
drafted (``exempt_policies``). The list page is also the policy's 兑现台账: its figures against
the payout deadline, and — for the drafting department's 编辑 and 审签人 — recording payouts by
CSV upload or by hand (``enterprises.payouts``).
"""


import django_filters
from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import include, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.ui.tables import Column
from wagtail.admin.views import generic

from core.exports import csv_download
from core.models import Division
from core.viewsets import ModelViewSet
from enterprises import criteria, industries, payouts
from enterprises.access import may_see_policy_enterprises, scope_policies
from enterprises.forms import EnterpriseAdminForm, PayoutForm, PayoutUploadForm
from enterprises.models import Enterprise, Industry, OperatingStatus, Qualification, SizeClass
from enterprises.services import staff_contact

# --- 企业档案 ------------------------------------------------------------------------------------


def section_choices():
    return [(code, f"{code} {name}") for code, name in industries.reference_rows()
            if len(code) == 1]


def division_filter_choices(request=None):
    return Division.objects.filter(
        level__in=[Division.Level.COUNTY, Division.Level.TOWNSHIP]).order_by("code")


class EnterpriseFilterSet(WagtailFilterSet):
    section = django_filters.ChoiceFilter(label=gettext_lazy("行业门类"), choices=section_choices,
                                          method="filter_section")
    size_class = django_filters.ChoiceFilter(label=gettext_lazy("企业规模"),
                                             choices=SizeClass.choices)
    division = django_filters.ModelChoiceFilter(label=gettext_lazy("注册地"),
                                                queryset=division_filter_choices,
                                                method="filter_division")
    status = django_filters.ChoiceFilter(label=gettext_lazy("经营状态"),
                                         choices=OperatingStatus.choices)
    qualifications = django_filters.ModelChoiceFilter(label=gettext_lazy("资质"),
                                                      queryset=Qualification.objects.all())

    class Meta:
        model = Enterprise
        fields = []

    def filter_section(self, queryset, name, value):
        return queryset.filter(industry_code__startswith=value) if value else queryset

    def filter_division(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(division__in=value.descendants().values("pk"))


class EnterpriseIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("division__parent__parent")

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        from enterprises.validators import normalise_credit_code

        code = normalise_credit_code(self.search_query)
        query = self.search_query.strip()
        if code.isalnum() and code.isascii():
            return queryset.filter(credit_code__startswith=code)
        return queryset.filter(name__icontains=query)


def _industry(enterprise):
    return industries.label(enterprise.industry_code)


class EnterpriseViewSet(ModelViewSet):
    model = Enterprise
    icon = "group"
    menu_label = gettext_lazy("企业档案")
    index_view_class = EnterpriseIndexView
    list_display = [
        "name", "credit_code",
        Column("industry", label=gettext_lazy("国民经济行业"), accessor=_industry),
        Column("size_class", label=gettext_lazy("企业规模"), accessor="get_size_class_display"),
        Column("division", label=gettext_lazy("注册地")),
        Column("status", label=gettext_lazy("经营状态"), accessor="get_status_display"),
        Column("contact_phone", label=gettext_lazy("联系电话"), accessor=lambda e: staff_contact(
            e.contact_name, e.contact_phone, paying_department=False)[1]),
    ]
    filterset_class = EnterpriseFilterSet
    search_fields = ["name", "credit_code"]
    inspect_view_enabled = True
    copy_view_enabled = False
    edit_handler = ObjectList([
        MultiFieldPanel([
            FieldPanel("credit_code"), FieldPanel("name"),
            FieldRowPanel([FieldPanel("industry_code"), FieldPanel("size_class")]),
            FieldPanel("division"),
            FieldRowPanel([FieldPanel("headcount"), FieldPanel("revenue"),
                           FieldPanel("registered_on")]),
            FieldPanel("status"),
            FieldPanel("qualifications", widget=forms.CheckboxSelectMultiple),
        ], heading=gettext_lazy("企业画像")),
        MultiFieldPanel([
            FieldRowPanel([FieldPanel("contact_name"), FieldPanel("contact_phone"),
                           FieldPanel("contact_email")]),
        ], heading=gettext_lazy("联系人")),
        MultiFieldPanel([
            FieldRowPanel([FieldPanel("notify_inbox"), FieldPanel("notify_sms"),
                           FieldPanel("notify_email")]),
            FieldPanel("notify_frequency"),
        ], heading=gettext_lazy("推送设置")),
        FieldPanel("users"),
    ], base_form_class=EnterpriseAdminForm)


class QualificationViewSet(ModelViewSet):
    model = Qualification
    icon = "tag"
    menu_label = gettext_lazy("企业资质")
    list_display = ["name", "description"]
    search_fields = ["name"]
    form_fields = ["name", "description"]
    copy_view_enabled = False


class IndustryAdminForm(WagtailAdminModelForm):
    """The code is read with ``canonical_code``; level and parent follow from it."""

    def clean_code(self):
        code = industries.canonical_code(self.cleaned_data.get("code"))
        if self.instance.pk and code != self.instance.code:
            raise forms.ValidationError(_("行业代码建立后不能修改，如有错误请删除后重新添加。"))
        return code

    def save(self, commit=True):
        industry = super().save(commit=False)
        code = industry.code
        industry.level = industries.level_of(code)
        ancestors = [code[:n] for n in (4, 3, 1) if n < len(code)]
        industry.parent = Industry.objects.filter(code__in=ancestors).order_by("-code").first()
        if commit:
            industry.save()
        return industry


class IndustryFilterSet(WagtailFilterSet):
    level = django_filters.ChoiceFilter(label=gettext_lazy("层级"), choices=Industry.Level.choices)
    section = django_filters.ChoiceFilter(label=gettext_lazy("门类"), choices=section_choices,
                                          method="filter_section")

    class Meta:
        model = Industry
        fields = []

    def filter_section(self, queryset, name, value):
        return queryset.filter(code__startswith=value) if value else queryset


class IndustryViewSet(ModelViewSet):
    model = Industry
    icon = "list-ul"
    menu_label = gettext_lazy("国民经济行业")
    list_display = [Column("display_code", label=gettext_lazy("行业代码")), "name",
                    Column("level", label=gettext_lazy("层级"), accessor="get_level_display")]
    filterset_class = IndustryFilterSet
    search_fields = ["name", "code"]
    list_per_page = 50
    copy_view_enabled = False
    edit_handler = ObjectList([FieldPanel("code"), FieldPanel("name")],
                              base_form_class=IndustryAdminForm)


enterprise_viewset = EnterpriseViewSet("enterprise_profiles")
qualification_viewset = QualificationViewSet("enterprise_qualifications")
industry_viewset = IndustryViewSet("industries")
VIEWSETS = [enterprise_viewset, qualification_viewset, industry_viewset]


# --- 免申即享: the eligible-enterprise list ---------------------------------------------------------


def exempt_policies(user):
    """The live 免申即享 policies whose eligible-enterprise list ``user`` may see."""
    from interpretations.models import PolicyPage

    return scope_policies(user, PolicyPage.objects.live().filter(exempt_application=True))


def _exempt_policy(request, policy_id):
    policy = exempt_policies(request.user).filter(pk=policy_id).first()
    if policy is None:
        raise Http404
    return policy


@require_GET
def exempt_index(request):
    policies = exempt_policies(request.user).select_related("drafting_department").order_by(
        "-published_on", "-pk")
    page = Paginator(policies, 20).get_page(request.GET.get("page"))
    return TemplateResponse(request, "enterprises/admin/matching/exempt_index.html", {
        "page_obj": page, "rows": [(p, criteria.summary(p)) for p in page.object_list],
    })


PREVIEW = 50


def _render_detail(request, policy, *, upload_form=None, payout_form=None, upload_errors=(),
                   payout_errors=()):
    now = timezone.now()
    figures = payouts.figures(policy, now)
    preview = list(payouts.eligible_with_payouts(policy, now)
                   .select_related("division__parent__parent")
                   .annotate(paid_amount=F("payout__amount"), paid_on=F("payout__paid_on"),
                             paid_voucher=F("payout__voucher"))
                   .order_by("credit_code")[:PREVIEW])
    may_record = payouts.may_record(request.user, policy)
    return TemplateResponse(request, "enterprises/admin/matching/exempt_detail.html", {
        "policy": policy, "summary": criteria.summary(policy), "count": figures.eligible,
        "figures": figures, "go_live": payouts.go_live(policy),
        "working_days": settings.ENTERPRISE_PAYOUT_WORKING_DAYS,
        "chart": payouts.weekly_chart(policy, now),
        "preview": [(e, industries.label(e.industry_code),
                     payouts.status_label(e.paid_amount is not None, figures.is_overdue),
                     staff_contact(e.contact_name, e.contact_phone, paying_department=True))
                    for e in preview],
        "preview_size": PREVIEW, "has_criteria": criteria.has_criteria(policy),
        "csv_url": reverse("enterprises_exempt:csv", args=[policy.pk]),
        "may_record": may_record,
        "upload_form": upload_form or PayoutUploadForm(),
        "payout_form": payout_form or PayoutForm(),
        "upload_errors": upload_errors[:payouts.ERRORS_SHOWN],
        "more_errors": max(0, len(upload_errors) - payouts.ERRORS_SHOWN),
        "payout_errors": payout_errors,
        "columns": [payouts.CODE, payouts.AMOUNT, payouts.PAID_ON, payouts.VOUCHER],
    })


@require_GET
def exempt_detail(request, policy_id):
    return _render_detail(request, _exempt_policy(request, policy_id))


def _recording_policy(request, policy_id):
    policy = _exempt_policy(request, policy_id)
    if not payouts.may_record(request.user, policy):
        raise PermissionDenied
    return policy


@require_POST
def exempt_upload(request, policy_id):
    """Record the payouts of an uploaded CSV: all rows, or none with every problem listed."""
    policy = _recording_policy(request, policy_id)
    form = PayoutUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        errors = [e for field_errors in form.errors.values() for e in field_errors]
        return _render_detail(request, policy, upload_form=form, upload_errors=errors)
    try:
        outcome = payouts.record(policy, request.user, payouts.read_upload(
            form.cleaned_data["file"]))
    except payouts.PayoutError as exc:
        return _render_detail(request, policy, upload_errors=exc.errors)
    _recorded(request, outcome)
    return redirect("enterprises_exempt:detail", policy_id=policy.pk)


@require_POST
def exempt_add(request, policy_id):
    """Record one payout typed in by hand."""
    policy = _recording_policy(request, policy_id)
    form = PayoutForm(request.POST)
    form.is_valid()  # text fields only: the checks are the ledger's own
    try:
        outcome = payouts.record_one(policy, request.user, **form.cleaned_data)
    except payouts.PayoutError as exc:
        return _render_detail(request, policy, payout_form=form, payout_errors=exc.errors)
    _recorded(request, outcome)
    return redirect("enterprises_exempt:detail", policy_id=policy.pk)


def _recorded(request, outcome):
    if outcome.created:
        message = _("已登记 %(n)s 家企业的兑现记录。") % {"n": outcome.created}
        if outcome.unchanged:
            message += _("另有 %(m)s 条与已登记的记录一致，未重复登记。") % {"m": outcome.unchanged}
        messages.success(request, message)
    else:
        messages.info(request, _("没有新的兑现记录：%(m)s 条均与已登记的记录一致。") % {
            "m": outcome.unchanged})


CSV_COLUMNS = [
    gettext_lazy("统一社会信用代码"), gettext_lazy("企业名称"), gettext_lazy("行业代码"),
    gettext_lazy("行业名称"), gettext_lazy("企业规模"), gettext_lazy("注册地"),
    gettext_lazy("从业人数"), gettext_lazy("营业收入（万元）"), gettext_lazy("成立日期"),
    gettext_lazy("联系人"), gettext_lazy("联系电话"), gettext_lazy("联系邮箱"),
    *payouts.EXPORT_COLUMNS,  # the ledger's, as an upload reads them back
]


def eligible_rows(policy):
    """The CSV rows of the policy's eligible enterprises with their payouts, streamed from the
    database (one query)."""
    sizes = dict(SizeClass.choices)
    places = Division.full_names()
    industry_names = industries.names()
    overdue = payouts.passed(payouts.deadline(policy), timezone.now())
    rows = payouts.eligible_with_payouts(policy).order_by("credit_code").values_list(
        "credit_code", "name", "industry_code", "size_class", "division_id", "headcount",
        "revenue", "registered_on", "contact_name", "contact_phone", "contact_email",
        "payout__amount", "payout__paid_on", "payout__voucher")
    for (code, name, industry, size, division, headcount, revenue, registered, contact, phone,
         email, amount, paid_on, voucher) in rows.iterator(chunk_size=5000):
        yield [code, name, industries.display_code(industry), industry_names.get(industry, ""),
               sizes.get(size, size), places.get(division, ""), headcount, revenue,
               registered.isoformat(),
               *staff_contact(contact, phone, paying_department=True), email,
               payouts.status_label(amount is not None, overdue), amount,
               paid_on.isoformat() if paid_on else "", voucher]


@require_GET
def exempt_csv(request, policy_id):
    policy = _exempt_policy(request, policy_id)
    return csv_download(f"exempt-{policy.pk}-eligible.csv", CSV_COLUMNS, eligible_rows(policy))


def exempt_urls():
    patterns = [
        path("", exempt_index, name="index"),
        path("<int:policy_id>/", exempt_detail, name="detail"),
        path("<int:policy_id>/csv/", exempt_csv, name="csv"),
        path("<int:policy_id>/payouts/upload/", exempt_upload, name="upload"),
        path("<int:policy_id>/payouts/add/", exempt_add, name="add"),
    ]
    return [path("enterprises/exempt/", include((patterns, "enterprises_exempt")))]


class ExemptMenuItem(MenuItem):
    def __init__(self):
        super().__init__(gettext_lazy("免申即享名单"), reverse("enterprises_exempt:index"),
                         name="exempt-lists", icon_name="download", order=300)

    def is_shown(self, request):
        return may_see_policy_enterprises(request.user)
