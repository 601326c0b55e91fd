"""Demo: the policy section with its sign-off workflow and twelve policies with complete
interpretation packages (one 不予解读; two key policies with concerns and follow-ups), each
signed off through the three steps by three different people (the drafting department's 审签人,
市司法局's 合法性审核人 ``legal``, 市政府办公室's 办公室审签人 ``office``); one policy published in an
emergency and countersigned afterwards, one withdrawn as replaced, and one with a 修订说明.

Idempotent: every object is keyed on a natural key (slug, title) and left alone when present.
"""

import io
import math
import struct
import wave
from datetime import datetime, time, timedelta

from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import transaction
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection

from core import demo as core_demo
from core import roles
from core.models import Organisation, User
from interpretations import publishing
from interpretations.demo_data import (
    DEMO_MEDIA_TITLE,
    DEMO_MEDIA_TRANSCRIPT,
    GENERIC_PLAN,
    POLICIES,
)
from interpretations.models import (
    Concern,
    FollowUpInterpretation,
    InterpretationIndexPage,
    PolicyAttachment,
    PolicyIndexPage,
    PolicyPage,
    RelatedPolicy,
)
from interpretations.workflows import ensure_policy_section, sign_off
from media.models import MediaItem

GRAPHIC_TITLE = "政策图解配图"


def demo_audio():
    """A short, real (playable) WAV tone so the demo's audio player works offline."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"".join(
            struct.pack("<h", int(3000 * math.sin(2 * math.pi * 440 * i / 8000)))
            for i in range(8000)))
    return buffer.getvalue()


def ensure_media():
    item = MediaItem.objects.filter(title=DEMO_MEDIA_TITLE).first()
    if item is None:
        item = MediaItem(title=DEMO_MEDIA_TITLE, kind=MediaItem.Kind.AUDIO,
                         transcript=DEMO_MEDIA_TRANSCRIPT, duration_seconds=1,
                         department=Organisation.objects.filter(short_name="市人社局").first())
        item.file.save("wengang-jiedu.wav", ContentFile(demo_audio()), save=False)
        item.save()
    return item


def ensure_graphic():
    Image = get_image_model()
    image = Image.objects.filter(title=GRAPHIC_TITLE).first()
    if image is None:
        # A flushed database (transactional tests) has lost the root collection.
        if Collection.get_first_root_node() is None:
            Collection.add_root(name="Root")
        canvas = PILImage.new("RGB", (960, 540), "#f4f7fb")
        draw = ImageDraw.Draw(canvas)
        for i, colour in enumerate(["#c8102e", "#1f5fa8", "#2e7d32"]):
            draw.rounded_rectangle([40 + i * 310, 170, 300 + i * 310, 370], 24, fill=colour)
        buffer = io.BytesIO()
        canvas.save(buffer, "PNG")
        image = Image(title=GRAPHIC_TITLE)
        image.file = ImageFile(io.BytesIO(buffer.getvalue()), name="tujie.png")
        image.save()
    return image


def materials_for(spec, media, graphic):
    blocks = []
    for kind, value in spec.get("materials", []):
        value = dict(value)
        if kind == "media":
            value["item"] = media
        if kind == "graphic":
            value["image"] = graphic
        blocks.append((kind, value))
    return blocks


def build_policy(index, spec, media, graphic):
    if PolicyPage.objects.filter(slug=spec["slug"]).exists():
        return None
    organ = Organisation.objects.get(short_name=spec["organ"])
    drafter = Organisation.objects.get(short_name=spec["drafter"])
    page = PolicyPage(
        title=spec["title"], slug=spec["slug"], doc_number=spec["doc_number"],
        issuing_organ=organ, drafting_department=drafter, first_interpreter=drafter.principal,
        written_on=spec["written_on"], published_on=spec["published_on"],
        effective_on=spec["effective_on"], summary=spec["summary"],
        body="".join(f"<p>{p}</p>" for p in spec["body"]),
        concerns_enterprises=spec.get("enterprises", False),
        concerns_livelihood=spec.get("livelihood", False),
        assessment_plan=spec.get("assessment", ""), live=False,
        validity=spec.get("validity", "current"),
        replaced_by=PolicyPage.objects.filter(slug=spec.get("replaced_by", "-")).first(),
    )
    if spec.get("no_interpretation"):
        page.no_interpretation = True
        page.no_interpretation_reason = spec["no_interpretation"]
    else:
        page.plan_interpreters = (f"第一解读人：{drafter.principal}（{drafter.name}主要负责人）；"
                                  f"解读责任处室：{drafter.short_name}政策法规科")
        page.plan_expected_concerns = f"预判关切：{spec['concern']}。回应口径以文件条款为准，由解读责任处室统一答复。"
        for field, value in GENERIC_PLAN.items():
            setattr(page, field, value)
        page.materials = materials_for(spec, media, graphic)
    index.add_child(instance=page)
    for name in spec["tags"]:
        page.tags.add(name)
    concerns = []
    for kind, source, content, hours_ago, status in spec.get("concerns", []):
        registered = timezone.make_aware(datetime.combine(spec["published_on"], time(9)))
        registered += timedelta(hours=hours_ago)
        concerns.append(Concern.objects.create(
            policy=page, kind=kind, source=source, content=content, registered_at=registered,
            status=status, answered_at=registered + timedelta(hours=20) if status == "answered"
            else None, answer="已通过后续解读回应。" if status == "answered" else ""))
    for n, (day, title, body) in enumerate(spec.get("followups", [])):
        page.followups.add(FollowUpInterpretation(
            published_on=day, title=title, body=body,
            concern=concerns[n] if n < len(concerns) else None))
    return page


# --- The people who sign off: the drafting department's 审签人, then legal, then office ------


def department_approver(organisation):
    """The drafting department's 审签人: ``approver`` for 市人社局, the department's principal
    (a demo account ``approver<id>``, not printed) elsewhere."""
    if organisation.short_name == "市人社局":
        return User.objects.get(username="approver")
    user, created = User.objects.get_or_create(
        username=f"approver{organisation.pk}",
        defaults={"last_name": organisation.principal[:1] or "审",
                  "first_name": organisation.principal[1:] or "签",
                  "organisation": organisation})
    if created:
        user.password = core_demo.demo_password_hash()
        user.save()
        user.groups.add(roles.ensure_roles()[roles.APPROVER])
    return user


def demo_reviewers(page):
    """Three different people, one per step of the 三同步 workflow."""
    return [department_approver(page.drafting_department), User.objects.get(username="legal"),
            User.objects.get(username="office")]


def grant_emergency_permission():
    """紧急发布 is granted by name: the demo gives it to 市人社局's 审签人 only."""
    approver = User.objects.get(username="approver")
    approver.user_permissions.add(Permission.objects.get(
        content_type__app_label="interpretations", codename="emergency_publish"))
    return approver


def emergency_then_countersign(page, reason):
    """The emergency route as it happens: published at once with the reason, then the three
    steps sign the same revision afterwards (事后审签), which completes the 补签."""
    approver = grant_emergency_permission()
    publishing.emergency_publish(page, approver, reason)
    return sign_off(page, demo_reviewers(page))


# 惠企政策配套材料: slug → (申报指南, 工作手册), each (title, file name, text) or None. The
# enterprises demo gives both policies their criteria; their first go-live is their publication
# date, so the loan policy is complete and the voucher policy's guide is overdue.
SUPPORT_MATERIALS = {
    "jiuye-chuangye-daikuan-2026": (
        ("创业担保贷款申报指南", "chuangye-daikuan-shenbao-zhinan.txt",
         "一、申报对象：符合条件的个人和小微企业。\n二、申报材料：申请表、营业执照、"
         "就业创业证明。\n三、办理流程：网上申报→人社部门审核→经办银行放款。\n"
         "四、咨询电话：12345。"),
        ("创业担保贷款经办工作手册（内部）", "chuangye-daikuan-gongzuo-shouce.txt",
         "内部使用。受理审核要点、贴息核算口径、经办银行对接流程、常见问题答复口径。"),
    ),
    "xiaofei-quan-2026": (
        None,
        ("消费券商户核销工作手册（内部）", "xiaofei-quan-gongzuo-shouce.txt",
         "内部使用。参与商户资格审核、核销对账、套现行为认定和处理流程。"),
    ),
}


def ensure_document(title, filename, text):
    Document = get_document_model()
    document = Document.objects.filter(title=title).first()
    if document is None:
        if Collection.get_first_root_node() is None:
            Collection.add_root(name="Root")
        document = Document(title=title)
        document.file.save(filename, ContentFile(text.encode("utf-8")), save=False)
        document.save()
    return document


def add_support_materials(page):
    """Give an enterprise policy's draft its 申报指南 and 工作手册 (signed with the document)."""
    guide, manual = SUPPORT_MATERIALS[page.slug]
    if guide is not None:
        page.attachments.add(PolicyAttachment(kind=PolicyAttachment.Kind.GUIDE, title=guide[0],
                                              document=ensure_document(*guide)))
    page.work_manual = ensure_document(*manual)


def add_related(page, pages):
    """Related documents: up to three policies that share a topic."""
    topics = set(page.tags.names())
    for target in [p for p in pages if p.pk != page.pk and topics & set(p.tags.names())][:3]:
        page.related_links.add(RelatedPolicy(target=target))


@transaction.atomic
def build(stdout=None):
    index = core_demo.ensure_section(
        "policies", "政策文件", PolicyIndexPage, intro=core_demo.SECTION_INTRO["policies"])
    core_demo.ensure_section("interpretations", "政策解读", InterpretationIndexPage,
                             intro=core_demo.SECTION_INTRO["interpretations"])
    core_demo.build_site()  # the home page's entries point at the new section pages
    ensure_policy_section(index)
    media, graphic = ensure_media(), ensure_graphic()
    specs = {spec["slug"]: spec for spec in POLICIES}
    created = [p for p in (build_policy(index, spec, media, graphic) for spec in POLICIES) if p]
    # Each new policy is completed as a draft (related documents, support materials), then
    # goes through its sign-off once, as a department would send it.
    everything = list(PolicyPage.objects.child_of(index))
    for page in created:
        add_related(page, everything)
        if page.slug in SUPPORT_MATERIALS:
            add_support_materials(page)
        page.save_revision(user=department_approver(page.drafting_department))
        emergency = specs[page.slug].get("emergency")
        if emergency:
            emergency_then_countersign(page, emergency)
        else:
            sign_off(page, demo_reviewers(page))
        if page.slug in SUPPORT_MATERIALS:  # their first go-live is their publication date
            went_live = timezone.make_aware(datetime.combine(page.published_on, time(10)))
            PolicyPage.objects.filter(pk=page.pk).update(first_published_at=went_live)
    build_revision_and_withdrawal()
    if stdout is not None:
        legal, office = (User.objects.get(username=n) for n in ("legal", "office"))
        stdout.write(f"政策文件：{PolicyPage.objects.live().count()} 件（本次新建 {len(created)} 件）；"
                     f"审签流程：起草部门审核（起草部门审签人，如 approver 黄振华）→ "
                     f"合法性审核（legal {legal.display_name}，市司法局）→ "
                     f"办公室审签（office {office.display_name}，市政府办公室）；"
                     f"紧急发布权限：approver\n")


# A significant revision with its public 修订说明, and a policy withdrawn as replaced (the notice
# stays on its page), both signed like any revision.
REVISED_SLUG = "jiuye-chuangye-daikuan-2026"
REVISION_NOTE = "个人创业担保贷款最高额度由20万元提高至30万元，自2026年7月1日起执行。"
REPLACED = ("zhufang-gongjijin-2023", "zhufang-gongjijin-2026",
            "本通知规定的贷款最高额度已由《关于调整住房公积金贷款额度和首付比例的通知》调整，"
            "请以新文件为准。")


def build_revision_and_withdrawal():
    page = PolicyPage.objects.live().filter(slug=REVISED_SLUG).first()
    if page is not None and not page.change_notes.exists():
        draft = page.get_latest_revision_as_object()
        draft.change_kind = PolicyPage.ChangeKind.SIGNIFICANT
        draft.change_note = REVISION_NOTE
        draft.save_revision(user=department_approver(page.drafting_department))
        sign_off(page, demo_reviewers(page))
    old = PolicyPage.objects.live().filter(slug=REPLACED[0], validity="current").first()
    new = PolicyPage.objects.live().filter(slug=REPLACED[1]).first()
    if old is not None and new is not None:
        publishing.withdraw(old, User.objects.get(username="admin"),
                            publishing.WithdrawalReason.REPLACED, note=REPLACED[2],
                            effective_on=new.effective_on or new.published_on, replaced_by=new)
        sign_off(old, demo_reviewers(old))
