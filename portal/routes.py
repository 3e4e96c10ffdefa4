"""Which login page and which home each audience has. Parents have their own portal; everyone
else uses the portal's. URL names only: the core imports no app."""

PARENT = "parent"


def login_route(audience: str | None) -> str:
    return "parents:login" if audience == PARENT else "accounts:login"


def home_route(audience: str | None) -> str:
    return "parents:home" if audience == PARENT else "portal:home"
