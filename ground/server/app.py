"""The display server: an ASGI (Starlette) app serving Open MCT with the kamo plugin and the ``/api``.

Endpoints (all JSON unless said otherwise):

- ``GET /api/dictionary``: every telemetry parameter (packet, type, units, limits) and command;
- ``GET /api/history/{parameter}?start=&end=&limit=&offset=&latest=``: one page of archived
  engineering values with their UTC times (epoch ms), oldest first, ``next_offset`` for
  the next page; pages hold at most 50 000 samples whatever the span;
- ``GET /api/realtime?parameters=A,B``: server-sent events, one ``data:`` line per packet
  type and raw-store record, pushed as packets land in the archive;
- ``GET /api/alarms``, ``GET /api/spaceweather`` (the ``kamo spaceweather status`` JSON),
  ``GET /api/contacts?start=&end=``, ``GET /api/status``;
- ``POST /api/commands``: bearer token required (401 otherwise), builds, signs and
  queues a telecommand; 422 with the dictionary's message for a bad command.

Errors are ``{"error": message}`` with 400 (bad query), 404, 405, 413 (body over 64 KiB),
422 or 500; the server keeps serving after any of them. Every response carries a
Content-Security-Policy, X-Content-Type-Options, X-Frame-Options and Referrer-Policy.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import threading
import time as _time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ground.dictionary import CommandError, Dictionary
from ground.server.commands import CommandQueue, token_matches
from ground.server.data import (
    DEFAULT_PAGE,
    ArchiveReader,
    ArchiveReadError,
    RawTail,
    RequestError,
    dictionary_json,
    iso_ms,
    parse_time_ms,
)

log = logging.getLogger("kamo.ground.server")

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
OPENMCT_DIST = WEB_DIR / "node_modules" / "openmct" / "dist"
MAX_BODY = 64 * 1024
MAX_CONTACT_DAYS = 31.0

SECURITY_HEADERS = {
    # Open MCT's bundle compiles some Vue templates at run time ('unsafe-eval') and sets
    # inline styles; everything is loaded from this server only.
    "content-security-policy": (
        "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
        "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; "
        "frame-ancestors 'none'; form-action 'self'"
    ),
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
}


@dataclass
class ServerConfig:
    """What ``kamo ground serve`` was started with."""

    archive: Path
    dictionary: Dictionary
    swpc_cache: Path | None = None
    swpc_max_age_s: float = 900.0
    token: str | None = None
    command_queue: CommandQueue | None = None
    trajectory: Any = None
    stations: str = "kashi,jiamusi,neuquen"
    poll_s: float = 0.02
    web_dir: Path = WEB_DIR
    extra: dict[str, Any] = field(default_factory=dict)


def _clean(obj: Any) -> Any:
    """JSON-safe: NaN/inf to null, numpy scalars to Python."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        try:
            return _clean(obj.item())
        except (TypeError, ValueError):
            return str(obj)
    if hasattr(obj, "isoformat"):
        return obj.isoformat()
    return obj


class _JSON(JSONResponse):
    def render(self, content: Any) -> bytes:
        return json.dumps(_clean(content), separators=(",", ":"), allow_nan=False).encode()


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return _JSON({"error": message}, status_code=status, headers=headers)


class SecurityHeaders:
    """Pure ASGI middleware (streaming-safe) adding the security headers to every response."""

    def __init__(self, app):
        self.app = app
        self.raw = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in self.raw if k not in present]
                message = {**message, "headers": list(message.get("headers", [])) + extra}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class Broadcaster:
    """Polls the raw store for new records and fans their values out to SSE subscribers."""

    def __init__(self, tail: RawTail, poll_s: float):
        self.tail = tail
        self.poll_s = poll_s
        self.subscribers: set[asyncio.Queue] = set()
        self.events_sent = 0
        self.dropped = 0
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        while True:
            try:
                events = await asyncio.to_thread(self.tail.poll)
            except Exception:  # a bad record must not stop the feed
                log.exception("realtime poll failed")
                events = []
            for ev in events:
                ev["server_ms"] = int(_time.time() * 1000)
                for q in list(self.subscribers):
                    if q.full():
                        with contextlib.suppress(asyncio.QueueEmpty):
                            q.get_nowait()
                        self.dropped += 1
                    q.put_nowait(ev)
                self.events_sent += 1
            await asyncio.sleep(self.poll_s)

    def subscribe(self) -> asyncio.Queue:
        q: asyncio.Queue = asyncio.Queue(maxsize=1000)
        self.subscribers.add(q)
        return q

    def unsubscribe(self, q: asyncio.Queue) -> None:
        self.subscribers.discard(q)


def _int_arg(request: Request, name: str, default: int) -> int:
    text = request.query_params.get(name)
    if text is None or text == "":
        return default
    try:
        return int(text)
    except ValueError:
        raise RequestError(f"{name}={text!r} must be an integer") from None


def create_app(config: ServerConfig) -> Starlette:
    """The ASGI application for ``config`` (run it with uvicorn; see :func:`ground.server.serve`)."""
    reader = ArchiveReader(config.archive, config.dictionary)
    tail = RawTail(Path(config.archive).with_suffix(".kpa"), config.dictionary)
    broadcaster = Broadcaster(tail, config.poll_s)
    dict_payload = dictionary_json(config.dictionary)
    sw_memo: dict[str, Any] = {}
    contacts_memo: dict[tuple, Any] = {}
    contacts_lock = threading.Lock()

    async def index(request: Request) -> Response:
        page = config.web_dir / "index.html"
        return FileResponse(page, headers={"cache-control": "no-cache"})

    async def dictionary(request: Request) -> Response:
        return _JSON(dict_payload)

    async def status(request: Request) -> Response:
        span = await asyncio.to_thread(reader.span)
        return _JSON(
            {
                "archive": str(config.archive),
                "dictionary": config.dictionary.name,
                "packets": span,
                "commanding": config.command_queue is not None and config.token is not None,
                "realtime": {
                    "subscribers": len(broadcaster.subscribers),
                    "events_sent": broadcaster.events_sent,
                    "dropped": broadcaster.dropped,
                    "raw_offset": tail.offset,
                },
                "contacts": config.trajectory is not None,
                "server_time": iso_ms(_time.time() * 1000),
            }
        )

    async def history(request: Request) -> Response:
        parameter = request.path_params["parameter"]
        q = request.query_params
        start = parse_time_ms(q.get("start"), "start")
        end = parse_time_ms(q.get("end"), "end")
        latest = q.get("latest", "").lower() in ("1", "true", "yes")
        limit = _int_arg(request, "limit", 1 if latest else DEFAULT_PAGE)
        offset = _int_arg(request, "offset", 0)
        minmax = _int_arg(request, "size", 0) if q.get("strategy") == "minmax" else None
        try:
            page = await asyncio.to_thread(
                reader.history,
                parameter,
                start,
                end,
                limit=limit,
                offset=offset,
                latest=latest,
                minmax=minmax,
            )
        except KeyError as exc:
            return _error(404, exc.args[0])
        return _JSON(page)

    async def alarms(request: Request) -> Response:
        start = parse_time_ms(request.query_params.get("start"), "start")
        end = parse_time_ms(request.query_params.get("end"), "end")
        return _JSON(await asyncio.to_thread(reader.alarms, start, end))

    def _spaceweather() -> dict[str, Any]:
        from ground.spaceweather.client import DEFAULT_BASE_URL, SWPCClient
        from ground.spaceweather.status import status_report

        with SWPCClient(DEFAULT_BASE_URL, config.swpc_cache) as client:
            results = client.cached_all(max_age_s=config.swpc_max_age_s)
        report = status_report(results)
        report["cache_dir"] = str(client.cache_dir)
        return report

    async def spaceweather(request: Request) -> Response:
        now = _time.monotonic()
        if "report" not in sw_memo or now - sw_memo["at"] > 5.0:
            sw_memo["report"] = await asyncio.to_thread(_spaceweather)
            sw_memo["at"] = now
        return _JSON(sw_memo["report"])

    def _contacts(start_ms: int, end_ms: int) -> dict[str, Any]:
        from ground.contacts import contacts, contacts_to_records
        from ground.linkbudget import add_data_rates

        key = (start_ms // 60000, end_ms // 60000)
        with contacts_lock:
            if key in contacts_memo:
                return contacts_memo[key]
            table = add_data_rates(
                contacts(
                    config.trajectory,
                    iso_ms(start_ms).rstrip("Z"),
                    iso_ms(end_ms).rstrip("Z"),
                    stations=config.stations,
                )
            )
            records = contacts_to_records(table)
            for rec, rate in zip(records, table["data_rate_tca"].values, strict=True):
                rec["data_rate_bps_tca"] = float(rate)
            out = {
                "available": True,
                "stations": config.stations.split(","),
                "start": iso_ms(start_ms),
                "end": iso_ms(end_ms),
                "count": len(records),
                "contacts": records,
            }
            if len(contacts_memo) > 32:
                contacts_memo.clear()
            contacts_memo[key] = out
            return out

    async def contacts_view(request: Request) -> Response:
        if config.trajectory is None:
            return _JSON(
                {
                    "available": False,
                    "reason": "no spacecraft trajectory: start the server with --trajectory FILE",
                    "contacts": [],
                    "count": 0,
                }
            )
        now = int(_time.time() * 1000)
        start = parse_time_ms(request.query_params.get("start"), "start")
        end = parse_time_ms(request.query_params.get("end"), "end")
        start = now if start is None else start
        end = start + 3 * 86_400_000 if end is None else end
        if end <= start:
            raise RequestError(f"end ({iso_ms(end)}) must be after start ({iso_ms(start)})")
        if end - start > MAX_CONTACT_DAYS * 86_400_000:
            raise RequestError(
                f"the contact span is {(end - start) / 86_400_000:.1f} days; "
                f"ask for at most {MAX_CONTACT_DAYS:g} days at a time"
            )
        try:
            return _JSON(await asyncio.to_thread(_contacts, start, end))
        except ValueError as exc:
            return _error(422, str(exc))

    async def realtime(request: Request) -> Response:
        wanted = {p for p in request.query_params.get("parameters", "").split(",") if p}
        known = {p["key"] for pk in dict_payload["packets"] for p in pk["parameters"]}
        unknown = sorted(wanted - known)
        if unknown:
            return _error(404, f"unknown parameters {unknown}; GET /api/dictionary lists them")
        queue = broadcaster.subscribe()

        async def stream():
            try:
                yield "retry: 1000\n: kamo realtime\n\n"
                while True:
                    try:
                        ev = await asyncio.wait_for(queue.get(), timeout=15.0)
                    except TimeoutError:
                        yield ": keep-alive\n\n"
                        continue
                    if wanted:
                        values = {k: v for k, v in ev["values"].items() if k in wanted}
                        if not values:
                            continue
                        ev = {**ev, "values": values}
                    yield "data: " + json.dumps(_clean(ev), separators=(",", ":")) + "\n\n"
            finally:
                broadcaster.unsubscribe(queue)

        return StreamingResponse(
            stream(),
            media_type="text/event-stream",
            headers={"cache-control": "no-store", "x-accel-buffering": "no"},
        )

    async def commands(request: Request) -> Response:
        client = request.client.host if request.client else "?"
        queue = config.command_queue
        if config.token is None or queue is None:
            return _error(
                403,
                "commanding is disabled: start the server with --token-file and --key-file",
            )
        if not token_matches(request.headers.get("authorization"), config.token):
            reason = (
                "no bearer token" if not request.headers.get("authorization") else "wrong token"
            )
            queue.record({"client": client, "outcome": "unauthorized", "reason": reason})
            return _error(
                401,
                f"unauthorized: {reason}; send 'Authorization: Bearer <token>'",
                headers={"www-authenticate": 'Bearer realm="kamo"'},
            )
        body = await _read_body(request)
        try:
            payload = json.loads(body)
        except (UnicodeDecodeError, ValueError) as exc:
            queue.record({"client": client, "outcome": "refused", "reason": "malformed JSON"})
            raise RequestError(f"the body is not JSON ({exc})") from None
        if not isinstance(payload, dict) or not isinstance(payload.get("command"), str):
            queue.record({"client": client, "outcome": "refused", "reason": "no command name"})
            raise RequestError('the body must be {"command": "NAME", "args": {"ARG": value, ...}}')
        name, args = payload["command"], payload.get("args") or {}
        if not isinstance(args, dict):
            queue.record(
                {
                    "client": client,
                    "command": name,
                    "outcome": "refused",
                    "reason": "args not an object",
                }
            )
            raise RequestError('"args" must be an object of NAME: value')
        try:
            accepted = await asyncio.to_thread(queue.submit, name, args)
        except CommandError as exc:
            queue.record(
                {
                    "client": client,
                    "command": name,
                    "args": args,
                    "outcome": "refused",
                    "reason": str(exc),
                }
            )
            return _error(422, str(exc))
        queue.record(
            {
                "client": client,
                "command": accepted["command"],
                "args": accepted["args"],
                "outcome": "queued",
                "auth_seq": accepted["auth_seq"],
                "file": accepted["file"],
            }
        )
        return _JSON({"status": "queued", **accepted}, status_code=202)

    async def _read_body(request: Request) -> bytes:
        declared = request.headers.get("content-length")
        if declared is not None:
            try:
                if int(declared) > MAX_BODY:
                    raise HTTPException(413, f"the body is over {MAX_BODY} octets")
            except ValueError:
                raise RequestError("Content-Length is not a number") from None
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > MAX_BODY:
                raise HTTPException(413, f"the body is over {MAX_BODY} octets")
            chunks.append(chunk)
        return b"".join(chunks)

    async def on_request_error(request: Request, exc: RequestError) -> Response:
        return _error(400, str(exc))

    async def on_http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404:
            return _error(404, f"not found: {request.url.path}")
        if exc.status_code == 405:
            return _error(405, f"method {request.method} not allowed on {request.url.path}")
        return _error(exc.status_code, str(exc.detail), headers=exc.headers)

    async def on_archive_error(request: Request, exc: ArchiveReadError) -> Response:
        log.error("%s", exc)
        return _error(500, str(exc))

    async def on_crash(request: Request, exc: Exception) -> Response:
        log.exception("request %s %s failed", request.method, request.url.path)
        return _error(500, f"internal error ({type(exc).__name__}); see the server log")

    @contextlib.asynccontextmanager
    async def lifespan(app):
        broadcaster.start()
        # index the archive's time axes now, so that the first history request is quick
        warm = asyncio.get_running_loop().create_task(asyncio.to_thread(reader.span))
        try:
            yield
        finally:
            await broadcaster.stop()
            with contextlib.suppress(Exception):
                await warm

    routes = [
        Route("/", index),
        Route("/index.html", index),
        Route("/api/dictionary", dictionary),
        Route("/api/status", status),
        Route("/api/history/{parameter}", history),
        Route("/api/alarms", alarms),
        Route("/api/spaceweather", spaceweather),
        Route("/api/contacts", contacts_view),
        Route("/api/realtime", realtime),
        Route("/api/commands", commands, methods=["POST"]),
        Mount("/kamo", app=StaticFiles(directory=config.web_dir / "src"), name="kamo"),
    ]
    if OPENMCT_DIST.is_dir() and config.web_dir == WEB_DIR:
        routes.append(Mount("/openmct", app=StaticFiles(directory=OPENMCT_DIST), name="openmct"))
    elif (config.web_dir / "node_modules" / "openmct" / "dist").is_dir():
        routes.append(
            Mount(
                "/openmct",
                app=StaticFiles(directory=config.web_dir / "node_modules" / "openmct" / "dist"),
                name="openmct",
            )
        )
    app = Starlette(
        routes=routes,
        exception_handlers={
            RequestError: on_request_error,
            ArchiveReadError: on_archive_error,
            HTTPException: on_http_error,
            Exception: on_crash,
        },
        lifespan=lifespan,
    )
    app.add_middleware(SecurityHeaders)
    app.state.config = config
    app.state.reader = reader
    app.state.broadcaster = broadcaster
    return app
