"""政策通使用指南 (issue 14): a Chinese guide kept in the project, shown as an admin page at
/admin/guide/ to everyone who may enter the admin, saying what this installation does (its
sign-off steps and its time limits)."""

import re

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from core import roles
from core.models import Organisation
from interpretations.models import PackageReviewTask
from tests.interpretations.conftest import section  # noqa: F401 (the policy library fixture)

GUIDE = "/admin/guide/"
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def guide_of(client):
    response = client.get(GUIDE)
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser")


@pytest.mark.django_db
def test_the_guide_is_an_admin_page_in_chinese(client, make_user, city):
    assert reverse("core_editor_guide") == GUIDE
    # Signed out: the admin's login page first.
    response = client.get(GUIDE)
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    client.force_login(make_user(roles.EDITOR, city["orgs"]["hrss"]))
    soup = guide_of(client)
    assert soup.h1.get_text(strip=True) == "政策通使用指南"
    guide = soup.select_one(".zct-guide")
    headings = [h.get_text(strip=True) for h in guide.select("h2")]
    assert headings == ["目录", "一、起草政策文件和解读包", "二、提交三同步审签", "三、定时发布",
                        "四、紧急发布与事后审签", "五、12345 工单：话务员/派单员",
                        "六、12345 工单：承办人", "七、督办：超期工单与差评整改"]
    # Every entry of the contents leads to its section.
    for link in guide.select(".zct-guide__toc a"):
        assert guide.select_one(link["href"]) is not None
    # In Chinese: no English word but the names of things (Word documents).
    assert set(LATIN_WORD.findall(guide.get_text(" "))) <= {"Word"}


@pytest.mark.django_db
def test_the_guide_quotes_this_installations_steps_and_time_limits(
        client, make_user, city, section, settings):  # noqa: F811
    settings.PLATFORM = {**settings.PLATFORM, "EMERGENCY_COUNTERSIGN_WORKING_DAYS": 5,
                         "RATINGS_RECTIFY_WORKING_DAYS": 10}
    justice = Organisation.objects.create(name="临江市司法局", short_name="市司法局",
                                          kind=Organisation.Kind.DEPARTMENT,
                                          division=city["divisions"]["city"])
    PackageReviewTask.objects.filter(name="合法性审核").update(name="合法性审查",
                                                            reviewing_organisation=justice)
    client.force_login(make_user(roles.DISPATCHER, city["orgs"]["hotline"]))
    guide = guide_of(client).select_one(".zct-guide")
    steps = [[td.get_text(strip=True) for td in row.select("td")]
             for row in guide.select(".zct-guide__table tbody tr")]
    assert steps == [["1. 起草部门审核", "起草部门的审签人"],
                     ["2. 合法性审查", "市司法局的合法性审核人"],
                     ["3. 办公室审签", "办公室审签人"]]
    text = guide.get_text("", strip=True)
    assert "须在 5 个工作日内完成全部环节" in text
    assert "在 10 个工作日内整改" in text
