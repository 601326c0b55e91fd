"""Public pages: document and interpretation side by side; the 解读方案 never public;
library filters; readers' feedback enters the concerns log; overdue concerns."""

import datetime

import pytest
from django.utils import timezone

from interpretations.models import Concern, Feedback, FollowUpInterpretation, Validity
from tests.interpretations.conftest import PLAN

pytestmark = pytest.mark.django_db

SECRET = "内部口径XYZZY"  # appears only in the 解读方案 (plan_expected_concerns)


def test_policy_page_shows_document_and_interpretation(client, make_policy):
    page = make_policy(publish=True)
    html = client.get(page.url).content.decode()
    assert "为进一步做好个人所得税征管工作" in html  # 原文
    assert "文字解读正文：申领条件放宽" in html  # 解读
    assert "谁可以申请？" in html and "在本市缴纳社保满6个月的人员" in html  # 问答
    assert "临人社发〔2026〕" in html and "现行有效" in html and "郑海涛" in html


def test_plan_never_appears_publicly(client, make_policy, section):
    page = make_policy(publish=True, assessment_plan="评估方案QWERTY")
    urls = [page.url, section.url, "/interpretations/", "/feeds/policies/", "/api/policies/",
            f"/api/policies/{page.pk}", section.url + "?q=XYZZY", section.url + "?q=内部口径"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        for value in [*PLAN.values(), "评估方案QWERTY"]:
            assert value not in body, (url, value)
    # Searching for words of the plan finds nothing: the plan is not indexed.
    assert "没有找到符合条件的政策文件" in client.get(section.url + "?q=口径").content.decode()


def test_unpublished_policy_is_not_public(client, make_policy, section):
    page = make_policy(title="尚未发布的草稿文件")
    assert client.get(f"/api/policies/{page.pk}").status_code == 404
    assert "尚未发布的草稿文件" not in client.get(section.url).content.decode()
    assert "尚未发布的草稿文件" not in client.get("/feeds/policies/").content.decode()


def test_library_filters_by_validity_year_and_topic(client, make_policy, section, sign_off):
    current = make_policy(title="关于促进就业创业的若干措施")
    current.tags.add("就业创业")
    current.save_revision()
    sign_off(current)
    make_policy(publish=True, title="关于旧版补贴办法的通知", validity=Validity.REPEALED,
                published_on=datetime.date(2024, 5, 1))
    html = client.get(section.url + "?validity=repealed").content.decode()
    assert "关于旧版补贴办法的通知" in html and "关于促进就业创业的若干措施" not in html
    html = client.get(section.url + "?year=2026").content.decode()
    assert "关于促进就业创业的若干措施" in html and "关于旧版补贴办法的通知" not in html
    html = client.get(section.url + "?topic=就业创业").content.decode()
    assert "关于促进就业创业的若干措施" in html and "关于旧版补贴办法的通知" not in html


def test_followups_in_date_order_and_feedback_enters_concerns_log(client, make_policy,
                                                                  sign_off):
    page = make_policy(concerns_livelihood=True, assessment_plan="每季度评估一次")
    page.followups.add(FollowUpInterpretation(published_on=datetime.date(2026, 5, 1),
                                              title="第二次解读：申领流程", body="<p>流程</p>"))
    page.followups.add(FollowUpInterpretation(published_on=datetime.date(2026, 4, 1),
                                              title="第一次解读：澄清误读", body="<p>澄清</p>"))
    page.save_revision()
    page = sign_off(page)
    html = client.get(page.url).content.decode()
    assert html.index("第一次解读：澄清误读") < html.index("第二次解读：申领流程")
    response = client.post(f"/feedback/policies/{page.pk}/",
                           {"helpful": "0", "comment": "没有说明灵活就业人员能否申请"})
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert not feedback.helpful
    concern = Concern.objects.get()
    assert concern.source == Concern.Source.FEEDBACK and concern.policy_id == page.pk
    assert concern.content == "没有说明灵活就业人员能否申请"
    assert concern.due_at - concern.registered_at == datetime.timedelta(hours=48)
    assert client.post(f"/feedback/policies/{page.pk}/", {"helpful": "x"}).status_code == 400
    assert Feedback.objects.count() == 1


def test_overdue_concerns_are_listed_for_supervisors(client, make_policy, make_user, city):
    from core import roles

    page = make_policy(publish=True)
    late = Concern.objects.create(policy=page, source=Concern.Source.MEDIA, content="超期未回应的关切",
                                  registered_at=timezone.now() - datetime.timedelta(hours=49))
    Concern.objects.create(policy=page, source=Concern.Source.ONLINE, content="刚登记的关切")
    assert list(Concern.objects.overdue()) == [late]
    supervisor = make_user(roles.SUPERVISOR, city["orgs"]["gov"])
    client.force_login(supervisor)
    html = client.get("/admin/concerns/?overdue=true").content.decode()
    assert "超期未回应的关切" in html and "刚登记的关切" not in html


def test_preview_shows_the_draft_not_the_cached_live_version(client, make_policy):
    page = make_policy(publish=True)
    assert "文字解读正文" in client.get(page.url).content.decode()  # fills the fragment cache
    draft = page.get_latest_revision_as_object()
    draft.materials = [("qa", {"question": "草稿里的新问题？", "answer": "草稿答案。"})]
    html = draft.make_preview_request().content.decode()
    assert "草稿里的新问题？" in html and "文字解读正文" not in html
    assert "文字解读正文" in client.get(page.url).content.decode()  # readers: still the live one


def test_related_documents_are_linked(client, make_policy, sign_off):
    from interpretations.models import RelatedPolicy

    other = make_policy(publish=True, title="关于印发临江市就业补助资金管理办法的通知")
    page = make_policy()
    page.related_links.add(RelatedPolicy(target=other))
    page.save_revision()
    page = sign_off(page)
    html = client.get(page.url).content.decode()
    assert f'href="{other.url}"' in html and "关于印发临江市就业补助资金管理办法的通知" in html


def test_feedback_is_rate_limited_per_address(client, make_policy):
    from interpretations.views import FEEDBACK_PER_HOUR

    page = make_policy(publish=True)
    url = f"/feedback/policies/{page.pk}/"
    for _ in range(FEEDBACK_PER_HOUR):
        assert client.post(url, {"helpful": "1"}).status_code == 302
    response = client.post(url, {"helpful": "0", "comment": "刷屏"})
    assert response.status_code == 429 and "提交过于频繁" in response.content.decode()
    assert Feedback.objects.count() == FEEDBACK_PER_HOUR and not Concern.objects.exists()
