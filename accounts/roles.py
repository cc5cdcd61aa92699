"""What a user may do in Eligo, derived from their memberships and flags."""

from __future__ import annotations

from dataclasses import dataclass

from accounts.models import SiteRole, User


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
        labels = []
        if self.investigator_site_ids:
            labels.append(SiteRole.INVESTIGATOR.label)
        if self.coordinator_site_ids:
            labels.append(SiteRole.COORDINATOR.label)
        if self.monitor:
            labels.append("Sponsor monitor")
        if self.data_manager:
            labels.append("Data manager")
        return labels


NO_ROLES = Roles(frozenset(), frozenset(), monitor=False, data_manager=False)


def roles_of(user: User) -> Roles:
    if not user.is_authenticated or not user.is_active:
        return NO_ROLES
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
