"""French formats the portal uses beyond Django's own (settings.FORMAT_MODULE_PATH): month
abbreviations in lower case with their period, as French writes them ("21 déc. 2026")."""

SHORT_DATE_FORMAT = "j N Y"
SHORT_DATETIME_FORMAT = r"j N Y, G \h i"
