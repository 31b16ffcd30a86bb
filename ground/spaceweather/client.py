"""HTTP client for NOAA SWPC feeds: retries, conditional requests, an on-disk cache, stale fallback.

The client is built for a loop that must keep running: :meth:`SWPCClient.fetch` never
raises for a network or data problem. When the source fails (HTTP error, timeout, refused
connection, malformed or truncated JSON, a product whose columns changed) it returns the
last good copy from the cache marked ``stale``, with its age and the reason. Only good
bodies are written to the cache, so a bad response never replaces good data.

Cache location, first match wins: the ``cache_dir`` argument, the ``KAMO_SWPC_CACHE``
environment variable, ``platformdirs.user_cache_dir("kamo")/swpc`` (XDG on Linux).

Example::

    from ground.spaceweather import SWPCClient
    with SWPCClient() as client:
        result = client.fetch("kp")
        print(result)                # <FetchResult kp fresh, 240 rows, age 0 s>
        result.dataset["kp"].plot()
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import os
import random
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import platformdirs
import xarray as xr

from ground.spaceweather.products import EXTRA_PRODUCTS, PRODUCTS, Product

__all__ = ["DEFAULT_BASE_URL", "FetchResult", "SWPCClient", "default_cache_dir"]

DEFAULT_BASE_URL = "https://services.swpc.noaa.gov/"
_RETRY_STATUS = {429, 500, 502, 503, 504}


def default_cache_dir() -> Path:
    """The cache directory used when none is given: ``$KAMO_SWPC_CACHE`` or the XDG user cache."""
    env = os.environ.get("KAMO_SWPC_CACHE")
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_cache_dir("kamo")) / "swpc"


@dataclass(frozen=True)
class FetchResult:
    """One product as the client could get it.

    ``stale`` is True when the product could not be refreshed now; ``dataset`` is then the
    cached copy (or ``None`` if there is none) and ``reason`` says why. ``age_s`` is the
    time since the data were last confirmed current by the server (200 or 304), ``None``
    without any data.
    """

    product: str
    url: str
    dataset: xr.Dataset | None
    stale: bool
    age_s: float | None
    reason: str | None
    fetched_at: _dt.datetime | None
    status: str  # "fresh", "not-modified", "stale", "missing", "cached"

    def __repr__(self) -> str:
        rows = "no data" if self.dataset is None else f"{self.dataset.sizes.get('time', 0)} rows"
        age = "?" if self.age_s is None else f"{self.age_s:.0f} s"
        why = f" ({self.reason})" if self.reason else ""
        return f"<FetchResult {self.product} {self.status}, {rows}, age {age}{why}>"


class _FetchFailed(Exception):
    pass


class SWPCClient:
    """Fetch SWPC products with timeouts, retries, ETag/Last-Modified and a disk cache.

    Parameters
    ----------
    base_url:
        Root of the feeds (default ``https://services.swpc.noaa.gov/``); tests point it at
        a local server.
    cache_dir:
        Where bodies and their validators are kept (see module docstring for the default).
    timeout:
        Seconds for connect, read and write of one attempt.
    retries:
        Extra attempts after the first for timeouts, connection errors, 429 and 5xx.
    backoff, backoff_max, jitter:
        Attempt ``k`` waits ``min(backoff_max, backoff * 2**k)`` scaled by a random factor
        in ``[1 - jitter, 1]`` before retrying (exponential backoff with jitter).
    products:
        Extra or replacement :class:`~ground.spaceweather.products.Product` entries.
    seed:
        Seed for the jitter, for reproducible waits.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_BASE_URL,
        cache_dir: str | os.PathLike[str] | None = None,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
        backoff_max: float = 30.0,
        jitter: float = 0.5,
        products: Iterable[Product] | None = None,
        seed: int | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not isinstance(base_url, str) or not base_url.startswith(("http://", "https://")):
            raise ValueError(
                f"base_url must start with http:// or https://, got {base_url!r} "
                f"(default {DEFAULT_BASE_URL})"
            )
        if timeout <= 0:
            raise ValueError(f"timeout must be positive seconds, got {timeout}")
        if retries < 0:
            raise ValueError(f"retries must be >= 0, got {retries}")
        if backoff < 0 or backoff_max < 0:
            raise ValueError(f"backoff must be >= 0 seconds, got {backoff} / {backoff_max}")
        if not 0.0 <= jitter <= 1.0:
            raise ValueError(f"jitter must be within 0..1, got {jitter}")
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.cache_dir = Path(cache_dir).expanduser() if cache_dir else default_cache_dir()
        self.timeout = float(timeout)
        self.retries = int(retries)
        self.backoff = float(backoff)
        self.backoff_max = float(backoff_max)
        self.jitter = float(jitter)
        self.products: dict[str, Product] = {**PRODUCTS}
        self._known: dict[str, Product] = {**PRODUCTS, **EXTRA_PRODUCTS}
        for p in products or ():
            self.products[p.name] = p
            self._known[p.name] = p
        self._rng = random.Random(seed)
        self._clock = clock
        self._sleep = sleep
        self._http = httpx.Client(
            timeout=httpx.Timeout(self.timeout),
            follow_redirects=True,
            headers={"User-Agent": "kamo-spaceweather/0.1", "Accept": "application/json"},
        )

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> SWPCClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"SWPCClient(base_url={self.base_url!r}, cache_dir='{self.cache_dir}')"

    # ------------------------------------------------------------------ public
    def url(self, product: str) -> str:
        return self.base_url + self._product(product).path

    def fetch(self, product: str) -> FetchResult:
        """Fetch one product; on any failure return the cached copy marked stale (never raises)."""
        spec = self._product(product)
        url = self.base_url + spec.path
        try:
            return self._fetch(spec, url)
        except _FetchFailed as exc:
            return self._from_cache(spec, url, reason=str(exc))
        except Exception as exc:  # the caller's loop must survive anything
            return self._from_cache(spec, url, reason=f"unexpected {type(exc).__name__}: {exc}")

    def fetch_all(
        self, products: Iterable[str] | None = None, max_workers: int = 4
    ) -> dict[str, FetchResult]:
        """Fetch every default product (or those named) concurrently; never raises.

        Products are fetched on up to ``max_workers`` threads, so one slow product does not
        hold the others back; the result keeps the order of ``products``.
        """
        names = list(products) if products is not None else list(self.products)
        for name in names:
            self._product(name)  # unknown names fail here, before any request
        if max_workers <= 1 or len(names) <= 1:
            return {name: self.fetch(name) for name in names}
        with ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="swpc") as pool:
            results = list(pool.map(self.fetch, names))
        return dict(zip(names, results, strict=True))

    def cached(self, product: str, max_age_s: float = 900.0) -> FetchResult:
        """The cached copy only, without touching the network (``status="cached"``).

        It is marked ``stale`` when older than ``max_age_s`` seconds or missing.
        """
        spec = self._product(product)
        result = self._from_cache(spec, self.base_url + spec.path, reason=None, status="cached")
        if result.age_s is not None and result.age_s > max_age_s:
            reason = f"cached copy is {result.age_s:.0f} s old (limit {max_age_s:g} s)"
            return dataclasses.replace(result, stale=True, reason=reason)
        return result

    def cached_all(
        self, products: Iterable[str] | None = None, max_age_s: float = 900.0
    ) -> dict[str, FetchResult]:
        names = list(products) if products is not None else list(self.products)
        return {name: self.cached(name, max_age_s) for name in names}

    # ------------------------------------------------------------------ internals
    def _product(self, name: str) -> Product:
        if name not in self._known:
            raise ValueError(f"unknown SWPC product {name!r}; known: {sorted(self._known)}")
        return self._known[name]

    def _paths(self, name: str) -> tuple[Path, Path]:
        return self.cache_dir / f"{name}.json", self.cache_dir / f"{name}.meta.json"

    def _read_meta(self, name: str) -> dict[str, Any]:
        body, meta = self._paths(name)
        if not (body.exists() and meta.exists()):
            return {}
        try:
            return json.loads(meta.read_text())
        except (OSError, ValueError):
            return {}

    def _write_cache(self, name: str, content: bytes, meta: dict[str, Any]) -> None:
        body_path, meta_path = self._paths(name)
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        for path, data in ((body_path, content), (meta_path, json.dumps(meta).encode())):
            tmp = path.with_suffix(path.suffix + f".{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)

    def _touch_meta(self, name: str, meta: dict[str, Any]) -> None:
        _, meta_path = self._paths(name)
        tmp = meta_path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(meta))
        os.replace(tmp, meta_path)

    def _delay(self, attempt: int) -> float:
        base = min(self.backoff_max, self.backoff * 2.0**attempt)
        return base * (1.0 - self.jitter * self._rng.random())

    def _get(self, url: str, headers: dict[str, str]) -> httpx.Response:
        """GET with retries on timeouts, transport errors, 429 and 5xx."""
        last = "no attempt made"
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(self._delay(attempt - 1))
            try:
                response = self._http.get(url, headers=headers)
            except httpx.TimeoutException:
                last = f"timeout after {self.timeout:g} s"
                continue
            except httpx.RemoteProtocolError as exc:
                last = f"truncated body or broken response ({exc})"
                continue
            except httpx.TransportError as exc:
                last = f"connection failed: {type(exc).__name__}: {exc}"
                continue
            if response.status_code in _RETRY_STATUS:
                last = f"HTTP {response.status_code}"
                continue
            return response
        raise _FetchFailed(f"{last} ({self.retries + 1} attempt(s))")

    def _fetch(self, spec: Product, url: str) -> FetchResult:
        meta = self._read_meta(spec.name)
        headers = {}
        if meta.get("etag"):
            headers["If-None-Match"] = meta["etag"]
        if meta.get("last_modified"):
            headers["If-Modified-Since"] = meta["last_modified"]
        response = self._get(url, headers)
        now = self._clock()
        if response.status_code == 304:
            if not meta:
                raise _FetchFailed("HTTP 304 but nothing cached")
            meta["fetched_at"] = now
            ds = self._parse_bytes(spec, self._paths(spec.name)[0].read_bytes())
            self._touch_meta(spec.name, meta)
            return FetchResult(spec.name, url, ds, False, 0.0, None, _utc(now), "not-modified")
        if response.status_code != 200:
            raise _FetchFailed(f"HTTP {response.status_code}")
        content = response.content
        ds = self._parse_bytes(spec, content)
        if ds.sizes.get("time", 0) == 0 and not spec.allow_empty:
            raise _FetchFailed("empty product (no rows): keeping the cached copy")
        new_meta = {
            "url": url,
            "etag": response.headers.get("ETag"),
            "last_modified": response.headers.get("Last-Modified"),
            "fetched_at": now,
        }
        self._write_cache(spec.name, content, new_meta)
        return FetchResult(spec.name, url, ds, False, 0.0, None, _utc(now), "fresh")

    def _parse_bytes(self, spec: Product, content: bytes) -> xr.Dataset:
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _FetchFailed(f"malformed body: not UTF-8 ({exc})") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            if exc.pos >= len(text.rstrip()) or _unclosed(text):
                raise _FetchFailed(f"truncated JSON: ends after {len(text)} characters") from None
            raise _FetchFailed(f"malformed JSON: {exc.msg} at character {exc.pos}") from None
        try:
            return spec.parse(data)
        except ValueError as exc:
            raise _FetchFailed(f"unexpected layout: {exc}") from None

    def _from_cache(
        self, spec: Product, url: str, reason: str | None, status: str = "stale"
    ) -> FetchResult:
        meta = self._read_meta(spec.name)
        body_path, _ = self._paths(spec.name)
        if not meta:
            why = reason or "nothing cached yet"
            return FetchResult(spec.name, url, None, True, None, why, None, "missing")
        try:
            ds = self._parse_bytes(spec, body_path.read_bytes())
        except (_FetchFailed, OSError) as exc:
            why = f"{reason}; cache unreadable: {exc}" if reason else f"cache unreadable: {exc}"
            return FetchResult(spec.name, url, None, True, None, why, None, "missing")
        fetched = float(meta.get("fetched_at", 0.0))
        age = max(0.0, self._clock() - fetched)
        return FetchResult(
            spec.name, url, ds, reason is not None, age, reason, _utc(fetched), status
        )


def _unclosed(text: str) -> bool:
    """True when the text ends inside a string or with brackets still open (a cut-off body)."""
    depth, in_string, escape = 0, False, False
    for ch in text:
        if in_string:
            if escape:
                escape = False
            elif ch == "\\":
                escape = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
    return in_string or depth > 0


def _utc(epoch: float) -> _dt.datetime:
    return _dt.datetime.fromtimestamp(epoch, tz=_dt.UTC)
