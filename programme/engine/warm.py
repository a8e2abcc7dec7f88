"""What the fast build's fork server loads once, before any worker is forked from it.

Each worker would otherwise pay, for every process, costs that do not depend on the part
it lays out: importing WeasyPrint, parsing the C types it allocates (cffi parses each
type the first time it sees it), and reading the hyphenation dictionaries (a third of a
second each). None of this touches Pango or fontconfig, so forking after it is safe.

The hyphenation dictionaries are those of the document language of the project's last
build (``PROGRAMME_HYPHENATE``, set by :func:`programme.fastbuild.server.warm_up`).
"""

from __future__ import annotations

import os

import pyphen

from . import load_weasyprint
from .arrays import share_array_types, warm_types

load_weasyprint()  # the import is the point

share_array_types()
warm_types()
for _lang in os.environ.get("PROGRAMME_HYPHENATE", "").split():
    try:
        if pyphen.language_fallback(_lang):
            pyphen.Pyphen(lang=_lang)
    except Exception:  # warming is only an optimisation
        pass
