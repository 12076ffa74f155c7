"""`extractor review OUT/ --serve`: a small local web app over a `ReviewSession`.

One ASGI app (Starlette), bound to 127.0.0.1, under a random token made at each start: every URL is
`/<token>/…` and a request without it gets 404, so another local user or a web page cannot reach
the batch. Only what the session makes is served: the page (`review_app.html`, a little JavaScript),
the queue, reports, crops and the batch's own output JSON by name (looked up, never joined to a
path). Every page is also JSON (Datasette's habit): `/`, `queue.json`; `report/N`, `report/N.json`;
`checks`, `checks.json`.
"""

from __future__ import annotations

import html
import json
import secrets
import socket
import sys
import webbrowser
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from ..errors import ExtractorError, InputMissingError, UsageError
from .review_queue import ReviewSession

ASSET = "review_app.html"
TABLE_TITLES = {"proactive": "二 主动公开", "requests": "三 依申请公开", "review_litigation": "四 复议诉讼"}


def new_token() -> str:
    return secrets.token_urlsafe(24)


class TokenGate:
    """Refuses (404) every request whose path does not start with /<token>/; strips it for the app."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app, self.prefix = app, f"/{token}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        n = len(self.prefix)
        given = path[:n].encode()
        if not secrets.compare_digest(given, self.prefix.encode()) or path[n : n + 1] not in ("", "/"):
            await PlainTextResponse("not found", status_code=404)(scope, receive, send)
            return
        if path == self.prefix:  # the bare token: to the page, so that its relative URLs resolve
            await Response(status_code=307, headers={"location": f"{self.prefix}/"})(scope, receive, send)
            return
        inner = dict(scope)
        inner["path"] = path[n:]
        await self.app(inner, receive, send)


def create_app(session: ReviewSession, token: str) -> ASGIApp:
    """The app over `session`; every URL under /<token>/."""

    def page(request: Request) -> Response:
        # The page ships beside this module (package data of the package that holds it).
        asset = resources.files(__package__ or "extractor").joinpath(ASSET).read_text(encoding="utf-8")
        return HTMLResponse(asset, headers=_NO_STORE)

    def queue(request: Request) -> Response:
        return _json(session.summary())

    def report(request: Request) -> Response:
        index = _index(request.path_params["n"])
        data = session.report(index)
        if request.url.path.endswith(".json"):
            return _json(data)
        return HTMLResponse(_report_html(data, request.query_params.get("cell", "")), headers=_NO_STORE)

    def checks(request: Request) -> Response:
        data = {"cross": [c.to_dict() for c in session.cross()], "relations": session.summary()["relations"]}
        if request.url.path.endswith(".json"):
            return _json(data)
        return HTMLResponse(_checks_html(data), headers=_NO_STORE)

    def crop(request: Request) -> Response:
        png = session.crop(_index(request.path_params["n"]), request.path_params["path"])
        return Response(png, media_type="image/png", headers=_NO_STORE)

    def relation_crop(request: Request) -> Response:
        png = session.relation_crop(_index(request.path_params["n"]), request.path_params["id"])
        return Response(png, media_type="image/png", headers=_NO_STORE)

    def output_file(request: Request) -> Response:
        name = request.path_params["name"]
        if not name.endswith(".json") or name[: -len(".json")] not in session.files:
            raise InputMissingError(f"{name} is not an output of this batch")
        i = session.index(name[: -len(".json")])
        return _json(session.outputs.reports[i].data)

    async def decide(request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            raise UsageError("send the decision as JSON") from None
        which = body.get("report", body.get("file")) if isinstance(body, dict) else None
        if not isinstance(which, int | str):
            raise UsageError("send the decision as a JSON object naming its report, path and action")
        made = session.decide(
            which,
            str(body.get("path", "")),
            str(body.get("action", "")),
            body.get("value"),
            str(body.get("note", "")),
        )
        return _json({"decision": made.__dict__, "queue": session.summary()})

    async def refused(request: Request, exc: Exception) -> Response:
        status = 404 if isinstance(exc, InputMissingError) else 400
        return JSONResponse({"error": str(exc)}, status_code=status)

    routes = [
        Route("/", page),
        Route("/queue.json", queue),
        Route("/report/{n}.json", report, name="report_json"),  # before /report/{n}, which would match
        Route("/report/{n}", report),
        Route("/checks", checks),
        Route("/checks.json", checks, name="checks_json"),
        Route("/crop/{n}/{path}.png", crop),
        Route("/relation/{n}/{id}.png", relation_crop),
        Route("/decide", decide, methods=["POST"]),
        Mount("/files", routes=[Route("/{name:path}", output_file)]),
    ]
    app = Starlette(routes=routes, exception_handlers={ExtractorError: refused})
    return TokenGate(app, token)


_NO_STORE = {"cache-control": "no-store"}


def _json(data: Any) -> Response:
    return Response(
        json.dumps(data, ensure_ascii=False), media_type="application/json; charset=utf-8", headers=_NO_STORE
    )


def _index(text: str) -> int:
    if not text.isdigit():
        raise InputMissingError(f"{text!r} is not a report number")
    return int(text)


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _report_html(data: dict[str, Any], highlight: str) -> str:
    meta = data.get("meta") or {}
    parts = [
        f"<!doctype html><html lang=zh-CN><head><meta charset=utf-8><title>{_e(data['file'])}</title>",
        f"<style>{_TABLE_CSS}</style></head><body><p><a href='../'>back to the queue</a> · "
        f"<a href='{data['report']}.json'>JSON</a></p>",
        f"<h1>{_e(data['file'])}</h1><p>{_e(meta.get('agency'))} {_e(meta.get('year'))}</p>",
        tables_html(data, highlight),
        "</body></html>",
    ]
    return "".join(parts)


def tables_html(data: dict[str, Any], highlight: str = "") -> str:
    """The report's tables as HTML, the cell `highlight` marked, doubtful and decided cells too."""
    queue, decided = set(data["queue"]), data["decided"]
    out = []
    for table, rows in data["tables"].items():
        if not rows:
            continue
        columns = list(dict.fromkeys(c for cols in rows.values() for c in cols))
        out.append(f"<h2>{_e(TABLE_TITLES.get(table, table))}</h2><table class=grid><tr><th></th>")
        out.extend(f"<th>{_e(c)}</th>" for c in columns)
        out.append("</tr>")
        for row, cols in rows.items():
            out.append(f"<tr><th>{_e(row)}</th>")
            for column in columns:
                path = f"{table}.{row}.{column}"
                cell = cols.get(column)
                if cell is None:
                    out.append("<td class=none></td>")
                    continue
                classes = [
                    "hl" if path == highlight else "",
                    "doubt" if path in queue else "",
                    "person" if path in decided else "",
                ]
                value = "" if cell["value"] is None else cell["value"]
                out.append(
                    f"<td class='{' '.join(c for c in classes if c)}' data-path='{_e(path)}' "
                    f"title='{_e(path)} · {_e(cell['raw'])}'>{_e(value)}</td>"
                )
            out.append("</tr>")
        out.append("</table>")
    return "".join(out)


def _checks_html(data: dict[str, Any]) -> str:
    rows = "".join(
        f"<tr><td>{_e(c['kind'])}</td><td>{_e(' / '.join(c['files']))}</td><td>{_e(c['message'])}</td></tr>"
        for c in data["cross"]
        if not c["passed"]
    )
    source = "".join(
        f"<tr><td><code>{_e(s['id'])}</code></td><td>{_e(s['cause'])}</td><td>{_e(s['file'])}</td><td>{_e(s['says'])}</td>"
        f"<td>{_e(s['expected'])}</td><td>{_e(s['actual'])}</td></tr>"
        for s in data["relations"]
    )
    return (
        f"<!doctype html><html lang=zh-CN><head><meta charset=utf-8><title>checks</title>"
        f"<style>{_TABLE_CSS}</style></head><body><p><a href='./'>back to the queue</a> · "
        f"<a href='checks.json'>JSON</a></p><h1>Across reports</h1><table class=grid>"
        f"<tr><th>check</th><th>files</th><th>what</th></tr>{rows}</table>"
        f"<h1>Relations that fail</h1><table class=grid><tr><th>relation</th><th>cause</th><th>file</th>"
        f"<th>says</th><th>parts sum to</th><th>report states</th></tr>{source}</table></body></html>"
    )


_TABLE_CSS = (
    "body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;margin:1rem}"
    "table.grid{border-collapse:collapse;font-size:.8rem;margin-bottom:1rem}"
    "table.grid td,table.grid th{border:1px solid #ccc;padding:.15rem .35rem;text-align:right}"
    "table.grid th{background:#f3f3f3;text-align:left}"
    "td.doubt{background:#fff1e6}td.person{background:#e6f6ea}"
    "td.hl{outline:3px solid #d62728;outline-offset:-2px;font-weight:bold}"
)


def serve(session: ReviewSession, port: int = 0, open_browser: bool = True, host: str = "127.0.0.1") -> None:
    """Serve the review of `session` until Ctrl-C; the URL (with its token) goes to stderr."""
    import uvicorn

    token = new_token()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
        sock.listen(128)  # connections wait in the backlog until the server runs: the address works at once
    except OSError as e:
        raise UsageError(f"cannot listen on {host}:{port} ({e.strerror}); choose another --port") from e
    url = f"http://{host}:{sock.getsockname()[1]}/{token}/"
    config = uvicorn.Config(create_app(session, token), log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    print(f"review: {url}  (Ctrl-C to stop)", file=sys.stderr, flush=True)
    if open_browser:
        webbrowser.open(url)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        session.close()
