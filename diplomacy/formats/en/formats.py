"""English: Django's formats, a date and time followed by its time zone's abbreviation ("UTC", "KST")."""

DATETIME_FORMAT = "N j, Y, P T"
SHORT_DATETIME_FORMAT = "m/d/Y P T"
