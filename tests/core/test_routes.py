"""Fixed routes win over pages, so a page may not take an address a fixed route answers: the
editor refuses such a slug with a Chinese message on the slug field."""

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import get_page_models
from wagtail.test.utils.form_data import inline_formset, nested_form_data, streamfield

from core import routes
from core.demo import get_home
from core.models import StandardPage

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path, taken", [
    ("/policies/calculator/", True), ("/enterprise/", True), ("/enterprise/inbox/", True),
    ("/admin/", True), ("/hotline/submit/", True), ("/static/site.css/", True),
    ("/policies/", False), ("/policies/some-policy/", False), ("/hotline/", False),
    ("/about/", False), ("/accounts/", False), ("/healthz/", False),
])
def test_an_address_is_taken_when_a_fixed_route_answers_it(path, taken):
    assert (routes.taken_by(path) is not None) is taken


def test_every_page_model_refuses_a_taken_address():
    for model in get_page_models():
        if model._meta.label != "wagtailcore.Page":
            assert issubclass(model, routes.FixedRoutePageMixin), model
            assert issubclass(model.base_form_class, routes.PageForm), model


def page_data(title, slug, action="action-publish"):
    return nested_form_data({"title": title, "slug": slug, "intro": "", "body": streamfield([]),
                             "comments": inline_formset([]), action: "1"})


@pytest.fixture
def admin_client(client, make_user):
    client.force_login(make_user(is_superuser=True))
    return client


def test_a_top_level_page_cannot_take_a_fixed_route(admin_client):
    home = get_home()
    url = f"/admin/pages/add/core/standardpage/{home.pk}/"
    for slug in ["enterprise", "admin"]:
        response = admin_client.post(url, page_data("企业之窗", slug))
        assert response.status_code == 200
        assert f"地址 /{slug}/ " in response.text and "请换一个缩略名" in response.text
        assert not StandardPage.objects.filter(slug=slug).exists()
    html = admin_client.post(url, page_data("企业服务", "enterprise")).text
    assert "已是站内功能“企业服务”的地址" in html
    # A draft is refused too: publishing it later could never work.
    response = admin_client.post(url, page_data("企业之窗", "enterprise", "action-save"))
    assert response.status_code == 200 and not StandardPage.objects.exists()
    response = admin_client.post(url, page_data("关于我们", "about"))
    assert response.status_code == 302
    assert admin_client.get("/about/").status_code == 200


def test_renaming_a_page_onto_a_fixed_route_is_refused(admin_client):
    page = StandardPage(title="关于我们", slug="about")
    get_home().add_child(instance=page)
    page.save_revision().publish()
    url = f"/admin/pages/{page.pk}/edit/"
    response = admin_client.post(url, page_data("关于我们", "enterprise"))
    assert response.status_code == 200 and "地址 /enterprise/ " in response.text
    page.refresh_from_db()
    assert page.slug == "about" and page.url_path.endswith("/about/")
    assert admin_client.post(url, page_data("关于本站", "about-us")).status_code == 302
    # Outside the admin the model refuses it the same way.
    page.refresh_from_db()
    page.slug = "admin"
    with pytest.raises(ValidationError) as refused:
        page.save()
    assert "地址 /admin/ " in str(refused.value.message_dict["slug"])


def test_moving_or_copying_a_page_onto_a_fixed_route_is_refused(admin_client):
    home = get_home()
    section = home.add_child(instance=StandardPage(title="企业专栏", slug="business"))
    page = section.add_child(instance=StandardPage(title="企业服务指南", slug="enterprise"))
    assert page.url == "/business/enterprise/"
    response = admin_client.post(f"/admin/pages/{page.pk}/move/{home.pk}/confirm/", follow=True)
    assert "地址 /enterprise/ " in response.text
    page.refresh_from_db()
    assert page.url_path.endswith("/business/enterprise/")
    response = admin_client.post(f"/admin/pages/{page.pk}/copy/", {
        "new_title": "企业服务指南", "new_slug": "enterprise", "new_parent_page": home.pk})
    assert response.status_code == 200 and "地址 /enterprise/ " in response.text
    assert StandardPage.objects.filter(slug="enterprise").count() == 1
    response = admin_client.post(f"/admin/pages/{page.pk}/copy/", {
        "new_title": "企业服务指南", "new_slug": "enterprise-guide", "new_parent_page": home.pk})
    assert response.status_code == 302
    assert StandardPage.objects.get(slug="enterprise-guide").url_path.endswith("/enterprise-guide/")
