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
LEGALITY_REVIEWER = "合法性审核人"
OFFICE_REVIEWER = "办公室审签人"
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
# 政策解读 (interpretations/, media/): page permissions on the policy section are granted by
# interpretations.permissions.ensure_page_permissions once the section page exists.
POLICY_MEDIA = ["media.add_mediaitem", "media.change_mediaitem", "media.view_mediaitem"]
POLICY_CONCERNS = ["interpretations.view_concern", "interpretations.add_concern",
                   "interpretations.change_concern", "interpretations.view_feedback"]
POLICY_SIGNOFFS = ["interpretations.view_signoff", "interpretations.view_emergencypublication"]
# 紧急发布 ("interpretations.emergency_publish") belongs to no role: it is granted by name, to the
# few people the rules allow (the demo gives it to the department's approver).
POLICY_EXPERT_LINKS = ["interpretations.view_expertpreviewlink",
                       "interpretations.add_expertpreviewlink"]
# 12345 hotline (hotline/): the workbench checks these; transitions check the role groups.
HOTLINE_DISPATCH = ["hotline.view_ticket", "hotline.add_ticket", "hotline.dispatch_ticket",
                    "hotline.view_category", "hotline.view_dispatchrule",
                    "hotline.add_dispatchrule", "hotline.change_dispatchrule",
                    "hotline.view_jointhandling", "hotline.change_jointhandling",
                    "hotline.view_timelimit", "hotline.view_calendarday"]
HOTLINE_HANDLE = ["hotline.view_ticket", "hotline.handle_ticket", "hotline.view_jointhandling"]
# 好差评 (ratings/): handlers answer their department's 差评 and record window services;
# supervisors see every case, decide appeals and review flagged ratings.
RATINGS_HANDLE = ["ratings.view_badratingcase", "ratings.handle_case", "ratings.view_rating",
                  "ratings.view_serviceevent", "ratings.add_serviceevent",
                  "ratings.view_servicewindow"]
RATINGS_SUPERVISE = ["ratings.view_badratingcase", "ratings.view_rating", "ratings.view_appeal",
                     "ratings.decide_appeal", "ratings.review_rating",
                     "ratings.view_serviceevent", "ratings.view_servicewindow"]
# 企业服务 (enterprises/): 督办人 keep the enterprise profiles; editors and approvers look up
# industries and qualifications when they set who a policy is for.
ENTERPRISE_REFERENCE = ["enterprises.view_industry", "enterprises.view_qualification"]
ENTERPRISE_PROFILES = ["enterprises.view_enterprise", "enterprises.add_enterprise",
                       "enterprises.change_enterprise", *ENTERPRISE_REFERENCE]
HOTLINE_SUPERVISE = ["hotline.view_ticket", "hotline.supervise_ticket",
                     "hotline.view_jointhandling", "hotline.change_jointhandling"]


@dataclass(frozen=True)
class Role:
    name: str
    description: str
    permissions: list[str] = field(default_factory=list)
    staff: bool = True  # may enter the Wagtail admin


ROLES = [
    Role(EDITOR, "起草政策文件和解读材料，提交审签。",
         [ADMIN_ACCESS, *MEDIA_LIBRARY, *REFERENCE_DATA, *POLICY_MEDIA, *POLICY_CONCERNS,
          *POLICY_SIGNOFFS, *POLICY_EXPERT_LINKS, *ENTERPRISE_REFERENCE]),
    Role(APPROVER, "起草部门审核：审核本部门的政策文件及其解读。",
         [ADMIN_ACCESS, *MEDIA_LIBRARY, *REFERENCE_DATA, *POLICY_MEDIA, *POLICY_CONCERNS,
          *POLICY_SIGNOFFS, *POLICY_EXPERT_LINKS, *ENTERPRISE_REFERENCE]),
    Role(LEGALITY_REVIEWER, "合法性审核：审核政策文件及其解读的合法性（司法行政部门）。",
         [ADMIN_ACCESS, *REFERENCE_DATA, *POLICY_SIGNOFFS]),
    Role(OFFICE_REVIEWER, "办公室审签：政府办公室对政策文件及其解读的最终审签。",
         [ADMIN_ACCESS, *REFERENCE_DATA, *POLICY_SIGNOFFS]),
    Role(DISPATCHER, "受理12345诉求，派单、改派、审核延期与异议。",
         [ADMIN_ACCESS, *REFERENCE_DATA, *HOTLINE_DISPATCH]),
    Role(HANDLER, "签收并办理本单位的工单，答复诉求人。",
         [ADMIN_ACCESS, *REFERENCE_DATA, *HOTLINE_HANDLE, *RATINGS_HANDLE]),
    Role(SUPERVISOR, "督办超期和重点事项，查看全部统计。",
         [ADMIN_ACCESS, *REFERENCE_DATA, "core.view_message", *HOTLINE_SUPERVISE,
          "interpretations.view_concern", "interpretations.view_feedback", *POLICY_SIGNOFFS,
          *RATINGS_SUPERVISE, *ENTERPRISE_PROFILES]),
    Role(ENTERPRISE, "企业门户用户：查看推送政策，提交企业诉求。", [], staff=False),
]

ROLE_NAMES = [role.name for role in ROLES]

# Roles whose members see every organisation's data; everyone else sees their own organisation.
CITYWIDE_ROLES = {DISPATCHER, SUPERVISOR}


def resolve_permissions(dotted_names):
    """{(app_label, codename): Permission} for "app_label.codename" names, in one query
    (``ensure_roles`` runs on request paths and per test: a query per permission cost a quarter
    of a second)."""
    wanted = {tuple(dotted.split(".", 1)) for dotted in dotted_names}
    found = {
        (permission.content_type.app_label, permission.codename): permission
        for permission in Permission.objects.filter(
            codename__in={codename for _, codename in wanted}).select_related("content_type")
    }
    missing = sorted(".".join(name) for name in wanted - found.keys())
    if missing:
        raise LookupError(f"Role permission {', '.join(missing)} does not exist")
    return found


@transaction.atomic
def ensure_roles():
    """Create or update every role group so it has exactly its listed permissions."""
    permissions = resolve_permissions(p for role in ROLES for p in role.permissions)
    groups = {}
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=role.name)
        group.permissions.set([permissions[tuple(p.split(".", 1))] for p in role.permissions])
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


def members(role, organisation=None):
    """Active members of ``role``, of ``organisation`` when given (the one way to say "the
    supervisors", "the approvers of this department")."""
    from core.models import User

    people = User.objects.filter(is_active=True, groups__name=role)
    if organisation is not None:
        people = people.filter(organisation=organisation)
    return people.distinct()
