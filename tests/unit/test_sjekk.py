""""Sjekk": the first bytes of a file must match its type (pure)."""
from __future__ import annotations

import pytest

from services.files import check_content


@pytest.mark.parametrize("name,head,ok", [
    ("a.pdf", b"%PDF-1.7", True), ("a.docx", b"PK\x03\x04", True), ("a.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", True),
    ("a.jpg", b"\xff\xd8\xff\xe0", True), ("a.mp4", b"\x00\x00\x00\x18ftypmp42", True), ("a.txt", "æøå".encode(), True),
    ("a.mdb", b"anything", True), ("a.pdf", b"PK\x03\x04", False), ("a.docx", b"%PDF-1.4", False),
    ("a.png", b"GIF89a", False), ("a.html", b"%PDF-1.4", False),
])
def test_sjekk_reads_the_first_bytes(name, head, ok):
    assert (check_content(name, head, len(head)) is None) == ok
