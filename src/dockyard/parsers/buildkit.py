"""Dockerfile parser for dockyard.

This is a faithful Python port of BuildKit's Dockerfile front-end parser
(moby/buildkit ``frontend/dockerfile/parser``: ``parser.go`` and
``directives.go`` here, ``line_parsers.go`` and ``split_command.go`` in
:mod:`dockyard.parsers.buildkit_lines`; Apache License 2.0): the grammar of
BuildKit v0.12, the version the test oracle wraps, plus the ``# check=``
directive of v0.14 (see THIRD_PARTY_NOTICES.md).  It is ported
rather than wrapped because the only Python binding of that parser (the
``dockerfile`` package on PyPI) is archived and drops comments and source
positions, both of which dockyard needs for findings and fixes.  The binding is
still used by the test-suite as a differential oracle.

This module reads the file: lines, parser directives, continuations, comments,
heredoc bodies and stages; :mod:`dockyard.parsers.buildkit_lines` splits each
instruction line; the records it builds are those of
:mod:`dockyard.parsers.dockerfile`.

Differences from the Go code are deliberate and limited to:

* parse failures are returned as :class:`ParseError` values and parsing
  continues with the next instruction (BuildKit stops at the first error);
* extra checks BuildKit performs in later stages (unknown instruction, missing
  arguments, ``FROM`` missing) are reported as errors of kind ``"instruction"``;
* every comment and every span is kept.

The parser is linear in the size of the input and never raises.
"""

from __future__ import annotations

import re

from dockyard.parsers.buildkit_lines import GO_SPACE, LineError, Node, heredocs_from_line, new_node
from dockyard.parsers.dockerfile import (
    Comment,
    Directive,
    Dockerfile,
    Flag,
    Heredoc,
    Instruction,
    LineIndex,
    ParseError,
    Span,
    Stage,
)
from dockyard.regex import lazy_compile

__all__ = ["parse_dockerfile"]

_KNOWN = frozenset(
    {
        "add", "arg", "cmd", "copy", "entrypoint", "env", "expose", "from",
        "healthcheck", "label", "maintainer", "onbuild", "run", "shell",
        "stopsignal", "user", "volume", "workdir",
    }
)
_HEREDOC_DIRECTIVES = frozenset({"add", "copy", "run"})
_VALID_DIRECTIVES = frozenset({"syntax", "escape", "check"})

# Go: ^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$   (Go \s = [\t\n\f\r ])
_DIRECTIVE = lazy_compile(r"#[\t\n\f\r ]*([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*([^\n]+?)[\t\n\f\r ]*\Z")
_LEADING_TABS = lazy_compile(r"^\t+", re.MULTILINE)
_VARIABLE = lazy_compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")


def parse_dockerfile(text: str) -> Dockerfile:
    """Parse Dockerfile ``text`` as BuildKit does. Never raises."""
    if not isinstance(text, str):
        try:
            text = bytes(text).decode("utf-8", "replace")
        except Exception:
            text = str(text)
    try:
        return _Parser(text).run()
    except Exception as exc:  # pragma: no cover - defensive net
        idx = LineIndex(text)
        return Dockerfile(
            text=text,
            directives=(),
            escape="\\",
            instructions=(),
            comments=(),
            stages=(),
            global_args=(),
            errors=(ParseError(f"internal parser error: {exc!r}", idx.span(0, 0)),),
            line_index=idx,
        )


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.idx = LineIndex(text)
        self.errors: list[ParseError] = []
        self.comments: list[Comment] = []
        self.directives: list[Directive] = []
        self.escape = "\\"
        self.dir_done = False
        self.dir_seen: set[str] = set()

    # -- lines
    def _lines(self):
        text = self.text
        starts = self.idx.starts
        n = len(text)
        count = len(starts)
        if n == 0:
            return []
        if text.endswith("\n"):
            count -= 1  # the trailing empty "line" after the last newline is not a line
        out = []
        for k in range(count):
            s = starts[k]
            e = starts[k + 1] - 1 if k + 1 < len(starts) else n
            out.append((s, e))
        return out

    def _span(self, s: int, e: int) -> Span:
        return self.idx.span(s, e)

    def _directive(self, token: str, tok_off: int, line_end: int) -> bool:
        """Port of possibleParserDirective; True when the line is a directive line."""
        if self.dir_done:
            return False
        m = _DIRECTIVE.match(token)
        if not m:
            self.dir_done = True
            return False
        k = m.group(1).lower()
        if k not in _VALID_DIRECTIVES:
            self.dir_done = True
            return False
        sp = self._span(tok_off, line_end)
        if k in self.dir_seen:
            self.errors.append(ParseError(f"only one {k} parser directive can be used", sp))
            return True
        self.dir_seen.add(k)
        v = m.group(2)
        self.directives.append(Directive(k, v, sp))
        if k == "escape":
            if v not in ("`", "\\"):
                self.errors.append(ParseError(f"invalid escape token '{v}' does not match ` or \\", sp))
            else:
                self.escape = v
        return True

    def _trim_cont(self, line: str) -> tuple[str, bool]:
        esc = self.escape
        s = line.rstrip(" \t")
        if s.endswith(esc):
            if len(s) == 1:
                return "", False
            if s[-2] != esc:
                return s[:-1], False
        return line, True

    def _comment(self, s: int, e: int) -> Comment:
        raw = self.text[s:e]
        lead = len(raw) - len(raw.lstrip(GO_SPACE))
        body = raw[lead + 1 :]
        cs = s + lead
        ce = s + len(raw.rstrip("\r"))
        c = Comment(body.strip(GO_SPACE), self._span(cs, ce))
        self.comments.append(c)
        return c

    def run(self) -> Dockerfile:
        text = self.text
        lines = self._lines()
        nlines = len(lines)
        nodes: list[tuple] = []
        i = 0
        while i < nlines:
            s, e = lines[i]
            raw = text[s:e]
            if i == 0 and raw.startswith("\ufeff"):
                raw = raw[1:]
                s += 1
            tn = raw.rstrip("\r")
            token = tn.lstrip(GO_SPACE)
            tok_off = s + (len(tn) - len(token))
            is_directive = self._directive(token, tok_off, s + len(tn))
            is_comment = token.startswith("#")
            if is_comment and not is_directive:
                self._comment(s, e)
            processed = "" if is_comment else token
            i += 1
            start_line_idx = i - 1
            line, eol = self._trim_cont(processed)
            if eol and line == "":
                continue
            segs = [(0, tok_off)]
            inner_comments: list[Comment] = []
            last_end = s + len(tn)
            while not eol and i < nlines:
                s2, e2 = lines[i]
                raw2 = text[s2:e2]
                tn2 = raw2.rstrip("\r")
                i += 1
                t2 = tn2.lstrip(GO_SPACE)
                if t2.startswith("#"):
                    inner_comments.append(self._comment(s2, e2))
                    last_end = s2 + len(tn2)
                    continue
                if t2 == "":
                    last_end = s2 + len(tn2)
                    continue
                part, eol = self._trim_cont(tn2)
                segs.append((len(line), s2))
                line += part
                last_end = s2 + len(tn2)
            end_line_idx = i - 1
            nodes.append((line, segs, start_line_idx, end_line_idx, last_end, inner_comments))
            # heredocs must be read now (they consume following lines)
            node_info = self._finish(nodes.pop(), lines, i)
            i = node_info[1]
            nodes.append(node_info[0])
        if not nodes:
            at = len(text)
            self.errors.append(ParseError("file with no instructions", self._span(at, at)))
        return self._assemble(nodes)

    def _map(self, segs, off: int, is_end: bool = False) -> int:
        if is_end and off > 0:
            return self._map(segs, off - 1) + 1
        lo = 0
        for k in range(len(segs) - 1, -1, -1):
            if segs[k][0] <= off:
                lo = k
                break
        js, ts = segs[lo]
        return ts + (off - js)

    def _finish(self, item, lines, i):
        line, segs, sli, eli, last_end, inner_comments = item
        text = self.text
        start_off = segs[0][1]
        err: str | None = None
        node: Node | None
        try:
            node = new_node(line, self.escape)
        except LineError as exc:
            err = str(exc)
            node = None
        heredocs: list[Heredoc] = []
        if node is not None:
            target = node.sub if (node.cmd.lower() == "onbuild" and node.sub is not None) else node
            if target.cmd.lower() in _HEREDOC_DIRECTIVES and not target.json:
                try:
                    docs = heredocs_from_line(line)
                except LineError as exc:
                    docs = []
                    err = str(exc)
                for name, fd, expand, chomp in docs:
                    content: list[str] = []
                    terminated = False
                    first = None
                    while i < len(lines):
                        s2, e2 = lines[i]
                        i += 1
                        raw = text[s2:e2]
                        has_nl = e2 < len(text)
                        if first is None:
                            first = s2
                        cand = raw.rstrip("\r")
                        if chomp:
                            cand = cand.lstrip("\t")
                        last_end = s2 + len(raw.rstrip("\r"))
                        if cand == name:
                            terminated = True
                            break
                        content.append(raw + ("\n" if has_nl else ""))
                    if first is None:
                        first = last_end
                    rc = "".join(content)
                    cc = _LEADING_TABS.sub("", rc) if chomp else rc
                    heredocs.append(Heredoc(name, cc, expand, chomp, self._span(first, last_end), fd, rc))
                    if not terminated:
                        err = "unterminated heredoc"
                        break
        eli = self.idx.position(last_end)[0] - 1 if last_end > start_off else sli
        return (line, segs, sli, eli, last_end, inner_comments, node, err, tuple(heredocs), start_off), i

    @staticmethod
    def _source_map(segs, args_start: int) -> tuple[tuple[int, int], ...]:
        """``segs`` (offset in the joined line, file offset) re-based on the arguments' first character."""
        out: list[tuple[int, int]] = []
        for joined, file_offset in segs:
            rel = joined - args_start
            if rel <= 0:
                out = [(0, file_offset - rel)]
            else:
                out.append((rel, file_offset))
        return tuple(out)

    def _flag(self, segs, w: str, s: int, e: int) -> Flag:
        body = w[2:] if w.startswith("--") else w
        name, sep, value = body.partition("=")
        return Flag(name, value if sep else None, self._span(self._map(segs, s), self._map(segs, e, True)), w)

    def _instruction(self, item, node: Node | None, stage: int) -> Instruction:
        line, segs, sli, eli, last_end, inner_comments, _n, err, heredocs, start_off = item
        sp_end = max(last_end, start_off)
        if node is None:
            stripped = line.strip(GO_SPACE)
            cmd = stripped.split(None, 1)[0] if stripped.split(None, 1) else ""
            lead = len(line) - len(line.lstrip(GO_SPACE))
            ks = self._map(segs, lead)
            ke = self._map(segs, lead + len(cmd), True) if cmd else ks
            return Instruction(
                keyword=cmd.upper(), keyword_raw=cmd, flags=(), value=(), json_form=False, original=line,
                heredocs=heredocs, span=self._span(start_off, sp_end), keyword_span=self._span(ks, ke),
                args_span=self._span(ke, sp_end), comments=tuple(inner_comments), stage=stage, sub=None,
                args_text="",
            )
        ks = self._map(segs, node.cmd_start)
        ke = self._map(segs, node.cmd_start + len(node.cmd), True) if node.cmd else ks
        as_ = self._map(segs, node.args_start)
        ae = self._map(segs, node.args_start + len(node.args), True) if node.args else as_
        flags = tuple(self._flag(segs, w, s, e) for (w, s, e) in node.flags)
        sub = None
        if node.sub is not None:
            sub = self._sub_instruction(item, node.sub, stage)
        original = line
        if heredocs and node.sub is None:
            original = line + "\n" + "".join(h.raw_content + h.name + "\n" for h in heredocs)
        span_start = start_off  # BuildKit's StartLine: the instruction's first line
        return Instruction(
            keyword=node.cmd.upper(), keyword_raw=node.cmd, flags=flags, value=node.values,
            json_form=node.sub.json if node.sub is not None else node.json, original=original, heredocs=heredocs,
            span=self._span(span_start, max(sp_end, span_start)), keyword_span=self._span(ks, ke),
            args_span=self._span(as_, ae), comments=tuple(inner_comments), stage=stage, sub=sub,
            args_text=node.args, source_map=self._source_map(segs, node.args_start),
        )

    def _sub_instruction(self, item, node: Node, stage: int) -> Instruction:
        line, segs, sli, eli, last_end, inner_comments, _n, err, heredocs, start_off = item
        ks = self._map(segs, node.cmd_start)
        ke = self._map(segs, node.cmd_start + len(node.cmd), True) if node.cmd else ks
        as_ = self._map(segs, node.args_start)
        ae = self._map(segs, node.args_start + len(node.args), True) if node.args else as_
        flags = tuple(self._flag(segs, w, s, e) for (w, s, e) in node.flags)
        sub = self._sub_instruction(item, node.sub, stage) if node.sub is not None else None
        sp_end = max(last_end, ks)
        return Instruction(
            keyword=node.cmd.upper(), keyword_raw=node.cmd, flags=flags, value=node.values,
            json_form=node.sub.json if node.sub is not None else node.json,
            original=line[node.cmd_start :].strip(GO_SPACE), heredocs=heredocs,
            span=self._span(ks, sp_end), keyword_span=self._span(ks, ke), args_span=self._span(as_, ae),
            comments=(), stage=stage, sub=sub, args_text=node.args,
            source_map=self._source_map(segs, node.args_start),
        )

    # -- stages
    def _assemble(self, items) -> Dockerfile:
        instructions: list[Instruction] = []
        stages_data: list[dict] = []
        global_args: list[Instruction] = []
        arg_defaults: dict[str, str | None] = {}
        stage_names: dict[str, int] = {}
        stage = -1
        for item in items:
            node = item[6]
            err = item[7]
            kw = node.cmd.lower() if node is not None else ""
            if kw == "from":
                stage += 1
            ins = self._instruction(item, node, stage)
            instructions.append(ins)
            if err:
                sp = self._span(ins.span.start, ins.span.end)
                self.errors.append(ParseError(err, sp))
            if node is None:
                continue
            if kw and kw not in _KNOWN:
                self.errors.append(
                    ParseError(f"unknown instruction: {node.cmd}", ins.keyword_span, "instruction")
                )
            elif kw == "" and node is not None:
                self.errors.append(ParseError("empty instruction", ins.span, "instruction"))
            elif not ins.value and kw not in ("onbuild",) and kw in _KNOWN and not ins.json_form:
                self.errors.append(
                    ParseError(f"{ins.keyword} requires at least one argument", ins.span, "instruction")
                )
            elif kw == "onbuild" and node.sub is None:
                self.errors.append(ParseError("ONBUILD requires at least one argument", ins.span, "instruction"))
            if kw == "from":
                v = ins.value
                name_raw = None
                if len(v) == 3 and v[1].lower() == "as":
                    name_raw = v[2]
                elif len(v) != 1:
                    if v:
                        self.errors.append(
                            ParseError("FROM requires either one or three arguments", ins.span, "instruction")
                        )
                base = v[0] if v else ""
                resolved = _expand(base, arg_defaults)
                parent = stage_names.get(resolved.lower())
                plat = ins.flag("platform")
                name = name_raw.lower() if name_raw is not None else None
                stages_data.append(
                    dict(index=stage, name=name, name_raw=name_raw, base=base, base_resolved=resolved,
                         from_instruction=ins, instructions=[], parent=parent,
                         platform=plat.value if plat else None)
                )
                if name is not None and name not in stage_names:
                    stage_names[name] = stage
            elif stage < 0:
                if kw and kw not in _KNOWN:
                    pass  # already reported as an unknown instruction
                elif kw == "arg":
                    global_args.append(ins)
                    for k, d in ins.key_values():
                        arg_defaults[k] = d
                elif kw:
                    self.errors.append(
                        ParseError(f"{ins.keyword} instruction before the first FROM", ins.span, "instruction")
                    )
            else:
                stages_data[stage]["instructions"].append(ins)
        if instructions and not stages_data:
            self.errors.append(ParseError("no FROM instruction: the Dockerfile has no build stage",
                                          instructions[0].span, "instruction"))
        stages = tuple(
            Stage(d["index"], d["name"], d["name_raw"], d["base"], d["base_resolved"], d["from_instruction"],
                  tuple(d["instructions"]), d["parent"], d["platform"])
            for d in stages_data
        )
        self.errors.sort(key=lambda e: (e.span.start, e.span.end))
        return Dockerfile(
            text=self.text,
            directives=tuple(self.directives),
            escape=self.escape,
            instructions=tuple(instructions),
            comments=tuple(sorted(self.comments, key=lambda c: c.span.start)),
            stages=stages,
            global_args=tuple(global_args),
            errors=tuple(self.errors),
            line_index=self.idx,
        )


def _expand(word: str, env: dict[str, str | None]) -> str:
    """Substitute ``$V``, ``${V}``, ``${V:-d}``, ``${V-d}``, ``${V:+r}``, ``${V+r}``.

    Unknown variables are left as written so callers can tell they are unresolved.
    """
    if "$" not in word:
        return word

    def repl(m):
        name = m.group(1) or m.group(4)
        op = m.group(2)
        arg = m.group(3) or ""
        known = name in env
        val = env.get(name)
        if op is None:
            return val if val is not None else m.group(0)
        if op == ":-":
            return val if val else arg
        if op == "-":
            return val if known and val is not None else arg
        if op == ":+":
            return arg if val else ""
        if op == "+":
            return arg if known and val is not None else ""
        return m.group(0)

    return _VARIABLE.sub(repl, word)
