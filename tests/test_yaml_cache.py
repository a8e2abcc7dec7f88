"""Parsed content files are kept in .programme-cache/yaml and checked before use."""

from __future__ import annotations

import hashlib
import json
import shutil

import pytest
import yaml

from programme.loader import load_content
from programme.problems import ProgrammeError

from .conftest import EXAMPLE


@pytest.fixture
def content(tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "content")
    return tmp_path / "content"


def _entries(content):
    return sorted((content.parent / ".programme-cache" / "yaml").rglob("*.json"))


def _dump(loaded):
    return loaded.programme.model_dump(mode="json")


def test_a_second_load_parses_nothing_and_gives_the_same_content(content, monkeypatch):
    first = load_content(content)
    files = len(list(content.rglob("*.yaml")))
    assert len(_entries(content)) == files

    def no_parsing(*args, **kwargs):
        raise AssertionError("parsed again")

    monkeypatch.setattr(yaml, "compose", no_parsing)
    again = load_content(content)
    assert _dump(again) == _dump(first)
    assert again.film_sources == first.film_sources


def test_an_edited_file_is_parsed_again(content):
    load_content(content)
    film = content / "films" / "undertow.yaml"
    film.write_text(film.read_text(encoding="utf-8").replace("title: Undertow",
                                                             "title: Undertow Again"),
                    encoding="utf-8")
    again = load_content(content)
    assert any(f.title == "Undertow Again" for f in again.programme.films)


def test_files_with_problems_are_not_kept_and_keep_their_lines(content):
    film = content / "films" / "undertow.yaml"
    film.write_text(film.read_text(encoding="utf-8") + "runtime: lots\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(ProgrammeError) as found:
            load_content(content)
        assert any(p.file.endswith("undertow.yaml") and p.line for p in found.value.problems)


def _reseal(path, body):
    text = json.dumps(body, sort_keys=True)
    path.write_text(json.dumps({"sha256": hashlib.sha256(text.encode()).hexdigest(),
                                "body": text}))


@pytest.mark.parametrize("damage", ["garbage", "truncated", "control character", "deep",
                                    "lines", "object", "huge number"])
def test_a_damaged_entry_is_a_miss(content, damage):
    fresh = _dump(load_content(content, use_cache=False))
    load_content(content)
    for path in _entries(content):
        if damage == "garbage":
            path.write_bytes(b"\x00\xff not json")
            continue
        if damage == "truncated":
            path.write_bytes(path.read_bytes()[:40])
            continue
        body = json.loads(json.loads(path.read_text())["body"])
        if damage == "control character" and isinstance(body["data"], dict):
            key = next(iter(body["data"]))
            body["data"][key] = "bell \x07 here"
        elif damage == "deep":
            nested = "x"
            for _ in range(150):
                nested = [nested]
            body["data"] = nested
        elif damage == "lines":
            body["lines"] = [[["title"], -4]]
        elif damage == "object":
            body["lines"] = {"not": "a list"}
        elif damage == "huge number":
            body["data"] = {"runtime": 1e999}  # written as Infinity
        _reseal(path, body)
    again = load_content(content)
    assert _dump(again) == fresh


def test_without_the_cache_nothing_is_kept(content):
    load_content(content, use_cache=False)
    assert _entries(content) == []
