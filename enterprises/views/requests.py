"""Placeholder until implemented."""

from django.http import Http404


def request_list(request, *args, **kwargs):
    raise Http404


def request_new(request, *args, **kwargs):
    raise Http404


def request_detail(request, *args, **kwargs):
    raise Http404

