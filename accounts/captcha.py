"""The CAPTCHA everyone can pass: characters that cannot be mistaken for one another, a
"Nouvelle image" button that works without JavaScript, and an audio alternative (flite).

settings.CAPTCHA_CHALLENGE_FUNCT names `readable_challenge`; the widget's template is
templates/captcha/widgets/captcha.html (read because FORM_RENDERER is TemplatesSetting).
"""

import secrets

from django.conf import settings
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext_lazy as _

# No 0/O/Q/D, 1/I/L/J, 2/Z, 5/S, 8/B, U/V, G/6/C... in an image or read aloud.
READABLE_CHARACTERS = "AEFHKMNPRTWXY3479"

# A wrong answer says so plainly: the CAPTCHA is checked before any lookup, so this reveals
# nothing about an account.
CAPTCHA_ERRORS = {
    "invalid": _(
        "Le code de sécurité est erroné. Recopiez les caractères de la nouvelle image "
        "(ou écoutez-les)."
    ),
    "required": _("Recopiez les caractères de l'image de sécurité."),
}

# The name of the "Nouvelle image" submit button in the CAPTCHA's widget.
NEW_IMAGE = "nouvelle_image"


def readable_challenge() -> tuple[str, str]:
    """django-simple-captcha's challenge: (what the image shows, the expected answer)."""
    letters = getattr(settings, "CAPTCHA_LETTERS", READABLE_CHARACTERS)
    challenge = "".join(secrets.choice(letters) for _ in range(settings.CAPTCHA_LENGTH))
    return challenge, challenge.lower()


def new_image_requested(request: HttpRequest) -> bool:
    """The person pressed "Nouvelle image": the form comes back with what they typed and a new
    image, without being checked (nothing is looked up, no attempt is counted)."""
    return request.method == "POST" and NEW_IMAGE in request.POST


def typed_values(data: QueryDict) -> dict[str, str]:
    """What the person typed, to prefill the form again: no CAPTCHA answer, no token."""
    skip = {"csrfmiddlewaretoken", NEW_IMAGE}
    return {
        name: value
        for name, value in data.items()
        if name not in skip and not name.startswith("captcha")
    }
