"""Joining part PDFs (programme/join.py): a join made with the parts in any order, each
added at its place (as a fast build adds the parts done while its workers lay out the
others), is the join made in order: the same pages, destinations and outline."""

from __future__ import annotations

from pathlib import Path

import pytest
from weasyprint import HTML

from programme.join import Joiner, PartPDF, join

from .pdfcheck import destinations, outline, page_texts

PART = """<html><head><style>
@page {{ size: 100mm 80mm; }} h1 {{ bookmark-level: 1; }} h2 {{ bookmark-level: 2; }}
.page {{ break-after: page; }}</style></head><body>
<div class="page"><h1 id="{name}">Part {name}</h1><p>first page of {name}</p></div>
<div class="page"><h2 id="{name}-two">{name} two</h2><p>second page of {name}</p></div>
<div><p>third page of {name}, <a href="#{name}">back</a></p></div>
</body></html>"""


@pytest.fixture(scope="module")
def parts(tmp_path_factory) -> list[PartPDF]:
    folder = tmp_path_factory.mktemp("parts")
    found = []
    for name in ("alpha", "beta", "gamma", "delta"):
        pdf = folder / f"{name}.pdf"
        HTML(string=PART.format(name=name)).write_pdf(pdf)
        found.append(PartPDF(pdf, 0, 3))
    # the last one as a part with a stand-in page before its own pages
    found[3] = PartPDF(found[3].path, 1, 2)
    return found


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_parts_added_out_of_order_join_as_in_order(parts, tmp_path):
    in_order = _write(tmp_path, "in-order.pdf", join(parts))
    joiner = Joiner()
    for position in (2, 0, 3):
        joiner.add(parts[position], position)
    shuffled = _write(tmp_path, "shuffled.pdf", join(parts, joiner=joiner))
    texts = page_texts(in_order)
    assert len(texts) == 3 + 3 + 3 + 2
    assert "first page of alpha" in texts[0] and "second page of delta" in texts[9]
    assert page_texts(shuffled) == texts
    assert destinations(shuffled) == destinations(in_order)
    assert destinations(in_order)["gamma"] == 7 and "delta" not in destinations(in_order)
    assert outline(shuffled) == outline(in_order)
    assert [title for _, title, _ in outline(in_order)][:2] == ["Part alpha", "alpha two"]


def test_a_join_begun_with_other_parts_is_not_used(parts, tmp_path):
    """The parts a join was begun with must be the build's parts at the same places;
    otherwise the parts are joined afresh."""
    joiner = Joiner()
    joiner.add(parts[1], 0)  # beta where alpha goes
    joined = _write(tmp_path, "joined.pdf", join(parts, joiner=joiner))
    assert page_texts(joined) == page_texts(_write(tmp_path, "plain.pdf", join(parts)))
    twice = Joiner()
    twice.add(parts[0], 0)
    with pytest.raises(ValueError, match="at 0 already"):
        twice.add(parts[1], 0)
    twice.close()
