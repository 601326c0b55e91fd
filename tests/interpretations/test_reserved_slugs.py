"""/policies/calculator/ is 政策计算器 (a fixed route ahead of the page tree), so a policy page
may not take the slug ``calculator``: it would never be shown. The rule is core.routes'."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from interpretations.models import PolicyPage
from tests.interpretations.conftest import edit_post_data

pytestmark = pytest.mark.django_db

REFUSED = "地址 /policies/calculator/ 已是站内功能“政策计算器”的地址"


def test_a_new_policy_cannot_take_the_calculators_address(client, make_policy, section, editor):
    template = make_policy()
    client.force_login(editor)
    url = reverse("wagtailadmin_pages:add", args=["interpretations", "policypage", section.pk])
    response = client.post(url, edit_post_data(template, "action-save", slug="calculator",
                                               doc_number="临人社发〔2026〕90号"))
    assert response.status_code == 200
    assert REFUSED in response.text and "请换一个缩略名" in response.text
    assert not PolicyPage.objects.filter(slug="calculator").exists()
    response = client.post(url, edit_post_data(template, "action-save", slug="calculator-guide",
                                               doc_number="临人社发〔2026〕90号"))
    assert response.status_code == 302
    assert PolicyPage.objects.filter(slug="calculator-guide").exists()


def test_a_policy_cannot_be_renamed_to_calculator(client, make_policy, editor):
    page = make_policy(publish=True)
    client.force_login(editor)
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    response = client.post(url, edit_post_data(page, "action-save", slug="calculator"))
    assert response.status_code == 200 and REFUSED in response.text
    page.refresh_from_db()
    assert page.slug != "calculator"
    assert "政策计算器" in client.get("/policies/calculator/").text
    # The model refuses it too (an import, the shell), on the slug field.
    page.slug = "calculator"
    with pytest.raises(ValidationError) as refused:
        page.full_clean()
    assert REFUSED in refused.value.message_dict["slug"][0]
    page.slug = "calculator-2026"
    page.full_clean()
