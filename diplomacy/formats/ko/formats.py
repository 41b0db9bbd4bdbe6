"""Korean: Django's formats, a date and time followed by its time zone's abbreviation ("KST", "UTC"),
with 오전/오후 before the hour as Korean writes it and as Django's own Korean ``TIME_FORMAT``
(``A g:i``) has it (Django's ``DATETIME_FORMAT`` put it after: "2:03 오전"; new-user probe)."""

DATETIME_FORMAT = "Y년 n월 j일 A g:i T"
SHORT_DATETIME_FORMAT = "Y-n-j H:i T"
