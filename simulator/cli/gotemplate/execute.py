"""Template execution: walks the parse tree against the data, with Go's execution-error wording."""

from __future__ import annotations

from typing import Any, Callable

from .functions import ARG_TYPES, BUILTINS, DOCKER_FUNCS, FuncError
from .nodes import Action, Branch, Command, Dot, Field, Ident, Literal, Node, ParenPipe, Pipe, Text, Var
from .parser import Parser
from .printing import go_print
from .values import NO_VALUE, Struct, TemplateError, go_type, truth


class _ExecError(Exception):
    def __init__(self, node: Node, message: str):
        super().__init__(message)
        self.node, self.message = node, message


class Template:
    """A parsed template; `execute(data)` returns the text."""

    def __init__(self, source: str, funcs: dict[str, Callable] | None = None):
        self.source = source
        self.funcs = {**BUILTINS, **DOCKER_FUNCS, **(funcs or {})}
        self.tree = Parser(source, self.funcs).parse()
        # Go's Option("missingkey=error"): a missing map key is an error, not <no value>
        self.missing_key_error = False

    def execute(self, data: Any) -> str:
        out: list[str] = []
        try:
            self._walk(self.tree, data, [("$", data)], out)
        except _ExecError as e:
            text = self.source[:e.node.pos]
            line = 1 + text.count("\n")
            col = e.node.pos - (text.rfind("\n") + 1) if "\n" in text else e.node.pos
            raise TemplateError('template: :%d:%d: executing "" at <%s>: %s'
                                % (line, col, e.node.text, e.message)) from None
        return "".join(out)

    # -- statements

    def _walk(self, nodes, dot, vars_, out):
        for node in nodes:
            if isinstance(node, Text):
                out.append(node.value)
            elif isinstance(node, Action):
                value = self._pipe(node.pipe, dot, vars_)
                if not node.pipe.decl:
                    out.append(go_print(value))
            else:
                self._branch(node, dot, vars_, out)

    def _branch(self, node: Branch, dot, vars_, out):
        mark = len(vars_)
        value = self._pipe(node.pipe, dot, vars_, range_decl=node.kind == "range")
        if node.kind == "range":
            items = self._range_items(node, value)
            for key, item in items:
                if node.pipe.decl:
                    if len(node.pipe.decl) == 1:
                        vars_.append((node.pipe.decl[0], item))
                    else:
                        vars_.append((node.pipe.decl[0], key))
                        vars_.append((node.pipe.decl[1], item))
                self._walk(node.body, item, vars_, out)
                del vars_[mark:]
            if not items:
                self._walk(node.orelse, dot, vars_, out)
        elif truth(value):
            self._walk(node.body, value if node.kind == "with" else dot, vars_, out)
        else:
            self._walk(node.orelse, dot, vars_, out)
        del vars_[mark:]

    def _range_items(self, node, value):
        if value is None or value is NO_VALUE:
            return []
        if isinstance(value, dict) and not isinstance(value, Struct):
            return [(k, value[k]) for k in sorted(value)]
        if isinstance(value, (list, tuple)):
            return list(enumerate(value))
        if isinstance(value, int) and not isinstance(value, bool):
            return [(i, i) for i in range(value)]
        raise _ExecError(node.pipe, "range can't iterate over %s" % go_print(value))

    # -- pipelines and commands

    def _pipe(self, pipe: Pipe, dot, vars_, range_decl=False):
        value = NO_VALUE
        final = None
        for i, cmd in enumerate(pipe.cmds):
            value = self._command(cmd, dot, vars_, final if i else None, has_final=i > 0)
            final = value
        if pipe.decl and not range_decl:
            for name in pipe.decl:
                if pipe.assign:
                    for k in range(len(vars_) - 1, -1, -1):
                        if vars_[k][0] == name:
                            vars_[k] = (name, value)
                            break
                else:
                    vars_.append((name, value))
        return value

    def _command(self, cmd: Command, dot, vars_, final, has_final):
        first = cmd.args[0]
        if isinstance(first, Ident):
            return self._call(first, cmd, dot, vars_, final, has_final)
        if len(cmd.args) > 1 or has_final:
            if isinstance(first, Field):
                return self._field_chain(first, dot, vars_, cmd.args[1:], final, has_final)
            raise _ExecError(first, "can't give argument to non-function %s" % first.text)
        return self._arg(first, dot, vars_)

    def _arg(self, node, dot, vars_):
        if isinstance(node, Dot):
            return dot
        if isinstance(node, Literal):
            return node.value
        if isinstance(node, Var):
            return self._var(node, vars_)
        if isinstance(node, Field):
            return self._field_chain(node, dot, vars_, [], None, False)
        if isinstance(node, ParenPipe):
            return self._pipe(node.pipe, dot, vars_)
        if isinstance(node, Ident):
            return self._call(node, Command([node], node.pos), dot, vars_, None, False)
        raise _ExecError(node, "can't handle %s" % node.text)

    def _var(self, node: Var, vars_):
        for name, value in reversed(vars_):
            if name == node.name:
                return value
        raise _ExecError(node, 'undefined variable: %s' % node.name)

    def _field_chain(self, node: Field, dot, vars_, args, final, has_final):
        if node.receiver is None:
            receiver = dot
        else:
            receiver = self._arg(node.receiver, dot, vars_)
        for i, name in enumerate(node.names):
            last = i == len(node.names) - 1
            receiver = self._field(node, receiver, name, args if last else [], final, has_final and last, dot, vars_)
        return receiver

    def _field(self, node, receiver, name, args, final, has_final, dot, vars_):
        if receiver is NO_VALUE:
            return NO_VALUE
        if receiver is None:
            raise _ExecError(node, "nil pointer evaluating interface {}.%s" % name)
        if isinstance(receiver, Struct):
            if name not in receiver:
                raise _ExecError(node, "can't evaluate field %s in type %s" % (name, receiver.go_type))
            value = receiver[name]
        elif isinstance(receiver, dict):
            if args or has_final:
                raise _ExecError(node, "%s is not a method but has arguments" % name)
            if name not in receiver and self.missing_key_error:
                raise _ExecError(node, 'map has no entry for key "%s"' % name)
            return receiver.get(name, NO_VALUE)
        elif isinstance(receiver, (str, int, float, bool, list, tuple)):
            raise _ExecError(node, "can't evaluate field %s in type %s" % (name, go_type(receiver)))
        else:
            if name.startswith("_") or not hasattr(receiver, name):
                raise _ExecError(node, "can't evaluate field %s in type %s" % (name, go_type(receiver)))
            value = getattr(receiver, name)
            if callable(value):
                values = [self._arg(a, dot, vars_) for a in args] + ([final] if has_final else [])
                return value(*values)
        if args or has_final:
            raise _ExecError(node, "%s has arguments but cannot be invoked as function" % name)
        return value

    def _call(self, ident: Ident, cmd: Command, dot, vars_, final, has_final):
        name = ident.name
        if name in ("and", "or"):
            arg_nodes = cmd.args[1:]
            if not arg_nodes and not has_final:
                raise _ExecError(ident, "wrong number of args for %s: want at least 1 got 0" % name)
            value = None
            for a in arg_nodes:
                value = self._arg(a, dot, vars_)
                if truth(value) == (name == "or"):
                    return value
            if has_final:
                value = final
            return value
        func = self.funcs[name]
        values = [self._arg(a, dot, vars_) for a in cmd.args[1:]]
        if has_final:
            values.append(final)
        values = [None if v is NO_VALUE else v for v in values]
        expected = ARG_TYPES.get(name)
        if expected is not None:
            if len(values) != len(expected):
                raise _ExecError(ident, "wrong number of args for %s: want %d got %d"
                                 % (name, len(expected), len(values)))
            for v, t in zip(values, expected):
                if t is not None and (not isinstance(v, t) or isinstance(v, bool)):
                    raise _ExecError(cmd, "wrong type for value; expected %s; got %s"
                                     % ({str: "string", int: "int"}[t], go_type(v)))
        try:
            return func(*values)
        except FuncError as e:
            raise _ExecError(cmd, "error calling %s: %s" % (name, e)) from None
        except TypeError:
            raise _ExecError(ident, "wrong number of args for %s: got %d" % (name, len(values))) from None


def parse(source: str, funcs: dict[str, Callable] | None = None) -> Template:
    """Parse `source` with docker's functions (plus `funcs`); raises TemplateError."""
    return Template(source, funcs)
