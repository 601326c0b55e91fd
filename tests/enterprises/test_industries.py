"""GB/T 4754-2017: codes written any way become one path; the reference data is in every
database."""

import pytest
from django.core.exceptions import ValidationError

from enterprises import industries
from enterprises.industries import canonical_code, canonical_codes, label
from enterprises.models import Industry


@pytest.mark.parametrize("raw, expected", [
    ("C", "C"), ("c", "C"), ("c39", "C39"), ("39", "C39"), ("391", "C391"), ("3911", "C3911"),
    ("C3911", "C3911"), (" i 6511 ", "I6511"), ("01", "A01"), ("97", "T97"), ("70", "K70"),
    ("3919", "C3919"),  # a 小类 not named in the table: its 大类 is known, so it is accepted
])
def test_canonical_code(raw, expected):
    assert canonical_code(raw) == expected


@pytest.mark.parametrize("raw, expected", [
    ("98", "没有大类“98”：GB/T 4754-2017 的大类为 01 至 97。"),
    ("00", "没有大类“00”：GB/T 4754-2017 的大类为 01 至 97。"),
    ("Z", "没有门类“Z”：门类为 A 至 T。"),
    ("I39", "行业代码“I39”的门类与大类不符：大类 39 属于门类 C。"),
    ("3", "行业代码“3”格式不正确：数字部分应为2位（大类）、3位（中类）或4位（小类）。"),
    ("C39111", "行业代码“C39111”格式不正确：数字部分应为2位（大类）、3位（中类）或4位（小类）。"),
    ("制造业", "行业代码“制造业”格式不正确：请填写门类字母（如 C）或2至4位数字代码（如 39、3911）。"),
    ("", "行业代码“”格式不正确：请填写门类字母（如 C）或2至4位数字代码（如 39、3911）。"),
])
def test_bad_codes_are_refused_in_chinese(raw, expected):
    with pytest.raises(ValidationError) as info:
        canonical_code(raw)
    assert info.value.messages == [expected]


def test_canonical_codes_deduplicates_and_reports_every_bad_code():
    assert canonical_codes(["39", "C39", "i65"]) == ["C39", "I65"]
    with pytest.raises(ValidationError) as info:
        canonical_codes(["39", "98", "Z"])
    assert len(info.value.messages) == 2


def test_migration_loads_all_sections_and_divisions(db):
    sections = Industry.objects.filter(level=Industry.Level.SECTION)
    divisions = Industry.objects.filter(level=Industry.Level.DIVISION)
    assert sections.count() == 20
    assert divisions.count() == 97
    assert sorted(d.code[1:] for d in divisions) == [f"{n:02d}" for n in range(1, 98)]
    for division in divisions.select_related("parent"):
        assert division.parent.code == division.code[0] == industries.SECTION_OF[division.code[1:]]
    assert Industry.objects.get(code="C").name == "制造业"
    assert Industry.objects.get(code="I65").name == "软件和信息技术服务业"
    assert Industry.objects.get(code="C3911").parent.code == "C391"
    assert str(Industry.objects.get(code="I6511")) == "6511 基础软件开发"


def test_loading_again_keeps_names_edited_in_the_admin(db):
    Industry.objects.filter(code="C39").update(name="电子信息制造业")
    assert industries.load_reference_data() == 0
    assert Industry.objects.get(code="C39").name == "电子信息制造业"
    Industry.objects.filter(code="I6513").delete()
    assert industries.load_reference_data() == 1


@pytest.fixture
def fresh_names(db):
    industries.forget_names()
    yield
    industries.forget_names()  # the edits below are rolled back after the test


def test_labels_follow_edits(fresh_names):
    assert label("C") == "制造业（C）"
    assert label("C3919") == "其他计算机制造（3919）"
    assert label("C3929") == "3929（属于 通信设备制造）"
    industry = Industry.objects.get(code="C3911")
    industry.name = "整机制造"
    industry.save()
    assert label("C3911") == "整机制造（3911）"
