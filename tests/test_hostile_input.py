"""Hostile input never yields a server error, and a refusal never leaves half a save.

Generated values (non-finite and huge numbers, NUL bytes, very long strings, control
characters, absurd dates, unicode oddities) are posted to every field of the forms
people fill in, as each persona who may use them: data entry and the live panel,
registration and identity correction, decisions, signatures, enrolment and
rescreening, the audit filters and the screening log's. Every answer must be below
500; every answer that is not a redirect (a refusal) must leave the database exactly
as it was. The reproductions of the security review follow, one test each.

Hypothesis runs many examples inside one test, and a test's fixtures are built once:
each example therefore runs in a transaction rolled back at its end, so every example
starts from the same world.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import quote

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import (
    PASSWORD,
    client_for,
    enter_example,
    register,
    rendered,
    start,
)

pytestmark = pytest.mark.django_db

# A modest number of examples per test: the whole file runs well inside a minute.
EXAMPLES = settings(
    max_examples=25,
    deadline=None,
    # Fixtures build the world once; each example is rolled back (see ``rolled_back``).
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- Hostile values ------------------------------------------------------------------

NUMBERS = st.one_of(
    st.sampled_from(
        [
            "NaN",
            "-NaN",
            "sNaN",
            "Infinity",
            "-Infinity",
            "inf",
            "1e309",
            "1E+100000",
            "-1E+100000",
            "1e-100000",
            "9" * 40,
            "0." + "0" * 40 + "1",
            "58.400000000001",
            "1e16",
            "9999999999999999.99999999",
            "1_000",
            "0x10",
            "١٢٣",
            "12,5",
            " 7 ",
            "+5",
            "-0",
            "1e",
            ".",
            "--1",
        ]
    ),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
)
DATES = st.one_of(
    st.sampled_from(
        [
            "0001-01-01",
            "9999-12-31",
            "1899-12-31",
            "2201-01-01",
            "0000-00-00",
            "2026-02-30",
            "-2026-01-01",
            "20260101",
            "2026-13-01",
            "2026-11-20\x00",
        ]
    ),
    st.dates().map(lambda day: day.isoformat()),
)
ODDITIES = st.sampled_from(
    [
        "\x00",
        "a\x00b",
        "\r\n",
        "\x1b[31m",
        "\u202eevil",
        "\ufeff",
        "𝟘",
        "Ａ",
        "e\u0301",
        "\x00" * 10,
        "<script>alert(1)</script>",
        "' OR 1=1 --",
        "%00",
        "../../etc/passwd",
        "{{ 7*7 }}",
        "\u0085",
        "\u2028",
        "null",
        "None",
        "[]",
    ]
)
LONG = st.builds(
    lambda char, n: char * n,
    st.sampled_from(["x", "é", "\x00", "9"]),
    st.integers(min_value=200, max_value=20_000),
)
HOSTILE = st.one_of(NUMBERS, DATES, ODDITIES, LONG, st.text(max_size=40))


DAY_FIELDS = ("date", "since", "until", "start", "stop", "occurred_on", "enrolled_on")
NUMBER_FIELDS = ("__value", "__lln", "__uln", "daily_dose", "revision", "TOTAL_FORMS", "page")


def hostile_value(name: str) -> st.SearchStrategy[str]:
    """Anything hostile, and more often what hurts a field of this kind most."""
    if any(part in name for part in DAY_FIELDS):
        return st.one_of(st.sampled_from(["0001-01-01", "9999-12-31"]), DATES, HOSTILE)
    if name.endswith(NUMBER_FIELDS):
        return st.one_of(NUMBERS, HOSTILE)
    return HOSTILE


def hostile_fields(names: list[str]) -> st.SearchStrategy[dict[str, str]]:
    """Up to four of ``names``, each given a hostile value."""
    chosen = st.sets(st.sampled_from(sorted(names)), min_size=1, max_size=4)
    return chosen.flatmap(
        lambda keys: st.fixed_dictionaries({key: hostile_value(key) for key in keys})
    )


# --- The state a refusal must leave alone --------------------------------------------

WATCHED = [
    "screening.Candidate",
    "screening.CandidateIdentity",
    "screening.Screening",
    "screening.Observation",
    "screening.MedicationExposure",
    "screening.HistoryEvent",
    "screening.ScoreItems",
    "screening.Evaluation",
    "screening.Decision",
    "screening.Signature",
    "screening.Enrolment",
    "trials.ProtocolVersion",
]


def snapshot(*, audit: bool = True) -> dict[str, Any]:
    """Row counts of every record a form can write, every screening's revision, every
    identity, and (unless ``audit`` is false) the audit trail's length."""
    from audit.models import AuditEvent
    from screening.models import CandidateIdentity, Screening

    state: dict[str, Any] = {
        label: apps.get_model(label)._default_manager.count() for label in WATCHED
    }
    state["revisions"] = list(Screening.objects.order_by("pk").values_list("pk", "revision"))
    state["identities"] = list(CandidateIdentity.objects.order_by("pk").values())
    if audit:
        state["events"] = AuditEvent.objects.count()
    return state


@contextmanager
def rolled_back() -> Iterator[None]:
    """One example's requests, undone afterwards."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def attempt(send: Callable[..., Any], *args: Any, audited_refusal: bool = False) -> Any:
    """``send(*args)`` (a client's ``get`` or ``post``) in a rolled-back example: never a
    5xx, and a refusal (anything but a redirect) changes nothing; a refused signature is
    audited, by design (``audited_refusal``)."""
    with rolled_back():
        before = snapshot(audit=not audited_refusal)
        response = send(*args)
        assert response.status_code < 500, response.content[:2000]
        if response.status_code != 302:
            assert snapshot(audit=not audited_refusal) == before
    return response


# --- Personas ------------------------------------------------------------------------


@pytest.fixture
def clients(world: dict[str, Any]) -> dict[str, Client]:
    """A signed-in client per persona (signing in happens once, outside the examples)."""
    names = ["coordinator_a", "investigator_a", "coordinator_b", "monitor", "data_manager"]
    return {name: client_for(world, name) for name in names}


STAFF = ["coordinator_a", "investigator_a"]


# --- Data entry and the live panel -----------------------------------------------------


@pytest.mark.parametrize("url_name", ["screening:entry", "screening:panel"])
def test_data_entry_and_the_live_panel_survive_hostile_values(
    world: dict[str, Any], clients: dict[str, Client], url_name: str
) -> None:
    screening = world["screening"]
    url = reverse(url_name, kwargs={"pk": screening.pk})
    base = rendered(clients["coordinator_a"], screening)

    @EXAMPLES
    @given(persona=st.sampled_from(STAFF), hostile=hostile_fields(list(base)))
    def check(persona: str, hostile: dict[str, str]) -> None:
        attempt(clients[persona].post, url, {**base, **hostile})

    check()


# --- Candidates ------------------------------------------------------------------------


def test_registration_and_identity_correction_survive_hostile_values(
    world: dict[str, Any], clients: dict[str, Client]
) -> None:
    from trials.models import TrialSite

    link = TrialSite.objects.get(trial=world["trial"], site=world["site_a"])
    person = {
        "full_name": "Erika Mustermann",
        "date_of_birth": "1956-04-02",
        "sex": "F",
        "hospital_number": "H-1",
        "phone": "",
        "email": "",
    }
    forms = {
        reverse("screening:register"): {"trial_site": str(link.pk), **person},
        reverse("screening:identity", kwargs={"pk": world["candidate"].pk}): {
            **person,
            "reason_code": "",
            "reason": "Typing error",
        },
    }

    @EXAMPLES
    @given(
        persona=st.sampled_from(STAFF),
        form=st.sampled_from(sorted(forms.items())),
        data=st.data(),
    )
    def check(persona: str, form: tuple[str, dict[str, str]], data: st.DataObject) -> None:
        url, base = form
        hostile = data.draw(hostile_fields(list(base)))
        attempt(clients[persona].post, url, {**base, **hostile})

    check()


# --- Decisions, signatures, enrolment and rescreening -----------------------------------


@pytest.fixture
def decided(world: dict[str, Any]) -> dict[str, Any]:
    """Screenings at each step a decision form acts on: in progress (propose), proposed
    (sign), signed eligible (enrol) and signed screen failure... or withdrawal (rescreen)."""
    from screening.services import decision_propose, decision_sign

    coordinator, investigator = world["coordinator_a"], world["investigator_a"]
    trial, site = world["trial"], world["site_a"]
    proposed = start(coordinator, register(coordinator, trial, site, name="Paula Proposed"))
    decision_propose(
        user=coordinator, screening=proposed, outcome="withdrawn", reason_category="declined"
    )
    eligible = start(coordinator, register(coordinator, trial, site, name="Ella Eligible"))
    enter_example(coordinator, investigator, eligible, "hmsc100-eligible")
    decision = decision_propose(user=coordinator, screening=eligible, outcome="eligible")
    decision_sign(user=investigator, decision=decision, password=PASSWORD)
    failed = start(coordinator, register(coordinator, trial, site, name="Fiona Failed"))
    failure = decision_propose(
        user=coordinator, screening=failed, outcome="screen_failure", reason_category="declined"
    )
    decision_sign(user=investigator, decision=failure, password=PASSWORD)
    return {"propose": world["screening"], "sign": proposed, "enrol": eligible, "rescreen": failed}


DECISION_FORMS = {
    # url name, who may post, the fields a browser sends
    "propose": (
        "screening:decision",
        STAFF,
        {
            "outcome": "screen_failure",
            "reason_category": "declined",
            "failed_criteria": "I1",
            "reason_text": "",
        },
    ),
    "sign": ("screening:sign", ["investigator_a"], {"password": PASSWORD}),
    "enrol": (
        "screening:enrol",
        STAFF,
        {
            "enrolled_on": "2026-11-21",
            "randomisation_number": "R-1",
        },
    ),
    "rescreen": (
        "screening:rescreen",
        STAFF,
        {
            "screening_date": "2026-11-21",
            "consent_date": "2026-11-21",
            "confirm_early": "on",
            "early_reason": "New information on the day of the failure",
        },
    ),
}


def test_decision_sign_enrol_and_rescreen_forms_survive_hostile_values(
    decided: dict[str, Any], clients: dict[str, Client]
) -> None:
    @EXAMPLES
    @given(step=st.sampled_from(sorted(DECISION_FORMS)), data=st.data())
    def check(step: str, data: st.DataObject) -> None:
        url_name, personas, base = DECISION_FORMS[step]
        url = reverse(url_name, kwargs={"pk": decided[step].pk})
        fields = [*base, "carry"] if step == "rescreen" else list(base)
        persona = data.draw(st.sampled_from(personas))
        hostile = data.draw(hostile_fields(fields))
        # A wrong password is recorded as refused: the trail grows, nothing else.
        attempt(clients[persona].post, url, {**base, **hostile}, audited_refusal=step == "sign")

    check()


# --- Audit filters, the screening log and the candidate search --------------------------

AUDIT_FILTERS = ["kind", "action", "person", "date_from", "date_to", "order", "page"]


def test_audit_history_trail_and_story_filters_survive_hostile_values(
    world: dict[str, Any], clients: dict[str, Client]
) -> None:
    from trials.models import Site

    pages = [
        (
            reverse("screening:history", kwargs={"pk": world["screening"].pk}),
            ["coordinator_a", "investigator_a", "monitor"],
        ),
        (reverse("audit:history", args=["screening.candidate", world["candidate"].pk]), STAFF),
        (
            reverse("audit:history", args=["trials.site", Site.objects.get(code="A01").pk]),
            ["data_manager"],
        ),
        (reverse("audit:trail"), ["data_manager"]),
    ]

    @EXAMPLES
    @given(page=st.sampled_from(pages), data=st.data())
    def check(page: tuple[str, list[str]], data: st.DataObject) -> None:
        url, personas = page
        persona = data.draw(st.sampled_from(personas))
        query = data.draw(hostile_fields(AUDIT_FILTERS))
        response = attempt(clients[persona].get, url, query)
        assert response.status_code == 200

    check()


@pytest.fixture
def readers(coordinator_a: Any, data_manager: Any) -> dict[str, Client]:
    """Site staff and a data manager, without the seed protocols (audit pages need none)."""
    out = {}
    for name, user in (("coordinator_a", coordinator_a), ("data_manager", data_manager)):
        out[name] = Client()
        out[name].force_login(user)
    return out


@EXAMPLES
@given(
    object_type=HOSTILE,
    object_id=HOSTILE,
    persona=st.sampled_from(["coordinator_a", "data_manager"]),
)
def test_hostile_audit_addresses_are_not_found(
    readers: dict[str, Client], object_type: str, object_id: str, persona: str
) -> None:
    url = f"/audit/{quote(object_type, safe='')}/{quote(object_id, safe='')}/"
    response = attempt(readers[persona].get, url)
    assert response.status_code == 404


def test_the_screening_log_and_candidate_search_survive_hostile_filters(
    world: dict[str, Any], clients: dict[str, Client]
) -> None:
    pages = [
        (reverse("screening:log"), ["trial", "site", "status", "since", "until", "page"]),
        (reverse("screening:candidates"), ["q", "status", "trial", "page"]),
    ]

    @EXAMPLES
    @given(
        page=st.sampled_from(pages),
        persona=st.sampled_from([*STAFF, "monitor"]),
        data=st.data(),
    )
    def check(page: tuple[str, list[str]], persona: str, data: st.DataObject) -> None:
        url, fields = page
        response = attempt(clients[persona].get, url, data.draw(hostile_fields(fields)))
        assert response.status_code in (200, 400)

    check()


# --- The security review's reproductions, one by one ------------------------------------

REVIEWED_NUMBERS = ["NaN", "Infinity", "1e309", "1E+100000"]


def test_non_finite_and_huge_numbers_are_refused_beside_their_fields(
    world: dict[str, Any], clients: dict[str, Client]
) -> None:
    client, screening = clients["coordinator_a"], world["screening"]
    base = {**rendered(client, screening), "alt__value": "20", "alt__date": "2026-11-20"}
    named = {
        "weight__value": "Body weight",
        "alt__lln": "ALT lower limit",
        "alt__uln": "ALT upper limit",
    }
    panel = reverse("screening:panel", kwargs={"pk": screening.pk})
    entry = reverse("screening:entry", kwargs={"pk": screening.pk})
    for number in REVIEWED_NUMBERS:
        data = {**base, **dict.fromkeys(named, number)}
        assert attempt(client.post, panel, data).status_code == 200
        page = attempt(client.post, entry, data)
        assert page.status_code == 200
        for label in named.values():
            assert (
                f"{label}: enter a number with at most 16 digits before the decimal point "
                "and 8 after it." in page.content.decode()
            )
    assert not screening.observations.exists()


def test_a_screening_date_of_year_one_is_refused_with_a_field_message(
    world: dict[str, Any], clients: dict[str, Client]
) -> None:
    coordinator = world["coordinator_a"]
    candidate = register(coordinator, world["trial"], world["site_a"], name="Yara One")
    url = reverse("screening:candidate", kwargs={"pk": candidate.pk})
    for field in ("screening_date", "consent_date"):
        data = {"screening_date": "2026-11-20", "consent_date": "2026-11-18", field: "0001-01-01"}
        response = attempt(clients["coordinator_a"].post, url, data)
        assert response.status_code == 200
        assert (
            "0001-01-01 is not a plausible date; give one between 1900-01-01 and 2200-12-31."
            in response.content.decode()
        )
    assert not candidate.screenings.exists()


def test_an_email_longer_than_its_column_is_refused_beside_the_field() -> None:
    from screening.forms.candidates import CandidateRegisterForm
    from trials.models import TrialSite

    email = "a" * 60 + "@" + ".".join(["b" * 60] * 4) + ".org"  # valid, and 310 long
    form = CandidateRegisterForm({"email": email}, trial_sites=TrialSite.objects.none())
    assert not form.is_valid()
    assert form.errors["email"] == [f"Email: at most 254 characters; this has {len(email)}."]


def test_audit_addresses_of_the_review_are_not_found(readers: dict[str, Client]) -> None:
    for path in ("/audit/screening.candidate/%00/", "/audit/auth.user/-1/", "/audit/auth.user/1/"):
        for client in readers.values():
            assert attempt(client.get, path).status_code == 404


def test_history_pages_filter_up_to_the_last_day_of_the_calendar(
    world: dict[str, Any], clients: dict[str, Client]
) -> None:
    story = reverse("screening:history", kwargs={"pk": world["screening"].pk})
    for persona, url in (("coordinator_a", story), ("data_manager", reverse("audit:trail"))):
        response = attempt(
            clients[persona].get, url, {"date_to": "9999-12-31", "date_from": "0001-01-01"}
        )
        assert response.status_code == 200
        assert response.context["page"].paginator.count > 0  # nothing filtered away


HOSTILE_DEFINITIONS = [
    ("note: " + "[" * 500 + "]" * 500 + "\n", "the definition nests more than 16 levels"),
    ("rule: " + "(" * 250, "the rule nests more than 32 levels deep"),
    ("note: \x00\n", "YAML: unacceptable character #x0000"),
    ('note: "\\0"\n', "note: contains the control character U+0000"),
]


def test_the_admin_import_refuses_hostile_definitions_with_the_line(
    readers: dict[str, Client],
) -> None:
    from tests.trials.helpers import DEFINITION

    for hostile, problem in HOSTILE_DEFINITIONS:
        if hostile.startswith("rule: "):
            text = DEFINITION.replace("rule: age between", hostile + "age between", 1)
        else:
            text = DEFINITION + hostile
        upload = SimpleUploadedFile("hostile.yaml", text.encode())
        response = attempt(
            readers["data_manager"].post, "/admin/trials/protocolversion/import/", {"file": upload}
        )
        assert response.status_code == 200
        assert problem in response.content.decode()


# --- The same rule in the services, whatever the form lets through ----------------------


@EXAMPLES
@given(
    number=st.decimals(allow_nan=True, allow_infinity=True)
    | st.sampled_from(
        [Decimal("1E+100000"), Decimal("-1E+309"), Decimal("1E-100000"), Decimal("9" * 17)]
    )
)
def test_the_service_saves_a_number_whole_or_refuses_it_naming_the_field(
    frozen_today: None, hmsc_screening: Any, coordinator_a: Any, number: Decimal
) -> None:
    from screening.services import ObservationInput, ScreeningChanges, ScreeningValidationError
    from tests.helpers import save

    changes = ScreeningChanges(
        observations=(
            ObservationInput(
                code="alt",
                value=Decimal(20),
                unit="U/L",
                range_from_report=True,
                lln=number,
                uln=None,
                observed_on=date(2026, 11, 10),
            ),
            ObservationInput(
                code="weight", value=number, unit="kg", observed_on=date(2026, 11, 20)
            ),
        )
    )
    with rolled_back():
        before = snapshot()
        try:
            save(coordinator_a, hmsc_screening, changes)
        except ScreeningValidationError as refused:
            assert snapshot() == before
            messages = " ".join(m for ms in refused.message_dict.values() for m in ms)
            assert "Body weight" in messages or "ALT" in messages
        else:
            weight = hmsc_screening.observations.get(code="weight")
            assert weight.value is not None
            assert weight.value.is_finite()
