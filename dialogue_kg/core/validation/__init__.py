"""SHACL validation of change sets before anything is written: the validator, its two engines
(rudof, the default; pySHACL, the reference) and the violations they report."""

from dialogue_kg.core.validation.literals import ill_typed, ill_typed_literals
from dialogue_kg.core.validation.pyshacl_engine import (
    _fast_parameter_lookup,
    _violations,
    run_pyshacl,
)
from dialogue_kg.core.validation.results import ValidationError, Violation
from dialogue_kg.core.validation.validator import ENGINES, Validator, check_engine

__all__ = [
    "ENGINES",
    "ValidationError",
    "Validator",
    "Violation",
    "_fast_parameter_lookup",
    "_violations",
    "check_engine",
    "ill_typed",
    "ill_typed_literals",
    "run_pyshacl",
]
