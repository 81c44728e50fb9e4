"""The Compose Specification check used by the compose rules: compose-go's own schema and wording, from
:mod:`dockyard.compose.validate` (the schema compose-go v2.9.1 embeds, vendored), as ``docker compose`` applies
it to each file."""

from __future__ import annotations

from dockyard import TYPE_CHECKING
from dockyard.compose.validate import schema_refusal
from dockyard.records import record

if TYPE_CHECKING:  # pragma: no cover
    from typing import Any


@record(frozen=True, slots=True)
class SchemaError:
    path: tuple  # where in the document (keys and list indices)
    message: str  # compose's wording: `services.web additional properties 'foo' not allowed`
    keys: tuple = ()  # the offending property, for an unknown property


def validate(data: Any) -> SchemaError | None:
    """The schema violation compose reports for ``data`` (a plain or positioned compose document), or None."""
    try:
        refusal = schema_refusal(data)
    except Exception as exc:  # noqa: BLE001 - a validator bug must not hide the file's other findings
        return SchemaError((), f"could not be validated: {type(exc).__name__}")
    if refusal is None:
        return None
    return SchemaError(tuple(refusal.path), refusal.message.strip(), () if refusal.key is None else (refusal.key,))
