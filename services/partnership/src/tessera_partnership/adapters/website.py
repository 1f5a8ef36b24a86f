"""Whether an applicant's website answers: a real fetch, or none at all where checks are switched off."""

import asyncio
import urllib.error
import urllib.request
from typing import Protocol


class WebsiteProbe(Protocol):
    """Tells whether a website answers (None: not checked)."""

    async def answers(self, url: str) -> bool | None:
        """True when the site answered, False when it did not, None when not checked."""
        ...


class NoWebsiteProbe:
    """Checks nothing: the URL's form is all that is judged (tests, air-gapped installations)."""

    async def answers(self, url: str) -> bool | None:
        """Not checked."""
        return None


class HttpWebsiteProbe:
    """Fetches the page's headers; any HTTP answer below 500 counts as a live website."""

    def __init__(self, timeout_seconds: float) -> None:
        self._timeout = timeout_seconds

    async def answers(self, url: str) -> bool | None:
        """Whether a HEAD request (GET when HEAD is refused) gets an answer in time."""
        return await asyncio.to_thread(self._fetch, url)

    def _fetch(self, url: str) -> bool:
        for method in ("HEAD", "GET"):
            request = urllib.request.Request(
                url, method=method, headers={"User-Agent": "tessera-partnership"}
            )
            try:
                with urllib.request.urlopen(request, timeout=self._timeout) as response:
                    return int(response.status) < 500
            except urllib.error.HTTPError as error:
                if error.code in (405, 501) and method == "HEAD":
                    continue
                return error.code < 500
            except (urllib.error.URLError, OSError, ValueError):
                return False
        return False
