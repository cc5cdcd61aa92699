"""Every URL × every persona answers what the access rules say, to GET and to POST.

A view added without a rule here fails ``test_every_url_has_an_access_rule`` (GET)
and ``test_every_post_url_has_an_access_rule`` (POST), so nobody can ship a page
whose access was never decided. Outsiders get 404, never 403: nobody learns what
exists at another site. A POST by someone not allowed changes nothing at all.

Everyone is tested in one ``world`` (``tests/conftest.py``): site A screens a
candidate for a trial the monitor is assigned to; site B's coordinator is the outsider.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.backends import DATA_MANAGER_APPS
from tests.helpers import (
    PASSWORD,
    client_for,
    enter_example,
    ready_export,
    register,
    rendered,
)
from tests.trials.helpers import DEFINITION

PERSONAS = (
    "anonymous",
    "coordinator_a",
    "investigator_a",
    "coordinator_b",
    "monitor",
    "data_manager",
)
STAFF = ("coordinator_a", "investigator_a", "coordinator_b", "monitor", "data_manager")


def _everyone(status: int, **overrides: int) -> dict[str, int]:
    return {persona: overrides.get(persona, status) for persona in PERSONAS}


def _signed_in(status: int, **overrides: int) -> dict[str, int]:
    return _everyone(status, anonymous=302, **overrides)


_A_ONLY = _signed_in(404, coordinator_a=200, investigator_a=200)
_A_OR_MONITOR = _signed_in(404, coordinator_a=200, investigator_a=200, monitor=200)


_A_OWNS = _signed_in(404, coordinator_a=200)


def _version(world: dict[str, Any]) -> Any:
    return world["screening"].protocol_version


def _export(world: dict[str, Any]) -> Any:
    return ready_export(world["coordinator_a"])


@dataclass(frozen=True)
class Rule:
    expect: dict[str, int]
    kwargs: Callable[[dict[str, Any]], dict[str, Any]] = field(default=lambda world: {})


RULES: dict[str, Rule] = {
    "home": Rule(_signed_in(200)),
    "login": Rule(_everyone(302, anonymous=200)),
    "logout": Rule(_everyone(405)),  # POST only
    "password_change": Rule(_signed_in(200)),
    # A set-password link answers everyone alike; this one is no (longer a) valid link.
    "password_set": Rule(_everyone(200), kwargs=lambda world: {"uidb64": "MQ", "token": "x-y"}),
    "healthz": Rule(_everyone(200)),
    "settings": Rule(_signed_in(200)),
    "language": Rule(_everyone(405)),  # POST only
    "help:index": Rule(_signed_in(200)),
    "help:topic": Rule(_signed_in(200), kwargs=lambda world: {"slug": "entry"}),
    "audit:trail": Rule(_signed_in(404, data_manager=200)),
    "audit:monitor_trail": Rule(_signed_in(404, monitor=200)),
    "audit:history": Rule(
        _signed_in(404, coordinator_a=200, investigator_a=200, data_manager=200),
        kwargs=lambda world: {"object_type": "trials.site", "object_id": world["site_a"].pk},
    ),
    "screening:candidates": Rule(_signed_in(200, data_manager=404)),
    "screening:log": Rule(_signed_in(200, data_manager=404)),
    # Everyone has a list of their own exports; one export is its owner's alone.
    "screening:exports": Rule(_signed_in(200)),
    "screening:export": Rule(_A_OWNS, kwargs=lambda world: {"pk": _export(world).pk}),
    "screening:export_download": Rule(_A_OWNS, kwargs=lambda world: {"pk": _export(world).pk}),
    "screening:register": Rule(_signed_in(200, monitor=404, data_manager=404)),
    "screening:candidate": Rule(_A_OR_MONITOR, kwargs=lambda world: {"pk": world["candidate"].pk}),
    "screening:summary": Rule(_A_OR_MONITOR, kwargs=lambda world: {"pk": world["screening"].pk}),
    "screening:history": Rule(_A_OR_MONITOR, kwargs=lambda world: {"pk": world["screening"].pk}),
    "screening:record": Rule(_A_OR_MONITOR, kwargs=lambda world: {"pk": world["screening"].pk}),
    "screening:record_pdf": Rule(_A_OR_MONITOR, kwargs=lambda world: {"pk": world["screening"].pk}),
    "screening:entry": Rule(_A_ONLY, kwargs=lambda world: {"pk": world["screening"].pk}),
    "screening:decision": Rule(_A_ONLY, kwargs=lambda world: {"pk": world["screening"].pk}),
    "screening:rescreen": Rule(_A_ONLY, kwargs=lambda world: {"pk": world["screening"].pk}),
    "screening:enrol": Rule(_A_ONLY, kwargs=lambda world: {"pk": world["screening"].pk}),
    "screening:identity": Rule(_A_ONLY, kwargs=lambda world: {"pk": world["candidate"].pk}),
    # Only an investigator signs; with nothing proposed yet, to the summary.
    "screening:sign": Rule(
        _signed_in(404, investigator_a=302), kwargs=lambda world: {"pk": world["screening"].pk}
    ),
    "screening:panel": Rule(_signed_in(405), kwargs=lambda world: {"pk": world["screening"].pk}),
    # Monitor review: queries read by site A and the monitor; raised by the monitor only.
    "screening:queries": Rule(_signed_in(200, data_manager=404)),
    "screening:query": Rule(_A_OR_MONITOR, kwargs=lambda world: {"qid": _a_query(world).pk}),
    "screening:query_raise": Rule(
        _signed_in(404, monitor=200), kwargs=lambda world: {"pk": world["screening"].pk}
    ),
    "screening:verify": Rule(_signed_in(405), kwargs=lambda world: {"pk": world["screening"].pk}),
    # A forecast of what a protocol version would change: data managers only.
    "screening:amendment_impact": Rule(
        _signed_in(404, data_manager=200), kwargs=lambda world: {"pk": _version(world).pk}
    ),
    "screening:unverify": Rule(_signed_in(405), kwargs=lambda world: {"pk": world["screening"].pk}),
    # Erasing identities is the data manager's; it shows screening numbers, never names.
    "screening:erasure": Rule(_signed_in(404, data_manager=200)),
    # Counts only: site staff count their own sites (B takes part in the trial too),
    # monitors their trials, data managers every trial.
    "summary:index": Rule(_signed_in(200)),
    "summary:trial": Rule(_signed_in(200), kwargs=lambda world: {"code": world["trial"].code}),
    # Everyone has their own notifications; marking read and preferences are POST only.
    "notifications:list": Rule(_signed_in(200)),
    "notifications:read": Rule(_signed_in(405), kwargs=lambda world: _a_notification(world)),
    "notifications:read_all": Rule(_signed_in(405)),
    "notifications:preferences": Rule(_signed_in(405)),
}


def _a_notification(world: dict[str, Any]) -> dict[str, Any]:
    """An unread notification for site A's coordinator, about site A's screening."""
    from notifications.models import Kind
    from notifications.services import Note, notify

    [row] = notify(
        recipients=[world["coordinator_a"]],
        note=Note(
            kind=Kind.WASHOUT_SOON,
            key=f"washout_soon:screening-{world['screening'].pk}:2026-11-26",
            title="Washout ends soon",
            link=f"/screening/{world['screening'].pk}/",
        ),
    )
    return {"pk": row.pk}


def _everyone_notified(world: dict[str, Any]) -> dict[str, Any]:
    """One unread notification for each signed-in persona."""
    from notifications.models import Kind
    from notifications.services import Note, notify

    notify(
        recipients=[world[persona] for persona in STAFF],
        note=Note(kind=Kind.AUDIT_BROKEN, key="audit_broken:2026-11-21", title="Audit check"),
    )
    return {}


def _all_read_for(world: dict[str, Any], persona: str) -> bool:
    from notifications.models import Notification

    unread = Notification.objects.filter(read_at__isnull=True)
    return not unread.filter(recipient=world[persona]).exists() and unread.exists()


def _a_query(world: dict[str, Any]) -> Any:
    """An open query the monitor raised on site A's screening."""
    from screening.services.queries import query_raise

    return query_raise(user=world["monitor"], screening=world["screening"], text="Consent date?")


def _walk(patterns: list[Any], namespace: str = "") -> Iterator[str]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # the admin has its own rules below
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}"


URL_NAMES = sorted(set(_walk(get_resolver().url_patterns)))


def test_every_url_has_an_access_rule() -> None:
    missing = [name for name in URL_NAMES if name not in RULES]
    assert not missing, f"Add access rules for these URLs to tests/test_access_matrix.py: {missing}"
    stale = [name for name in RULES if name not in URL_NAMES]
    assert not stale, f"Rules for URLs that no longer exist: {stale}"


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", URL_NAMES)
def test_each_persona_gets_the_expected_answer(
    world: dict[str, Any], name: str, persona: str
) -> None:
    rule = RULES.get(name)
    if rule is None:
        pytest.fail(f"No access rule for {name}")
    url = reverse(name, kwargs=rule.kwargs(world))
    response = client_for(world, persona).get(url)
    assert response.status_code == rule.expect[persona], (name, persona, url)
    if response.status_code == 302 and persona == "anonymous" and name != "login":
        assert response["Location"].startswith("/login/")


ADMIN_MODELS = sorted(
    (model._meta.app_label, model._meta.model_name) for model in admin.site._registry
)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("app_label", "model_name"), ADMIN_MODELS)
def test_only_data_managers_reach_configuration_in_the_admin(
    world: dict[str, Any], persona: str, app_label: str, model_name: str
) -> None:
    url = reverse(f"admin:{app_label}_{model_name}_changelist")
    response = client_for(world, persona).get(url)
    if persona == "data_manager" and app_label in DATA_MANAGER_APPS:
        assert response.status_code == 200
    elif persona == "data_manager":
        assert response.status_code == 403, "data managers never see screening data"
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


# --- POST: every state-changing URL × every persona ---------------------------------
#
# Each persona posts a minimal valid payload. An allowed persona gets ``Makes(status)``
# and the change must have happened; anyone else gets a plain status (403/404, 405,
# a redirect to the login, or 200 with the form's errors) and the database must be
# exactly as it was: never a change by the wrong person. A URL without a rule here
# fails ``test_every_post_url_has_an_access_rule``.

World = dict[str, Any]


@dataclass(frozen=True)
class Makes:
    """Allowed: the persona gets ``status`` and the change is made."""

    status: int


Answer = int | Makes


def _nothing(world: World) -> dict[str, Any]:
    return {}


def _never(world: World, persona: str) -> bool:
    raise AssertionError("this URL changes nothing for anyone")


@dataclass(frozen=True)
class Post:
    """What a POST to one URL answers each persona, and how to tell it made its change.

    ``target`` builds what the POST acts on (before anything is measured) and returns
    the URL's arguments; ``data`` is the payload; ``made`` says whether the change an
    allowed persona asked for is there.
    """

    expect: dict[str, Answer]
    data: Callable[[World], dict[str, Any]] = _nothing
    target: Callable[[World], dict[str, Any]] = _nothing
    made: Callable[[World, str], bool] = _never
    query: Callable[[World], str] = lambda world: ""
    # Where a refused redirect goes, persona by persona, if not to the login.
    sent_to: dict[str, str] = field(default_factory=dict)


def _answers(default: Answer, *, anonymous: Answer = 302, **overrides: Answer) -> dict[str, Answer]:
    return {"anonymous": anonymous, **{p: overrides.get(p, default) for p in STAFF}}


# Site A's staff make the change; everyone else at 404, nobody learns what exists.
_A_MAKES = _answers(404, coordinator_a=Makes(302), investigator_a=Makes(302))
# The admin: people who are not staff go to the admin's login; data managers configure.
_DM_MAKES = _answers(302, data_manager=Makes(302))
_DM_READS = _answers(302, data_manager=200)


def _read_only(name: str) -> Post:
    """A page that accepts POST as if it were GET: the same answers, and no change."""
    rule = RULES[name]
    return Post(expect=dict(rule.expect), target=rule.kwargs)


def _screening(world: World) -> dict[str, Any]:
    return {"pk": world["screening"].pk}


def _last_event() -> int:
    from audit.models import AuditEvent

    last = AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first()
    return int(last or 0)


def _events(world: World, action: str, actor: Any) -> bool:
    """Whether the POST under test recorded ``action`` by ``actor``."""
    from audit.models import AuditEvent

    recorded = AuditEvent.objects.filter(sequence__gt=world["last_event"])
    return recorded.filter(action=action, actor=actor).exists()


def _remember(world: World, key: str, value: Any) -> Any:
    world[key] = value
    return value


def _fresh(obj: Any) -> Any:
    return type(obj).objects.get(pk=obj.pk)


def _password_is(user: Any, password: str) -> bool:
    return bool(_fresh(user).check_password(password))


def _content_type(label: str) -> int:
    from django.contrib.contenttypes.models import ContentType

    app_label, model = label.split(".")
    return int(ContentType.objects.get(app_label=app_label, model=model).pk)


# -- What each POST acts on ------------------------------------------------------------


def _draft(world: World) -> dict[str, Any]:
    """A small trial's first version, imported as a draft."""
    from trials.services.protocols import protocol_import

    version = protocol_import(text=DEFINITION, source_name="demo1.yaml", user=None).version
    return {"pk": _remember(world, "object", version).pk}


def _amendment(world: World) -> dict[str, Any]:
    """A draft amendment of a trial whose first version is active: two versions to compare."""
    from trials.services.protocols import protocol_import

    active = protocol_import(
        text=DEFINITION, source_name="demo1.yaml", user=None, activate=True
    ).version
    amendment = DEFINITION.replace('"1.0"', '"2.0"').replace("and 65", "and 70")
    draft = protocol_import(text=amendment, source_name="demo2.yaml", user=None).version
    world["object"] = active
    return {"pk": draft.pk}


def _unstarted_candidate(world: World) -> dict[str, Any]:
    """A candidate registered at site A whose screening nobody has started."""
    world["unstarted"] = register(world["coordinator_a"], world["trial"], world["site_a"])
    return {"pk": world["unstarted"].pk}


def _proposed(world: World) -> dict[str, Any]:
    """The coordinator proposed "withdrawn (declined)"; it awaits a signature."""
    from screening.services import decision_propose

    world["proposed"] = decision_propose(
        user=world["coordinator_a"],
        screening=world["screening"],
        outcome="withdrawn",
        reason_category="declined",
    )
    return _screening(world)


def _signed(world: World, outcome: str, reason_category: str = "") -> None:
    from screening.services import decision_propose, decision_sign

    decision = decision_propose(
        user=world["coordinator_a"],
        screening=world["screening"],
        outcome=outcome,
        reason_category=reason_category,
    )
    decision_sign(user=world["investigator_a"], decision=decision, password=PASSWORD)


def _screen_failure(world: World) -> dict[str, Any]:
    """A signed screen failure (the candidate declined): it may be rescreened."""
    _signed(world, "screen_failure", "declined")
    return _screening(world)


def _eligible(world: World) -> dict[str, Any]:
    """The eligible example entered, proposed and signed: it may be enrolled."""
    enter_example(world["coordinator_a"], world["investigator_a"], world["screening"], EXAMPLE)
    _signed(world, "eligible")
    return _screening(world)


def _entry_form(world: World) -> dict[str, Any]:
    """The data-entry form as site A's coordinator sees it, with a body weight typed in."""
    data = rendered(client_for(world, "coordinator_a"), world["screening"])
    data.update({"weight__value": "58.4", "weight__unit": "kg", "weight__date": "2026-11-20"})
    return data


def _weighed(world: World) -> dict[str, Any]:
    """Site A's screening with one saved value to verify."""
    from datetime import date
    from decimal import Decimal

    from screening.services import ObservationInput, ScreeningChanges
    from tests.helpers import save

    weight = ObservationInput(
        code="weight", value=Decimal("60"), unit="kg", observed_on=date(2026, 11, 19)
    )
    save(world["coordinator_a"], world["screening"], ScreeningChanges(observations=[weight]))
    return _screening(world)


def _verified(world: World) -> dict[str, Any]:
    """Site A's screening with one saved value the monitor has verified."""
    from screening.services.verification import verification_record

    target = _weighed(world)
    verification_record(
        user=world["monitor"], screening=world["screening"], refs=["observation:weight"]
    )
    return target


def _site_a_link(world: World) -> dict[str, Any]:
    from trials.models import TrialSite

    link = TrialSite.objects.get(trial=world["trial"], site=world["site_a"])
    return {
        "trial_site": link.pk,
        "full_name": "Maria Muster",
        "date_of_birth": "1950-01-31",
        "sex": "F",
        "hospital_number": "H-2",
    }


def _language_is(user: Any, language: str) -> bool:
    user.refresh_from_db()
    return bool(user.language == language)


def _registered(world: World, persona: str) -> bool:
    from screening.models import CandidateIdentity
    from vault.crypto import name_index

    return CandidateIdentity.objects.filter(
        name_index=name_index("Maria Muster"), candidate__site=world["site_a"]
    ).exists()


def _identity_corrected(world: World, persona: str) -> bool:
    from screening.models import CandidateIdentity

    identity = CandidateIdentity.objects.get(candidate=world["candidate"])
    return identity.full_name == "Erika Musterfrau"


def _erasable(world: World) -> dict[str, Any]:
    """Site A's candidate after a signed screen failure: nothing left going on."""
    _screen_failure(world)
    return {}


def _identity_erased(world: World, persona: str) -> bool:
    from screening.models import CandidateIdentity

    return CandidateIdentity.objects.get(candidate=world["candidate"]).is_erased


EXAMPLE = "hmsc100-eligible"
NEW_PASSWORD = "a-new-horse-battery-staple"

POST_RULES: dict[str, Post] = {
    # --- Signing in and out, and one's own password -----------------------------------
    # Posting site A's coordinator's credentials signs in whoever is not signed in yet;
    # a signed-in person is sent home and nobody is signed in again.
    "login": Post(
        expect=_answers(302, anonymous=Makes(302)),
        data=lambda world: {"username": "coord.a", "password": PASSWORD},
        made=lambda world, persona: _events(
            world, "accounts.login.succeeded", world["coordinator_a"]
        ),
    ),
    "logout": Post(
        expect=_answers(Makes(302)),
        made=lambda world, persona: _events(world, "accounts.logout", world[persona]),
    ),
    "password_change": Post(
        expect=_answers(Makes(302)),
        data=lambda world: {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
        made=lambda world, persona: _password_is(world[persona], NEW_PASSWORD),
    ),
    # Nobody sets a password through a link that is not (or no longer) valid.
    "password_set": Post(
        expect=_answers(200, anonymous=200),
        target=lambda world: {"uidb64": "MQ", "token": "x-y"},
        data=lambda world: {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    ),
    # Everyone chooses their own language; signed in, it is kept on their account.
    "settings": Post(
        expect=_answers(Makes(302)),
        data=lambda world: {"language": "de"},
        made=lambda world, persona: _language_is(world[persona], "de"),
    ),
    "language": Post(
        expect=_answers(Makes(302), anonymous=302),
        data=lambda world: {"language": "de", "next": "/login/"},
        made=lambda world, persona: _language_is(world[persona], "de"),
    ),
    # --- Pages that only read ------------------------------------------------------------
    "home": _read_only("home"),
    "help:index": _read_only("help:index"),
    "help:topic": _read_only("help:topic"),
    "healthz": Post(expect=_answers(405, anonymous=405)),  # GET only
    "audit:trail": _read_only("audit:trail"),
    "audit:monitor_trail": _read_only("audit:monitor_trail"),
    "audit:history": _read_only("audit:history"),
    "screening:candidates": _read_only("screening:candidates"),
    "screening:log": _read_only("screening:log"),
    "screening:exports": _read_only("screening:exports"),
    "screening:export": _read_only("screening:export"),
    "screening:export_download": Post(
        expect=_answers(405, anonymous=302), target=lambda world: {"pk": _export(world).pk}
    ),
    "screening:summary": _read_only("screening:summary"),
    "screening:history": _read_only("screening:history"),
    "summary:index": Post(expect=_answers(405, anonymous=405)),  # GET only
    "summary:trial": Post(
        expect=_answers(405, anonymous=405), target=RULES["summary:trial"].kwargs
    ),
    "screening:record": Post(expect=_answers(405), target=_screening),  # GET only
    "screening:record_pdf": Post(expect=_answers(405), target=_screening),  # GET only
    # The live panel evaluates what is typed and saves nothing, even for site A.
    "screening:panel": Post(
        expect=_answers(404, coordinator_a=200, investigator_a=200),
        target=_screening,
        data=_entry_form,
    ),
    # --- Notifications: one's own only ----------------------------------------------------
    "notifications:list": Post(expect=_answers(405)),  # GET only
    # Only the recipient marks it read; to anyone else it does not exist.
    "notifications:read": Post(
        expect=_answers(404, coordinator_a=Makes(302)),
        target=_a_notification,
        made=lambda world, persona: (
            not world["coordinator_a"].notifications.filter(read_at__isnull=True).exists()
        ),
    ),
    # Everyone marks their own read, and nobody else's.
    "notifications:read_all": Post(
        expect=_answers(Makes(302)), target=_everyone_notified, made=_all_read_for
    ),
    "notifications:preferences": Post(
        expect=_answers(Makes(302)),
        data=lambda world: {"delivery": "digest"},
        made=lambda world, persona: world[persona].notification_preference.delivery == "digest",
    ),
    # --- Screening: registering, starting, entering, deciding, enrolling -----------------
    # Site B's coordinator may register, but only at site B: site A is not a choice.
    "screening:register": Post(
        expect=_answers(
            404, coordinator_a=Makes(302), investigator_a=Makes(302), coordinator_b=200
        ),
        data=_site_a_link,
        made=_registered,
    ),
    # The monitor sees the candidate, and may start nothing.
    "screening:candidate": Post(
        expect=_A_MAKES,
        target=_unstarted_candidate,
        data=lambda world: {"screening_date": "2026-11-20", "consent_date": "2026-11-19"},
        made=lambda world, persona: world["unstarted"].screenings.exists(),
    ),
    "screening:identity": Post(
        expect=_A_MAKES,
        target=lambda world: {"pk": world["candidate"].pk},
        data=lambda world: {
            "full_name": "Erika Musterfrau",
            "date_of_birth": "1956-04-02",
            "sex": "F",
            "hospital_number": "H-1",
            "reason_code": "transcription_error",
            "reason": "Surname misspelt at registration.",
        },
        made=_identity_corrected,
    ),
    "screening:entry": Post(
        expect=_A_MAKES,
        target=_screening,
        data=_entry_form,
        made=lambda world, persona: (
            world["screening"].observations.filter(code="weight", value_entered="58.4").exists()
        ),
    ),
    "screening:decision": Post(
        expect=_A_MAKES,
        target=_screening,
        data=lambda world: {"outcome": "withdrawn", "reason_category": "declined"},
        made=lambda world, persona: (
            world["screening"]
            .decisions.filter(outcome="withdrawn", proposed_by=world[persona])
            .exists()
        ),
    ),
    # Only the investigator signs; the coordinator who proposed may not.
    "screening:sign": Post(
        expect=_answers(404, investigator_a=Makes(302)),
        target=_proposed,
        data=lambda world: {"password": PASSWORD},
        made=lambda world, persona: hasattr(_fresh(world["proposed"]), "signature"),
    ),
    "screening:rescreen": Post(
        expect=_A_MAKES,
        target=_screen_failure,
        data=lambda world: {
            "screening_date": "2026-11-21",
            "consent_date": "2026-11-21",
            # The failure was signed today: rescreening today is early.
            "confirm_early": "on",
            "early_reason": "New information on the day of the failure",
        },
        made=lambda world, persona: world["candidate"].screenings.filter(attempt=2).exists(),
    ),
    # --- Monitor review: queries and source verification --------------------------------
    "screening:queries": _read_only("screening:queries"),
    "screening:query_raise": Post(
        expect=_answers(404, monitor=Makes(302)),
        target=_screening,
        data=lambda world: {"target": "screening:", "text": "Is the consent date right?"},
        made=lambda world, persona: _events(world, "screening.query.raised", world[persona]),
    ),
    # Site A answers; the monitor who raised it may not answer it, only close it.
    "screening:query": Post(
        expect=_A_MAKES,
        target=lambda world: {"qid": _remember(world, "query", _a_query(world)).pk},
        data=lambda world: {"action": "answer", "text": "Checked against the consent form."},
        made=lambda world, persona: _fresh(world["query"]).status == "answered",
    ),
    "screening:verify": Post(
        expect=_answers(404, monitor=Makes(302)),
        target=_weighed,
        data=lambda world: {"ref": "observation:weight"},
        made=lambda world, persona: world["screening"].verifications.exists(),
    ),
    "screening:amendment_impact": Post(
        expect=_answers(404, data_manager=Makes(302)),
        target=lambda world: {"pk": _version(world).pk},
        made=lambda world, persona: _events(
            world, "screening.amendment_impact.requested", world[persona]
        ),
    ),
    "screening:unverify": Post(
        expect=_answers(404, monitor=Makes(302)),
        target=_verified,
        data=lambda world: {"ref": "observation:weight", "reason": "Wrong source"},
        made=lambda world, persona: (
            world["screening"].verifications.filter(cleared_at__isnull=False).exists()
        ),
    ),
    "screening:erasure": Post(
        expect=_answers(404, data_manager=Makes(302)),
        target=_erasable,
        data=lambda world: {
            "candidates": [world["candidate"].pk],
            "reason": "Consent to keep personal data withdrawn.",
            "password": PASSWORD,
        },
        made=_identity_erased,
    ),
    "screening:enrol": Post(
        expect=_A_MAKES,
        target=_eligible,
        data=lambda world: {"enrolled_on": "2026-11-21", "randomisation_number": "R-001"},
        made=lambda world, persona: hasattr(_fresh(world["screening"]), "enrolment"),
    ),
}


# -- The admin: one representative model per app, and the admin's own screens ----------


class _FormReader(HTMLParser):
    """What a browser would submit from the admin's change form, as rendered."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self.select: tuple[str, bool] | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        name = a.get("name", "")
        kind = a.get("type", "text")
        if tag == "input" and name and kind not in ("submit", "button", "file"):
            if kind in ("checkbox", "radio") and "checked" in a:
                self.data.setdefault(name, []).append(a.get("value", "on"))
            elif kind not in ("checkbox", "radio"):
                self.data.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            self.select = (name, "multiple" in a)
        elif tag == "option" and self.select and "selected" in a:
            self.data.setdefault(self.select[0], []).append(a.get("value", ""))
        elif tag == "textarea" and name:
            self.textarea = name
            self.data.setdefault(name, [""])

    def handle_data(self, data: str) -> None:
        if self.textarea:
            self.data[self.textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def _admin_form(world: World, name: str, **kwargs: Any) -> dict[str, Any]:
    """The admin form at ``name`` as the data manager sees it (CSRF token aside)."""
    response = client_for(world, "data_manager").get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200, (name, response.status_code)
    reader = _FormReader()
    reader.feed(response.content.decode())
    reader.data.pop("csrfmiddlewaretoken", None)
    return {k: v if len(v) > 1 else v[0] for k, v in reader.data.items()}


def _admin_rules(
    app_model: str,
    *,
    expect: dict[str, Answer],
    create: Callable[[World], Any],
    add: Callable[[World], dict[str, Any]],
    added: Callable[[], bool],
    change: Callable[[World, Any], dict[str, Any]],
    changed: Callable[[Any], bool],
    kept: bool = False,
) -> dict[str, Post]:
    """Add, change, delete and the changelist's bulk delete of one model in the admin.

    ``create`` makes the object to change or delete. ``kept``: the object is never
    deleted (its audit trail protects it), so a delete re-renders the admin's page
    saying why, and changes nothing.
    """
    prefix = f"admin:{app_model.replace('.', '_')}"

    def target(world: World) -> dict[str, Any]:
        world["object"] = create(world)
        return {"object_id": world["object"].pk}

    def changelist_target(world: World) -> dict[str, Any]:
        world["object"] = create(world)
        return {}

    def gone(world: World, persona: str) -> bool:
        return not type(world["object"]).objects.filter(pk=world["object"].pk).exists()

    reads = {persona: 200 if isinstance(a, Makes) else a for persona, a in expect.items()}
    deletes = reads if kept else expect
    return {
        f"{prefix}_add": Post(expect=expect, data=add, made=lambda world, persona: added()),
        f"{prefix}_history": Post(expect=reads, target=target),
        f"{prefix}_change": Post(
            expect=expect,
            target=target,
            data=lambda world: change(world, world["object"]),
            made=lambda world, persona: changed(_fresh(world["object"])),
        ),
        f"{prefix}_delete": Post(
            expect=deletes, target=target, data=lambda world: {"post": "yes"}, made=gone
        ),
        f"{prefix}_changelist": Post(
            expect=deletes,
            target=changelist_target,
            data=lambda world: {
                "action": "delete_selected",
                "_selected_action": [world["object"].pk],
                "post": "yes",
            },
            made=gone,
        ),
    }


def _a_site(world: World) -> Any:
    """A site entered in the admin, as every site is: its audit trail starts there."""
    from trials.models import Site

    site = {"code": "C01", "name": "Clinic C", "country": "FR", "time_zone": "Europe/Paris"}
    client_for(world, "data_manager").post(reverse("admin:trials_site_add"), site)
    return Site.objects.get(code="C01")


def _a_user(world: World) -> Any:
    from accounts.models import User

    return User.objects.create_user(
        username="someone", password=PASSWORD, full_name="Some One", email="some.one@example.org"
    )


def _an_interval(world: World) -> Any:
    from django_celery_beat.models import IntervalSchedule

    return IntervalSchedule.objects.create(every=7, period="days")


def _a_group(world: World) -> Any:
    from django.contrib.auth.models import Group

    return Group.objects.create(name="Editors")


def _exists(model: str, **lookup: Any) -> Callable[[], bool]:
    def check() -> bool:
        from django.apps import apps

        return bool(apps.get_model(model).objects.filter(**lookup).exists())

    return check


REASON = {"audit_reason_code": "other", "audit_reason": "Corrected on request."}

POST_RULES.update(
    {
        **_admin_rules(
            "accounts.user",
            expect=_DM_MAKES,
            create=_a_user,
            add=lambda world: {
                **_admin_form(world, "admin:accounts_user_add"),
                "username": "new.person",
                "full_name": "New Person",
                "email": "new.person@example.org",
                "usable_password": "true",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
            },
            added=_exists("accounts.User", username="new.person"),
            change=lambda world, user: {
                **_admin_form(world, "admin:accounts_user_change", object_id=user.pk),
                "full_name": "Somebody Else",
                **REASON,
            },
            changed=lambda user: user.full_name == "Somebody Else",
        ),
        # Groups are Django's, not configuration: nobody here may touch them.
        **_admin_rules(
            "auth.group",
            expect=_answers(302, data_manager=403),
            create=_a_group,
            add=lambda world: {"name": "Reviewers"},
            added=_exists("auth.Group", name="Reviewers"),
            change=lambda world, group: {"name": "Reviewers"},
            changed=lambda group: group.name == "Reviewers",
        ),
        **_admin_rules(
            "django_celery_beat.intervalschedule",
            expect=_DM_MAKES,
            create=_an_interval,
            add=lambda world: {
                **_admin_form(world, "admin:django_celery_beat_intervalschedule_add"),
                "every": "3",
                "period": "hours",
            },
            added=_exists("django_celery_beat.IntervalSchedule", every=3, period="hours"),
            change=lambda world, interval: {
                **_admin_form(
                    world,
                    "admin:django_celery_beat_intervalschedule_change",
                    object_id=interval.pk,
                ),
                "every": "8",
                **REASON,
            },
            changed=lambda interval: interval.every == 8,
        ),
        **_admin_rules(
            "trials.site",
            expect=_DM_MAKES,
            create=_a_site,
            add=lambda world: {
                **_admin_form(world, "admin:trials_site_add"),
                "code": "D01",
                "name": "Site D",
                "country": "NL",
                "time_zone": "Europe/Amsterdam",
            },
            added=_exists("trials.Site", code="D01"),
            change=lambda world, site: {
                **_admin_form(world, "admin:trials_site_change", object_id=site.pk),
                "name": "Clinique C",
                **REASON,
            },
            changed=lambda site: site.name == "Clinique C",
            kept=True,
        ),
        # Nobody sets another person's password: a data manager sends them a link to
        # set it themselves, and a password posted along is ignored.
        "admin:auth_user_password_change": Post(
            expect=_DM_MAKES,
            target=lambda world: {"id": _remember(world, "object", _a_user(world)).pk},
            data=lambda world: {
                "usable_password": "true",
                "password1": NEW_PASSWORD,
                "password2": NEW_PASSWORD,
            },
            made=lambda world, persona: (
                _events(world, "accounts.password.link_issued", world[persona])
                and not _password_is(world["object"], NEW_PASSWORD)
            ),
        ),
        # Protocol definitions: imported as drafts, activated with a reason and a signature.
        "admin:trials_protocolversion_import": Post(
            expect=_answers(302, data_manager=Makes(302)),
            data=lambda world: {
                "file": SimpleUploadedFile("demo1.yaml", DEFINITION.encode("utf-8")),
            },
            made=lambda world, persona: _exists("trials.Trial", code="DEMO1")(),
        ),
        "admin:trials_protocolversion_activate": Post(
            expect=_answers(404, anonymous=302, data_manager=Makes(302)),
            target=_draft,
            data=lambda world: {"reason": "Amendment approved.", "password": PASSWORD},
            made=lambda world, persona: _fresh(world["object"]).status == "active",
        ),
        "admin:trials_protocolversion_preview": Post(expect=_DM_READS, target=_draft),
        # GET only: a download is audited, and a POST must not make one.
        "admin:trials_protocolversion_export": Post(
            expect=_answers(302, data_manager=405), target=_draft
        ),
        "admin:trials_protocolversion_diff": Post(
            expect=_DM_READS,
            target=_amendment,
            query=lambda world: f"?against={world['object'].pk}",
        ),
        # --- The admin's own pages --------------------------------------------------------
        # One login gate: the admin's login and password pages lead to Eligo's, where
        # the lock and the audit trail apply; a password posted to the admin's login
        # is never checked.
        "admin:login": Post(
            expect=_answers(302, anonymous=302),
            data=lambda world: {"username": "dm", "password": PASSWORD},
            sent_to=dict.fromkeys(PERSONAS, "/login/"),
        ),
        "admin:password_change": Post(
            expect=_answers(302),
            data=lambda world: {
                "old_password": PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
            sent_to={"data_manager": "/password/"},
        ),
        # Logging out of the admin is Eligo's logout, audited; someone not signed in
        # to the admin is sent to its index with nothing to end.
        "admin:logout": Post(
            expect=_DM_MAKES,
            made=lambda world, persona: (
                "_auth_user_id" not in world["client"].session
                and _events(world, "accounts.logout", world[persona])
            ),
            sent_to=dict.fromkeys(PERSONAS, "/admin/"),
        ),
        "admin:index": Post(expect=_DM_READS),
        "admin:password_change_done": Post(expect=_answers(302, data_manager=405)),  # GET only
        "admin:app_list": Post(expect=_DM_READS, target=lambda world: {"app_label": "trials"}),
        "admin:autocomplete": Post(expect=_answers(302, data_manager=405)),  # GET only
        "admin:jsi18n": Post(expect=_answers(302, data_manager=405)),  # GET only
        # Users have no page outside the admin to view them on.
        "admin:view_on_site": Post(
            expect=_answers(302, data_manager=404),
            target=lambda world: {
                "content_type_id": _content_type("accounts.user"),
                "object_id": world["monitor"].pk,
            },
        ),
    }
)


def _walk_admin() -> Iterator[str]:
    [site] = [e for e in get_resolver().url_patterns if getattr(e, "namespace", "") == "admin"]
    return _walk(site.url_patterns, "admin:")


# A representative model per admin app: the others in the app follow the same
# permission (``accounts.backends.RoleBackend`` grants apps, not models).
REPRESENTATIVES = (
    "accounts.user",
    "auth.group",
    "django_celery_beat.intervalschedule",
    "trials.site",
)
PER_MODEL = ("changelist", "add", "change", "delete", "history")


def _admin_post_names() -> list[str]:
    """The admin URLs the POST matrix must cover: the representatives' own pages,
    and every URL that is not a registered model's own (the admin's, and extra screens)."""
    own = {
        f"admin:{model._meta.app_label}_{model._meta.model_name}_{suffix}": model._meta.label_lower
        for model in admin.site._registry
        for suffix in PER_MODEL
    }
    return sorted(name for name in _walk_admin() if name not in own or own[name] in REPRESENTATIVES)


POST_URL_NAMES = sorted({*URL_NAMES, *_admin_post_names()})


def test_every_post_url_has_an_access_rule() -> None:
    missing = [name for name in POST_URL_NAMES if name not in POST_RULES]
    assert not missing, f"Add POST rules for these URLs to tests/test_access_matrix.py: {missing}"
    stale = [name for name in POST_RULES if name not in POST_URL_NAMES]
    assert not stale, f"POST rules for URLs that no longer exist: {stale}"
    apps = {model._meta.app_label for model in admin.site._registry}
    represented = {label.split(".")[0] for label in REPRESENTATIVES}
    assert apps <= represented, f"Name a representative model for: {sorted(apps - represented)}"


def _errors(response: Any) -> list[str]:
    """The form errors on a page that was expected to redirect, to say why it did not."""
    text = response.content.decode(errors="replace")
    return re.findall(r'class="errorlist[^"]*"[^>]*>(.*?)</ul>', text, re.S)[:5]


def _database() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (sessions aside: signing in and out is not a change)."""
    from django.apps import apps

    return {
        model._meta.label: list(model._base_manager.order_by("pk").values_list())
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and model._meta.label != "sessions.Session"
    }


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("name", POST_URL_NAMES)
def test_each_persona_posts_and_only_the_right_ones_change_anything(
    world: dict[str, Any], name: str, persona: str
) -> None:
    rule = POST_RULES.get(name)
    if rule is None:
        pytest.fail(f"No POST rule for {name}")
    url = reverse(name, kwargs=rule.target(world)) + rule.query(world)
    data = rule.data(world)
    world["client"] = client = client_for(world, persona)
    before = _database()
    world["last_event"] = _last_event()
    response = client.post(url, data)
    expected = rule.expect[persona]
    if isinstance(expected, Makes):
        assert response.status_code == expected.status, (name, persona, url, _errors(response))
        assert rule.made(world, persona), f"{persona} was allowed but {name} changed nothing"
        return
    assert response.status_code == expected, (name, persona, url)
    assert _database() == before, f"{persona} changed something through {name}"
    if response.status_code == 302 and (persona == "anonymous" or name.startswith("admin:")):
        login = "/admin/login/" if name.startswith("admin:") else "/login/"
        assert response["Location"].startswith(rule.sent_to.get(persona, login))
