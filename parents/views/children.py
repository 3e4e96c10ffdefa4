"""Placeholder until built."""

from django.http import HttpResponse


def home(request, *args, **kwargs):  # noqa: ANN
    return HttpResponse(status=501)


def child(request, *args, **kwargs):  # noqa: ANN
    return HttpResponse(status=501)

