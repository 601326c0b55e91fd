"""Masking of personal data for anything public or exported for non-staff."""

import re


def mask_phone(phone):
    """13812345678 → 138****5678; landlines keep their area code and last four digits."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < 7:
        return "*" * len(digits)
    return f"{digits[:3]}{'*' * (len(digits) - 7)}{digits[-4:]}"


def mask_name(name):
    """张三 → 张*; 欧阳娜娜 → 欧***. Only the first character stays."""
    name = (name or "").strip()
    if not name:
        return ""
    return name[0] + "*" * max(len(name) - 1, 1)
