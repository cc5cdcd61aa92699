"""The screening app's models, one module per sub-domain (docs/screening-design.md)."""

from audit.immutable import ImmutableModel, ImmutableQuerySet, ImmutableRowError
from screening.models.amendments import AmendmentImpact, ImpactStatus
from screening.models.candidates import (
    Candidate,
    CandidateIdentity,
    CandidateQuerySet,
    ScreeningNumberCounter,
    Sex,
)
from screening.models.data import (
    Comparator,
    HistoryEvent,
    MedicationExposure,
    Observation,
    ObservationKind,
    RangeSource,
    ScoreItems,
)
from screening.models.decisions import (
    Decision,
    Enrolment,
    Evaluation,
    EvaluationStatus,
    Outcome,
    ReasonCategory,
    Signature,
    SignatureVoid,
)
from screening.models.exports import ExportFile, ExportStatus
from screening.models.retention import RetentionDue
from screening.models.review import (
    WHOLE_SCREENING,
    DataQuery,
    QueryEntry,
    QueryEntryKind,
    QueryStatus,
    SourceVerification,
)
from screening.models.screenings import (
    OPEN_STATUSES,
    Screening,
    ScreeningQuerySet,
    ScreeningStatus,
)

__all__ = [
    "OPEN_STATUSES",
    "WHOLE_SCREENING",
    "AmendmentImpact",
    "Candidate",
    "CandidateIdentity",
    "CandidateQuerySet",
    "Comparator",
    "DataQuery",
    "Decision",
    "Enrolment",
    "Evaluation",
    "EvaluationStatus",
    "ExportFile",
    "ExportStatus",
    "HistoryEvent",
    "ImmutableModel",
    "ImmutableQuerySet",
    "ImmutableRowError",
    "ImpactStatus",
    "MedicationExposure",
    "Observation",
    "ObservationKind",
    "Outcome",
    "QueryEntry",
    "QueryEntryKind",
    "QueryStatus",
    "RangeSource",
    "ReasonCategory",
    "RetentionDue",
    "ScoreItems",
    "Screening",
    "ScreeningNumberCounter",
    "ScreeningQuerySet",
    "ScreeningStatus",
    "Sex",
    "Signature",
    "SignatureVoid",
    "SourceVerification",
]
