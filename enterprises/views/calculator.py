"""Placeholder until implemented."""

from django.http import Http404


def calculator(request, *args, **kwargs):
    raise Http404


def my_policies(request, *args, **kwargs):
    raise Http404

