"""GB/T 4754-2017 国民经济行业分类: reading codes, naming them, loading the reference data.

Codes are stored as paths from the section letter down (``C``, ``C39``, ``C391``, ``C3911``).
People write them in many ways — ``C``, ``c39``, ``39``, ``391``, ``3911``, ``C3911`` — and
``canonical_code`` turns any of them into the path. Which 大类 belongs to which 门类 is fixed by
the standard, so it is known without the database; names live in the ``Industry`` table (loaded
by a data migration from ``enterprises/data/gbt4754_2017.csv``, editable in the admin).
"""

import csv
import re
import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

DATA_FILE = Path(__file__).resolve().parent / "data" / "gbt4754_2017.csv"

# 门类 → its 大类 numbers (inclusive ranges), as GB/T 4754-2017 assigns them.
SECTION_DIVISIONS = {
    "A": (1, 5), "B": (6, 12), "C": (13, 43), "D": (44, 46), "E": (47, 50), "F": (51, 52),
    "G": (53, 60), "H": (61, 62), "I": (63, 65), "J": (66, 69), "K": (70, 70), "L": (71, 72),
    "M": (73, 75), "N": (76, 79), "O": (80, 82), "P": (83, 83), "Q": (84, 85), "R": (86, 90),
    "S": (91, 96), "T": (97, 97),
}
SECTION_OF = {f"{n:02d}": letter for letter, (first, last) in SECTION_DIVISIONS.items()
              for n in range(first, last + 1)}

_FORMAT = re.compile(r"^([A-Z])?(\d*)$")


def canonical_code(value):
    """``"c39"``, ``"39"``, ``"C3911"``… → the path ``"C39"``/``"C3911"``; ValidationError
    (in Chinese) for a bad format, an unknown 门类 or 大类, or a letter that does not fit."""
    raw = str(value or "").strip().upper().replace(" ", "")
    match = _FORMAT.match(raw)
    if not raw or not match or (not match.group(1) and not match.group(2)):
        raise ValidationError(
            _("行业代码“%(code)s”格式不正确：请填写门类字母（如 C）或2至4位数字代码（如 39、3911）。"),
            code="industry_format", params={"code": value})
    letter, digits = match.groups()
    if digits and len(digits) not in (2, 3, 4):
        raise ValidationError(
            _("行业代码“%(code)s”格式不正确：数字部分应为2位（大类）、3位（中类）或4位（小类）。"),
            code="industry_format", params={"code": value})
    if not digits:
        if letter not in SECTION_DIVISIONS:
            raise ValidationError(_("没有门类“%(code)s”：门类为 A 至 T。"),
                                  code="industry_unknown", params={"code": value})
        return letter
    section = SECTION_OF.get(digits[:2])
    if section is None:
        raise ValidationError(_("没有大类“%(code)s”：GB/T 4754-2017 的大类为 01 至 97。"),
                              code="industry_unknown", params={"code": digits[:2]})
    if letter and letter != section:
        raise ValidationError(
            _("行业代码“%(code)s”的门类与大类不符：大类 %(div)s 属于门类 %(section)s。"),
            code="industry_mismatch",
            params={"code": value, "div": digits[:2], "section": section})
    return section + digits


def canonical_or_none(value):
    try:
        return canonical_code(value)
    except ValidationError:
        return None


def canonical_codes(values):
    """Every value made canonical, duplicates dropped, order kept; one ValidationError listing
    every bad code."""
    result, errors = [], []
    for value in values:
        try:
            code = canonical_code(value)
        except ValidationError as exc:
            errors.extend(exc.messages)
            continue
        if code not in result:
            result.append(code)
    if errors:
        raise ValidationError(errors)
    return result


def display_code(code):
    """As GB/T 4754 prints it: the letter for a 门类, digits below it."""
    return code if len(code) == 1 else code[1:]


def level_of(code):
    return {1: 1, 3: 2, 4: 3, 5: 4}[len(code)]


# --- names ---------------------------------------------------------------------------------------

_names = {"loaded": 0.0, "map": {}}
NAMES_TTL = 300


def names():
    """code → name of every industry in the table (cached in the process, refreshed on edits)."""
    if not _names["map"] or time.monotonic() - _names["loaded"] > NAMES_TTL:
        from enterprises.models import Industry

        _names["map"] = dict(Industry.objects.values_list("code", "name"))
        _names["loaded"] = time.monotonic()
    return _names["map"]


def forget_names(**kwargs):
    _names["map"] = {}


def name_of(code):
    """The name of the code in the table, or ""."""
    return names().get(code, "")


def label(code):
    """``制造业（C）``, ``计算机整机制造（3911）``; a code without a name of its own is shown
    with its nearest named ancestor: ``3929（属于 通信设备制造）``."""
    table = names()
    if code in table:
        return f"{table[code]}（{display_code(code)}）"
    for length in (4, 3, 1):
        if length < len(code) and code[:length] in table:
            return _("%(code)s（属于 %(parent)s）") % {"code": display_code(code),
                                                    "parent": table[code[:length]]}
    return display_code(code)


def sections():
    """[(letter, name)] of the 20 门类."""
    return sorted((c, n) for c, n in names().items() if len(c) == 1)


def divisions_by_section():
    """{letter: [(path, "39 计算机、通信和其他电子设备制造业"), …]} of the 97 大类."""
    result = {}
    for code, name in sorted(names().items()):
        if len(code) == 3:
            result.setdefault(code[0], []).append((code, f"{code[1:]} {name}"))
    return result


# --- reference data ------------------------------------------------------------------------------


def reference_rows():
    with DATA_FILE.open(encoding="utf-8") as handle:
        return [(row["code"], row["name"]) for row in csv.DictReader(handle)]


def load_reference_data(Industry=None):
    """Create the industries of the data file that are missing (names edited in the admin are
    kept). ``Industry`` may be a migration's historical model. Returns how many were created."""
    if Industry is None:
        from enterprises.models import Industry
    existing = dict(Industry.objects.values_list("code", "pk"))
    created = 0
    for code, name in sorted(reference_rows(), key=lambda row: len(row[0])):
        if code in existing:
            continue
        parent_code = {1: None, 3: code[:1], 4: code[:3], 5: code[:4]}[len(code)]
        item = Industry.objects.create(code=code, name=name, level=level_of(code),
                                       parent_id=existing.get(parent_code))
        existing[code] = item.pk
        created += 1
    forget_names()
    return created


@receiver(post_save, sender="enterprises.Industry")
@receiver(post_delete, sender="enterprises.Industry")
def _industry_changed(sender, **kwargs):
    forget_names()
