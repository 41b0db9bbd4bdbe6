"""Reminders: each once per agreement and lead time, none for terminated agreements, in the
recipient's language; sent by the daily task that ``manage.py send_reminders`` starts."""

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command

from registry.models import MANAGERS_GROUP, SentReminder, StaffProfile
from registry.reminders import send_due_reminders

from .factories import AgreementFactory, CityFactory, PartnershipFactory, UserFactory

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 1, 1)


@pytest.fixture(autouse=True)
def _lead_times(settings):
    settings.REGISTRY_REMINDER_DAYS = (180, 90, 30)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def office_manager(email="manager@example.org", language=None, **kwargs):
    group, _ = Group.objects.get_or_create(name=MANAGERS_GROUP)
    user = UserFactory(email=email, is_staff=True, **kwargs)
    user.groups.add(group)
    if language:
        StaffProfile.objects.create(user=user, language=language)
    return user


def test_reminder_goes_out_once_per_agreement_and_lead_time():
    office_manager()
    agreement = AgreementFactory(title_en="MoU with Almaty", expires_on=TODAY + datetime.timedelta(days=80))
    assert send_due_reminders(TODAY) == 1
    assert send_due_reminders(TODAY) == 0
    assert send_due_reminders(TODAY + datetime.timedelta(days=1)) == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Agreement expiring: MoU with Almaty"
    assert "expires on 22 March 2026, in 80 days" in mail.outbox[0].body
    # Fifty days later the 30-day reminder is due, once.
    assert send_due_reminders(TODAY + datetime.timedelta(days=50)) == 1
    assert send_due_reminders(TODAY + datetime.timedelta(days=51)) == 0
    assert list(SentReminder.objects.order_by("lead_days").values_list("subject", "lead_days")) == [
        (f"agreement-{agreement.pk}", 30),
        (f"agreement-{agreement.pk}", 90),
    ]


def test_no_reminder_for_a_terminated_agreement_or_to_someone_outside_the_group():
    office_manager()
    UserFactory(email="other@example.org", is_staff=True)
    AgreementFactory(expires_on=TODAY + datetime.timedelta(days=20), status="terminated")
    AgreementFactory(expires_on=TODAY + datetime.timedelta(days=20))
    assert send_due_reminders(TODAY) == 1
    assert [message.to for message in mail.outbox] == [["manager@example.org"]]


def test_notice_deadline_of_a_renewing_agreement():
    office_manager()
    AgreementFactory(
        title_en="Renewing", expires_on=D(2026, 6, 30), automatic_renewal=True, term_years=2, notice_period_days=150
    )
    assert send_due_reminders(TODAY) == 1
    assert mail.outbox[0].subject == "Notice deadline: Renewing"
    assert "is 31 January 2026, in 30 days" in mail.outbox[0].body


def test_reminder_in_korean_for_a_korean_speaking_manager():
    office_manager(language="ko")
    AgreementFactory(title_en="MoU", title_ko="양해각서", expires_on=TODAY + datetime.timedelta(days=10))
    send_due_reminders(TODAY)
    assert mail.outbox[0].subject == "만료 예정 협정: 양해각서"
    assert "2026년 1월 11일" in mail.outbox[0].body


def test_anniversary_reminder(settings):
    home = CityFactory(slug="home", name_en="Home", country="KR")
    settings.REGISTRY_HOME_CITY = "home"
    office_manager(is_superuser=True)
    PartnershipFactory(city=home, partner=CityFactory(name_en="Osaka", country="JP"), established_on=D(2006, 2, 15))
    assert send_due_reminders(TODAY) == 1
    assert (
        mail.outbox[0].subject
        == "Anniversary coming: 20th anniversary of the sister city partnership of Home and Osaka"
    )


def test_command_runs_the_task():
    office_manager()
    AgreementFactory(expires_on=D(2026, 1, 20))
    out = io.StringIO()
    call_command("send_reminders", "--date", "2026-01-01", stdout=out)
    assert out.getvalue() == "Sent 1 reminder(s).\n"
    assert len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("days", "errors"),
    [((180, 90, 30), []), ((3650, 0), []), ((40_000, 30), ["registry.E001"]), ((), ["registry.E001"])],
)
def test_the_lead_times_are_checked_at_start_up(settings, days, errors):
    """A lead time past PostgreSQL's smallint (32,767 days) made the daily job fail there and not
    on SQLite; every lead time is 0 to 3,650 days, and at least one is named."""
    from registry.reminders import check_reminder_days

    settings.REGISTRY_REMINDER_DAYS = days
    assert [message.id for message in check_reminder_days()] == errors
