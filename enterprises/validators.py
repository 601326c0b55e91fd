"""统一社会信用代码 (GB 32100-2015) with its embedded 组织机构代码 (GB 11714-1997).

18 characters from ``0-9 A-H J-N P-R T U W-Y`` (no I, O, Z, S, V):
1 登记管理部门码, 2 机构类别码, 3–8 登记管理机关行政区划码 (digits), 9–17 组织机构代码 (its
own check character at 17), 18 校验码.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUE = {c: i for i, c in enumerate(CHARSET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, …
DEPARTMENTS = "123456789ANY"  # 机构编制 … 工商 9, 中央军委改革和编制办公室 A, 农业 N, 其他 Y
CATEGORIES = "123459"
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def check_character(first17):
    """The 18th character for the first 17."""
    total = sum(VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=False))
    return CHARSET[(31 - total % 31) % 31]


def organisation_check_character(first8):
    """GB 11714: the 9th character of an organisation code for its first eight."""
    total = sum(int(c, 36) * w for c, w in zip(first8, ORG_WEIGHTS, strict=False))
    value = (11 - total % 11) % 11
    return "X" if value == 10 else str(value)


def normalise_credit_code(value):
    """Trim, drop spaces and dashes, upper-case; full-width characters become ASCII."""
    text = str(value or "")
    text = text.translate({code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)})
    return re.sub(r"[\s\-]", "", text).upper()


def validate_credit_code(value):
    """Raise ``ValidationError`` with a clear Chinese message unless ``value`` (as normalised)
    is a valid 统一社会信用代码."""
    code = normalise_credit_code(value)
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为18位，当前为%(n)s位。"), code="credit_code_length",
            params={"n": len(code)})
    bad = sorted({c for c in code if c not in VALUE})
    if bad:
        raise ValidationError(
            _("统一社会信用代码含有不允许的字符：%(chars)s（不使用 I、O、Z、S、V）。"),
            code="credit_code_charset", params={"chars": "、".join(bad)})
    if code[0] not in DEPARTMENTS:
        raise ValidationError(_("统一社会信用代码第1位（登记管理部门码）不正确。"),
                              code="credit_code_department")
    if code[1] not in CATEGORIES:
        raise ValidationError(_("统一社会信用代码第2位（机构类别码）不正确。"),
                              code="credit_code_category")
    if not code[2:8].isdigit():
        raise ValidationError(_("统一社会信用代码第3至8位（行政区划码）应为数字。"),
                              code="credit_code_division")
    if organisation_check_character(code[8:16]) != code[16]:
        raise ValidationError(_("统一社会信用代码第9至17位（组织机构代码）校验不正确。"),
                              code="credit_code_organisation")
    if check_character(code[:17]) != code[17]:
        raise ValidationError(_("统一社会信用代码校验位不正确，请核对后重新填写。"),
                              code="credit_code_check")


def make_credit_code(department="9", category="1", division="350100", body="00000000"):
    """A valid code from its parts (``body``: the first eight characters of the 组织机构代码);
    used by demo data, tests and benchmarks."""
    body = body.upper()
    first17 = f"{department}{category}{division}{body}{organisation_check_character(body)}"
    return first17 + check_character(first17)


def validate_industry_code(value):
    """An enterprise's industry must be a canonical GB/T 4754 path such as ``C3911``."""
    from enterprises.industries import canonical_code

    code = canonical_code(value)
    if code != value:
        raise ValidationError(_("行业代码应写作“%(code)s”。"), code="industry_not_canonical",
                              params={"code": code})
