"""Go's text/template, as far as docker's `--format` uses it.

Supported: text and actions with `{{-`/`-}}` trimming and `{{/* comments */}}`; fields and
chains (`.Config.Cmd`, `$v.Name`, `(pipeline).Field`); variables (`$x := ...`, `$x = ...`,
`$` the data); pipelines (`.X | json`); `if`/`else if`/`else`/`end`, `range` (with
`$i, $v :=`), `with`; literals (strings, raw strings, numbers, true/false/nil); Go's builtins
and, or, not, len, index, print, printf, println, eq, ne, lt, le, gt, ge, slice; docker's
functions json, split, join, title, lower, upper, pad, truncate (docker/cli 20.10
`templates/templates.go`). Errors carry Go's wording (`template: :1: unclosed action`,
`template: :1:2: executing "" at <.Nope>: can't evaluate field Nope in type ...`).

Data model (how Python values stand for Go values):
- dict: a Go map[string]interface{} (a missing key gives `<no value>`); printed `map[k:v]`, keys sorted;
- Struct (a dict subclass with a Go type name): a Go struct; a missing field is an error;
  printed `{v1 v2}` in field order; `json` keeps the field order;
- FormatterContext (a Struct): one of docker/cli's formatter contexts (`*formatter.imageContext`...),
  whose MarshalJSON is `formatter.MarshalJSON`: `json` gives its fields as a map, keys sorted;
- other objects: a Go struct whose fields are attributes; callable attributes are methods
  (docker's formatter contexts: `.ID`, `.Names`); `go_type` names the type in errors;
  `__go_json__()` gives the value `json` encodes (docker's MarshalJSON, as formatter.MarshalJSON);
- list/tuple: a slice, printed `[a b]`; None: nil, printed `<nil>`; bool, int, float, str as Go's;
- NilSlice / NilMap: a typed nil slice or map, printed `[]` / `map[]`, `json` null.

`json` itself encodes with SetEscapeHTML(false), but a MarshalJSON result is spliced in as it
comes, and formatter.MarshalJSON uses json.Marshal, which escapes `<`, `>`, `&` as `\u003c`...:
so `{{json .Config.Cmd}}` keeps `<none>` while `{{json .}}` of an image row prints `\u003cnone\u003e`
(docker 20.10 recording, ps-format scenario).
"""

from .execute import Template, parse
from .printing import go_json, go_print
from .values import NO_VALUE, FormatterContext, NilMap, NilSlice, Struct, TemplateError

__all__ = ["Template", "TemplateError", "Struct", "FormatterContext", "NilSlice", "NilMap", "parse", "go_print",
           "go_json", "NO_VALUE"]
