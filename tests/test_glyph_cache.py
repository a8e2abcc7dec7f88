"""The fonts' character maps are cached in .programme-cache/cmaps; the cache is not trusted."""

from __future__ import annotations

import json
import shutil
import time

import pytest

from programme import glyphs
from programme.resources import builtin_fonts


@pytest.mark.parametrize("damage", [
    [[0, 10 ** 12]],                  # a range that would take forever to expand
    [[200, 100]], [[1, 5], [3, 9]],   # backwards, overlapping
    {"ranges": 1}, [["a", "b"]], "garbage",
])
def test_a_damaged_cmap_cache_is_read_again_from_the_fonts(tmp_path, damage):
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    for font in sorted(builtin_fonts().glob("*.ttf"))[:1]:
        shutil.copy2(font, fonts / font.name)
    right = glyphs._folder_coverage(fonts)
    assert len(right) > 100
    [cached] = (tmp_path / ".programme-cache" / "cmaps").glob("*.json")
    cached.write_text(damage if isinstance(damage, str) else json.dumps(damage))
    began = time.perf_counter()
    assert glyphs._folder_coverage(fonts) == right
    assert time.perf_counter() - began < 10
