"""What WeasyPrint may read: files inside the project, nothing else.

Layouts and content are not trusted to stay inside the project. Every stylesheet, font
and image WeasyPrint asks for goes through :class:`ProjectFetcher`, which serves
``file:`` URLs whose real path (after resolving ``..`` and symbolic links) lies inside
one of the allowed folders, and ``data:`` URLs. Everything else – ``http:``, ``https:``,
``ftp:``, files elsewhere on the machine – is refused and remembered, so the build can
report it.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from weasyprint.urls import URLFetcher, URLFetcherResponse


class RefusedURL(ValueError):
    pass


class ProjectFetcher(URLFetcher):
    def __init__(self, allowed_roots):
        super().__init__(allowed_protocols={"file", "data"})
        self.roots = [Path(r).resolve() for r in allowed_roots]
        self.refused: list[tuple[str, str]] = []  # (url, reason)

    def allows(self, url: str) -> tuple[bool, str]:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return True, ""
        if scheme != "file":
            return False, f"{scheme or 'relative'} URLs are not allowed (no network access)"
        if parts.netloc not in ("", "localhost"):
            return False, "file URLs on other hosts are not allowed"
        path = Path(unquote(parts.path)).resolve()
        for root in self.roots:
            if path == root or root in path.parents:
                return True, ""
        if not path.exists():
            return False, "no such file (a missing file, or a folder such as fonts/ missing)"
        return False, "outside the project folder"

    def fetch(self, url, headers=None):
        ok, reason = self.allows(url)
        if not ok:
            self.refused.append((url, reason))
            raise RefusedURL(f"refused {url}: {reason}")
        if url.lower().startswith("file:"):
            path = Path(unquote(urlsplit(url).path)).resolve()
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": kind})
        return super().fetch(url, headers)
