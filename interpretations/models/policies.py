"""Policy documents as pages, with their interpretation package inside the same page.

The 解读方案 (plan), the public 解读材料 (materials), the 不予解读 reason and the follow-up
interpretations are fields and inline models of ``PolicyPage``: one revision holds document and
package, one workflow signs them off, one publish makes them public. 三同步 holds by
construction; ``PolicyPage.publish`` is the choke point every publishing route passes, and it
asks ``interpretations.publishing`` whether the revision may go live.
"""

from django import forms
from django.core.paginator import Paginator
from django.db import models, transaction
from django.db.models import Q
from django.http import Http404
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import TaggedItemBase
from wagtail.admin.panels import (
    FieldPanel,
    FieldRowPanel,
    InlinePanel,
    MultiFieldPanel,
    ObjectList,
    TabbedInterface,
)
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from core.routes import FixedRoutePageMixin
from enterprises.models.criteria import AudienceCriteria
from interpretations.blocks import MATERIAL_TABS, MaterialsBlock, PolicyBodyBlock, PolicyBodyField
from interpretations.forms import PolicyPageForm
from interpretations.models.panels import ChangePanel, PublishingPanel
from interpretations.models.support import SupportMaterialsPanel

ARTICLE_TEMPLATE = "interpretations/includes/policy_article.html"


class Validity(models.TextChoices):
    CURRENT = "current", _("现行有效")
    REVISED = "revised", _("已修订")
    REPEALED = "repealed", _("已废止")
    EXPIRED = "expired", _("已失效")
    REPLACED = "replaced", _("已被替代")


VALIDITY_BADGE = {"current": "badge-ok", "revised": "badge-warn", "repealed": "badge-danger",
                  "expired": "badge-danger", "replaced": "badge-danger"}


class PolicyPageTag(TaggedItemBase):
    content_object = ParentalKey("interpretations.PolicyPage", related_name="tagged_items",
                                 on_delete=models.CASCADE)


class CachedPageMixin:
    """Live views of these pages may be answered from the anonymous page cache.

    ``page_cache_params``: the query parameters the view reads, each with the pattern a value
    must match to be cached (``interpretations.cache``); any other query is served uncached."""

    page_cache = True
    page_cache_params = {}

    def serve(self, request, *args, **kwargs):
        from interpretations.cache import mark_cacheable

        mark_cacheable(request, self.page_cache_params)
        return super().serve(request, *args, **kwargs)


class PolicyIndexPage(FixedRoutePageMixin, CachedPageMixin, Page):
    """政策文件库: filters by topic, organ, year and validity, Chinese full-text search."""

    intro = models.CharField(_("导语"), max_length=300, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["core.HomePage"]
    subpage_types = ["interpretations.PolicyPage"]
    max_count = 1
    per_page = 20
    # What get_context and filter_policies read; a long search is served uncached.
    page_cache_params = {"page": r"\d{1,4}", "q": r".{1,30}", "topic": r".{1,50}",
                         "organ": r"\d{1,10}", "year": r"\d{4}",
                         "validity": "|".join(Validity.values)}

    class Meta:
        verbose_name = _("政策文件库")
        verbose_name_plural = _("政策文件库")

    def route(self, request, path_components):
        # One query for the child policy, already of its specific class.
        if path_components:
            child = PolicyPage.objects.filter(
                path__startswith=self.path, depth=self.depth + 1, slug=path_components[0],
            ).first()
            if child is None:
                raise Http404
            return child.route(request, path_components[1:])
        return super().route(request, path_components)

    def get_context(self, request, *args, **kwargs):
        from interpretations.services import filter_policies, search_policies

        context = super().get_context(request, *args, **kwargs)
        params = request.GET
        policies = PolicyPage.objects.live().child_of(self)
        policies, filters = filter_policies(policies, params)
        query = params.get("q", "").strip()[:100]
        if query:
            policies = search_policies(query, policies)
        else:
            policies = policies.order_by("-published_on", "-pk")
        paginator = Paginator(policies.select_related("issuing_organ").defer(
            *[f for f in PolicyPage.ARTICLE_ONLY_FIELDS if f != "summary"]), self.per_page)
        page_obj = paginator.get_page(params.get("page"))
        keep = params.copy()
        keep.pop("page", None)
        context.update({
            "policies": page_obj, "query": query, "filters": filters,
            "querystring": keep.urlencode(), **filter_choices(self, request),
        })
        return context


def filter_choices(index_page, request=None):
    """The library's filter options; cached until the next publish/unpublish purge."""
    from django.core.cache import cache

    from core.models import Organisation
    from interpretations.cache import current_generation

    key = f"policy-filters:{index_page.pk}:{current_generation(request)}"
    choices = cache.get(key)
    if choices is None:
        live = PolicyPage.objects.live().child_of(index_page)
        years = sorted({d.year for d in live.exclude(published_on=None)
                        .values_list("published_on", flat=True).distinct()}, reverse=True)
        organs = list(Organisation.objects.filter(pk__in=live.values("issuing_organ"))
                      .order_by("name").values("pk", "name"))
        topics = list(PolicyPageTag.tag_model().objects.filter(
            interpretations_policypagetag_items__content_object__in=live)
            .distinct().order_by("name").values_list("name", flat=True))
        choices = {"years": years, "organs": organs, "topics": topics}
        cache.set(key, choices, 3600)
    return {**choices, "validities": Validity.choices}


class PolicyPage(FixedRoutePageMixin, CachedPageMixin, AudienceCriteria, Page):
    """A policy document (政策文件) with its interpretation package (解读包)."""

    page_cache_params = {"feedback": "thanks"}  # the thanks line after 有帮助/没帮助
    doc_number = models.CharField(_("发文字号"), max_length=60, blank=True,
                                  help_text=_("例如：临政发〔2026〕3号。同一发文机关内不得重复。"))
    issuing_organ = models.ForeignKey(
        "core.Organisation", verbose_name=_("发文机关"), on_delete=models.PROTECT,
        related_name="issued_policies", null=True)
    written_on = models.DateField(_("成文日期"), null=True)
    published_on = models.DateField(_("发布日期"), null=True)
    effective_on = models.DateField(_("施行日期"), null=True, blank=True)
    validity = models.CharField(_("有效性"), max_length=20, choices=Validity.choices,
                                default=Validity.CURRENT)
    replaced_by = models.ForeignKey(
        "self", verbose_name=_("被以下文件替代"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="replaces")
    validity_changed_on = models.DateField(
        _("废止/失效日期"), null=True, blank=True,
        help_text=_("文件不再现行有效时，自何日起废止、失效或被替代。"))
    validity_note = models.TextField(
        _("有效性说明"), blank=True,
        help_text=_("文件不再现行有效时在页面顶部向公众显示的说明。"))
    tags = ClusterTaggableManager(_("主题分类"), through=PolicyPageTag, blank=True)
    drafting_department = models.ForeignKey(
        "core.Organisation", verbose_name=_("起草部门"), on_delete=models.PROTECT,
        related_name="drafted_policies", null=True)
    first_interpreter = models.CharField(
        _("第一解读人"), max_length=40, blank=True,
        help_text=_("起草部门主要负责人（谁起草、谁解读）。留空时取起草部门的主要负责人。"))
    concerns_enterprises = models.BooleanField(_("涉企政策"), default=False)
    concerns_livelihood = models.BooleanField(_("涉及民生"), default=False)
    summary = models.CharField(_("内容摘要"), max_length=300, blank=True)
    body = PolicyBodyField(PolicyBodyBlock(), verbose_name=_("正文"))

    # --- 解读方案: internal, never rendered publicly, never indexed for search -------------
    plan_interpreters = models.TextField(_("解读人"), blank=True,
                                         help_text=_("第一解读人、解读责任人及分工。"))
    plan_forms = models.TextField(_("解读形式"), blank=True,
                                  help_text=_("文字解读、图解、问答、音视频、专家解读、在线访谈等。"))
    plan_schedule = models.TextField(_("发布安排"), blank=True,
                                     help_text=_("与文件同步发布的材料、后续访谈和发布会安排。"))
    plan_expected_concerns = models.TextField(_("预判关切及回应口径"), blank=True)
    plan_media = models.TextField(_("媒体宣传安排"), blank=True)
    assessment_plan = models.TextField(
        _("跟踪评估方案"), blank=True,
        help_text=_("重点政策（涉企、涉及民生）填写：评估内容、方式、时间节点、责任人。"))

    # --- 解读材料 (public) or 不予解读 ---------------------------------------------------------
    materials = StreamField(MaterialsBlock(), verbose_name=_("解读材料"), blank=True)
    no_interpretation = models.BooleanField(_("不予解读"), default=False)
    no_interpretation_reason = models.TextField(_("不予解读理由"), blank=True)

    # --- 工作手册: internal, for the implementing staff; never rendered publicly or indexed -----
    # (the public 申报指南 is a ``PolicyAttachment`` of kind 申报指南). Rule: services.support_materials.
    work_manual = models.ForeignKey(
        "wagtaildocs.Document", verbose_name=_("工作手册"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
        help_text=_("供实施部门工作人员使用的内部工作手册（经办流程、审核要点、口径），不对外公开。"))

    # --- 本次修改: what a revision of a published policy changes --------------------------------
    class ChangeKind(models.TextChoices):
        SIGNIFICANT = "significant", _("重要修订（公开修订说明）")
        MINOR = "minor", _("细微修改或勘误（不单独说明）")

    change_kind = models.CharField(
        _("修改类型"), max_length=12, choices=ChangeKind.choices, blank=True,
        help_text=_("修改已发布的文件时必填。重要修订的修订说明随文件公开，并向符合条件的企业推送更新。"))
    change_note = models.TextField(_("修订说明"), blank=True,
                                   help_text=_("重要修订时填写：修订了哪些内容、自何时起执行。"))

    # What this revision shows of each media item: {item id: revision id}, fixed when the
    # revision is saved (``publishing.freeze_dependencies``), so what is signed is what goes live.
    media_pins = models.JSONField(default=dict, blank=True, editable=False)

    search_fields = Page.search_fields + [
        index.SearchField("search_text"),
        index.FilterField("validity"),
        index.FilterField("published_on"),
    ]

    content_panels = Page.content_panels + [
        PublishingPanel(heading=_("审签与发布")),
        SupportMaterialsPanel(heading=_("惠企政策配套材料")),
        ChangePanel([FieldPanel("change_kind", widget=forms.RadioSelect),
                     FieldPanel("change_note")], heading=_("本次修改")),
        MultiFieldPanel([
            FieldRowPanel([FieldPanel("doc_number"), FieldPanel("issuing_organ")]),
            FieldRowPanel([FieldPanel("written_on"), FieldPanel("published_on"),
                           FieldPanel("effective_on")]),
            FieldRowPanel([FieldPanel("validity"), FieldPanel("replaced_by")]),
            FieldRowPanel([FieldPanel("validity_changed_on"), FieldPanel("validity_note")]),
            FieldPanel("tags"),
            FieldRowPanel([FieldPanel("drafting_department"), FieldPanel("first_interpreter")]),
            FieldRowPanel([FieldPanel("concerns_enterprises"), FieldPanel("concerns_livelihood")]),
        ], heading=_("文件信息")),
        FieldPanel("summary"),
        FieldPanel("body"),
        InlinePanel("attachments", label=_("附件（含申报指南）")),
        InlinePanel("related_links", label=_("相关文件")),
    ]
    plan_panels = [
        MultiFieldPanel([
            FieldPanel("plan_interpreters"), FieldPanel("plan_forms"), FieldPanel("plan_schedule"),
            FieldPanel("plan_expected_concerns"), FieldPanel("plan_media"),
        ], heading=_("解读方案（内部，不公开）")),
        FieldPanel("assessment_plan"),
        MultiFieldPanel([FieldPanel("work_manual")], heading=_("工作手册（内部，不公开）")),
    ]
    materials_panels = [
        FieldPanel("materials"),
        MultiFieldPanel([FieldPanel("no_interpretation"), FieldPanel("no_interpretation_reason")],
                        heading=_("不予解读")),
        InlinePanel("followups", label=_("后续解读（分段、多次、持续）")),
    ]
    audience_panels = [
        MultiFieldPanel([
            FieldPanel("audience_industries"),
            FieldPanel("audience_sizes"),
            FieldPanel("audience_divisions"),
            FieldRowPanel([
                FieldPanel("audience_qualifications", widget=forms.CheckboxSelectMultiple),
                FieldPanel("audience_qualification_mode", widget=forms.RadioSelect)]),
            FieldRowPanel([FieldPanel("audience_headcount_min"),
                           FieldPanel("audience_headcount_max")]),
            FieldRowPanel([FieldPanel("audience_revenue_min"), FieldPanel("audience_revenue_max")]),
            FieldRowPanel([FieldPanel("audience_age_min"), FieldPanel("audience_age_max")]),
        ], heading=_("适用企业（所填条件须同时满足）")),
        MultiFieldPanel([
            FieldPanel("audience_exclude_industries"),
            FieldPanel("audience_exclude_divisions"),
            FieldPanel("audience_exclude_qualifications", widget=forms.CheckboxSelectMultiple),
        ], heading=_("排除")),
        FieldPanel("exempt_application"),
    ]
    edit_handler = TabbedInterface([
        ObjectList(content_panels, heading=_("政策文件")),
        ObjectList(materials_panels, heading=_("解读材料")),
        ObjectList(plan_panels, heading=_("解读方案")),
        ObjectList(audience_panels, heading=_("精准推送")),
        ObjectList(Page.promote_panels, heading=_("推广")),
        ObjectList(Page.settings_panels, heading=_("发布设置")),
    ])

    parent_page_types = ["interpretations.PolicyIndexPage"]
    subpage_types = []
    base_form_class = PolicyPageForm
    # A copy is a new document: it gets its own 发文字号 (unique per issuing organ).
    exclude_fields_in_copy = ["doc_number"]

    class Meta:
        verbose_name = _("政策文件")
        verbose_name_plural = _("政策文件")
        permissions = [("emergency_publish", _("紧急发布政策文件（须写明理由，事后补签）"))]
        indexes = [models.Index(fields=["-published_on", "-page_ptr"],
                                name="policy_published_desc")]
        constraints = [
            models.UniqueConstraint(
                fields=["issuing_organ", "doc_number"], condition=~Q(doc_number=""),
                name="policy_doc_number_unique_per_organ",
                violation_error_message=_("该发文机关已有相同发文字号的文件。"),
            ),
        ]

    @property
    def is_key_policy(self):
        return self.concerns_enterprises or self.concerns_livelihood

    @property
    def validity_badge(self):
        return VALIDITY_BADGE.get(self.validity, "")

    def save(self, *args, **kwargs):
        if not self.first_interpreter and self.drafting_department_id:
            self.first_interpreter = self.drafting_department.principal
        if self._state.adding and self.live:
            # A new policy row is a draft, whoever creates it (a copy "kept live" included): it
            # goes live only through ``publish``, on its own sign-off.
            self.live, self.has_unpublished_changes, self._created_as_draft = False, True, True
        if getattr(self, "_created_as_draft", False):
            self.live_revision = None
            self.first_published_at = self.last_published_at = None
        return super().save(*args, **kwargs)

    def save_revision(self, *args, **kwargs):
        from interpretations.publishing import freeze_dependencies

        freeze_dependencies(self)
        return super().save_revision(*args, **kwargs)

    def permissions_for_user(self, user):
        from interpretations.permissions import PolicyPermissionTester

        return PolicyPermissionTester(user, self)

    def publish(self, revision, *args, **kwargs):
        # The one choke point: every route (editor, workflow, schedule, bulk, API, command,
        # emergency) publishes a revision through here, so nothing goes live without a complete
        # package and its own sign-off. A scheduled go-live that may not happen is taken off the
        # schedule and reported instead of failing the run.
        from interpretations import publishing

        if kwargs.get("log_action") == publishing.SCHEDULED and publishing.refused_on_schedule(
                self, revision):
            return None
        publishing.ensure_publishable(self, revision)
        before = publishing.live_state(self)
        with transaction.atomic():
            result = super().publish(revision, *args, **kwargs)
            if publishing.live_state(self) == (revision.pk,
                                               publishing.revision_object(revision).validity):
                publishing.after_go_live(self, revision, before)
        return result

    def media_version(self, item):
        """The version of media item ``item`` this revision shows: the one pinned when the
        revision was saved (``media_pins``), or the item itself when nothing is pinned."""
        if item is None:
            return None
        pins = self.media_pins or {}
        revision_id = pins.get(str(item.pk))
        if revision_id is None:
            return item
        versions = self.__dict__.get("_media_versions")
        if versions is None:
            from wagtail.models import Revision

            revisions = list(Revision.objects.filter(pk__in=pins.values()))
            items = type(item).objects.in_bulk([int(r.object_id) for r in revisions])
            versions = self.__dict__["_media_versions"] = {
                r.pk: items[int(r.object_id)].with_content_json(r.content)
                for r in revisions if int(r.object_id) in items}
        return versions.get(revision_id, item)

    def body_text(self):
        """The document's text without markup (search, feeds, summaries)."""
        parts = []
        for block in self.body:
            if block.block_type == "table":
                parts.extend(" ".join(str(c or "") for c in row)
                             for row in (block.value or {}).get("data") or [])
            else:
                parts.append(strip_tags(block.value.source))
        return "\n".join(p for p in parts if p)

    def search_text(self):
        """Public text, segmented with jieba so Chinese words inside longer text are found.
        The 解读方案 is deliberately left out: search must not leak it."""
        from interpretations.services import segment

        parts = [self.title, self.doc_number, self.summary, self.body_text()]
        for block in self.materials:
            parts.append(strip_tags(str(block.render_as_block({"page": self})))
                         if block.block_type != "media"
                         else str(self.media_version(block.value.get("item")) or ""))
        parts.extend(f"{f.title} {strip_tags(f.body)}" for f in self.followups.all())
        return segment(" ".join(p for p in parts if p))

    def materials_by_tab(self):
        tabs = {"interpretation": [], "qa": [], "graphic": [], "video": []}
        for block in self.materials:
            tabs[MATERIAL_TABS[block.block_type]].append(block)
        return tabs

    # Read only to render the article (document + interpretation), which is cached.
    ARTICLE_ONLY_FIELDS = ["body", "materials", "summary", "plan_interpreters", "plan_forms",
                           "plan_schedule", "plan_expected_concerns", "plan_media",
                           "assessment_plan", "no_interpretation_reason"]

    def article_context(self, context):
        context["tabs"] = SimpleLazyObject(self.materials_by_tab)
        context["followups"] = self.followups.order_by("published_on", "pk")
        context["related"] = PolicyPage.objects.live().filter(
            pk__in=RelatedPolicy.objects.filter(page=self).values("target_id"))
        context["replaces"] = self.replaces.live()
        attachments = self.attachments.select_related("document")
        context["attachments"] = attachments.filter(kind=PolicyAttachment.Kind.ATTACHMENT)
        context["guides"] = attachments.filter(kind=PolicyAttachment.Kind.GUIDE)
        context["change_notes"] = self.change_notes.all() if self.pk else []
        context["countersign_pending"] = bool(self.pk) and self.live and (
            self.emergency_publications.open().exists())
        return context

    def get_context(self, request, *args, **kwargs):
        from interpretations.cache import cached_fragment

        context = super().get_context(request, *args, **kwargs)
        if self.live and not getattr(request, "is_preview", False):
            # The live article is rendered once per published revision and purge generation.
            context["article_html"] = cached_fragment(
                f"policy-article:{self.pk}:{self.live_revision_id}", request,
                lambda: render_to_string(ARTICLE_TEMPLATE, self.article_context(dict(context)),
                                         request))
            return context
        return self.article_context(context)


class PolicyAttachment(Orderable):
    """A public file of the policy: an 附件 of the document or its 申报指南 (application guide,
    shown under its own heading on the public page)."""

    class Kind(models.TextChoices):
        ATTACHMENT = "attachment", _("附件")
        GUIDE = "guide", _("申报指南")

    page = ParentalKey(PolicyPage, related_name="attachments", on_delete=models.CASCADE)
    kind = models.CharField(_("类别"), max_length=20, choices=Kind.choices,
                            default=Kind.ATTACHMENT)
    title = models.CharField(_("附件名称"), max_length=200, blank=True)
    document = models.ForeignKey("wagtaildocs.Document", verbose_name=_("文件"),
                                 on_delete=models.PROTECT, related_name="+")
    # The document as this revision shows it, fixed when the revision is saved
    # (``publishing.freeze_attachment``): replacing the document's file or renaming it in the
    # documents library changes nothing here until a new revision is signed and published.
    file = models.FileField(_("签发文件"), upload_to="policy-files/", blank=True, editable=False,
                            max_length=255)
    file_hash = models.CharField(_("文件摘要"), max_length=40, blank=True, editable=False)
    document_title = models.CharField(_("文件标题"), max_length=255, blank=True, editable=False)

    panels = [FieldRowPanel([FieldPanel("kind"), FieldPanel("title")]), FieldPanel("document")]

    class Meta(Orderable.Meta):
        verbose_name = _("附件")
        verbose_name_plural = _("附件")

    def __str__(self):
        return self.title or self.document_title or self.document.title

    @property
    def url(self):
        """The public address of the signed file (``views.attachment``)."""
        from django.urls import reverse

        if not self.file:
            return self.document.url
        return reverse("interpretations:attachment", args=[
            self.page_id, self.file_hash, self.file.name.rsplit("/", 1)[-1]])

    @property
    def file_extension(self):
        name = self.file.name if self.file else self.document.file.name
        return name.rsplit(".", 1)[-1] if "." in name else ""


class RelatedPolicy(Orderable):
    page = ParentalKey(PolicyPage, related_name="related_links", on_delete=models.CASCADE)
    target = models.ForeignKey(PolicyPage, verbose_name=_("相关文件"), on_delete=models.CASCADE,
                               related_name="+")

    panels = [FieldPanel("target")]

    class Meta(Orderable.Meta):
        verbose_name = _("相关文件")
        verbose_name_plural = _("相关文件")


class FollowUpInterpretation(Orderable):
    """后续解读: answers to concerns and misreadings, published through the policy's workflow."""

    page = ParentalKey(PolicyPage, related_name="followups", on_delete=models.CASCADE)
    published_on = models.DateField(_("发布日期"))
    title = models.CharField(_("标题"), max_length=200)
    body = RichTextField(_("解读内容"))
    concern = models.ForeignKey("interpretations.Concern", verbose_name=_("回应的关切"),
                                null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="followups")

    panels = [FieldPanel("published_on"), FieldPanel("title"), FieldPanel("body"),
              FieldPanel("concern")]

    class Meta(Orderable.Meta):
        verbose_name = _("后续解读")
        verbose_name_plural = _("后续解读")

    def __str__(self):
        return self.title


class InterpretationIndexPage(FixedRoutePageMixin, CachedPageMixin, Page):
    """政策解读: the public interpretations of live policies, newest first."""

    intro = models.CharField(_("导语"), max_length=300, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["core.HomePage"]
    subpage_types = []
    max_count = 1
    page_cache_params = {"page": r"\d{1,4}"}

    class Meta:
        verbose_name = _("政策解读栏目")
        verbose_name_plural = _("政策解读栏目")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        policies = (PolicyPage.objects.live().filter(no_interpretation=False)
                    .order_by("-published_on", "-pk"))
        paginator = Paginator(policies, 20)
        context["policies"] = paginator.get_page(request.GET.get("page"))
        return context
