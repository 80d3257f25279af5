"""The Gemini API fake (generateContent, streamGenerateContent), and the same served at Vertex AI's paths
with Claude on Vertex (rawPredict, streamRawPredict) and a loopback OAuth token endpoint.

``FakeGemini.url`` (``http://127.0.0.1:PORT/v1beta``) is the api_base for litellm 1.110's ``gemini/``
route (it appends ``/models/{model}:generateContent``). ``FakeVertex.model_url(model)`` is the per-model
api_base both litellm versions use as ``{api_base}:generateContent``; ``FakeVertex.url`` is the host
(litellm 1.110 grafts the default Vertex path onto an api_base without a path).
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import threading
import urllib.parse
import uuid
from typing import Any

from werkzeug import Response

from . import rules
from .base import AUTO, DEFAULT_USAGE, BaseFake, Recorded, Reply, usage_object
from .fake_anthropic import FakeAnthropic
from .prompt_cache import AnthropicCache
from .rules import gemini as g
from .transport import LoopbackServer

_GEMINI_PATH = re.compile(r"^/(v1beta|v1)/models/([^/:]+):(generateContent|streamGenerateContent)$")
_VERTEX_PATH = re.compile(
    r"^/(v1|v1beta1)/projects/([^/]+)/locations/([^/]+)/publishers/(google|anthropic)/models/([^/:]+)"
    r":(generateContent|streamGenerateContent|rawPredict|streamRawPredict)$"
)
# finish reasons given to Reply (OpenAI names) -> Gemini's FinishReason (GEMINI_REF); Gemini's own pass through
_FINISH = {"stop": "STOP", "tool_calls": "STOP", "length": "MAX_TOKENS", "content_filter": "SAFETY"}


class FakeGemini(BaseFake):
    """Gemini API at ``POST /v1beta/models/{model}:generateContent`` and ``:streamGenerateContent?alt=sse``.

    ``signatures``: thought signatures this fake issued (GEMINI_SIGNATURES); a thinking model's first
    functionCall part of each answer gets a new one, and Gemini 3 refuses a current-turn call without one.
    ``Reply.success(content=[parts])`` replaces the candidate's parts verbatim; ``prompt_feedback=`` in a
    Reply's headers is not a thing: use ``Reply.raw`` for blocked prompts (see ``blocked_body``)."""

    vertex = False

    def __init__(self, server: LoopbackServer, expected_key: str | None = None) -> None:
        super().__init__(server, expected_key)
        self.signatures: set[str] = set()
        self._sig_lock = threading.Lock()

    @property
    def url(self) -> str:
        return self.server.url_for("/v1beta")

    def model_url(self, model: str) -> str:
        """The api_base litellm 1.60 needs: it posts to ``{api_base}:generateContent``."""
        return f"{self.url}/models/{model}"

    def response_headers(self, status: int) -> dict[str, str]:
        """What generativelanguage.googleapis.com sends besides the content-type (recorded: google-genai
        replays and litellm cassettes): ``server: scaffolding on HTTPServer2``, ``x-xss-protection: 0``,
        ``x-frame-options: SAMEORIGIN``, ``x-content-type-options: nosniff``, ``server-timing``, ``vary``."""
        return {
            "vary": "Origin, X-Origin, Referer",
            "server": "scaffolding on HTTPServer2",
            "x-xss-protection": "0",
            "x-frame-options": "SAMEORIGIN",
            "x-content-type-options": "nosniff",
            "server-timing": "gfet4t7; dur=420",
            "alt-svc": 'h3=":443"; ma=2592000,h3-29=":443"; ma=2592000',
        }

    # ------------------------------------------------------------------------------------------ routing
    def _route(self, rec: Recorded) -> tuple[str, str] | None:
        """``(model, method)`` of a Gemini path, or None."""
        m = _GEMINI_PATH.match(rec.path)
        return (m.group(2), m.group(3)) if m else None

    def _auth(self, rec: Recorded) -> tuple[int, str, str] | None:
        return g.check_gemini_key(rec.headers, rec.query, self.expected_key)

    def _refusal(self, rec: Recorded, bad_json: bool) -> tuple[int, list[str]] | None:
        route = self._route(rec) if rec.method == "POST" else None
        if route is None:
            return 404, [f"Not Found ({rec.method} {rec.path})"]
        auth = self._auth(rec)
        if auth:
            return auth[0], [auth[1]]
        if bad_json:
            return 400, ["Invalid JSON payload received."]
        with self._sig_lock:
            issued = set(self.signatures)
        violations = g.check_gemini(rec.body, route[0], issued, vertex=self.vertex)
        return (400, violations) if violations else None

    def _error_body(self, status: int, message: str, type: str | None) -> dict:
        """GOOGLE_ERROR_MODEL: ``{"error": {"code", "message", "status", "details"}}``; ``type`` is the
        canonical status name (default from the HTTP status) or, for API_KEY_INVALID, the ErrorInfo reason."""
        name = g.STATUS_NAMES.get(status, "UNKNOWN")
        reason = {g.API_KEY_INVALID: "API_KEY_INVALID"}.get(message, "")
        if type in g.STATUS_NAMES.values():
            name = type
        elif type:
            reason = type
        error: dict[str, Any] = {"code": status, "message": message, "status": name}
        if reason:
            error["details"] = [
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": reason,
                    "domain": "googleapis.com",
                    "metadata": {"service": "generativelanguage.googleapis.com"},
                },
                {"@type": "type.googleapis.com/google.rpc.LocalizedMessage", "locale": "en-US", "message": message},
            ]
        return {"error": error}

    def _json(self, status: int, body: Any, headers: dict | None = None) -> Response:
        # Google's error and answer bodies are JSON with charset=UTF-8
        response = super()._json(status, body, headers)
        if "content-type" not in {k.lower() for k in headers or {}}:
            response.headers["content-type"] = "application/json; charset=UTF-8"
        return response

    # ------------------------------------------------------------------------------------------ answers
    def _model(self, o: dict, rec: Recorded) -> str:
        route = self._route(rec)
        return o.get("model") or (route[0] if route else "gemini-fake")

    def _signature(self) -> str:
        sig = base64.b64encode(b"fake-signature:" + secrets.token_bytes(18)).decode()
        with self._sig_lock:
            self.signatures.add(sig)
        return sig

    def _parts(self, o: dict, rec: Recorded) -> list[dict]:
        if o.get("content", AUTO) is not AUTO:
            return list(o["content"])
        parts: list[dict] = []
        text = o.get("text")
        if text:
            parts.append({"text": text})
        for c in o["tool_calls"]:
            args = c.get("arguments") or "{}"
            call: dict[str, Any] = {"name": c["name"], "args": json.loads(args) if isinstance(args, str) else args}
            if c.get("id"):
                call["id"] = c["id"]
            parts.append({"functionCall": call})
        model = self._model(o, rec)
        # GEMINI_SIGNATURES: the first functionCall part of a thinking model's answer carries a signature
        # (Gemini 3: and an answer without calls carries one on its last part)
        first_call = next((p for p in parts if "functionCall" in p), None)
        if first_call is not None and g.gemini_thinks(model):
            first_call["thoughtSignature"] = self._signature()
        elif parts and g.gemini_requires_signatures(model):
            parts[-1]["thoughtSignature"] = self._signature()
        return parts

    def _usage(self, o: dict) -> dict | None:
        usage = o.get("usage", AUTO)
        if usage is None or isinstance(usage, dict):
            return usage
        p, c = DEFAULT_USAGE if usage is AUTO else usage
        return usage_object((p, c), "promptTokenCount", "candidatesTokenCount", False) | {"totalTokenCount": p + c}

    def _finish(self, o: dict) -> str:
        reason = o.get("finish_reason") or "stop"
        return _FINISH.get(reason, reason)

    def _envelope(self, candidate: dict | None, o: dict, rec: Recorded, usage: dict | None) -> dict:
        body: dict[str, Any] = {"candidates": [candidate]} if candidate is not None else {}
        if usage is not None:
            body["usageMetadata"] = usage
        body["modelVersion"] = self._model(o, rec)
        body["responseId"] = uuid.uuid4().hex[:22]
        return body

    def _success_body(self, o: dict, rec: Recorded) -> dict:
        candidate = {
            "content": {"parts": self._parts(o, rec), "role": "model"},
            "finishReason": self._finish(o),
            "index": 0,
        }
        return self._envelope(candidate, o, rec, self._usage(o))

    def _frame(self, event: dict) -> bytes:
        return f"data: {json.dumps(event, separators=(',', ':'))}\r\n\r\n".encode()

    def _stream_error(self, message: str) -> bytes:
        return self._frame(self._error_body(503, message, None))

    def _frames(self, o: dict, rec: Recorded) -> list[bytes]:
        """One GenerateContentResponse per text piece, the calls in their own chunk; the last chunk has
        the finishReason and usageMetadata (GEMINI_REF streamGenerateContent)."""
        pieces = [p for p in o["pieces"] if p]
        calls = self._parts({**o, "text": None}, rec) if o["tool_calls"] else []
        chunks: list[list[dict]] = [[{"text": p}] for p in pieces] + ([calls] if calls else [])
        if not chunks:
            chunks = [[{"text": ""}]]
        usage = self._usage(o)
        frames = []
        for i, parts in enumerate(chunks):
            candidate: dict[str, Any] = {"content": {"parts": parts, "role": "model"}, "index": 0}
            last = i == len(chunks) - 1
            if last:
                candidate["finishReason"] = self._finish(o)
            partial = dict(usage or {})
            if not last and usage is not None:
                partial.pop("candidatesTokenCount", None)
                partial["totalTokenCount"] = partial.get("promptTokenCount", 0)
            frames.append(self._frame(self._envelope(candidate, o, rec, partial if usage is not None else None)))
        return frames

    def _render(self, reply: Reply, rec: Recorded, sock: Any) -> Response:
        route = self._route(rec)
        streaming = route is not None and route[1] == "streamGenerateContent"
        if reply.kind == "success" and streaming:
            keep = ("tool_calls", "finish_reason", "usage", "model", "headers")
            o = reply.opts
            if o.get("content", AUTO) is not AUTO:  # verbatim parts: one chunk
                event = self._success_body(o, rec)
                return self._render(Reply.stream(events=[event], headers=o["headers"]), rec, sock)
            return self._render(Reply.stream(o["text"], **{k: o[k] for k in keep}), rec, sock)
        if reply.kind == "stream" and streaming and rec.query.get("alt") != "sse":
            # without alt=sse the stream is one JSON array of the chunks (GEMINI_REF)
            frames = self._frames(reply.opts, rec) if reply.opts["events"] is None else []
            chunks = [json.loads(f.decode()[len("data: ") :]) for f in frames]
            return self._json(200, chunks, reply.opts["headers"])
        return super()._render(reply, rec, sock)


def blocked_body(reason: str = "SAFETY", model: str = "gemini-2.5-flash", *, usage: int = 8) -> dict:
    """A prompt the API blocked: no candidates, ``promptFeedback.blockReason`` (GEMINI_REF BlockReason;
    MODEL_ARMOR on Vertex, VERTEX_REF)."""
    return {
        "promptFeedback": {"blockReason": reason},
        "usageMetadata": {"promptTokenCount": usage, "totalTokenCount": usage},
        "modelVersion": model,
        "responseId": uuid.uuid4().hex[:22],
    }


class FakeVertex(FakeGemini):
    """Vertex AI: Gemini at ``/v1/projects/{p}/locations/{l}/publishers/google/models/{m}:generateContent``
    (and ``:streamGenerateContent``), Claude at ``.../publishers/anthropic/models/{m}:rawPredict`` (and
    ``:streamRawPredict``), and a Google OAuth token endpoint at ``/token`` for a service-account file
    (``service_account_file``). Requests need ``Authorization: Bearer <a token issued here>`` (VERTEX_AUTH)."""

    vertex = True
    # access tokens issued by any instance: litellm caches a token process-wide (per credentials), and a
    # real token stays valid for its hour whichever server sees it
    tokens: set[str] = set()

    def __init__(self, server: LoopbackServer, expected_key: str | None = None) -> None:
        super().__init__(server, expected_key)
        self.token_requests = 0
        self.revoked = False  # True: the token endpoint refuses the key (invalid_grant)
        self._claude = FakeAnthropic.__new__(FakeAnthropic)  # its rendering, not its server
        self._claude.prompt_cache = AnthropicCache()
        self._claude.count_tokens = False
        self.project, self.location = "fake-project", "us-central1"
        self._local = threading.local()

    @property
    def url(self) -> str:
        return self.server.url_for("/").rstrip("/")

    def model_url(self, model: str, publisher: str = "google") -> str:
        return f"{self.url}/v1/projects/{self.project}/locations/{self.location}/publishers/{publisher}/models/{model}"

    def service_account_file(self, directory: os.PathLike | str) -> str:
        """Write a service-account JSON whose ``token_uri`` is this fake's ``/token``; return its path."""
        from tests.fakes.google_auth import service_account_info

        path = os.path.join(directory, "vertex-service-account.json")
        with open(path, "w") as f:
            json.dump(service_account_info(f"{self.url}/token", self.project), f)
        return path

    def _route(self, rec: Recorded) -> tuple[str, str] | None:
        m = _VERTEX_PATH.match(rec.path)
        return (m.group(5), m.group(6)) if m else None

    def _auth(self, rec: Recorded) -> tuple[int, str, str] | None:
        token = rec.headers.get("authorization", "").removeprefix("Bearer ")
        with self._sig_lock:
            known = token in FakeVertex.tokens
        if not known:
            return (
                401,
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or "
                "other valid authentication credential. See "
                "https://developers.google.com/identity/sign-in/web/devconsole-project.",
                "ACCESS_TOKEN_TYPE_UNSUPPORTED" if token else "CREDENTIALS_MISSING",
            )
        return None

    def _token(self, request: Any) -> Response:
        """Google's OAuth 2.0 token endpoint for a service account's signed JWT (RFC 7523 grant)."""
        form = urllib.parse.parse_qs(request.get_data(as_text=True))
        self.token_requests += 1
        if self.revoked:  # a deleted or revoked service-account key: Google's answer to its signed JWT
            body = {"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
            return Response(json.dumps(body), 400, content_type="application/json; charset=utf-8")
        if form.get("grant_type") != ["urn:ietf:params:oauth:grant-type:jwt-bearer"] or not form.get("assertion"):
            return Response(json.dumps({"error": "invalid_grant"}), 400, content_type="application/json")
        token = f"ya29.fake-{secrets.token_urlsafe(24)}"
        with self._sig_lock:
            FakeVertex.tokens.add(token)
        body = {"access_token": token, "expires_in": 3599, "token_type": "Bearer"}
        return Response(json.dumps(body), 200, content_type="application/json; charset=utf-8")

    def _handle(self, request: Any) -> Response:
        if request.path == "/token":
            return self._token(request)
        m = _VERTEX_PATH.match(request.path)
        # which format this request's answers and errors take: Claude's, or Google's (also for every
        # refusal by Google's front end, such as a missing token)
        self._local.claude = bool(m and m.group(4) == "anthropic")
        self._local.google_error = True
        return super()._handle(request)

    def _refusal(self, rec: Recorded, bad_json: bool) -> tuple[int, list[str]] | None:
        if not self._local.claude:
            return super()._refusal(rec, bad_json)
        auth = self._auth(rec)
        if auth:
            return auth[0], [auth[1]]
        self._local.google_error = False
        if bad_json or not isinstance(rec.body, dict):
            return 400, ["Invalid JSON payload received."]
        # VERTEX_CLAUDE: the Anthropic Messages body with anthropic_version "vertex-2023-10-16" in the body
        # and the model in the URL, not in the body; otherwise Anthropic's own rules
        body = dict(rec.body)
        out = []
        if body.pop("anthropic_version", None) != "vertex-2023-10-16":
            out.append("anthropic_version: Input should be 'vertex-2023-10-16'")
        if "model" in body:
            out.append("model: Extra inputs are not permitted")
        route = self._route(rec)
        body["model"] = route[0] if route else ""
        out += rules.check_anthropic(body, {**rec.headers, "anthropic-version": "2023-06-01"})
        return (400, out) if out else None

    def _render(self, reply: Reply, rec: Recorded, sock: Any) -> Response:
        self._local.google_error = not self._local.claude
        if self._local.claude:  # the stream flag is in the body, as on Anthropic's API
            return BaseFake._render(self, reply, rec, sock)
        return super()._render(reply, rec, sock)

    # Claude on Vertex answers in Anthropic's format (VERTEX_CLAUDE); Google's front end in Google's
    def _error_body(self, status: int, message: str, type: str | None) -> dict:
        if not self._local.google_error:
            return self._claude._error_body(status, message, type)
        body = super()._error_body(status, message, type)
        for detail in body["error"].get("details", []):
            if "metadata" in detail:
                detail["metadata"]["service"] = "aiplatform.googleapis.com"
        return body

    def _success_body(self, o: dict, rec: Recorded) -> dict:
        return self._claude._success_body(o, rec) if self._local.claude else super()._success_body(o, rec)

    def _frames(self, o: dict, rec: Recorded) -> list[bytes]:
        return self._claude._frames(o, rec) if self._local.claude else super()._frames(o, rec)

    def _frame(self, event: dict) -> bytes:
        return self._claude._frame(event) if self._local.claude else super()._frame(event)

    def _stream_error(self, message: str) -> bytes:
        return self._claude._stream_error(message) if self._local.claude else super()._stream_error(message)
