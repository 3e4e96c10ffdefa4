"""English formats (settings.FORMAT_MODULE_PATH): "December 1, 2026", "Dec. 21, 2026",
"10:15 a.m." and "Tuesday, December 1, 2026, 10:15 a.m."."""

DATE_FORMAT = "F j, Y"
SHORT_DATE_FORMAT = "N j, Y"
TIME_FORMAT = "g:i a"
DATETIME_FORMAT = "l, F j, Y, g:i a"
SHORT_DATETIME_FORMAT = "N j, Y, g:i a"
MONTH_DAY_FORMAT = "F j"
YEAR_MONTH_FORMAT = "F Y"
# The portal's own names, read by the `when` filter only.
DAY_FORMAT = "l, F j"
DAY_TIME_FORMAT = "l, F j, g:i a"
