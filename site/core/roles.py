"""The platform's roles as Django groups with real permissions, kept in sync on every migrate.

Each role lists the permissions it needs as ``app_label.codename``. Apps add their own
permissions here when they add models, so one list says what each role may do.
Page permissions (who may edit or publish which part of the page tree) are granted by
``interpretations`` once its page tree exists.
"""

from dataclasses import dataclass, field

from django.contrib.auth.models import Group, Permission
from django.db import transaction

EDITOR = "编辑"
APPROVER = "审签人"
DISPATCHER = "话务员/派单员"
HANDLER = "承办人"
SUPERVISOR = "督办人"
ENTERPRISE = "企业用户"

ADMIN_ACCESS = "wagtailadmin.access_admin"
MEDIA_LIBRARY = [
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.choose_image",
]
REFERENCE_DATA = ["core.view_division", "core.view_organisation"]


@dataclass(frozen=True)
class Role:
    name: str
    description: str
    permissions: list[str] = field(default_factory=list)
    staff: bool = True  # may enter the Wagtail admin


ROLES = [
    Role(EDITOR, "起草政策文件和解读材料，提交审签。", [ADMIN_ACCESS, *MEDIA_LIBRARY, *REFERENCE_DATA]),
    Role(APPROVER, "审核并签发政策文件及其解读。", [ADMIN_ACCESS, *MEDIA_LIBRARY, *REFERENCE_DATA]),
    Role(DISPATCHER, "受理12345诉求，派单、改派、审核延期与异议。", [ADMIN_ACCESS, *REFERENCE_DATA]),
    Role(HANDLER, "签收并办理本单位的工单，答复诉求人。", [ADMIN_ACCESS, *REFERENCE_DATA]),
    Role(SUPERVISOR, "督办超期和重点事项，查看全部统计。",
         [ADMIN_ACCESS, *REFERENCE_DATA, "core.view_message"]),
    Role(ENTERPRISE, "企业门户用户：查看推送政策，提交企业诉求。", [], staff=False),
]

ROLE_NAMES = [role.name for role in ROLES]

# Roles whose members see every organisation's data; everyone else sees their own organisation.
CITYWIDE_ROLES = {DISPATCHER, SUPERVISOR}


def resolve_permission(dotted):
    app_label, codename = dotted.split(".", 1)
    try:
        return Permission.objects.get(content_type__app_label=app_label, codename=codename)
    except Permission.DoesNotExist as exc:
        raise LookupError(f"Role permission {dotted} does not exist") from exc


@transaction.atomic
def ensure_roles():
    """Create or update every role group so it has exactly its listed permissions."""
    groups = {}
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role.name)
        group.permissions.set([resolve_permission(p) for p in role.permissions])
        groups[role.name] = group
    return groups


# Wagtail's installation creates English-named groups that these roles replace.
WAGTAIL_DEFAULT_GROUPS = ["Editors", "Moderators"]


def ensure_roles_after_migrate(sender, **kwargs):
    # Permissions of every app exist once the last app has migrated; until then skip quietly.
    try:
        ensure_roles()
    except LookupError:
        return
    Group.objects.filter(name__in=WAGTAIL_DEFAULT_GROUPS, user__isnull=True).delete()


def has_role(user, *names):
    if not user.is_authenticated:
        return False
    return user.groups.filter(name__in=names).exists()
