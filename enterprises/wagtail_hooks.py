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

# --- push campaigns ------------------------------------------------------------------------------

# --- 企业诉求 and 线下帮办 -------------------------------------------------------------------------
