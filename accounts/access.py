"""Who may see and do what: the one place Eligo decides access.

Screening data belongs to a (trial, site) pair. Site staff — coordinators and
investigators — see and enter data for every trial at their sites, identity
included. Sponsor monitors see the trials assigned to them (all sites, or the
sites listed), pseudonymised, and change nothing. Data managers configure
Eligo and see no screening data. Everyone else sees nothing, and views answer
404 rather than 403 so that nobody learns what exists elsewhere.

Views and selectors ask these functions; querysets are narrowed with
``screening_scope``. Nothing else in Eligo decides access.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q

from accounts.roles import kept, roles_of

NOTHING = Q(pk__in=[])


def _is_user(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def screening_scope(user: Any, *, trial: str = "trial", site: str = "site") -> Q:
    """A filter on (trial, site) — given as field paths — for what ``user`` may see."""
    if not _is_user(user):
        return NOTHING
    roles = roles_of(user)
    scope = NOTHING
    if roles.site_ids:
        scope |= Q(**{f"{site}_id__in": roles.site_ids})
    if roles.monitor:
        for trial_id, site_ids in monitored(user).items():
            clause = Q(**{f"{trial}_id": trial_id})
            if site_ids:
                clause &= Q(**{f"{site}_id__in": site_ids})
            scope |= clause
    return scope


def summary_scope(user: Any, *, trial: str = "trial", site: str = "site") -> Q:
    """A filter on (trial, site) for what the trial summary counts for ``user``.

    The summary holds counts, never a candidate: data managers, who run the trials,
    count every trial and site; site staff and monitors count what they may see
    (``screening_scope``): their own sites, the trials and sites they monitor.
    """
    if can_configure(user):
        return Q()
    return screening_scope(user, trial=trial, site=site)


def monitored(user: Any) -> dict[int, frozenset[int]]:
    """Trials a monitor is assigned to, each with its sites (empty: every site)."""
    if not _is_user(user) or not user.is_monitor:
        return {}
    return kept(user, "monitored", lambda: _monitored(user))


def _monitored(user: Any) -> dict[int, frozenset[int]]:
    out: dict[int, frozenset[int]] = {}
    # The assignments hang on the user (``monitor_assignments``): access asks the
    # person, and never imports the trials that sit above it.
    for assignment in user.monitor_assignments.prefetch_related("sites"):
        out[assignment.trial_id] = frozenset(s.pk for s in assignment.sites.all())
    return out


def can_view_screening(user: Any, *, trial_id: int, site_id: int) -> bool:
    if not _is_user(user):
        return False
    if site_id in roles_of(user).site_ids:
        return True
    sites = monitored(user).get(trial_id)
    return sites is not None and (not sites or site_id in sites)


def can_enter_data(user: Any, *, site_id: int) -> bool:
    """Coordinators and investigators enter and correct screening data at their sites."""
    return _is_user(user) and site_id in roles_of(user).site_ids


def can_sign(user: Any, *, site_id: int) -> bool:
    """Only an investigator of the site signs eligibility decisions there."""
    return _is_user(user) and site_id in roles_of(user).investigator_site_ids


def can_see_identity(user: Any, *, site_id: int) -> bool:
    """Names, contact details and hospital numbers: the candidate's own site staff only."""
    return _is_user(user) and site_id in roles_of(user).site_ids


def can_erase_identity(user: Any) -> bool:
    """Erasing a candidate's identity (crypto-shredding) is a data manager's act,
    for every site: it needs no sight of the identity, only of the screening number
    and whether the candidate's screenings are over (docs/privacy.md)."""
    return _is_user(user) and bool(user.is_data_manager)


def monitors_screening(user: Any, *, trial_id: int, site_id: int) -> bool:
    """A sponsor monitor assigned to the trial at that site (every site, or the ones listed)."""
    if not _is_user(user):
        return False
    sites = monitored(user).get(trial_id)
    return sites is not None and (not sites or site_id in sites)


# --- Monitor review: data queries and source data verification -----------------------
# Monitors (and data managers who also monitor the trial: a data manager as such sees no
# screening data) raise queries and verify values of the screenings they monitor; the
# site's staff answer. Who raised a query, or a data manager who may see the screening,
# closes or re-opens it. See docs/monitor-review.md.


def can_raise_query(user: Any, *, trial_id: int, site_id: int) -> bool:
    return monitors_screening(user, trial_id=trial_id, site_id=site_id)


def can_answer_query(user: Any, *, site_id: int) -> bool:
    """The site's coordinators and investigators answer queries on its screenings."""
    return can_enter_data(user, site_id=site_id)


def can_close_query(user: Any, *, raised_by_id: int, trial_id: int, site_id: int) -> bool:
    """Who raised the query, or a data manager who may see the screening."""
    if not can_view_screening(user, trial_id=trial_id, site_id=site_id):
        return False
    return bool(user.pk == raised_by_id or user.is_data_manager)


def can_verify_source(user: Any, *, trial_id: int, site_id: int) -> bool:
    """Source data verification is the monitor's: they compare values with the source."""
    return monitors_screening(user, trial_id=trial_id, site_id=site_id)


def can_view_history(
    user: Any, *, site: Any, trial_id: int | None = None, object_type: str = ""
) -> bool:
    """May ``user`` read the audit history of an object of ``site`` (and ``trial_id``)?

    Site staff read their own sites' histories; monitors read the histories of
    screening data they monitor, pseudonymised (see ``reveals_identity``); data
    managers read the histories of the configuration they manage
    (``object_type``, ``app_label.model``), and nothing else: not screening
    data, not Django's own tables.
    """
    if not _is_user(user):
        return False
    if site is not None and site.pk in roles_of(user).site_ids:
        return True
    if site is not None and trial_id is not None and monitored(user):
        return can_view_screening(user, trial_id=trial_id, site_id=site.pk)
    return manages_model(user, object_type)


def can_view_audit_trail(user: Any) -> bool:
    """The installation-wide trail is the data managers'; identities in it stay hidden."""
    return can_configure(user)


def can_view_monitor_trail(user: Any) -> bool:
    """A monitor reads the trail of the trials assigned to them, pseudonymised."""
    return bool(monitored(user))


def reveals_identity(user: Any, *, site_id: int | None) -> bool:
    """Whether audit values flagged as identity show to ``user`` for an event at ``site_id``."""
    return site_id is not None and can_see_identity(user, site_id=site_id)


def identity_revealer(user: Any) -> Callable[[Any], bool]:
    """For lists of audit events: whether ``user`` may see an event's identity values."""
    return lambda event: reveals_identity(user, site_id=event.site_id)


def reveals_client_address(user: Any, *, site_id: int | None) -> bool:
    """Whether the client address (the IP a person worked from) of an event at
    ``site_id`` shows to ``user``: data managers, who run the installation, and the
    site's own staff. Monitors are the sponsor's: staff addresses are not theirs."""
    if not _is_user(user):
        return False
    if can_configure(user):
        return True
    return site_id is not None and site_id in roles_of(user).site_ids


def address_revealer(user: Any) -> Callable[[Any], bool]:
    """For lists of audit events: whether ``user`` may see an event's client address."""
    return lambda event: reveals_client_address(user, site_id=event.site_id)


def can_configure(user: Any) -> bool:
    return _is_user(user) and bool(user.is_data_manager)


# --- Configuration and accounts ------------------------------------------------------
# Data managers configure Eligo: trials, sites, catalogues, the scheduled jobs, and
# the people who use it with their roles. Screening data (and with it candidates'
# identities) is not configuration and stays out of their reach, and so do Django's
# own privileges (superuser, staff, groups, per-user permissions), which only a
# superuser — someone who holds the server — grants.
CONFIGURATION_APPS = frozenset({"accounts", "trials", "django_celery_beat"})
# Bookkeeping of these apps that nobody edits and whose history is nobody's reading.
_BOOKKEEPING = frozenset(
    {"accounts.loginthrottle", "accounts.addressthrottle", "accounts.passwordlink"}
)
# What a data manager may do to accounts and memberships (``accounts.<action>_<model>``).
_ACCOUNT_PERMISSIONS = frozenset(
    f"{action}_{model}"
    for model in ("user", "sitemembership")
    for action in ("view", "add", "change", "delete")
)


def manages_model(user: Any, object_type: str) -> bool:
    """Is ``object_type`` (``app_label.model``) configuration that ``user`` manages?"""
    app_label = object_type.partition(".")[0]
    return (
        can_configure(user)
        and app_label in CONFIGURATION_APPS
        and object_type.lower() not in _BOOKKEEPING
    )


def has_configuration_permission(user: Any, perm: str) -> bool:
    """The model permission ``app_label.codename`` the admin asks a data manager for.

    Whole apps of configuration, and of ``accounts`` only the users and their site
    memberships; which account a data manager may change is ``can_manage_user``.
    """
    if not can_configure(user):
        return False
    app_label, _, codename = perm.partition(".")
    if app_label not in CONFIGURATION_APPS:
        return False
    return app_label != "accounts" or codename in _ACCOUNT_PERMISSIONS


def can_manage_users(user: Any) -> bool:
    """Data managers (and superusers) add people, edit them and give them roles."""
    return _is_user(user) and bool(user.is_data_manager or user.is_superuser)


def can_manage_user(actor: Any, target: Any) -> bool:
    """May ``actor`` change ``target``: name, e-mail, active flag, roles, site
    memberships, and send them a link to set their password?

    Never one's own account — nobody grants themselves a role or a site — and a
    superuser's account only by a superuser.
    """
    if not can_manage_users(actor) or target is None:
        return False
    if actor.is_superuser:
        return True
    return bool(target.pk != actor.pk and not target.is_superuser)


def can_grant_django_privileges(actor: Any) -> bool:
    """Superuser, staff, groups and per-user permissions: only a superuser sets them."""
    return _is_user(actor) and bool(actor.is_superuser)
