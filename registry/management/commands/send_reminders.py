"""Start the daily reminders: agreement expiries, notice deadlines and round anniversaries.

    python manage.py send_reminders [--date YYYY-MM-DD]

Enqueues :data:`registry.reminders.send_reminders_task` through Django's tasks API
(``settings.TASKS``: the ``django-tasks-db`` database backend, run by ``manage.py db_worker``;
with ``REGISTRY_TASKS_IMMEDIATE=1`` it runs at once in this process). A timer runs it once a day,
e.g. a cron line ``15 6 * * * cd /srv/registry && .venv/bin/python manage.py send_reminders``
or a systemd timer with ``OnCalendar=*-*-* 06:15``. Running it twice on a day sends nothing twice
(each reminder is recorded once, :class:`registry.models.SentReminder`). Lead times come from
``REGISTRY_REMINDER_DAYS``; recipients are the "Registry managers" with an e-mail address.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError

from registry.reminders import send_reminders_task


class Command(BaseCommand):
    help = "Enqueue today's reminders to the registry managers (agreement expiries, notice deadlines, anniversaries)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--date", help="Send the reminders due on this day (YYYY-MM-DD) instead of today (for catching up)."
        )

    def handle(self, *args, date=None, **options):
        if date:
            try:
                datetime.date.fromisoformat(date)
            except ValueError as error:
                raise CommandError(f"--date must be a date as YYYY-MM-DD, not {date!r}.") from error
        result = send_reminders_task.enqueue(date)
        if result.is_finished:
            self.stdout.write(f"Sent {result.return_value} reminder(s).")
        else:
            self.stdout.write(f"Enqueued the reminders (task {result.id}); `manage.py db_worker` sends them.")
