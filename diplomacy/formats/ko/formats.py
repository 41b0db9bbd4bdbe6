"""Korean: Django's formats, a date and time followed by its time zone's abbreviation ("KST", "UTC")."""

DATETIME_FORMAT = "Y년 n월 j일 g:i A T"
SHORT_DATETIME_FORMAT = "Y-n-j H:i T"
