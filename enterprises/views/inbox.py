"""Placeholder until implemented."""

from django.http import Http404


def inbox_list(request, *args, **kwargs):
    raise Http404


def inbox_item(request, *args, **kwargs):
    raise Http404


def track(request, *args, **kwargs):
    raise Http404

