"""The template functions: Go's builtins and docker/cli's (`templates/templates.go`)."""

from __future__ import annotations

import re
from typing import Callable

from .printing import go_json, go_print, json_string
from .values import Struct, go_type, truth


class FuncError(Exception):
    pass


def _len(v):
    if isinstance(v, (str, list, tuple, dict)):
        return len(v.encode() if isinstance(v, str) else v)
    raise FuncError("len of type %s" % go_type(v))


def _index(item, *indexes):
    for ix in indexes:
        if isinstance(item, dict) and not isinstance(item, Struct):
            item = item.get(ix)
        elif isinstance(item, (list, tuple, str)):
            if not isinstance(ix, int) or isinstance(ix, bool):
                raise FuncError("cannot index slice/array with type %s" % go_type(ix))
            seq = item.encode() if isinstance(item, str) else item
            if not 0 <= ix < len(seq):
                raise FuncError("index out of range: %d" % ix)
            item = seq[ix]
        elif item is None:
            raise FuncError("index of untyped nil")
        else:
            raise FuncError("can't index item of type %s" % go_type(item))
    return item


def _basic_kind(v):
    """The Go type of a bool, number or string (the kinds eq and lt compare); None for others."""
    return go_type(v) if isinstance(v, (bool, int, float, str)) else None


def _eq(a, *others):
    if not others:
        raise FuncError("missing argument for comparison")
    for b in others:
        ka, kb = _basic_kind(a), _basic_kind(b)
        if ka is None or kb is None:
            if a is None or b is None:
                if a is b:
                    return True
                continue
            raise FuncError("non-comparable type %s: %s" % (go_print(a if ka is None else b),
                                                              go_type(a if ka is None else b)))
        if ka != kb:
            raise FuncError("incompatible types for comparison")
        if a == b:
            return True
    return False


def _lt(a, b):
    ka, kb = _basic_kind(a), _basic_kind(b)
    if ka is None or kb is None or ka == "bool":
        raise FuncError("invalid type for comparison")
    if ka != kb:
        raise FuncError("incompatible types for comparison")
    return a < b


def _sprint(*args):
    out = []
    for i, a in enumerate(args):
        if i and not isinstance(a, str) and not isinstance(args[i - 1], str):
            out.append(" ")
        out.append(go_print(a))
    return "".join(out)


_PRINTF = re.compile(r"%([-+# 0]*)(\d+|\*)?(?:\.(\d+))?([vsdqxXtfegTcob%])")


def _sprintf(fmt, *args):
    """fmt.Sprintf for the verbs formats use: %v %s %d %q %x %t %f %e %g with width/precision/flags."""
    args = list(args)

    def one(m):
        flags, width, prec, verb = m.group(1), m.group(2), m.group(3), m.group(4)
        if verb == "%":
            return "%"
        if not args:
            return "%!" + verb + "(MISSING)"
        a = args.pop(0)
        if verb in "vs":
            text = go_print(a)
            if prec is not None:
                text = text[:int(prec)]
        elif verb == "q":
            text = json_string(go_print(a)) if isinstance(a, str) else go_print(a)
        elif verb == "T":
            text = go_type(a)
        elif verb == "t" and isinstance(a, bool):
            text = go_print(a)
        elif verb in "dxXob" and isinstance(a, int) and not isinstance(a, bool):
            text = format(a, {"d": "d", "x": "x", "X": "X", "o": "o", "b": "b"}[verb])
            if "+" in flags and a >= 0:
                text = "+" + text
        elif verb in "xX" and isinstance(a, str):
            text = a.encode().hex()
            text = text.upper() if verb == "X" else text
        elif verb in "feg" and isinstance(a, (int, float)) and not isinstance(a, bool):
            text = go_print(float(a)) if verb == "g" and prec is None else \
                ("%" + ("." + prec if prec is not None else ".6") + verb) % a
        elif verb == "c" and isinstance(a, int):
            text = chr(a)
        else:
            return "%!" + verb + "(" + go_type(a) + "=" + go_print(a) + ")"
        if width:
            w = int(width)
            if "-" in flags:
                text = text.ljust(w)
            elif "0" in flags and verb not in "sqvt":
                neg = text.startswith("-")
                text = ("-" if neg else "") + text[neg:].rjust(w - neg, "0")
            else:
                text = text.rjust(w)
        return text

    result = _PRINTF.sub(one, fmt)
    if args:
        result += "%!(EXTRA " + ", ".join("%s=%s" % (go_type(a), go_print(a)) for a in args) + ")"
    return result


def _title(s):
    """strings.Title: upper-case the first letter of each word (words separated by non-letters)."""
    return re.sub(r"(?:(?<=[^\w'])|^)(\w)", lambda m: m.group(1).upper(), s)


def _split(s, sep):
    if sep == "":
        return list(s)
    return s.split(sep)


def _join(items, sep):
    if not isinstance(items, (list, tuple)) or not all(isinstance(x, str) for x in items):
        raise FuncError("wrong type for value; expected []string; got %s" % go_type(items))
    return sep.join(items)


def _pad(source, prefix, suffix):
    return source if source == "" else " " * prefix + source + " " * suffix


def _truncate(source, length):
    return source if len(source) < length else source[:length]


def _slice(item, *ix):
    if not isinstance(item, (str, list, tuple)):
        raise FuncError("can't slice item of type %s" % go_type(item))
    lo = ix[0] if ix else 0
    hi = ix[1] if len(ix) > 1 else len(item)
    if not 0 <= lo <= hi <= len(item):
        raise FuncError("index out of range: %d" % (hi if hi > len(item) else lo))
    return item[lo:hi]


def _not_bool(v):
    return not truth(v)


BUILTINS: dict[str, Callable] = {
    "and": None, "or": None,   # evaluated lazily by the executor
    "not": _not_bool,
    "len": _len, "index": _index, "slice": _slice,
    "print": _sprint, "printf": _sprintf, "println": lambda *a: " ".join(go_print(x) for x in a) + "\n",
    "eq": _eq, "ne": lambda a, b: not _eq(a, b), "lt": _lt, "le": lambda a, b: _lt(a, b) or _eq(a, b),
    "gt": lambda a, b: not (_lt(a, b) or _eq(a, b)), "ge": lambda a, b: not _lt(a, b),
}

DOCKER_FUNCS: dict[str, Callable] = {
    "json": go_json, "split": _split, "join": _join, "title": _title, "lower": str.lower,
    "upper": str.upper, "pad": _pad, "truncate": _truncate,
}

ARG_TYPES = {"split": (str, str), "join": (None, str), "title": (str,), "lower": (str,), "upper": (str,),
              "pad": (str, int, int), "truncate": (str, int), "json": (None,)}
