from django import template

from core import privacy

register = template.Library()
register.filter("mask_phone", privacy.mask_phone)
register.filter("mask_name", privacy.mask_name)
