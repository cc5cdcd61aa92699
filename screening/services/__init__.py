"""Every write of screening data goes through these services (docs/screening-design.md).

Keyword-only, typed, each in one transaction with its audit events.
"""

from screening.services.candidates import (
    IdentityData,
    candidate_identity_change,
    candidate_register,
    screening_number,
)
from screening.services.changes import (
    HistoryInput,
    MedicationInput,
    ObservationInput,
    ScreeningChanges,
)
from screening.services.common import (
    ScreeningConflictError,
    ScreeningRuleError,
    ScreeningValidationError,
)
from screening.services.data import SaveOutcome, screening_save
from screening.services.decisions import (
    MEANINGS,
    SignatureRefused,
    decision_propose,
    decision_sign,
    standing_signature,
)
from screening.services.erasure import erasure_refusal, identities_erase
from screening.services.rescreening import carry_choices, screening_rescreen
from screening.services.screenings import screening_enrol, screening_start
from screening.services.workflow import current_decision

__all__ = [
    "MEANINGS",
    "HistoryInput",
    "IdentityData",
    "MedicationInput",
    "ObservationInput",
    "SaveOutcome",
    "ScreeningChanges",
    "ScreeningConflictError",
    "ScreeningRuleError",
    "ScreeningValidationError",
    "SignatureRefused",
    "candidate_identity_change",
    "candidate_register",
    "carry_choices",
    "current_decision",
    "decision_propose",
    "decision_sign",
    "erasure_refusal",
    "identities_erase",
    "screening_enrol",
    "screening_number",
    "screening_rescreen",
    "screening_save",
    "screening_start",
    "standing_signature",
]
