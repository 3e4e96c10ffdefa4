from typing import Any

from django.http import HttpRequest


def portal(request: HttpRequest) -> dict[str, Any]:
    return {"institution": getattr(request, "institution", None)}
