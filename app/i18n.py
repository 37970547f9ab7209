"""The page's languages and their message catalogues (static/i18n/<code>.json).

Adding a language is adding its catalogue and one line to LANGUAGES: the language menu
(templates/index.html), /api/v1/meta and the tests read this table.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

CATALOGUE_DIR = Path(__file__).resolve().parents[1] / "static" / "i18n"
LANGUAGES = {"en": "EN", "zh-Hans": "简体", "zh-Hant": "繁體"}  # code -> its name in the language menu


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    return json.loads((CATALOGUE_DIR / f"{lang}.json").read_text(encoding="utf-8"))


def translations(key: str) -> dict[str, str]:
    """One message in every language, e.g. a lesson's title for API clients."""
    return {lang: catalogue(lang)[key] for lang in LANGUAGES}
