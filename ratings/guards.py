"""Ratings are never deleted: a queryset delete (which skips ``Rating.delete``) is refused too.
The database trigger in migration 0002 refuses UPDATEs of a rating's content."""

from django.core.exceptions import ValidationError
from django.db.models.signals import pre_delete
from django.utils.translation import gettext as _


def refuse_delete(sender, instance, **kwargs):
    raise ValidationError(_("评价不得删除；申诉成立的评价只会不计入统计。"))


def connect():
    from ratings.models import Rating

    pre_delete.connect(refuse_delete, sender=Rating, dispatch_uid="ratings_refuse_delete")
