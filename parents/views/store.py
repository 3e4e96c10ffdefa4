"""Placeholder until built."""

from django.http import HttpResponse


def store(request, *args, **kwargs):  # noqa: ANN
    return HttpResponse(status=501)


def cart(request, *args, **kwargs):  # noqa: ANN
    return HttpResponse(status=501)


def cart_add(request, *args, **kwargs):  # noqa: ANN
    return HttpResponse(status=501)


def checkout(request, *args, **kwargs):  # noqa: ANN
    return HttpResponse(status=501)


def orders(request, *args, **kwargs):  # noqa: ANN
    return HttpResponse(status=501)


def order_pay(request, *args, **kwargs):  # noqa: ANN
    return HttpResponse(status=501)


def order_cancel(request, *args, **kwargs):  # noqa: ANN
    return HttpResponse(status=501)

