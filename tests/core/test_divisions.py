import pytest
from django.core.exceptions import ValidationError

from core.models import Division

pytestmark = pytest.mark.django_db


def test_a_district_contains_its_streets_and_villages(city):
    d = city["divisions"]
    names = set(d["district"].descendants().values_list("name", flat=True))
    assert names == {"江城区", "解放路街道", "解放路第一社区"}
    assert "江城区" not in set(d["district"].descendants(include_self=False).values_list("name", flat=True))
    assert d["other"].descendants().count() == 1
    assert d["city"].descendants().count() == Division.objects.count()


def test_full_name_reads_from_district_down(city):
    village = Division.objects.get(name="解放路第一社区")
    assert village.full_name == "江城区解放路街道解放路第一社区"


@pytest.mark.parametrize("code,level,message", [
    ("4399020020", Division.Level.TOWNSHIP, "12位数字"),
    ("439903002000", Division.Level.TOWNSHIP, "必须以上级区划代码 439902 开头"),
    ("439902002000", Division.Level.VILLAGE, "层级必须比上级区划低一级"),
])
def test_bad_division_codes_are_refused_in_chinese(city, code, level, message):
    division = Division(code=code, name="新街道", level=level, parent=city["divisions"]["district"])
    with pytest.raises(ValidationError) as err:
        division.full_clean()
    assert message in str(err.value)


def test_organisation_cannot_be_its_own_ancestor(city):
    orgs = city["orgs"]
    orgs["district"].parent = orgs["street"]
    with pytest.raises(ValidationError) as err:
        orgs["district"].full_clean()
    assert "上级机构不能是本机构或其下级机构" in str(err.value)
