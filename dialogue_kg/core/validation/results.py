"""What validation reports: one violation in plain words, and the error that rejects a change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dialogue_kg.errors import DialogueKGError
from dialogue_kg.namespaces import PREFIXES


@dataclass(frozen=True)
class Violation:
    """One SHACL result: which resource, which property, which constraint, in plain words."""

    focus: str
    path: str | None
    constraint: str
    message: str
    value: str | None = None
    severity: str = "Violation"

    def __str__(self) -> str:
        where = f"{short(self.focus)} {short(self.path)}" if self.path else short(self.focus)
        value = f" (value: {self.value})" if self.value else ""
        return f"{where}: {self.message}{value} [{self.constraint}]"

    def as_dict(self) -> dict[str, str | None]:
        """JSON-ready form."""
        return {
            "focus": self.focus,
            "path": self.path,
            "constraint": self.constraint,
            "message": self.message,
            "value": self.value,
            "severity": self.severity,
        }


class ValidationError(DialogueKGError):
    """A change set breaks the shapes; nothing was written."""

    status, kind = 422, "validation"

    def __init__(self, violations: list[Violation]) -> None:
        self.violations = violations
        lines = "\n".join(f"  {v}" for v in violations[:50])
        more = f"\n  … and {len(violations) - 50} more" if len(violations) > 50 else ""
        super().__init__(
            f"the change was rejected by {len(violations)} SHACL violation(s); nothing was "
            f"written:\n{lines}{more}"
        )

    def details(self) -> dict[str, Any]:
        """A short message and every violation as a JSON object."""
        return {
            "error": "the change breaks the archive's shapes; nothing was written",
            "kind": self.kind,
            "violations": [
                {
                    "resource": v.focus,
                    "property": v.path,
                    "constraint": v.constraint,
                    "message": v.message,
                    "value": v.value,
                    "severity": v.severity,
                }
                for v in self.violations
            ],
        }


def short(iri: str | None) -> str:
    """An IRI as a CURIE when one of the archive's prefixes fits, else in angle brackets."""
    if iri is None:
        return ""
    for prefix, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return f"<{iri}>"


def order(v: Violation) -> tuple[str, str, str, str, str]:
    """Sort key: resource, property, constraint, then value and message, so that the order
    never depends on the order an engine happened to report in."""
    return (v.focus, v.path or "", v.constraint, v.value or "", v.message)


def component_name(iri: str) -> str:
    """``sh:MinCountConstraintComponent`` → ``MinCount``."""
    return iri.rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
