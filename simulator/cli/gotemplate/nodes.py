"""The parse tree: each node keeps its position and Go's node.String() for execution errors."""


class Node:
    pos = 0
    text = ""   # Go's node.String(), shown in execution errors


class Text(Node):
    def __init__(self, text):
        self.value = text


class Field(Node):
    """A chain of field names on a receiver: `.A.B` (receiver dot), `$x.A`, `(pipe).A`."""

    def __init__(self, receiver, names, pos, text):
        self.receiver, self.names, self.pos, self.text = receiver, names, pos, text


class Var(Node):
    def __init__(self, name, pos):
        self.name, self.pos, self.text = name, pos, name


class Dot(Node):
    def __init__(self, pos):
        self.pos, self.text = pos, "."


class Literal(Node):
    def __init__(self, value, pos, text):
        self.value, self.pos, self.text = value, pos, text


class Ident(Node):
    def __init__(self, name, pos):
        self.name, self.pos, self.text = name, pos, name


class Command(Node):
    def __init__(self, args, pos):
        self.args, self.pos = args, pos
        self.text = " ".join(a.text for a in args)


class Pipe(Node):
    def __init__(self, decl, assign, cmds, pos):
        self.decl, self.assign, self.cmds, self.pos = decl, assign, cmds, pos
        head = ", ".join(decl) + (" = " if assign else " := ") if decl else ""
        self.text = head + " | ".join(c.text for c in cmds)


class ParenPipe(Node):
    def __init__(self, pipe):
        self.pipe, self.pos, self.text = pipe, pipe.pos, "(" + pipe.text + ")"


class Action(Node):
    def __init__(self, pipe):
        self.pipe, self.pos, self.text = pipe, pipe.pos, "{{" + pipe.text + "}}"


class Branch(Node):
    def __init__(self, kind, pipe, body, orelse):
        self.kind, self.pipe, self.body, self.orelse, self.pos = kind, pipe, body, orelse, pipe.pos
