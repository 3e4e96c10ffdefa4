from captcha import views as captcha_views
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from django.views.i18n import set_language

from portal import views

portal_patterns = (
    [path("accueil/", views.home, name="home")],
    "portal",
)

# Public by nature: the language switch and the CAPTCHA image are used before login.
public_patterns = [
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    re_path(
        r"^captcha/image/(?P<key>\w+)/$",
        login_not_required(captcha_views.captcha_image),
        name="captcha-image",
        kwargs={"scale": 1},
    ),
    re_path(
        r"^captcha/image/(?P<key>\w+)@2/$",
        login_not_required(captcha_views.captcha_image),
        name="captcha-image-2x",
        kwargs={"scale": 2},
    ),
    re_path(
        r"^captcha/audio/(?P<key>\w+)\.wav$",
        login_not_required(captcha_views.captcha_audio),
        name="captcha-audio",
    ),
    re_path(
        r"^captcha/refresh/$",
        login_not_required(captcha_views.captcha_refresh),
        name="captcha-refresh",
    ),
]

urlpatterns = [
    path("", include("accounts.urls")),
    path("", include(portal_patterns)),
    path("paiement/", include("billing.urls")),
    path("", include("students.urls")),
    path("", include("messaging.urls")),
    path("", include("registration.urls")),
    path("parents/", include("parents.urls")),
    path("", include("library.urls")),
    path("", include("certificates.urls")),
    path("admin/", admin.site.urls),
    *public_patterns,
]
