"""What is screened for: trials, sites, protocol versions and the catalogues."""

from trials.models.catalogue import (
    CatalogueRevision,
    Drug,
    DrugClass,
    Quantity,
    ReferenceRange,
)
from trials.models.protocols import ProtocolStatus, ProtocolVersion
from trials.models.sites import (
    MonitorAssignment,
    Site,
    Trial,
    TrialSite,
    TrialStatus,
    validate_time_zone,
)

__all__ = [
    "CatalogueRevision",
    "Drug",
    "DrugClass",
    "MonitorAssignment",
    "ProtocolStatus",
    "ProtocolVersion",
    "Quantity",
    "ReferenceRange",
    "Site",
    "Trial",
    "TrialSite",
    "TrialStatus",
    "validate_time_zone",
]
