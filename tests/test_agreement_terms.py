"""Agreement terms: entry into force, expiry, automatic renewal, notice period, status."""

import datetime
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from registry.models import Agreement

from .factories import AgreementFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def test_agreement_without_renewal_is_expired_after_its_expiry():
    agreement = AgreementFactory(entry_into_force_on=D(2020, 1, 1), expires_on=D(2024, 12, 31))
    assert agreement.status_on(D(2024, 12, 31)) == Agreement.Status.IN_FORCE
    assert agreement.status_on(D(2025, 1, 1)) == Agreement.Status.EXPIRED
    assert agreement.term_end_on(D(2030, 1, 1)) == D(2024, 12, 31)


def test_renewing_agreement_rolls_its_term_and_notice_deadline_forward():
    agreement = AgreementFactory(expires_on=D(2024, 6, 30), automatic_renewal=True, term_years=2, notice_period_days=90)
    assert agreement.term_end_on(D(2024, 6, 30)) == D(2024, 6, 30)
    assert agreement.term_end_on(D(2024, 7, 1)) == D(2026, 6, 30)
    assert agreement.notice_deadline(D(2025, 1, 1)) == D(2026, 4, 1)
    assert agreement.status_on(D(2031, 1, 1)) == Agreement.Status.IN_FORCE


def test_terminated_and_superseded_are_what_staff_set():
    successor = AgreementFactory()
    agreement = AgreementFactory(
        signed_on=D(1995, 1, 1), expires_on=D(2000, 1, 1), status="superseded", superseded_by=successor
    )
    assert agreement.status_on(D(2025, 1, 1)) == Agreement.Status.SUPERSEDED


@pytest.mark.parametrize(
    ("values", "field", "code"),
    [
        (
            {"entry_into_force_on": D(2020, 1, 1), "expires_on": D(2019, 1, 1)},
            "expires_on",
            "agreement_expires_after_entry_into_force",
        ),
        ({"automatic_renewal": True, "expires_on": D(2020, 1, 1)}, "term_years", "agreement_renewal_has_term"),
        ({"status": "superseded"}, "superseded_by", "agreement_superseded_has_successor"),
    ],
)
def test_agreement_term_rules_are_field_errors_and_constraints(values, field, code):
    agreement = AgreementFactory.build(place=None, **values)
    with pytest.raises(ValidationError) as error:
        agreement.full_clean()
    assert [e.code for e in error.value.error_dict[field]] == [code]
    with pytest.raises(IntegrityError), transaction.atomic():
        agreement.save()


def test_expiring_between_leaves_out_renewing_terminated_and_other_dates():
    due = AgreementFactory(expires_on=D(2026, 3, 1))
    AgreementFactory(expires_on=D(2026, 3, 1), automatic_renewal=True, term_years=1)
    AgreementFactory(expires_on=D(2026, 3, 1), status="terminated")
    AgreementFactory(expires_on=D(2027, 3, 1))
    assert list(Agreement.objects.expiring_between(D(2026, 1, 1), D(2026, 6, 30))) == [due]


def test_agreement_page_and_api_show_the_terms(client):
    agreement = AgreementFactory(entry_into_force_on=D(2020, 1, 1), expires_on=D(2021, 12, 31), notice_period_days=30)
    page = client.get(agreement.get_absolute_url())
    assert page.status_code == HTTPStatus.OK
    text = page.content.decode()
    assert "Entry into force" in text and "1 January 2020" in text
    assert "Expires on" in text and "31 December 2021" in text
    assert "expired" in text
    data = client.get(f"/api/v1/agreements/{agreement.slug}/").json()
    assert data["entry_into_force_on"] == "2020-01-01"
    assert data["expires_on"] == "2021-12-31"
    assert data["status"] == "in_force"
    assert data["current_status"] == "expired"
    assert data["current_notice_deadline"] == "2021-12-01"


@pytest.mark.parametrize(
    ("field", "value"),
    [("entry_into_force_on", "0001-01-01"), ("entry_into_force_on", "1799-01-01"), ("expires_on", "9999-12-31")],
)
def test_the_terms_dates_lie_in_the_documented_range(superuser, field, value):
    """Found by the adversarial probe: the terms' dates took any year although every other stored
    date lies in 1800-01-01 to 2200-12-31 (registry.dates.validate_in_range)."""
    from .conftest import token_client

    agreement = AgreementFactory()
    response = token_client(superuser).patch(f"/api/v1/agreements/{agreement.slug}/", {field: value}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.json()["errors"][field][0]["code"] == "date_out_of_range"
    agreement.refresh_from_db()
    assert getattr(agreement, field) is None


# --------------------------------------------------------------------------- bounds of the terms


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"automatic_renewal": True, "expires_on": D(2020, 1, 1), "term_years": 8000}, "term_years"),
        ({"term_years": 0}, "term_years"),
        ({"notice_period_days": 3651}, "notice_period_days"),
    ],
)
def test_a_term_and_a_notice_period_keep_to_their_bounds(values, field):
    """Found by the adversarial probe: a renewing agreement with a term of 8,000 years was
    stored, and every page, API list and reminder run that computed its term's end failed
    (OverflowError past the year 9999)."""
    agreement = AgreementFactory.build(place=None, **values)
    with pytest.raises(ValidationError) as error:
        agreement.full_clean()
    assert [e.code for e in error.value.error_dict[field]] == ["min_value" if values[field] == 0 else "max_value"]
    with pytest.raises(ValidationError) as error:  # the database's rule, as imports check it
        agreement.validate_constraints()
    assert [e.code for e in error.value.error_dict[field]] == [f"agreement_{field}_in_range"]
    with pytest.raises(IntegrityError), transaction.atomic():
        agreement.save()


def test_the_longest_term_and_notice_period_are_accepted():
    agreement = AgreementFactory.build(
        place=None, automatic_renewal=True, expires_on=D(2200, 12, 31), term_years=100, notice_period_days=3650
    )
    agreement.full_clean()
    agreement.save()
    assert agreement.term_end_on(D(2200, 12, 31)) == D(2200, 12, 31)
    assert agreement.notice_deadline(D(2200, 12, 31)) == D(2191, 1, 2)


@pytest.mark.parametrize("method", ["post", "patch"])
def test_the_api_refuses_a_term_of_8000_years_naming_the_field(superuser, method):
    from .conftest import token_client

    api = token_client(superuser)
    body = {"automatic_renewal": True, "expires_on": "2020-01-01", "term_years": 8000}
    if method == "post":
        response = api.post("/api/v1/agreements/", {"title_en": "Long", "kind": "mou", **body}, format="json")
    else:
        agreement = AgreementFactory()
        response = api.patch(f"/api/v1/agreements/{agreement.slug}/", body, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    assert list(response.json()["errors"]) == ["term_years"]
    assert response.json()["errors"]["term_years"] == [
        {"message": "Ensure this value is less than or equal to 100.", "code": "max_value"}
    ]
    assert not Agreement.objects.filter(term_years=8000).exists()
    assert api.get("/api/v1/agreements/").status_code == HTTPStatus.OK


def test_the_admin_shows_a_term_of_8000_years_on_its_field(staff_client):
    from .test_hardening_inputs import agreement_form

    agreement = AgreementFactory()
    url, data = agreement_form(staff_client, agreement)
    response = staff_client.post(
        url, {**data, "automatic_renewal": "on", "expires_on": "2020-01-01", "term_years": "8000"}
    )
    assert response.status_code == HTTPStatus.OK
    assert response.context["adminform"].form.errors["term_years"] == [
        "Ensure this value is less than or equal to 100."
    ]
    agreement.refresh_from_db()
    assert agreement.term_years is None


def test_a_term_running_past_the_calendar_has_no_end_instead_of_an_error():
    """A record that never passed the bounds (an older version's history, a row written before
    the constraint): its term's end lies after 9999-12-31, so there is none to show; the
    agreement is in force and has no notice deadline, and nothing raises."""
    agreement = Agreement(
        expires_on=D(2000, 1, 1), automatic_renewal=True, term_years=8000, notice_period_days=30, status="in_force"
    )
    assert agreement.term_end_on(D(2025, 1, 1)) is None
    assert agreement.notice_deadline(D(2025, 1, 1)) is None
    assert agreement.status_on(D(2025, 1, 1)) == Agreement.Status.IN_FORCE
    assert agreement.term_end_on(D(1999, 1, 1)) == D(2000, 1, 1)


def test_the_rules_of_the_terms_name_their_bounds_in_korean():
    from django.utils import translation

    agreement = AgreementFactory.build(place=None, term_years=101, notice_period_days=3651)
    with translation.override("ko"), pytest.raises(ValidationError) as error:
        agreement.validate_constraints()
    assert error.value.message_dict == {
        "term_years": ["갱신 기간은 1년에서 100년 사이입니다."],
        "notice_period_days": ["통보 기간은 최대 3650일입니다."],
    }


# --------------------------------------------------------------------------- order of the dates
# Found by a new user: an agreement signed 2024-05-10 entering into force 2019-01-01 and expiring
# 2020-01-01 was stored by the API, and the admin saved one signed 2026-03-01 expiring 2025-01-01.

ENTERS_BEFORE_SIGNING = "agreement_enters_into_force_after_signing"
EXPIRES_BEFORE_SIGNING = "agreement_expires_after_signing"
EXPIRES_BEFORE_ENTRY = "agreement_expires_after_entry_into_force"


@pytest.mark.parametrize(
    ("values", "errors"),
    [
        (
            {"signed_on": D(2024, 5, 10), "entry_into_force_on": D(2024, 5, 9)},
            {
                "entry_into_force_on": (
                    ENTERS_BEFORE_SIGNING,
                    "The entry into force (9 May 2024) is before the signing (10 May 2024): an agreement enters "
                    "into force on or after the day it is signed.",
                )
            },
        ),
        (
            {"signed_on": D(2026, 3, 1), "expires_on": D(2025, 1, 1)},
            {
                "expires_on": (
                    EXPIRES_BEFORE_SIGNING,
                    "The expiry (1 January 2025) is before the signing (1 March 2026): an agreement expires on "
                    "or after the day it is signed.",
                )
            },
        ),
        (
            {"signed_on": None, "entry_into_force_on": D(2020, 1, 2), "expires_on": D(2020, 1, 1)},
            {
                "expires_on": (
                    EXPIRES_BEFORE_ENTRY,
                    "The expiry (1 January 2020) is before the entry into force (2 January 2020): an agreement "
                    "expires on or after the day it enters into force.",
                )
            },
        ),
        (  # a year-precision signing counts from 1 January of its year, and is named as the year
            {"signed_on": D(2024, 8, 15), "signed_precision": "year", "entry_into_force_on": D(2023, 12, 31)},
            {
                "entry_into_force_on": (
                    ENTERS_BEFORE_SIGNING,
                    "The entry into force (31 December 2023) is before the signing (2024): an agreement enters "
                    "into force on or after the day it is signed.",
                )
            },
        ),
        (  # the new user's agreement: both later dates are refused, each on its field
            {"signed_on": D(2024, 5, 10), "entry_into_force_on": D(2019, 1, 1), "expires_on": D(2020, 1, 1)},
            {
                "entry_into_force_on": (
                    ENTERS_BEFORE_SIGNING,
                    "The entry into force (1 January 2019) is before the signing (10 May 2024): an agreement "
                    "enters into force on or after the day it is signed.",
                ),
                "expires_on": (
                    EXPIRES_BEFORE_SIGNING,
                    "The expiry (1 January 2020) is before the signing (10 May 2024): an agreement expires on "
                    "or after the day it is signed.",
                ),
            },
        ),
    ],
)
def test_an_agreement_is_signed_then_enters_into_force_then_expires(values, errors):
    agreement = AgreementFactory.build(place=None, **values)
    with pytest.raises(ValidationError) as error:
        agreement.full_clean()
    assert {field: [(e.code, m) for e in errs for m in e] for field, errs in error.value.error_dict.items()} == {
        field: [pair] for field, pair in errors.items()
    }
    with pytest.raises(ValidationError) as error:  # the database's rules, as imports check them
        agreement.validate_constraints()
    assert {field: [e.code for e in errs] for field, errs in error.value.error_dict.items()} == {
        field: [code] for field, (code, _message) in errors.items()
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        agreement.save()
    assert not Agreement.objects.exists()


@pytest.mark.parametrize(
    "values",
    [
        {"signed_on": D(2024, 5, 10), "entry_into_force_on": D(2024, 5, 10), "expires_on": D(2024, 5, 10)},
        {"signed_on": D(2024, 8, 15), "signed_precision": "year", "entry_into_force_on": D(2024, 3, 1)},
        {"signed_on": D(2024, 8, 15), "signed_precision": "year", "expires_on": D(2024, 1, 1)},
        {"signed_on": D(2024, 5, 20), "signed_precision": "month", "entry_into_force_on": D(2024, 5, 1)},
        {"signed_on": None, "entry_into_force_on": D(1999, 1, 1), "expires_on": D(2000, 1, 1)},
        {"signed_on": D(2024, 5, 10), "entry_into_force_on": None, "expires_on": D(2030, 1, 1)},
    ],
)
def test_dates_on_the_same_day_or_within_the_signing_year_are_in_order(values):
    agreement = AgreementFactory.build(place=None, **values)
    agreement.full_clean()
    agreement.save()
    agreement.refresh_from_db()
    assert agreement.term_end_on(D(2024, 6, 1)) == values.get("expires_on")


@pytest.mark.parametrize(
    ("values", "write"),
    [
        ({"entry_into_force_on": D(2010, 4, 30)}, "update"),
        ({"expires_on": D(2010, 4, 30)}, "update"),
        ({"signed_on": D(2021, 1, 1), "entry_into_force_on": D(2020, 1, 1)}, "update"),
        ({"entry_into_force_on": D(2010, 4, 30)}, "bulk_create"),
        ({"expires_on": D(2010, 4, 30)}, "bulk_create"),
    ],
)
def test_the_database_refuses_dates_out_of_order_from_any_writer(values, write):
    """On SQLite and PostgreSQL (run this file on both): a bulk write skips ``full_clean()``."""
    agreement = AgreementFactory(signed_on=D(2010, 5, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        if write == "update":
            Agreement.objects.filter(pk=agreement.pk).update(**values)
        else:
            Agreement.objects.bulk_create([AgreementFactory.build(place=None, signed_on=D(2010, 5, 1), **values)])
    agreement.refresh_from_db()
    assert (agreement.signed_on, agreement.entry_into_force_on, agreement.expires_on) == (D(2010, 5, 1), None, None)
    assert Agreement.objects.count() == 1


def test_the_api_refuses_dates_out_of_order_on_their_fields_and_stores_nothing(superuser):
    from .conftest import token_client

    api = token_client(superuser)
    body = {
        "title_en": "Backdated",
        "kind": "mou",
        "signed_on": "2024-05-10",
        "entry_into_force_on": "2019-01-01",
        "expires_on": "2020-01-01",
    }
    response = api.post("/api/v1/agreements/", body, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    assert response.json()["errors"] == {
        "entry_into_force_on": [
            {
                "message": "The entry into force (1 January 2019) is before the signing (10 May 2024): an agreement "
                "enters into force on or after the day it is signed.",
                "code": ENTERS_BEFORE_SIGNING,
            }
        ],
        "expires_on": [
            {
                "message": "The expiry (1 January 2020) is before the signing (10 May 2024): an agreement expires "
                "on or after the day it is signed.",
                "code": EXPIRES_BEFORE_SIGNING,
            }
        ],
    }
    assert not Agreement.objects.exists()

    agreement = AgreementFactory(signed_on=D(2024, 1, 1), signed_precision="year", entry_into_force_on=D(2024, 3, 1))
    response = api.patch(f"/api/v1/agreements/{agreement.slug}/", {"signed_on": "2024-03-02"}, format="json")
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content
    assert [e["code"] for e in response.json()["errors"]["entry_into_force_on"]] == [ENTERS_BEFORE_SIGNING]
    agreement.refresh_from_db()
    assert (agreement.signed_on, agreement.signed_precision) == (D(2024, 1, 1), "year")

    response = api.post("/api/v1/agreements/", {**body, "signed_on": "2019", "expires_on": "2019-01-01"}, format="json")
    assert response.status_code == HTTPStatus.CREATED, response.content
    assert response.json()["signed_on"] == "2019"


def test_the_admin_shows_an_expiry_before_the_signing_on_its_field(staff_client):
    from .test_hardening_inputs import agreement_form

    agreement = AgreementFactory(signed_on=D(2026, 3, 1))
    url, data = agreement_form(staff_client, agreement)
    response = staff_client.post(url, {**data, "expires_on": "2025-01-01"})
    assert response.status_code == HTTPStatus.OK
    assert response.context["adminform"].form.errors == {
        "expires_on": [
            "The expiry (1 January 2025) is before the signing (1 March 2026): an agreement expires on or after "
            "the day it is signed."
        ]
    }
    agreement.refresh_from_db()
    assert agreement.expires_on is None


def test_an_import_row_moving_the_signing_after_the_entry_into_force_is_an_invalid_row():
    """A file without the terms columns leaves them as stored: a row that moves the signing date
    past the stored entry into force is refused, the error on the entry into force naming both dates."""
    import tablib

    from registry.resources import AgreementResource

    agreement = AgreementFactory(signed_on=D(2010, 5, 1), entry_into_force_on=D(2011, 1, 1))
    headers = ["slug", "title_en", "kind", "signed_on", "signed_precision", "publication"]
    rows = tablib.Dataset(
        [agreement.slug, agreement.title_en, "mou", "2012-06-01", "day", "published"], headers=headers
    )
    result = AgreementResource().import_data(rows, dry_run=False, raise_errors=False)
    [row] = result.invalid_rows
    assert {name: [str(m) for m in messages] for name, messages in row.field_specific_errors.items()} == {
        "entry_into_force_on": [
            "The entry into force (1 January 2011) is before the signing (1 June 2012): an agreement enters into "
            "force on or after the day it is signed."
        ]
    }
    assert row.error.error_dict["entry_into_force_on"][0].code == ENTERS_BEFORE_SIGNING
    agreement.refresh_from_db()
    assert agreement.signed_on == D(2010, 5, 1)


def test_dates_out_of_order_are_named_in_korean():
    from django.utils import translation

    agreement = AgreementFactory.build(place=None, signed_on=D(2024, 5, 10), expires_on=D(2020, 1, 1))
    with translation.override("ko"):
        with pytest.raises(ValidationError) as error:
            agreement.full_clean()
        assert error.value.message_dict == {
            "expires_on": [
                "만료일(2020년 1월 1일)이 서명일(2024년 5월 10일)보다 앞섭니다. "
                "협정은 서명한 날 또는 그 이후에 만료됩니다."
            ]
        }
