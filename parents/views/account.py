"""Placeholder until built."""

from django.http import HttpResponse


def login_view(request, *args, **kwargs):  # noqa: ANN
    return HttpResponse(status=501)


def signup_email(request, *args, **kwargs):  # noqa: ANN
    return HttpResponse(status=501)


def signup_details(request, *args, **kwargs):  # noqa: ANN
    return HttpResponse(status=501)


def activate(request, *args, **kwargs):  # noqa: ANN
    return HttpResponse(status=501)


def reset_start(request, *args, **kwargs):  # noqa: ANN
    return HttpResponse(status=501)


def reset_question(request, *args, **kwargs):  # noqa: ANN
    return HttpResponse(status=501)

