"""Masking of personal data for anything public or exported for non-staff."""

import ipaddress
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


def mask_address(address):
    """203.0.113.7 → 203.0.113.*; an IPv6 address keeps its /48 prefix (2001:db8:1::*)."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return ""
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    if ip.version == 4:
        return str(ip).rsplit(".", 1)[0] + ".*"
    prefix = ipaddress.ip_network(f"{ip}/48", strict=False).network_address
    return f"{prefix}*"
