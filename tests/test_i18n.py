"""Every string on the page exists in English, 简体中文 and 繁體中文."""

from __future__ import annotations

import ast
import re

from app.i18n import CATALOGUE_DIR, LANGUAGES
from app.i18n import catalogue as load_catalogue
from engine.presets import PRESETS
from tests.support import ROOT

CATALOGUES = {lang: load_catalogue(lang) for lang in LANGUAGES}


def keys_used() -> set[str]:
    """Keys named in templates (data-i18n*) and in the JS (t("…"))."""
    used: set[str] = set()
    html = (ROOT / "templates" / "index.html").read_text()
    used |= set(re.findall(r'data-i18n(?:-title|-aria)?="([^"]+)"', html))
    for path in (ROOT / "static" / "js").glob("*.js"):
        used |= set(re.findall(r'\bt\("([a-z_]+\.[a-z0-9_.]+)"', path.read_text()))
    return used


def test_every_language_has_every_key():
    english = set(CATALOGUES["en"])
    for lang in list(LANGUAGES)[1:]:
        assert set(CATALOGUES[lang]) == english, (lang, english ^ set(CATALOGUES[lang]))
    for lang, catalogue in CATALOGUES.items():
        empty = [k for k, v in catalogue.items() if not v.strip()]
        assert not empty, (lang, empty)


def test_every_key_used_on_the_page_is_translated():
    missing = keys_used() - set(CATALOGUES["en"])
    assert not missing, missing


def test_network_keys_are_all_used():
    """The network's keys are all literal in the page: a key left behind by a removed
    control (network.diagram once) is dead weight for the translators."""
    sources = (ROOT / "templates" / "index.html").read_text() + "".join(
        path.read_text() for path in (ROOT / "static" / "js").glob("*.js")
    )
    unused = [key for key in CATALOGUES["en"] if key.startswith("network.") and key not in sources]
    assert not unused, unused


def test_keys_built_at_run_time_exist():
    """controls.js builds `field.<name>`, `field.<name>.title` and `choice.<value>` keys."""
    from engine.config import (
        ACTIVATIONS,
        CLIP_MODES,
        DATASETS,
        INITS,
        LOSSES,
        OPTIMIZERS,
        OUTPUT_ACTIVATIONS,
        SCHEDULES,
    )

    source = (ROOT / "static" / "js" / "controls.js").read_text()
    groups = source[source.index("export const GROUPS") : source.index("};")]
    fields = re.findall(r'"([a-z_0-9]+)"', groups)
    assert "learning_rate" in fields and "batch_norm" in fields
    catalogue = CATALOGUES["en"]
    for field in fields:
        assert f"field.{field}" in catalogue and f"field.{field}.title" in catalogue, field
    for choice in {
        *DATASETS,
        *ACTIVATIONS,
        *OUTPUT_ACTIVATIONS,
        *LOSSES,
        *INITS,
        *OPTIMIZERS,
        *SCHEDULES,
        *CLIP_MODES,
    }:
        assert f"choice.{choice}" in catalogue, choice


def test_placeholders_match():
    for key, text in CATALOGUES["en"].items():
        wanted = set(re.findall(r"\{(\w+)\}", text))
        for lang in list(LANGUAGES)[1:]:
            assert set(re.findall(r"\{(\w+)\}", CATALOGUES[lang][key])) == wanted, (lang, key)


def test_chinese_is_chinese_and_the_scripts_differ():
    hans, hant = CATALOGUES["zh-Hans"], CATALOGUES["zh-Hant"]
    assert any(re.search(r"[\u4e00-\u9fff]", v) for v in hans.values())
    assert hans["btn.step_label"] != hant["btn.step_label"]  # 单步 / 單步: not one copied into the other


def test_every_catalogue_is_a_language_of_the_menu():
    """A catalogue without its line in app/i18n.py would never be offered, and the reverse would 404."""
    assert {path.stem for path in CATALOGUE_DIR.glob("*.json")} == set(LANGUAGES)
    assert list(LANGUAGES)[0] == "en"  # the fallback for a missing key


def test_every_lesson_speaks_every_language():
    for name, lesson in PRESETS.items():
        for key in lesson.texts.values():
            for lang, texts in CATALOGUES.items():
                assert texts.get(key, "").strip(), (name, lang, key)
        watch = lesson.texts["watch"]
        assert CATALOGUES["zh-Hans"][watch] != CATALOGUES["zh-Hant"][watch], name  # not a copy


def test_every_tour_card_text_is_translated():
    """A lesson's tour names catalogue keys for its cards (engine/lessons/*.json)."""
    from engine.presets import PRESETS

    keys = {card["text"] for p in PRESETS.values() for card in p.tour or []}
    keys |= {f"tour.title.{card['kind']}" for p in PRESETS.values() for card in p.tour or []}
    assert "tour.xor.delta_out" in keys
    for lang, catalogue in CATALOGUES.items():
        assert keys <= set(catalogue), (lang, keys - set(catalogue))


# Words a Chinese page keeps in Latin letters: names (of functions, methods, people, formats,
# a key on the keyboard) that Chinese texts write this way too. Anything else is untranslated.
LATIN_IN_CHINESE = {
    *("sigmoid", "ReLU", "softmax", "tanh", "cos", "NaN"),
    *("SGD", "Adam", "Adagrad", "RMSprop", "Nesterov", "Xavier", "Glorot", "He"),
    *("XOR", "Blue", "Brown"),  # the XOR problem; 3Blue1Brown
    *("JSON", "CSV", "MB", "NumPy", "Python", "PyTorch", "Shift"),
}


def latin_words(text: str) -> list[str]:
    text = re.sub(r"\{\w+\}", "", text)  # placeholders
    text = re.sub(
        r"[\w./]*[_./][\w./]*", "", text
    )  # code and symbols: a_prev, leaky_relu, engine/reference.py
    return re.findall(r"[A-Za-z]{2,}", text)  # one letter is a symbol: w, z, L, ∂C/∂a


def test_chinese_catalogues_have_no_untranslated_english():
    for lang in ("zh-Hans", "zh-Hant"):
        untranslated = {
            key: words
            for key, text in CATALOGUES[lang].items()
            if (words := [w for w in latin_words(text) if w not in LATIN_IN_CHINESE])
        }
        assert not untranslated, (lang, untranslated)


def test_the_english_check_finds_english():
    assert latin_words("uniform(±r) 的 r、normal 的 σ") == ["uniform", "normal"]
    assert latin_words("{n} 个 a_prev 与 W2 之和") == []


# ConfigError(field, message, allowed, code, value, most): what each argument is called
CONFIG_ERROR_ARGS = ("field", "message", "allowed", "code", "value", "most")
# ConfigErrors left with the default code "invalid" (the page then shows the server's English
# `msg`), as "path: message": none a student can cause from the page or the API.
STILL_INVALID: set[str] = set()


def config_errors() -> list[tuple[str, str, set[str]]]:
    """Every ConfigError(...) built in engine/ and app/: where, its code ("invalid" where it
    gives none) and which of allowed, value and most it passes. A code passed on from another
    ConfigError (`error.code`) is that one's, counted where it was made."""
    found = []
    for path in sorted([*(ROOT / "engine").rglob("*.py"), *(ROOT / "app").rglob("*.py")]):
        source = path.read_text()
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name != "ConfigError":
                continue
            assert not any(isinstance(a, ast.Starred) for a in node.args), (path, node.lineno)
            assert all(k.arg for k in node.keywords), (path, node.lineno)  # no **kwargs
            given = dict(zip(CONFIG_ERROR_ARGS[: len(node.args)], node.args, strict=True))
            given |= {k.arg: k.value for k in node.keywords}
            code = given.get("code")
            message = ast.get_source_segment(source, given["message"]) if "message" in given else ""
            where = f"{path.relative_to(ROOT)}: {message}"
            if isinstance(code, ast.Attribute) and code.attr == "code":
                continue  # passed on: app/sharing.py's import names the field anew
            if code is not None:
                assert isinstance(code, ast.Constant) and isinstance(code.value, str), where
            passed = {arg for arg in ("allowed", "value", "most") if arg in given}
            found.append((where, "invalid" if code is None else code.value, passed))
    return found


def test_config_errors_are_found():
    errors = config_errors()
    codes = {code for _, code, _ in errors}
    assert len(errors) > 50 and {"too_many", "choice", "budget", "range"} <= codes, codes
    assert ('app/urlstate.py: f"{text!r} is not a boolean"', "boolean") in {(w, c) for w, c, _ in errors}


def test_every_config_error_has_a_code_of_its_own():
    """An error raised without a code is "invalid", which a Chinese page words around the
    server's English `msg`: every error a student can cause has a code, and words for it."""
    invalid = {where for where, code, _ in config_errors() if code == "invalid"}
    assert invalid <= STILL_INVALID, sorted(invalid - STILL_INVALID)


def test_every_code_the_server_says_has_words_in_every_language():
    from app.errors import PYDANTIC_CODES

    # app/errors.py also says pydantic's kinds by these codes, an empty string as "empty", a
    # full server as "busy", and pydantic's own name for a value missing from a body
    codes = {code for _, code, _ in config_errors()} | set(PYDANTIC_CODES.values())
    codes |= {"empty", "busy", "missing"}
    for code in sorted(codes):
        key = f"error.{code}"
        wanted = set(re.findall(r"\{(\w+)\}", CATALOGUES["en"].get(key, "")))
        for lang, catalogue in CATALOGUES.items():
            assert key in catalogue, (lang, key)
            assert set(re.findall(r"\{(\w+)\}", catalogue[key])) == wanted, (lang, key)


def test_every_config_error_passes_what_its_words_say():
    """The page fills {value}, {allowed} and {most} from the error: one raised without them
    would read "… is too many (at most undefined)"."""
    for where, code, passed in config_errors():
        words = CATALOGUES["en"].get(f"error.{code}", "")
        wanted = set(re.findall(r"\{(\w+)\}", words)) & {"allowed", "value", "most"}
        assert wanted <= passed, (where, code, wanted - passed)
