"""Placeholder until built."""

from django.http import HttpResponse


def faq(request, *args, **kwargs):  # noqa: ANN
    return HttpResponse(status=501)


def contact(request, *args, **kwargs):  # noqa: ANN
    return HttpResponse(status=501)

