"""统一社会信用代码 (GB 32100-2015): valid codes pass, invalid ones are refused with a clear
Chinese message."""

import pytest
from django.core.exceptions import ValidationError

from enterprises.validators import make_credit_code, normalise_credit_code, validate_credit_code

# Published codes of real organisations (and the standard's own example).
VALID = ["91350100M000100Y43", "914403001922038216", "91110108551385082Q",
         "91110000100010433L"]


@pytest.mark.parametrize("code", VALID)
def test_real_codes_are_valid(code):
    validate_credit_code(code)


def test_codes_are_normalised_before_checking():
    assert normalise_credit_code(" 91350100-m000100y43 ") == "91350100M000100Y43"
    assert normalise_credit_code("９１３５０１００Ｍ０００１００Ｙ４３") == "91350100M000100Y43"
    validate_credit_code("91350100 m000100y43")


def message(code):
    with pytest.raises(ValidationError) as info:
        validate_credit_code(code)
    return info.value.messages[0]


@pytest.mark.parametrize("code, expected", [
    ("91350100M000100Y4", "统一社会信用代码应为18位，当前为17位。"),
    ("", "统一社会信用代码应为18位，当前为0位。"),
    ("91350100M000100O43", "统一社会信用代码含有不允许的字符：O（不使用 I、O、Z、S、V）。"),
    ("91350100M00010IZ43", "统一社会信用代码含有不允许的字符：I、Z（不使用 I、O、Z、S、V）。"),
    ("91350100M000100Y44", "统一社会信用代码校验位不正确，请核对后重新填写。"),
    ("91350100M000100Y53", "统一社会信用代码第9至17位（组织机构代码）校验不正确。"),
    ("B1350100M000100Y43", "统一社会信用代码第1位（登记管理部门码）不正确。"),
    ("97350100M000100Y43", "统一社会信用代码第2位（机构类别码）不正确。"),
    ("9135A100M000100Y43", "统一社会信用代码第3至8位（行政区划码）应为数字。"),
])
def test_invalid_codes_are_refused_with_the_reason(code, expected):
    assert message(code) == expected


def test_a_single_changed_character_is_caught():
    code = "914403001922038216"
    for position in range(18):
        for replacement in "0123456789ABCDEFGHJKLMNPQRTUWXY":
            changed = code[:position] + replacement + code[position + 1:]
            if changed == code:
                continue
            with pytest.raises(ValidationError):
                validate_credit_code(changed)


def test_made_codes_are_valid():
    for body in ["00000001", "MA5DC8M7", "12345678", "X0000000"]:
        validate_credit_code(make_credit_code(body=body))
