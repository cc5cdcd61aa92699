"""What a user may do in Eligo, derived from their memberships and flags.

Access is asked many times in one request (once per row of a list, at times); the
answer is kept on the user object the request holds, and forgotten by every user
object in the process as soon as any membership, assignment or user row is saved or
deleted (``access_changed``): a generation number, compared on each read.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext

from accounts.models import SiteRole, User

T = TypeVar("T")
_generations = itertools.count(1)
_generation = next(_generations)
# Rows whose change changes someone's access: read by label, so that this layer does not
# import the trials app above it.
ACCESS_MODELS = frozenset({"accounts.User", "accounts.SiteMembership", "trials.MonitorAssignment"})


def access_changed(sender: Any, **kwargs: Any) -> None:
    """Forget every kept answer when a row that grants access is written."""
    global _generation
    model = getattr(sender, "_meta", None)
    label = model.label if model is not None else ""
    if label in ACCESS_MODELS or label.startswith("trials.MonitorAssignment_"):
        _generation = next(_generations)


post_save.connect(access_changed, dispatch_uid="accounts.roles.saved")
post_delete.connect(access_changed, dispatch_uid="accounts.roles.deleted")
m2m_changed.connect(access_changed, dispatch_uid="accounts.roles.m2m")


def kept(user: Any, name: str, build: Callable[[], T]) -> T:
    """``build()``'s answer about ``user``, kept on the object until access changes."""
    store: dict[str, tuple[int, Any]] = user.__dict__.setdefault("_eligo_access", {})
    known = store.get(name)
    if known is not None and known[0] == _generation:
        return known[1]  # type: ignore[no-any-return]
    value = build()
    store[name] = (_generation, value)
    return value


@dataclass(frozen=True)
class Roles:
    """The roles one user holds; a person may hold several at once."""

    coordinator_site_ids: frozenset[int]
    investigator_site_ids: frozenset[int]
    monitor: bool
    data_manager: bool

    @property
    def site_ids(self) -> frozenset[int]:
        return self.coordinator_site_ids | self.investigator_site_ids

    @property
    def is_site_staff(self) -> bool:
        return bool(self.site_ids)

    @property
    def labels(self) -> list[str]:
        labels: list[str] = []
        if self.investigator_site_ids:
            labels.append(str(SiteRole.INVESTIGATOR.label))
        if self.coordinator_site_ids:
            labels.append(str(SiteRole.COORDINATOR.label))
        if self.monitor:
            labels.append(gettext("Sponsor monitor"))
        if self.data_manager:
            labels.append(gettext("Data manager"))
        return labels


NO_ROLES = Roles(frozenset(), frozenset(), monitor=False, data_manager=False)


def roles_of(user: User) -> Roles:
    if not user.is_authenticated or not user.is_active:
        return NO_ROLES
    return kept(user, "roles", lambda: _roles(user))


def _roles(user: User) -> Roles:
    coordinator: set[int] = set()
    investigator: set[int] = set()
    for site_id, role in user.memberships.values_list("site_id", "role"):
        (investigator if role == SiteRole.INVESTIGATOR else coordinator).add(site_id)
    return Roles(
        coordinator_site_ids=frozenset(coordinator),
        investigator_site_ids=frozenset(investigator),
        monitor=user.is_monitor,
        data_manager=user.is_data_manager,
    )
