"""The admin lists' 下载 CSV / XLSX (Wagtail's list export): a cell a spreadsheet would run as a
formula comes out as text with a leading quote, and the CSV opens in Excel with its Chinese
(UTF-8 with a BOM)."""

import csv
import io

import pytest
from openpyxl import load_workbook
from wagtail.admin.viewsets import viewsets

from core.exports import SafeSpreadsheetExportMixin
from interpretations.models import Concern
from tests.hotline.conftest import hl, new_ticket  # noqa: F401
from tests.interpretations.conftest import make_policy, section  # noqa: F401

pytestmark = pytest.mark.django_db

FORMULAS = ['=HYPERLINK("http://evil","x")', "+1", "-1", "@SUM(A1)"]
HOSTILE = [*FORMULAS, "\t=1+1"]  # (a ticket's address is stripped of the tab at intake)


def neutralised(text):
    return "'" + text


def read_csv(response):
    data = b"".join(response.streaming_content)
    assert data.startswith("\ufeff".encode())  # the BOM: Excel reads the file as UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def read_xlsx(response):
    data = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(data)).active
    return [["" if cell is None else str(cell) for cell in row]
            for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def admin(django_user_model, city):
    return django_user_model.objects.create_superuser("root", password="x")


@pytest.mark.parametrize("fmt,read", [("csv", read_csv), ("xlsx", read_xlsx)])
def test_ticket_list_export_is_formula_safe(client, admin, new_ticket, fmt, read):  # noqa: F811
    for text in FORMULAS:
        new_ticket(address=text, content=text + "（小区物业乱收费，请尽快处理）")
    client.force_login(admin)
    response = client.get(f"/admin/hotline_tickets/?export={fmt}")
    assert response.status_code == 200
    rows = read(response)
    header, body = rows[0], rows[1:]
    assert header[:3] == ["工单编号", "状态", "预警"]
    addresses = sorted(row[header.index("地址")] for row in body)
    assert addresses == sorted(neutralised(text) for text in FORMULAS)
    assert {row[header.index("区划")] for row in body} == {"江城区解放路街道"}


@pytest.mark.parametrize("fmt,read", [("csv", read_csv), ("xlsx", read_xlsx)])
def test_concern_list_export_is_formula_safe(client, admin, make_policy, fmt, read):  # noqa: F811
    policy = make_policy(title="关于稳岗返还的通知")
    for text in HOSTILE:
        Concern.objects.create(policy=policy, source=Concern.Source.FEEDBACK, content=text)
    Concern.objects.create(policy=policy, source=Concern.Source.FEEDBACK, content="申领条件是什么？")
    client.force_login(admin)
    response = client.get(f"/admin/concerns/?export={fmt}")
    assert response.status_code == 200
    rows = read(response)
    header, body = rows[0], rows[1:]
    assert "关切内容" in header
    contents = sorted(row[header.index("关切内容")] for row in body)
    assert contents == sorted([*(neutralised(text) for text in HOSTILE), "申领条件是什么？"])
    assert {row[header.index("政策文件")] for row in body} == {"关于稳岗返还的通知"}


def test_every_admin_list_with_downloads_is_formula_safe(admin):
    """Any viewset of the project with ``list_export`` — a new one too — writes through
    ``core.exports`` (Wagtail's own page explorer is Wagtail's)."""
    exporting = [v for v in viewsets.viewsets if getattr(v, "list_export", None)
                 and not type(v).__module__.startswith("wagtail.")]
    assert {v.name for v in exporting} >= {"hotline_tickets", "concerns", "divisions"}
    for viewset in exporting:
        view_class = viewset.index_view.view_class
        assert issubclass(view_class, SafeSpreadsheetExportMixin), viewset.name
