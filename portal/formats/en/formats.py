"""English formats (settings.FORMAT_MODULE_PATH): "December 1, 2026", "Dec. 21, 2026" and
"Tuesday, December 1, 2026, 10:15 a.m."."""

DATE_FORMAT = "F j, Y"
SHORT_DATE_FORMAT = "N j, Y"
DATETIME_FORMAT = "l, F j, Y, g:i a"
SHORT_DATETIME_FORMAT = "N j, Y, g:i a"
