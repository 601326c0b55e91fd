import pytest

from core.privacy import mask_name, mask_phone


@pytest.mark.parametrize("raw,masked", [
    ("13812345678", "138****5678"),
    ("138-1234-5678", "138****5678"),
    ("0731-84561234", "073*****1234"),
    ("", ""),
])
def test_phone_masking_keeps_only_prefix_and_last_four(raw, masked):
    assert mask_phone(raw) == masked


@pytest.mark.parametrize("raw,masked", [("张三", "张*"), ("欧阳娜娜", "欧***"), ("李", "李*"), ("", "")])
def test_name_masking_keeps_only_the_first_character(raw, masked):
    assert mask_name(raw) == masked
