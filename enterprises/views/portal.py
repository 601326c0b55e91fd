"""Placeholder until implemented."""

from django.http import Http404


def dashboard(request, *args, **kwargs):
    raise Http404


def profile(request, *args, **kwargs):
    raise Http404


def preferences(request, *args, **kwargs):
    raise Http404

