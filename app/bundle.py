"""The page's ES modules as one script: a cold page asks for one file, not one per module.

A class opening the page together asked the server for 54 modules a student (5,400 requests
for 100 students, each ~150 µs of server CPU through uvicorn and the kernel): the students'
first API requests waited behind them, and a page was ready to play ~2.6 s after its first
request (tests/bench/bench_students.py). On a school network each module is also a request
on one of the browser's six connections.

The modules stay as they are written (static/js/, one concept a file, run as they are by
`node --test` and by anyone who imports one). The bundle wraps each module in a function run
once, when the module is first needed, as an ES module runs: the modules it imports first, in
the order imported, then its own body. Each `import { a, b as c } from "./x.js"` becomes a
read of x's exports; each `import("./x.js")` a promise of them (those modules run only when
asked for, as before; a module that threw throws again). A module's exports are getters in
a namespace object as an ES module's (null prototype, names in order), so `ns.x` of a name
changed later is read as it is now, as an ES binding is. The bundle sits in the modules' folder, so
`import.meta.url` resolves relative URLs (../i18n/, ../vendor/) as each module did.

Each line of a module stays a line of the bundle (a statement taken out leaves blank lines),
and the bundle's source map (`bundle.js.map`, beside it) names the module and line each came
from: the browser's tools show the modules' own files, and an error's stack names them.

Only the forms the page's modules use are understood: named imports, `export` before a
declaration, `export { a, b as c }`, `import("./x.js")`. Any other import or export form,
`await` at a module's top level, an import of a name the module does not export, an import
of a name its module assigns again (the importer holds a copy), an import cycle would behave
otherwise than in a browser, and is an error when the bundle is made (at start;
tests/api/test_bundle.py bundles the page's modules, and checks each rule against node's own
ES modules). A line of a template string or a block comment that begins with `import {` or
`export` would be read as a statement: the modules do not write such lines.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

LOADER = "bundledModule"  # the one name the bundle adds to a module's scope
NAMED_IMPORT = re.compile(r'^import\s*\{([^}]*)\}\s*from\s*"\./([\w.-]+\.js)";?[ \t]*\n?', re.M)
DYNAMIC_IMPORT = re.compile(r'\bimport\(\s*"\./([\w.-]+\.js)"\s*\)')
EXPORTED_DECLARATION = re.compile(
    r"^export\s+((?:async\s+)?function\*?|class|const|let|var)\s+([\w$]+)", re.M
)
EXPORT_LIST = re.compile(r"^export\s*\{([^}]*)\}[ \t]*;?[ \t]*$\n?", re.M)  # not `export { a } from`
# Whatever import or export is left once the forms above are rewritten: not understood.
MODULE_SYNTAX = re.compile(r"^[ \t]*(?:import|export)\b(?![(.])", re.M)
OTHER_IMPORT_CALL = re.compile(r"\bimport\s*\((?!\s*\))")  # import('x'), import(name): another instance
# `await` outside any function: a module's top level (the modules indent function bodies)
TOP_LEVEL_AWAIT = re.compile(r"^(?:await\b|for\s+await\b|[^\s/*][^\n]*?[^=!<>]=\s*await\b)", re.M)


class BundleError(ValueError):
    """The modules use a form the bundle cannot run as a browser would."""


@dataclass(frozen=True)
class Module:
    name: str  # its file name in the folder
    body: str  # its source with its imports and `export` words taken out
    imports: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]  # (module, ((exported, local), ...))
    exports: tuple[tuple[str, str], ...]  # (exported name, local name)
    changing: frozenset[str]  # exported names the module assigns again: an importer's copy would not follow
    lazy: tuple[str, ...]  # modules it imports with import()


def pairs(names: str, separator: str) -> tuple[tuple[str, str], ...]:
    """`a, b as c` as ((a, a), (b, c)): (the name on the left, the name on the right)."""
    out = []
    for part in names.split(","):
        words = part.split()
        if not words:
            continue
        if len(words) == 1:
            out.append((words[0], words[0]))
        elif len(words) == 3 and words[1] == separator:
            out.append((words[0], words[2]))
        else:
            raise BundleError(f"cannot read {part.strip()!r}")
    return tuple(out)


def same_lines(match: re.Match[str]) -> str:
    """A statement taken out leaves its lines, blank: each line of the module stays where it
    was, so the source map says which line of which module a line of the bundle is."""
    return "\n" * match[0].count("\n")


def assigned(body: str, name: str) -> bool:
    """Whether the module assigns `name` after declaring it (=, +=, ++, …): an ES import would
    see the new value, a copy taken when the module ran would not."""
    n = re.escape(name)
    body = re.sub(rf"\b(?:const|let|var)\s+{n}\s*=", "", body)  # its declaration's own `=`
    free = rf"(?<![\w$.]){n}(?![\w$])"  # the name itself, not a property or a longer name
    operator = r"(?:[-+*/%&|^]|\*\*|<<|>>>?|&&|\|\||\?\?)?=(?![=>])"
    return re.search(rf"{free}\s*{operator}|{free}\s*(?:\+\+|--)|(?:\+\+|--)\s*{free}", body) is not None


CONTINUING = tuple(",=>(+-*/%&|?:")  # a line ending or the next beginning so goes on the statement


def continued(text: str, newline: int) -> bool:
    """Whether the statement goes on past the line break at `newline` (no `;` to end it)."""
    before, after = text[:newline].rstrip(), text[newline:].lstrip()
    return before.endswith(CONTINUING) or after.startswith((*CONTINUING, "."))


def declarators(text: str) -> int:
    """How many names a `const`/`let`/`var` statement at the start of `text` declares: its
    commas outside brackets and strings, up to its end (a `;`, or a line's end outside them)."""
    depth, quote, count, i = 0, "", 1, 0
    while i < len(text):
        c = text[i]
        if quote:
            i += 2 if c == "\\" else 1
            quote = "" if c == quote else quote
            continue
        if c in "\"'`":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif depth == 0 and (c == ";" or (c == "\n" and not continued(text, i))):
            break
        elif depth == 0 and c == ",":
            count += 1
        i += 1
    return count


def refuse(name: str, body: str, found: re.Match[str] | None, why: str) -> None:
    if found:
        line = body[found.start() : body.find("\n", found.start())].strip()
        raise BundleError(f"{name}: {line!r} {why}")


def parse(name: str, source: str) -> Module:
    if re.search(rf"\b{LOADER}\b", source):
        raise BundleError(f"{name} uses the name {LOADER}, which the bundle gives to its loader")
    imports = tuple((m[2], pairs(m[1], "as")) for m in NAMED_IMPORT.finditer(source))
    body = NAMED_IMPORT.sub(same_lines, source)
    exports = [(m[2], m[2]) for m in EXPORTED_DECLARATION.finditer(body)]
    for m in EXPORT_LIST.finditer(body):
        exports += [(exported, local) for local, exported in pairs(m[1], "as")]
    body = EXPORT_LIST.sub(same_lines, EXPORTED_DECLARATION.sub(lambda m: f"{m[1]} {m[2]}", body))
    refuse(name, body, MODULE_SYNTAX.search(body), "is not a form the bundle understands")
    refuse(
        name,
        body,
        OTHER_IMPORT_CALL.search(DYNAMIC_IMPORT.sub("", body)),
        'imports other than import("./x.js")',
    )
    refuse(name, body, TOP_LEVEL_AWAIT.search(body), "awaits at the top level, which a function cannot")
    for m in EXPORTED_DECLARATION.finditer(source):
        if m[1] in ("const", "let", "var") and declarators(source[m.end() :]) > 1:
            refuse(name, source, m, "exports more than one name in a statement: one each")
    changing = frozenset(exported for exported, local in exports if assigned(body, local))
    return Module(name, body, imports, tuple(exports), changing, tuple(DYNAMIC_IMPORT.findall(body)))


def modules_of(folder: Path, entry: str) -> dict[str, Module]:
    """The entry and every module it imports, directly or not, statically or with import()."""
    found: dict[str, Module] = {}
    todo = [entry]
    while todo:
        name = todo.pop()
        if name in found:
            continue
        path = folder / name
        if not path.is_file():
            raise BundleError(f"no module {name} in {folder}")
        module = found[name] = parse(name, path.read_text(encoding="utf-8"))
        todo += [m for m, _ in module.imports] + list(module.lazy)
    return found


def check(modules: dict[str, Module]) -> None:
    """Every imported name exported and not assigned again by its module, no cycles."""
    for module in modules.values():
        for source, names in module.imports:
            exported = {e for e, _ in modules[source].exports}
            for name, _ in names:
                if name not in exported:
                    raise BundleError(f"{module.name} imports {name}, which {source} does not export")
                if name in modules[source].changing:
                    raise BundleError(
                        f"{module.name} imports {name}, which {source} assigns again: it would not follow changes"
                    )
    state: dict[str, str] = {}

    def visit(name: str, path: list[str]) -> None:
        state[name] = "open"
        for source, _ in modules[name].imports:
            if state.get(source) == "open":
                raise BundleError("import cycle: " + " -> ".join([*path, name, source]))
            if source not in state:
                visit(source, [*path, name])
        state[name] = "done"

    for name in modules:
        if name not in state:
            visit(name, [])


def wrapped(module: Module) -> tuple[str, str]:
    """The module as a function that runs it and answers its exports: (its first two lines,
    the lines of the module as they were, each on its own line again)."""
    reads = "".join(
        f" const {{ {', '.join(e if e == l else f'{e}: {l}' for e, l in names)} }} = {LOADER}({json.dumps(source)});"
        for source, names in module.imports
    )
    body = DYNAMIC_IMPORT.sub(lambda m: f"{LOADER}.later({json.dumps(m[1])})", module.body)
    # in the names' order, as an ES module namespace lists them
    getters = ", ".join(f"get {e}() {{ return {l}; }}" for e, l in sorted(module.exports))
    head = f"// ---- {module.name} ----\n{json.dumps(module.name)}: () => {{{reads}\n"
    return head, f"{body.rstrip()}\nreturn {LOADER}.namespace({{ {getters} }});\n}},\n"


@dataclass(frozen=True)
class Bundle:
    script: str
    source_map: str  # JSON: each line of a module's function is that line of the module's file


BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def vlq(value: int) -> str:
    """A source map's number: sign in the lowest bit, then 5 bits a digit, lowest first."""
    rest = (-value << 1) | 1 if value < 0 else value << 1
    out = ""
    while True:
        digit, rest = rest & 31, rest >> 5
        out += BASE64[digit | (32 if rest else 0)]
        if not rest:
            return out


def line_map(lines: list[tuple[int, int] | None]) -> str:
    """A source map's `mappings` for whole lines: each line of the bundle that came from a
    module, (source index, line) from its first column; None for the bundle's own lines."""
    out, source, line = [], 0, 0
    for mapped in lines:
        if mapped is None:
            out.append("")
            continue
        out.append("A" + vlq(mapped[0] - source) + vlq(mapped[1] - line) + "A")
        source, line = mapped
    return ";".join(out)


def bundle(folder: Path, entry: str, name: str = "bundle.js") -> Bundle:
    """The script that runs `entry` as the browser would run it as a module, to be served as
    `name` beside the modules (its source map as `name`.map). The loader is the only name it
    adds to the modules' scope (the registry is its closure's)."""
    modules = modules_of(folder, entry)
    check(modules)
    names = sorted(modules)
    start = (
        f"// The page's modules ({len(modules)}, from {folder.name}/), made one script by the server (app/bundle.py).\n"
        f"const {LOADER} = ((factories) => {{\n"
        "  const made = new Map(); // name -> {exports} or {error}: a module that threw throws again\n"
        "  const load = (name) => {\n"
        "    if (!made.has(name)) {\n"
        "      try { made.set(name, { exports: factories[name]() }); } catch (error) { made.set(name, { error }); }\n"
        "    }\n"
        "    const module = made.get(name);\n"
        '    if ("error" in module) throw module.error;\n'
        "    return module.exports;\n"
        "  };\n"
        "  // import(): a promise of the exports. Named here, where Promise and Object are the\n"
        "  // page's own, not whatever a module calls its own variables.\n"
        "  // A module not run yet runs a task later, as one fetched would; one run, in a microtask.\n"
        "  load.later = (name) => (made.has(name) ? Promise.resolve() : new Promise((done) => setTimeout(done)))\n"
        "    .then(() => load(name));\n"
        "  load.namespace = (getters) => Object.freeze(Object.setPrototypeOf(\n"
        '    Object.defineProperty(getters, Symbol.toStringTag, { value: "Module" }), null));\n'
        "  return load;\n"
        "})({\n"
    )
    script = [start]
    lines: list[tuple[int, int] | None] = [None] * start.count("\n")
    for index, module_name in enumerate(names):
        head, body = wrapped(modules[module_name])
        own = modules[module_name].body.rstrip().count("\n") + 1  # the module's lines, kept in place
        lines += [None] * head.count("\n") + [(index, k) for k in range(own)]
        lines += [None] * (body.count("\n") - own)
        script += [head, body]
    script.append(f"}});\n{LOADER}({json.dumps(entry)});\n//# sourceMappingURL={name}.map\n")
    source_map = {"version": 3, "file": name, "sources": names, "names": [], "mappings": line_map(lines)}
    return Bundle("".join(script), json.dumps(source_map, separators=(",", ":")))
