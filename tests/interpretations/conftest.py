"""Fixtures for the policy section: the index page with its workflow, policies, media."""

import datetime

import pytest
from django.core.cache import cache
from django.core.files.base import ContentFile
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from core import roles
from core.demo import ensure_section
from interpretations.models import InterpretationIndexPage, PolicyIndexPage, PolicyPage
from interpretations.workflows import ensure_policy_section
from media.models import MediaItem

PLAN = {
    "plan_interpreters": "第一解读人：局长；解读责任人：政策法规科",
    "plan_forms": "文字解读、政策问答、图解",
    "plan_schedule": "与文件同步发布；一周内开展在线访谈",
    "plan_expected_concerns": "内部口径XYZZY：预计关注申领条件，回应口径见附表",
    "plan_media": "市融媒体中心同步推送",
}
MATERIALS = [
    ("text", {"title": "一图读懂", "body": "<p>文字解读正文：申领条件放宽。</p>"}),
    ("qa", {"question": "谁可以申请？", "answer": "在本市缴纳社保满6个月的人员。"}),
]


@pytest.fixture(autouse=True)
def _empty_page_cache():
    # Tests wrapped in a transaction never run on-commit purges; start each from an empty cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def section(city):
    index = ensure_section("policies", "政策文件", PolicyIndexPage, intro="")
    ensure_section("interpretations", "政策解读", InterpretationIndexPage, intro="")
    ensure_policy_section(index)
    return index


@pytest.fixture
def editor(make_user, city):
    return make_user(roles.EDITOR, city["orgs"]["hrss"], username="editor1",
                     last_name="林", first_name="晓")


@pytest.fixture
def approver(make_user, city):
    return make_user(roles.APPROVER, city["orgs"]["hrss"], username="approver1",
                     last_name="黄", first_name="振华")


def policy_fields(city, complete=True, **overrides):
    hrss = city["orgs"]["hrss"]
    hrss.principal = "郑海涛"
    hrss.save()
    fields = {
        "title": "关于进一步加强个人所得税征管的通知",
        "doc_number": "临人社发〔2026〕1号",
        "issuing_organ": hrss, "drafting_department": hrss,
        "written_on": datetime.date(2026, 3, 1), "published_on": datetime.date(2026, 3, 5),
        "effective_on": datetime.date(2026, 4, 1),
        "body": "<p>为进一步做好个人所得税征管工作，现就有关事项通知如下。</p>",
    }
    if complete:
        fields.update(PLAN)
        fields["materials"] = MATERIALS
    fields.update(overrides)
    return fields


@pytest.fixture
def make_policy(section, city, sign_off):
    counter = iter(range(1, 1000))

    def factory(complete=True, publish=False, **overrides):
        """A policy with one saved revision; ``publish=True`` signs it off through the workflow
        (which publishes it)."""
        n = next(counter)
        overrides.setdefault("slug", f"policy-{n}")
        overrides.setdefault("doc_number", f"临人社发〔2026〕{n}号")
        page = PolicyPage(live=False, **policy_fields(city, complete, **overrides))
        section.add_child(instance=page)
        page.save_revision()
        if publish:
            page = sign_off(page)
        return page

    return factory


@pytest.fixture
def media_item(db):
    item = MediaItem(title="政策解读视频", kind=MediaItem.Kind.VIDEO,
                     transcript="主持人：今天我们来解读……")
    item.file.save("clip.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42"), save=False)
    item.captions.save("clip.vtt", ContentFile(b"WEBVTT\n\n00:00.000 --> 00:02.000\n\xe4\xbd\xa0\xe5\xa5\xbd\n"),
                       save=False)
    item.save()
    return item


def edit_post_data(page, action="action-publish", **changes):
    """The admin edit form's POST data for ``page`` (latest revision), with ``changes``."""
    page = page.get_latest_revision_as_object()
    values = {f: getattr(page, f) for f in [
        "title", "slug", "doc_number", "first_interpreter", "summary", "validity",
        *PLAN.keys(), "assessment_plan", "no_interpretation_reason"]}
    values.update({
        "issuing_organ": page.issuing_organ_id, "drafting_department": page.drafting_department_id,
        "written_on": page.written_on.isoformat(), "published_on": page.published_on.isoformat(),
        "effective_on": page.effective_on.isoformat() if page.effective_on else "",
        "tags": "", "change_kind": "", "change_note": "", "validity_note": "",
        "validity_changed_on": "",
    })
    body = [("text", rich_text(b.value.source)) for b in page.body if b.block_type == "text"]
    materials = [(b.block_type, dict(b.value)) for b in page.materials]
    values.update(changes)
    materials = values.pop("materials", materials)
    body = values.pop("body", body)
    flags = {k: values.pop(k, getattr(page, k)) for k in (
        "no_interpretation", "concerns_enterprises", "concerns_livelihood")}
    data = nested_form_data({
        **values,
        "body": streamfield(body),
        "materials": streamfield([(t, stream_value(t, v)) for t, v in materials]),
        "attachments": inline_formset([]),
        "followups": inline_formset([]),
        "related_links": inline_formset([]),
        "comments": inline_formset([]),
        action: "1",
    })
    data.update({k: "on" for k, v in flags.items() if v})
    return data


def stream_value(block_type, value):
    value = dict(value)
    for key in ("body", "transcript"):
        if key in value:
            value[key] = rich_text(str(value[key].source if hasattr(value[key], "source")
                                       else value[key]))
    if block_type == "media" and hasattr(value.get("item"), "pk"):
        value["item"] = value["item"].pk
    return value
