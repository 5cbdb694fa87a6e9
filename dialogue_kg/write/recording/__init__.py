"""Recording forms: fields derived from the SHACL shapes, submitted data turned into change sets,
validation results mapped back to fields, likely duplicates and stale edits found before saving."""

from dialogue_kg.write.recording.build import Draft, Problem, build
from dialogue_kg.write.recording.fields import (
    FORM_LANGUAGES,
    Field,
    FormSpec,
    form_spec,
    recordable_classes,
    spec_for_key,
)
from dialogue_kg.write.recording.service import Outcome, record
from dialogue_kg.write.recording.values import current_values, reference_text

__all__ = [
    "FORM_LANGUAGES",
    "Draft",
    "Field",
    "FormSpec",
    "Outcome",
    "Problem",
    "build",
    "current_values",
    "form_spec",
    "record",
    "recordable_classes",
    "reference_text",
    "spec_for_key",
]
