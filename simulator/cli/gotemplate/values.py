"""How Python values stand for Go values in a template (see the package docstring), and the
two questions every stage asks of them: their Go type name (for error messages) and their truth."""

from __future__ import annotations

from typing import Any


class TemplateError(Exception):
    """A parse or execution error, worded as Go's text/template reports it."""


class Struct(dict):
    """A dict that behaves as a Go struct of type `go_type` (field order = insertion order)."""

    def __init__(self, go_type: str = "struct", *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.go_type = go_type


class FormatterContext(Struct):
    """A Struct whose `json` is docker/cli `formatter.MarshalJSON`'s: a map (keys sorted), HTML escaped."""


class NilSlice(list):
    """A nil Go slice (a struct field never set): printed `[]`, length 0, `json` null."""


class NilMap(dict):
    """A nil Go map (a struct field never set): printed `map[]`, length 0, `json` null."""


class _NoValue:
    """An invalid reflect.Value: what a missing map key evaluates to."""

    def __repr__(self):
        return "<no value>"


NO_VALUE = _NoValue()


def go_type(v: Any) -> str:
    """The Go type name of `v`, as execution errors and `printf "%T"` show it."""
    if isinstance(v, Struct):
        return v.go_type
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, str):
        return "string"
    if isinstance(v, (list, tuple)):
        return "[]interface {}"
    if isinstance(v, dict):
        return "map[string]interface {}"
    if v is None:
        return "interface {}"
    return getattr(v, "go_type", type(v).__name__)


def truth(v: Any) -> bool:
    """text/template's truth: false for the zero value (nil, no value, 0, "", empty slice or map)."""
    if v is NO_VALUE or v is None:
        return False
    if isinstance(v, Struct) or not isinstance(v, (bool, int, float, str, list, tuple, dict)):
        return True
    return bool(v)
