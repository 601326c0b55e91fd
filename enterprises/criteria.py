"""Who a policy is for: the one definition of the criteria on ``PolicyPage``.

Each criterion is one class holding both its database filter (``filter``) and its check for one
enterprise or visitor profile (``check``), side by side, so matching in the database and the
explanation shown to an enterprise cannot drift apart. ``tests/enterprises/test_criteria.py``
checks that they agree over a generated set of enterprises.

Semantics:
- Only enterprises whose status is 存续（在营） are ever matched.
- 行业: any of the listed GB/T 4754 codes, at any level; a code covers every code below it
  (``C`` covers ``C3911``; ``C39`` covers ``C391`` and ``C3911``).
- 规模: any of the listed size classes.
- 区域: any of the listed divisions including everything inside them (a district covers its
  streets and communities).
- 资质: any of the listed (``any``) or every one of them (``all``).
- 从业人数, 营业收入: inclusive ranges; an enterprise with no recorded value does not satisfy a
  range on that attribute.
- 成立年限: whole years completed on the reference date (today in Asia/Shanghai).
  "不少于 N 年" holds from the N-th anniversary of registration on
  (``registered_on <= today − N years``); "不超过 M 年" holds until the day before the
  (M+1)-th anniversary (``registered_on > today − (M+1) years``). A 29 February anniversary
  falls on 28 February in other years.
- 排除: an enterprise in an excluded industry or division, or holding any excluded
  qualification, never matches.

A visitor's ``Profile`` may leave attributes unknown (``None``); a criterion that depends on an
unknown attribute is "待核实" (``ok is None``) and so is the result unless another criterion
fails. For an ``Enterprise`` nothing is unknown: a missing value simply does not satisfy.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from enterprises.models import Enterprise, OperatingStatus, QualificationMode, SizeClass

SHANGHAI = ZoneInfo("Asia/Shanghai")


def reference_date():
    """Today in Asia/Shanghai: the date years since registration are counted on."""
    return timezone.now().astimezone(SHANGHAI).date()


def years_before(day, years):
    """The same calendar day ``years`` earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def completed_years(registered_on, today):
    return today.year - registered_on.year - (
        (today.month, today.day) < (registered_on.month, registered_on.day))


# --- what is being matched ------------------------------------------------------------------------


@dataclass
class Profile:
    """What is known about an enterprise; ``None`` means unknown (a visitor did not say).

    ``qualifications`` holds names or primary keys of the qualifications held. ``strict``
    profiles (built from an ``Enterprise``) treat a missing value as not satisfying instead.
    """

    industry_code: str | None = None
    size_class: str | None = None
    division: object | None = None  # core.Division
    headcount: int | None = None
    revenue: Decimal | None = None
    registered_on: datetime.date | None = None
    qualifications: set | None = None
    status: str = OperatingStatus.OPERATING
    strict: bool = False

    @classmethod
    def of(cls, enterprise):
        return cls(
            industry_code=enterprise.industry_code, size_class=enterprise.size_class,
            division=enterprise.division, headcount=enterprise.headcount,
            revenue=enterprise.revenue, registered_on=enterprise.registered_on,
            qualifications={q.pk for q in enterprise.qualifications.all()},
            status=enterprise.status, strict=True,
        )

    def holds(self, qualification):
        return qualification.pk in self.qualifications or qualification.name in self.qualifications


@dataclass
class Reason:
    """One line of an explanation: ``行业：制造业（C）— 符合``."""

    label: str
    ok: bool | None
    detail: str

    def __post_init__(self):
        self.label, self.detail = str(self.label), str(self.detail)

    @property
    def verdict(self):
        return str({True: _("符合"), False: _("不符合"), None: _("待核实")}[self.ok])

    def __str__(self):
        return f"{self.label}：{self.detail} — {self.verdict}"


@dataclass
class Explanation:
    matched: bool | None
    reasons: list[Reason] = field(default_factory=list)

    @property
    def verdict(self):
        return str({True: _("符合条件"), False: _("不符合条件"), None: _("可能符合，待核实")}[
            self.matched])

    @property
    def unmet(self):
        return [r for r in self.reasons if r.ok is False]

    @property
    def pending(self):
        return [r for r in self.reasons if r.ok is None]

    def __str__(self):
        return "；".join(str(r) for r in self.reasons)


@dataclass
class Criteria:
    """A policy's criteria read once (its many-to-many fields included), as plain values.

    Works for a live page and for ``revision.as_object()`` alike (parental many-to-many
    fields are iterated, never queried with ``values``).
    """

    industries: list
    sizes: list
    divisions: list
    qualifications: list
    qualification_mode: str
    headcount_min: int | None
    headcount_max: int | None
    revenue_min: Decimal | None
    revenue_max: Decimal | None
    age_min: int | None
    age_max: int | None
    exclude_industries: list
    exclude_divisions: list
    exclude_qualifications: list

    @classmethod
    def of(cls, policy):
        if isinstance(policy, cls):
            return policy
        from enterprises.industries import canonical_or_none

        def codes(values):
            return [c for c in (canonical_or_none(v) for v in (values or [])) if c]

        return cls(
            industries=codes(policy.audience_industries),
            sizes=[s for s in (policy.audience_sizes or []) if s in SizeClass.values],
            divisions=list(policy.audience_divisions.all()),
            qualifications=list(policy.audience_qualifications.all()),
            qualification_mode=policy.audience_qualification_mode or QualificationMode.ANY,
            headcount_min=policy.audience_headcount_min,
            headcount_max=policy.audience_headcount_max,
            revenue_min=policy.audience_revenue_min,
            revenue_max=policy.audience_revenue_max,
            age_min=policy.audience_age_min,
            age_max=policy.audience_age_max,
            exclude_industries=codes(policy.audience_exclude_industries),
            exclude_divisions=list(policy.audience_exclude_divisions.all()),
            exclude_qualifications=list(policy.audience_exclude_qualifications.all()),
        )


# --- helpers shared by filters and checks -------------------------------------------------------


def _industry_q(codes):
    q = Q()
    for code in codes:
        q |= Q(industry_code__startswith=code)
    return q


def _covering(codes, industry_code):
    """The first of ``codes`` that covers ``industry_code`` (prefix), or None."""
    return next((c for c in codes if industry_code.startswith(c)), None)


def _finer(codes, industry_code):
    """Whether some of ``codes`` lie inside the coarser ``industry_code`` (a visitor who gave
    only a 门类 may or may not be in one of its 大类)."""
    return any(c.startswith(industry_code) and c != industry_code for c in codes)


def _inside(divisions, division):
    """Whether some of ``divisions`` lie inside ``division`` (a visitor gave only a district)."""
    return any(d.code.startswith(division.prefix) and d.pk != division.pk for d in divisions)


def _division_ids(divisions):
    """A subquery of the ids of ``divisions`` and everything inside them."""
    from core.models import Division

    q = Q()
    for division in divisions:
        q |= Q(code__startswith=division.prefix)
    return Division.objects.filter(q).values("pk")


def _covering_division(divisions, division):
    return next((d for d in divisions if division.code.startswith(d.prefix)), None)


def _holders(qualifications):
    """A subquery of the ids of enterprises holding any of ``qualifications``."""
    through = Enterprise.qualifications.through
    return through.objects.filter(
        qualification_id__in=[q.pk for q in qualifications]).values("enterprise_id")


def _names(items):
    return "、".join(str(getattr(i, "name", i)) for i in items)


def _division_names(divisions):
    return "、".join(d.full_name for d in divisions)


def _industries_label(codes):
    from enterprises.industries import label

    return "、".join(label(c) for c in codes)


def _number(value):
    if isinstance(value, Decimal):
        value = value.normalize()
        return f"{value:f}"
    return str(value)


# --- the criteria ---------------------------------------------------------------------------------


class Criterion:
    label = ""

    def applies(self, c):
        raise NotImplementedError

    def filter(self, qs, c, today):
        raise NotImplementedError

    def check(self, c, p, today):
        """A ``Reason`` for profile ``p``, or None when there is nothing worth saying."""
        raise NotImplementedError

    def summary(self, c):
        raise NotImplementedError


class Operating(Criterion):
    """Always applies: only enterprises in operation are matched."""

    label = _("经营状态")

    def applies(self, c):
        return True

    def filter(self, qs, c, today):
        return qs.filter(status=OperatingStatus.OPERATING)

    def check(self, c, p, today):
        if p.status == OperatingStatus.OPERATING:
            return None  # not worth a line on every explanation
        return Reason(self.label, False, str(OperatingStatus(p.status).label))

    def summary(self, c):
        return ""


class Industries(Criterion):
    label = _("行业")

    def applies(self, c):
        return bool(c.industries)

    def filter(self, qs, c, today):
        return qs.filter(_industry_q(c.industries))

    def check(self, c, p, today):
        from enterprises.industries import label

        wanted = _industries_label(c.industries)
        if not p.industry_code:
            return Reason(self.label, None if not p.strict else False,
                          _("未填写行业；适用行业：%(w)s") % {"w": wanted})
        hit = _covering(c.industries, p.industry_code)
        if hit is None and not p.strict and _finer(c.industries, p.industry_code):
            return Reason(self.label, None, _("%(own)s，适用行业为 %(w)s，请核实具体行业") % {
                "own": label(p.industry_code), "w": wanted})
        if hit is None:
            return Reason(self.label, False, _("%(own)s，不在适用行业（%(w)s）内") % {
                "own": label(p.industry_code), "w": wanted})
        if hit == p.industry_code:
            return Reason(self.label, True, label(hit))
        return Reason(self.label, True, _("%(own)s，属于 %(hit)s") % {
            "own": label(p.industry_code), "hit": label(hit)})

    def summary(self, c):
        return _("行业：%(w)s") % {"w": _industries_label(c.industries)}


class Sizes(Criterion):
    label = _("规模")

    def applies(self, c):
        return bool(c.sizes)

    def filter(self, qs, c, today):
        return qs.filter(size_class__in=c.sizes)

    def _wanted(self, c):
        return "、".join(str(SizeClass(s).label) for s in c.sizes)

    def check(self, c, p, today):
        if not p.size_class:
            return Reason(self.label, None if not p.strict else False,
                          _("未填写规模；适用规模：%(w)s") % {"w": self._wanted(c)})
        own = str(SizeClass(p.size_class).label)
        if p.size_class in c.sizes:
            return Reason(self.label, True, own)
        return Reason(self.label, False, _("%(own)s，适用规模为 %(w)s") % {
            "own": own, "w": self._wanted(c)})

    def summary(self, c):
        return _("规模：%(w)s企业") % {"w": self._wanted(c)}


class Divisions(Criterion):
    label = _("区域")

    def applies(self, c):
        return bool(c.divisions)

    def filter(self, qs, c, today):
        return qs.filter(division__in=_division_ids(c.divisions))

    def check(self, c, p, today):
        wanted = _division_names(c.divisions)
        if p.division is None:
            return Reason(self.label, None if not p.strict else False,
                          _("未填写所在区域；适用区域：%(w)s") % {"w": wanted})
        hit = _covering_division(c.divisions, p.division)
        own = p.division.full_name
        if hit is None and not p.strict and _inside(c.divisions, p.division):
            return Reason(self.label, None, _("%(own)s，适用区域为 %(w)s，请核实具体街道") % {
                "own": own, "w": wanted})
        if hit is None:
            return Reason(self.label, False, _("%(own)s，不在适用区域（%(w)s）内") % {
                "own": own, "w": wanted})
        if hit.pk == p.division.pk:
            return Reason(self.label, True, own)
        return Reason(self.label, True, _("%(own)s，属于 %(hit)s") % {
            "own": own, "hit": hit.full_name})

    def summary(self, c):
        return _("区域：%(w)s") % {"w": _division_names(c.divisions)}


class Qualifications(Criterion):
    label = _("资质")

    def applies(self, c):
        return bool(c.qualifications)

    def _all(self, c):
        return c.qualification_mode == QualificationMode.ALL and len(c.qualifications) > 1

    def filter(self, qs, c, today):
        if self._all(c):
            for qualification in c.qualifications:
                qs = qs.filter(pk__in=_holders([qualification]))
            return qs
        return qs.filter(pk__in=_holders(c.qualifications))

    def _wanted(self, c):
        joiner = str(_("和") if self._all(c) else _("或"))
        return joiner.join(q.name for q in c.qualifications)

    def check(self, c, p, today):
        wanted = self._wanted(c)
        if p.qualifications is None:
            return Reason(self.label, None, _("未填写资质；须具备 %(w)s") % {"w": wanted})
        held = [q for q in c.qualifications if p.holds(q)]
        missing = [q for q in c.qualifications if not p.holds(q)]
        if self._all(c):
            if missing:
                return Reason(self.label, False, _("尚不具备 %(m)s（须全部具备 %(w)s）") % {
                    "m": _names(missing), "w": _names(c.qualifications)})
            return Reason(self.label, True, _("具备 %(h)s") % {"h": _names(held)})
        if held:
            return Reason(self.label, True, _("具备 %(h)s") % {"h": _names(held)})
        return Reason(self.label, False, _("不具备 %(w)s") % {"w": wanted})

    def summary(self, c):
        return _("须具备 %(w)s") % {"w": self._wanted(c)}


class Range(Criterion):
    """An inclusive range on a numeric attribute; a missing value never satisfies it."""

    attribute = ""
    unit = ""

    def bounds(self, c):
        raise NotImplementedError

    def applies(self, c):
        low, high = self.bounds(c)
        return low is not None or high is not None

    def filter(self, qs, c, today):
        low, high = self.bounds(c)
        if low is not None:
            qs = qs.filter(**{f"{self.attribute}__gte": low})
        if high is not None:
            qs = qs.filter(**{f"{self.attribute}__lte": high})
        return qs

    def _wanted(self, c):
        low, high = self.bounds(c)
        u = self.unit
        if low is not None and high is not None:
            return _("%(low)s–%(high)s%(u)s") % {"low": _number(low), "high": _number(high),
                                                  "u": u}
        if low is not None:
            return _("不少于%(low)s%(u)s") % {"low": _number(low), "u": u}
        return _("不超过%(high)s%(u)s") % {"high": _number(high), "u": u}

    def check(self, c, p, today):
        value = getattr(p, self.attribute)
        wanted = self._wanted(c)
        if value is None:
            if p.strict:
                return Reason(self.label, False, _("未登记；要求%(w)s") % {"w": wanted})
            return Reason(self.label, None, _("未填写；要求%(w)s") % {"w": wanted})
        low, high = self.bounds(c)
        ok = (low is None or value >= low) and (high is None or value <= high)
        own = f"{_number(value)}{self.unit}"
        if ok:
            return Reason(self.label, True, own)
        return Reason(self.label, False, _("%(own)s，要求%(w)s") % {"own": own, "w": wanted})

    def summary(self, c):
        return f"{self.label}{self._wanted(c)}"


class Headcount(Range):
    label = _("从业人数")
    attribute = "headcount"
    unit = _("人")

    def bounds(self, c):
        return c.headcount_min, c.headcount_max


class Revenue(Range):
    label = _("营业收入")
    attribute = "revenue"
    unit = _("万元")

    def bounds(self, c):
        return c.revenue_min, c.revenue_max


class Age(Criterion):
    """成立年限 in whole years completed on ``today`` (see the module docstring)."""

    label = _("成立年限")

    def applies(self, c):
        return c.age_min is not None or c.age_max is not None

    @staticmethod
    def date_bounds(c, today):
        """(latest registration date allowed, earliest date *not* allowed) — either may be None."""
        latest = years_before(today, c.age_min) if c.age_min is not None else None
        too_early = years_before(today, c.age_max + 1) if c.age_max is not None else None
        return latest, too_early

    def filter(self, qs, c, today):
        latest, too_early = self.date_bounds(c, today)
        if latest is not None:
            qs = qs.filter(registered_on__lte=latest)
        if too_early is not None:
            qs = qs.filter(registered_on__gt=too_early)
        return qs

    def _wanted(self, c):
        if c.age_min is not None and c.age_max is not None:
            return _("%(a)s至%(b)s年") % {"a": c.age_min, "b": c.age_max}
        if c.age_min is not None:
            return _("不少于%(a)s年") % {"a": c.age_min}
        return _("不超过%(b)s年") % {"b": c.age_max}

    def check(self, c, p, today):
        wanted = self._wanted(c)
        if p.registered_on is None:
            return Reason(self.label, None if not p.strict else False,
                          _("未填写成立日期；要求%(w)s") % {"w": wanted})
        latest, too_early = self.date_bounds(c, today)
        ok = ((latest is None or p.registered_on <= latest)
              and (too_early is None or p.registered_on > too_early))
        own = _("成立于%(d)s，已满%(n)s年") % {
            "d": p.registered_on.isoformat(), "n": completed_years(p.registered_on, today)}
        if ok:
            return Reason(self.label, True, own)
        return Reason(self.label, False, _("%(own)s，要求%(w)s") % {"own": own, "w": wanted})

    def summary(self, c):
        return _("成立年限%(w)s") % {"w": self._wanted(c)}


class ExcludeIndustries(Criterion):
    label = _("排除行业")

    def applies(self, c):
        return bool(c.exclude_industries)

    def filter(self, qs, c, today):
        return qs.exclude(_industry_q(c.exclude_industries))

    def check(self, c, p, today):
        from enterprises.industries import label

        if not p.industry_code:
            return Reason(self.label, None if not p.strict else True,
                          _("不适用于 %(w)s") % {"w": _industries_label(c.exclude_industries)})
        hit = _covering(c.exclude_industries, p.industry_code)
        if hit is None and not p.strict and _finer(c.exclude_industries, p.industry_code):
            return Reason(self.label, None, _("不适用于 %(w)s，请核实具体行业") % {
                "w": _industries_label(c.exclude_industries)})
        if hit is None:
            return Reason(self.label, True, _("不属于 %(w)s") % {
                "w": _industries_label(c.exclude_industries)})
        return Reason(self.label, False, _("%(own)s 属于排除的 %(hit)s") % {
            "own": label(p.industry_code), "hit": label(hit)})

    def summary(self, c):
        return _industries_label(c.exclude_industries)


class ExcludeDivisions(Criterion):
    label = _("排除区域")

    def applies(self, c):
        return bool(c.exclude_divisions)

    def filter(self, qs, c, today):
        return qs.exclude(division__in=_division_ids(c.exclude_divisions))

    def check(self, c, p, today):
        wanted = _division_names(c.exclude_divisions)
        if p.division is None:
            return Reason(self.label, None if not p.strict else True,
                          _("不适用于 %(w)s") % {"w": wanted})
        hit = _covering_division(c.exclude_divisions, p.division)
        if hit is None and not p.strict and _inside(c.exclude_divisions, p.division):
            return Reason(self.label, None, _("不适用于 %(w)s，请核实具体街道") % {"w": wanted})
        if hit is None:
            return Reason(self.label, True, _("不在 %(w)s") % {"w": wanted})
        return Reason(self.label, False, _("%(own)s 属于排除的 %(hit)s") % {
            "own": p.division.full_name, "hit": hit.full_name})

    def summary(self, c):
        return _division_names(c.exclude_divisions)


class ExcludeQualifications(Criterion):
    label = _("排除情形")

    def applies(self, c):
        return bool(c.exclude_qualifications)

    def filter(self, qs, c, today):
        return qs.exclude(pk__in=_holders(c.exclude_qualifications))

    def check(self, c, p, today):
        wanted = _names(c.exclude_qualifications)
        if p.qualifications is None:
            return Reason(self.label, None, _("不适用于 %(w)s") % {"w": wanted})
        held = [q for q in c.exclude_qualifications if p.holds(q)]
        if held:
            return Reason(self.label, False, _("属于 %(h)s") % {"h": _names(held)})
        return Reason(self.label, True, _("不属于 %(w)s") % {"w": wanted})

    def summary(self, c):
        return _names(c.exclude_qualifications)


CRITERIA = [Operating(), Industries(), Sizes(), Divisions(), Qualifications(), Headcount(),
            Revenue(), Age(), ExcludeIndustries(), ExcludeDivisions(), ExcludeQualifications()]
# The ones a policy editor sets (``Operating`` always applies and is not a policy's criterion).
AUDIENCE = CRITERIA[1:]
EXCLUSIONS = (ExcludeIndustries, ExcludeDivisions, ExcludeQualifications)


# --- public API ----------------------------------------------------------------------------------


def has_criteria(policy):
    """Whether the policy names any audience at all (only such policies are pushed/matched)."""
    c = Criteria.of(policy)
    return any(criterion.applies(c) for criterion in AUDIENCE)


def matching_enterprises(policy, today=None):
    """The enterprises the policy is for, as one database query (unordered).

    ``matching_enterprises(policy).values("pk")`` is the id-only form for INSERT … SELECT.
    """
    c = Criteria.of(policy)
    if not any(criterion.applies(c) for criterion in AUDIENCE):
        return Enterprise.objects.none()
    today = today or reference_date()
    qs = Enterprise.objects.order_by()
    for criterion in CRITERIA:
        if criterion.applies(c):
            qs = criterion.filter(qs, c, today)
    return qs


def matching_ids(policy, today=None):
    """``SELECT id`` of the matching enterprises, for ``pk__in`` or INSERT … SELECT."""
    return matching_enterprises(policy, today).values("pk")


def explain(policy, subject, today=None):
    """Why ``subject`` (an ``Enterprise`` or a ``Profile``) matches the policy or not."""
    c = Criteria.of(policy)
    p = Profile.of(subject) if isinstance(subject, Enterprise) else subject
    today = today or reference_date()
    if not any(criterion.applies(c) for criterion in AUDIENCE):
        return Explanation(False, [Reason(_("适用对象"), False, _("该政策未设置适用企业条件"))])
    reasons = []
    for criterion in CRITERIA:
        if criterion.applies(c):
            reason = criterion.check(c, p, today)
            if reason is not None:
                reasons.append(reason)
    oks = [r.ok for r in reasons]
    matched = False if False in oks else (None if None in oks else True)
    return Explanation(matched, reasons)


def summary(policy):
    """A short Chinese description of who the policy is for."""
    c = Criteria.of(policy)
    parts, excluded = [], []
    for criterion in AUDIENCE:
        if criterion.applies(c):
            (excluded if isinstance(criterion, EXCLUSIONS) else parts).append(
                criterion.summary(c))
    if not parts and not excluded:
        return ""
    text = "；".join(parts) if parts else str(_("本市在营企业"))
    if excluded:
        text += _("（不含 %(x)s）") % {"x": "、".join(str(x) for x in excluded)}
    return text


def current_policies():
    """Live, currently valid policies, with their many-to-many criteria prefetched."""
    from interpretations.models import PolicyPage

    return (PolicyPage.objects.live().filter(validity="current")
            .prefetch_related("audience_divisions", "audience_qualifications",
                              "audience_exclude_divisions", "audience_exclude_qualifications")
            .order_by("-published_on", "-pk"))


def policies_for(subject, today=None):
    """[(policy, explanation)] for every current policy with criteria that ``subject`` matches,
    or — for a visitor profile with unknowns — may match (``explanation.matched is None``).
    Matches come first, then the ones to verify; newest first within each."""
    p = Profile.of(subject) if isinstance(subject, Enterprise) else subject
    today = today or reference_date()
    found = []
    for policy in current_policies():
        c = Criteria.of(policy)
        if not any(criterion.applies(c) for criterion in AUDIENCE):
            continue
        explanation = explain(c, p, today)
        if explanation.matched is not False:
            found.append((policy, explanation))
    found.sort(key=lambda pair: pair[1].matched is not True)  # stable: keeps date order
    return found
