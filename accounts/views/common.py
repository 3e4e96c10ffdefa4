"""What the account pages share. The lockout message lives in accounts.messages, where other
apps' pages can reach it too; it is re-exported here for the account views."""

from typing import Any

from django import forms
from django.http import HttpRequest

from accounts.captcha import new_image_requested, typed_values
from accounts.messages import locked_message
from portal.models import AuditEvent
from portal.services import audit_record

__all__ = ["captcha_form", "captcha_refusal_record", "locked_message"]


def captcha_refusal_record(request: HttpRequest, form: forms.Form) -> None:
    """A refused CAPTCHA is a security event: audited with the page and the identifier typed
    (the answer the person gave the page stays the page's own generic message)."""
    if request.method != "POST" or "captcha" not in form.fields or not form.has_error("captcha"):
        return
    audit_record(
        kind=AuditEvent.Kind.CAPTCHA_REFUSED,
        request=request,
        identifier=str(form.data.get("identifier", "")).strip()[:50],
        details={"page": request.resolver_match.url_name if request.resolver_match else ""},
    )


def captcha_form[F: forms.Form](form_class: type[F], request: HttpRequest, **kwargs: Any) -> F:
    """The page's form, bound to what was posted; after "Nouvelle image", unbound and prefilled
    with what was typed, so that it shows a new image and checks nothing (no JavaScript)."""
    if new_image_requested(request):
        return form_class(initial=typed_values(request.POST), **kwargs)
    return form_class(request.POST or None, **kwargs)
