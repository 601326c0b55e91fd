"""Admin wiring of 企业服务. Each part registers its menu items with the
``register_enterprise_menu_item`` hook, drawn as one submenu."""

from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem

enterprise_menu = Menu(register_hook_name="register_enterprise_menu_item", construct_hook_name=None)


@hooks.register("register_admin_menu_item")
def register_enterprise_menu():
    return SubmenuMenuItem(_("企业服务"), enterprise_menu, icon_name="group",
                           name="enterprises", order=160)


# --- profiles, qualifications, industries, 免申即享 lists (matching) -----------------------------


@hooks.register("register_admin_viewset")
def register_matching_viewsets():
    from enterprises import industries  # noqa: F401  (connects the industry-name cache signals)
    from enterprises.viewsets import VIEWSETS

    return VIEWSETS


@hooks.register("register_enterprise_menu_item")
def register_profiles_menu_item():
    from enterprises.viewsets import enterprise_viewset

    return enterprise_viewset.get_menu_item(order=100)


@hooks.register("register_enterprise_menu_item")
def register_qualifications_menu_item():
    from enterprises.viewsets import qualification_viewset

    return qualification_viewset.get_menu_item(order=110)


@hooks.register("register_enterprise_menu_item")
def register_industries_menu_item():
    from enterprises.viewsets import industry_viewset

    return industry_viewset.get_menu_item(order=120)


@hooks.register("register_admin_urls")
def register_exempt_urls():
    from enterprises.viewsets import exempt_urls

    return exempt_urls()


@hooks.register("register_enterprise_menu_item")
def register_exempt_menu_item():
    from enterprises.viewsets import ExemptMenuItem

    return ExemptMenuItem()


# --- push campaigns ------------------------------------------------------------------------------


@hooks.register("register_admin_urls")
def register_campaign_urls():
    from enterprises import campaigns

    return campaigns.urls()


@hooks.register("register_enterprise_menu_item")
def register_campaign_menu_item():
    from enterprises.campaigns import CampaignMenuItem

    return CampaignMenuItem()


# --- 企业诉求 and 线下帮办 -------------------------------------------------------------------------


@hooks.register("register_admin_urls")
def register_assistance_urls():
    from enterprises import assistance_views

    return assistance_views.urls()


@hooks.register("register_enterprise_menu_item")
def register_assistance_menu_item():
    from enterprises.assistance_views import AssistanceMenuItem

    return AssistanceMenuItem()
