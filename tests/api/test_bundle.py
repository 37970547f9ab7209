"""The page's modules as one script (app/bundle.py): it runs as the modules do, and refuses
what it could not run so.

The truth it is checked against is node's own ES modules: the same modules run natively and
bundled print the same lines (what ran, in which order, what each import read)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from app.bundle import BundleError, bundle
from tests.support import ROOT

NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="node (Debian's nodejs) runs the modules")

# Modules with every form the bundle rewrites: aliases both ways, an export list, a `let`
# changed after it is exported (read live through import()), a module imported by two (run
# once), one imported only by import() (run only then), and import.meta.url.
MODULES = {
    "main.js": """
import { log } from "./log.js";
import { twice, counter as count, bump } from "./math.js";
import { shared } from "./shared.js";
log("main runs", twice(21), count(), shared.id);
bump();
export async function later() {
  const lazy = await import("./lazy.js");
  const math = await import("./math.js");
  log("lazy says", lazy.greet("you"), "level now", math.level, "same module", math.twice === twice);
}
later().then(() => log("url ends", new URL("../x.json", import.meta.url).pathname.endsWith("/x.json")));
""",
    "log.js": """
export const lines = [];
export function log(...parts) { lines.push(parts.join(" ")); console.log(parts.join(" ")); }
""",
    "math.js": """
import { log } from "./log.js";
import { shared } from "./shared.js";
export let level = 1;
function counter() { return level * 10; }
export { counter };
export const twice = (x) => 2 * x;
export function bump() { level += 1; }
log("math runs", shared.id);
""",
    "shared.js": """
import { log } from "./log.js";
export const shared = { id: "one" };
log("shared runs");
""",
    "lazy.js": """
import { log } from "./log.js";
import { twice as double } from "./math.js";
log("lazy runs", double(2));
function greet(name) { return `hello ${name}`; }
export { greet as greet };
""",
}


def write(folder: Path, modules: dict[str, str]) -> None:
    for name, text in modules.items():
        (folder / name).write_text(text.lstrip())


def node(script: Path, *options: str, check: bool = True) -> list[str]:
    done = subprocess.run(
        [NODE, *options, str(script)], capture_output=True, text=True, timeout=60, check=check
    )
    return done.stdout.splitlines() + done.stderr.splitlines()


@needs_node
def test_bundled_modules_run_as_node_runs_them_natively(tmp_path):
    native, bundled = tmp_path / "native", tmp_path / "bundled"
    native.mkdir()
    bundled.mkdir()
    write(native, MODULES)
    (bundled / "bundle.mjs").write_text(bundle(native, "main.js").script)
    want = node(native / "main.js")
    assert want[:4] == ["shared runs", "math runs one", "main runs 42 10 one", "lazy runs 4"]
    assert want[4:] == ["lazy says hello you level now 2 same module true", "url ends true"]
    assert node(bundled / "bundle.mjs") == want


@pytest.mark.parametrize(
    ("modules", "says"),
    [
        ({"main.js": 'import "./a.js";\n', "a.js": ""}, "not a form"),
        ({"main.js": 'import * as a from "./a.js";\n', "a.js": ""}, "not a form"),
        ({"main.js": 'import { x } from "./a.js";\n', "a.js": "export default 1;\n"}, "not a form"),
        ({"main.js": 'import { x } from "./a.js";\n', "a.js": "export const y = 1;\n"}, "does not export"),
        (
            {
                "main.js": 'import { n } from "./a.js";\n',
                "a.js": "export let n = 1;\nexport const up = () => n++;\n",
            },
            "assigns again",
        ),
        (
            {"main.js": 'import { n } from "./a.js";\n', "a.js": "let n = 1;\nexport { n };\nn += 1;\n"},
            "assigns again",
        ),
        (
            {"main.js": 'import { f } from "./a.js";\n', "a.js": "export function f() {}\nf = null;\n"},
            "assigns again",
        ),
        (
            {"main.js": 'import { b } from "./a.js";\n', "a.js": "export const a = 1, b = 2;\n"},
            "more than one",
        ),
        (
            {"main.js": 'import { a } from "./a.js";\n', "a.js": 'export { a } from "./b.js";\n', "b.js": ""},
            "not a form",
        ),
        ({"main.js": "import('./a.js');\n", "a.js": ""}, "other than"),
        ({"main.js": "const name = './a.js';\nimport(name);\n", "a.js": ""}, "other than"),
        (
            {"main.js": 'const { v } = await import("./a.js");\n', "a.js": "export const v = 1;\n"},
            "top level",
        ),
        (
            {
                "main.js": 'import { a } from "./a.js";\n',
                "a.js": 'import { b } from "./b.js";\nexport const a = 1;\n',
                "b.js": 'import { a } from "./a.js";\nexport const b = 1;\n',
            },
            "import cycle",
        ),
        ({"main.js": "const bundledModule = 1;\n"}, "bundledModule"),
        ({"main.js": 'import("./gone.js");\n'}, "no module gone.js"),
    ],
)
def test_what_would_run_otherwise_is_refused_when_bundled(tmp_path, modules, says):
    write(tmp_path, modules)
    with pytest.raises(BundleError, match=says):
        bundle(tmp_path, "main.js")


# A module that throws, asked for twice; a namespace's shape; module variables named as the
# globals the bundle's own code uses.
EDGES = {
    "main.js": """
import { describe } from "./shapes.js";
const load = () => import("./bad.js").catch((error) => console.log("rejected:", error.message));
load().then(load).then(async () => {
  const ns = await import("./shapes.js");
  const proto = Object.getPrototypeOf(ns);
  console.log(Object.keys(ns).join(","), ns[Symbol.toStringTag], proto, "toString" in ns);
  console.log(describe(), await later("a parameter called Promise"));
});
function later(Promise) { return import("./shapes.js").then((ns) => ns.describe()); }
""",
    "bad.js": """
globalThis.runs = (globalThis.runs ?? 0) + 1;
console.log("bad.js runs, time", globalThis.runs);
throw new Error(`bad ${globalThis.runs}`);
""",
    "shapes.js": """
const Object = { kind: "a shape called Object" };
export function zeta() {}
export function describe() { return Object.kind; }
export const alpha = 1;
""",
}


@needs_node
def test_edges_run_as_node_runs_them_natively(tmp_path):
    write(tmp_path, EDGES)
    (tmp_path / "bundle.mjs").write_text(bundle(tmp_path, "main.js").script)
    want = node(tmp_path / "main.js")
    assert want == [
        "bad.js runs, time 1",
        "rejected: bad 1",
        "rejected: bad 1",  # run once: asked again, the same error
        "alpha,describe,zeta Module null false",
        "a shape called Object a shape called Object",
    ]
    assert node(tmp_path / "bundle.mjs") == want


@needs_node
def test_the_pages_bundle_is_a_script_node_can_read(tmp_path):
    script = tmp_path / "bundle.mjs"
    script.write_text(bundle(ROOT / "static" / "js", "main.js").script)
    subprocess.run([NODE, "--check", str(script)], check=True, timeout=60)


@needs_node
def test_an_error_in_the_bundle_names_its_module_and_line(tmp_path):
    """The source map takes each line of the bundle back to its module's file: node, asked to
    read it, reports an error where it was written (the browser's tools read the same map)."""
    write(
        tmp_path, {**MODULES, "fails.js": FAILS, "main.js": 'import { fail } from "./fails.js";\nfail();\n'}
    )
    made = bundle(tmp_path, "main.js", "bundle.mjs")
    (tmp_path / "bundle.mjs").write_text(made.script)
    (tmp_path / "bundle.mjs.map").write_text(made.source_map)
    native = "\n".join(node(tmp_path / "main.js", check=False))
    mapped = "\n".join(node(tmp_path / "bundle.mjs", "--enable-source-maps", check=False))
    line = FAILS.lstrip().splitlines().index('  throw new Error("here");') + 1
    where = f"{tmp_path / 'fails.js'}:{line}"
    assert where in native and where in mapped and "Error: here" in mapped
    assert f"{tmp_path / 'main.js'}:2" in mapped  # the caller, a module after it in the bundle


# Its imports on several lines and an `export` list above the throw: lines taken out or changed
FAILS = """
import {
  log,
} from "./log.js";
export { fail };
function fail() {
  throw new Error("here");
}
"""


def test_a_module_the_bundle_refuses_stops_the_server_at_start(tmp_path, monkeypatch):
    """Not at the first visitor's request: the start says which module and why."""
    from app import pages
    from app.main import create_app
    from tests.api.conftest import settings_for

    (tmp_path / "js").mkdir()
    write(tmp_path / "js", {"main.js": "export default 1;\n"})
    monkeypatch.setattr(pages, "STATIC", tmp_path)
    pages.made_files.cache_clear()
    try:
        with pytest.raises(BundleError, match="main.js: 'export default 1;'"):
            create_app(settings_for(tmp_path))
    finally:
        pages.made_files.cache_clear()  # the real modules' bundle for the tests that follow
