"""Typed withdrawal and change notes.

Unpublishing a policy asks for a reason on every route: 发布错误 takes the page down at once;
已废止, 已失效 and 已被替代 keep the page with a notice, its date and the replacing document,
after the change is signed like any revision. A significant revision carries a public 修订说明
with its date; a minor correction says so and shows nothing."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import PageLogEntry

from interpretations.models import PolicyChangeNote, PolicyPage
from tests.forms import field_errors, form_data, option_value
from tests.interpretations.conftest import edit_post_data

pytestmark = pytest.mark.django_db


def withdraw_url(page):
    return reverse("interpretations_admin:withdraw", args=[page.pk])


def test_every_unpublish_route_leads_to_the_withdrawal_form(client, make_policy, sign_off,
                                                            approver):
    page = sign_off(make_policy())
    client.force_login(approver)
    # Wagtail's own unpublish address (editor menu, explorer button) answers with the form.
    response = client.get(reverse("wagtailadmin_pages:unpublish", args=[page.pk]))
    assert response.status_code == 302 and response["Location"] == withdraw_url(page)
    response = client.post(reverse("wagtailadmin_pages:unpublish", args=[page.pk]))
    assert response.status_code == 302 and response["Location"] == withdraw_url(page)
    # Bulk unpublish is refused for policies.
    url = reverse("wagtail_bulk_action", args=["wagtailcore", "page", "unpublish"])
    response = client.post(f"{url}?id={page.pk}&next=/admin/", {"include_descendants": ""},
                           follow=True)
    assert "须逐件撤回并写明原因" in response.content.decode()
    assert PolicyPage.objects.get(pk=page.pk).live


def test_publishing_error_takes_the_page_down_with_the_reason_on_record(client, make_policy,
                                                                        sign_off, approver):
    page = sign_off(make_policy())
    client.force_login(approver)
    form, data = form_data(client.get(withdraw_url(page)).content.decode())
    response = client.post(withdraw_url(page), data)  # no reason chosen
    assert response.status_code == 200
    assert any("撤回原因" in e for e in field_errors(response.content.decode()))
    assert PolicyPage.objects.get(pk=page.pk).live
    data.update(reason=option_value(form, "reason", "发布错误（撤下页面）"),
                note="误将征求意见稿作为正式文件发布")
    response = client.post(withdraw_url(page), data, follow=True)
    assert "已撤下" in response.content.decode()
    assert not PolicyPage.objects.get(pk=page.pk).live
    entry = PageLogEntry.objects.get(page=page, action="interpretations.withdraw")
    assert entry.data == {"reason": "发布错误（撤下页面）", "note": "误将征求意见稿作为正式文件发布"}
    assert Client().get(page.url).status_code == 404


def test_replaced_keeps_the_page_with_its_notice_after_sign_off(
        client, make_policy, sign_off, approver, django_capture_on_commit_callbacks):
    old = sign_off(make_policy(title="关于调整住房公积金贷款额度的通知（2023）"))
    new = sign_off(make_policy(title="关于调整住房公积金贷款额度的通知（2026）"))
    client.force_login(approver)
    form, data = form_data(client.get(withdraw_url(old)).content.decode())
    data["reason"] = option_value(form, "reason", "已被替代")
    response = client.post(withdraw_url(old), data)
    assert any("须选择替代它的文件" in e for e in field_errors(response.content.decode()))
    data.update(replaced_by=option_value(form, "replaced_by", new.title),
                effective_on="2026-07-01", note="贷款额度按新文件执行。")
    response = client.post(withdraw_url(old), data, follow=True)
    assert "已提交审签" in response.content.decode()
    # Nothing changes for readers until the change is signed.
    old = PolicyPage.objects.get(pk=old.pk)
    assert old.live and old.validity == "current"
    assert old.current_workflow_state is not None
    with django_capture_on_commit_callbacks(execute=True):
        old = sign_off(old)
    assert old.live and old.validity == "replaced" and old.replaced_by_id == new.pk
    public = Client().get(old.url).content.decode()
    assert "本文件自 2026年7月1日 起已被替代" in public
    assert "贷款额度按新文件执行。" in public and new.url in public
    assert 'badge badge-danger">已被替代' in public


def test_a_significant_revision_shows_its_change_note_and_a_minor_one_shows_nothing(
        client, make_policy, sign_off, editor, django_capture_on_commit_callbacks):
    page = sign_off(make_policy())
    client.force_login(editor)
    url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    editor_page = client.get(url).content.decode()
    form, _data = form_data(editor_page, "form#page-edit-form")
    assert not form.select("input[name=change_kind][checked]")  # nothing carried over
    # Submitting a change to a published policy asks what kind of change it is.
    response = client.post(url, edit_post_data(page, "action-submit", summary="新增申领渠道"))
    assert response.status_code == 200
    assert any("修改类型" in e for e in field_errors(response.content.decode()))
    response = client.post(url, edit_post_data(page, "action-submit", summary="新增申领渠道",
                                                change_kind="significant"))
    assert any("修订说明" in e for e in field_errors(response.content.decode()))
    response = client.post(url, edit_post_data(
        page, "action-submit", summary="新增申领渠道", change_kind="significant",
        change_note="新增“粤省事”线上申领渠道，自2026年12月1日起执行。"))
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        page = sign_off(page)
    note = PolicyChangeNote.objects.get(page=page)
    assert note.revision_id == page.live_revision_id
    public = Client().get(page.url).content.decode()
    assert "修订说明" in public and "新增“粤省事”线上申领渠道" in public
    assert f"{note.published_at:%Y}年" in public
    # A minor correction: signed and live, no note.
    response = client.post(url, edit_post_data(page, "action-submit", summary="更正错别字",
                                                change_kind="minor"))
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        page = sign_off(page)
    assert page.summary == "更正错别字"
    assert PolicyChangeNote.objects.filter(page=page).count() == 1


def test_withdrawal_date_defaults_to_today_and_repealed_needs_no_replacement(
        client, make_policy, sign_off, approver):
    page = sign_off(make_policy())
    client.force_login(approver)
    form, data = form_data(client.get(withdraw_url(page)).content.decode())
    data["reason"] = option_value(form, "reason", "已废止")
    assert client.post(withdraw_url(page), data).status_code == 302
    page = sign_off(PolicyPage.objects.get(pk=page.pk))
    assert page.validity == "repealed" and page.validity_changed_on == datetime.date.today()
