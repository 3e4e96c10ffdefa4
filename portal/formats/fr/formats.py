"""French formats (settings.FORMAT_MODULE_PATH): "1er décembre 2026", "21 déc. 2026" (month
abbreviations in lower case with their period, as French writes them), "10 h 15" (a no-break
space on each side of the "h"). The first of a month is "1er": the `when` filter
(portal.templatetags.portal_format) adds it, Django's `date` filter cannot."""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j N Y"
TIME_FORMAT = "G\u00a0\\h\u00a0i"
DATETIME_FORMAT = "l j F Y, G\u00a0\\h\u00a0i"
SHORT_DATETIME_FORMAT = "j N Y, G\u00a0\\h\u00a0i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
# The portal's own names, read by the `when` filter only.
DAY_FORMAT = "l j F"
DAY_TIME_FORMAT = "l j F, G\u00a0\\h\u00a0i"
# "1 234,50 $": the no-break space U+00A0 of docs/ui.md's typography (Django's own, said here so
# that the money filter's grouping does not depend on a Django release).
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\u00a0"
NUMBER_GROUPING = 3
