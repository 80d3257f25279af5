"""The Azure OpenAI Chat Completions fake: the deployment URL, api-version, api-key, content filtering and
Azure's own headers, over OpenAI's body and answers (``FakeOpenAI``).

Give litellm ``url`` (no path) as api_base, an ``azure/<deployment>`` model and an ``api_version`` from
``rules.azure.API_VERSIONS``.

- ``deployments``: the deployment names that exist (None: any); another name gets Azure's 404
  ``DeploymentNotFound``.
- ``blocked_terms``: a prompt containing one is refused with the 400 content-filter body (AZURE_FILTER).
- ``Reply.error(400, type="content_filter")`` sends that body too; ``Reply.success(...,
  finish_reason="content_filter")`` a completion the output filter stopped.
- A 429 carries ``retry-after-ms`` and ``retry-after`` (AZURE_QUOTA).
"""

from __future__ import annotations

import json
import uuid

from . import rules
from .base import Recorded
from .fake_openai import FakeOpenAI
from .rules import azure


class FakeAzureOpenAI(FakeOpenAI):
    """Azure OpenAI Chat Completions at ``POST /openai/deployments/{deployment}/chat/completions``."""

    paths = ()
    region = "East US"
    retry_after_ms = 2000  # what a 429 asks for

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.deployments: frozenset[str] | None = None
        self.blocked_terms: frozenset[str] = frozenset()
        self._error_codes: dict[int, str] = {}

    @property
    def url(self) -> str:
        return self.server.url_for("").rstrip("/")

    def response_headers(self, status: int) -> dict[str, str]:
        """What an Azure OpenAI resource sends (a recorded 2025 completion: Mirascope/mirascope
        python/tests/e2e/output/cassettes/test_call/azure_gpt_4o_mini/sync.yaml), minus the transport's."""
        hdrs = {
            "apim-request-id": str(uuid.uuid4()),
            "x-request-id": str(uuid.uuid4()),
            "x-ms-region": self.region,
            "x-ms-rai-invoked": "true",
            "x-ms-client-request-id": "Not-Set",
            "x-content-type-options": "nosniff",
            "azureml-model-session": "d039-20251204115444",
            "x-ratelimit-limit-requests": "300",
            "x-ratelimit-limit-tokens": "30000",
            "x-ratelimit-remaining-requests": "299",
            "x-ratelimit-remaining-tokens": "29990",
            "strict-transport-security": "max-age=31536000; includeSubDomains; preload",
        }
        if status == 429:  # AZURE_QUOTA: both headers, milliseconds and whole seconds
            hdrs["retry-after-ms"] = str(self.retry_after_ms)
            hdrs["retry-after"] = str(max(1, self.retry_after_ms // 1000))
            hdrs["x-ratelimit-remaining-requests"] = "0"
        return hdrs

    def _refusal(self, rec: Recorded, bad_json: bool) -> tuple[int, list[str]] | None:
        target = azure.check_azure_target(rec.method, rec.path, rec.query)
        if target:
            self._error_codes[404] = "404"
            return 404, [target]
        deployment = azure.DEPLOYMENT_PATH.match(rec.path).group("deployment")  # type: ignore[union-attr]
        if self.deployments is not None and deployment not in self.deployments:
            self._error_codes[404] = "DeploymentNotFound"
            return 404, [azure.DEPLOYMENT_NOT_FOUND]
        auth = azure.check_azure_auth(rec.headers, self.expected_key)
        if auth:
            return 401, [auth]
        if bad_json:
            return 400, ["We could not parse the JSON body of your request."]
        if violations := rules.check_openai(rec.body):
            return 400, violations
        if azure.filtered_prompt(rec.body, self.blocked_terms):
            self._error_codes[400] = "content_filter"
            return 400, [azure.PROMPT_FILTERED]
        return None

    def _error_body(self, status: int, message: str, type: str | None) -> dict:
        code = self._error_codes.pop(status, None)
        if type == "content_filter" or code == "content_filter":
            # AZURE_FILTER: the prompt-filter error (recorded shape: tests/conformance/payloads/azure/
            # hand-400-content-filter.body)
            return {
                "error": {
                    "message": message if message != "fake error" else azure.PROMPT_FILTERED,
                    "type": None,
                    "param": "prompt",
                    "code": "content_filter",
                    "status": 400,
                    "innererror": {
                        "code": "ResponsibleAIPolicyViolation",
                        "content_filter_result": azure.category_results("violence", prompt=True),
                    },
                }
            }
        if status in (401, 404, 429) or code:
            # AZURE_REF: the service's own errors carry only a code and a message
            if status == 429 and message == "fake error":
                message = (
                    "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 "
                    "have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after "
                    f"{max(1, self.retry_after_ms // 1000)} second."
                )
            return {"error": {"code": code or str(status), "message": message}}
        return super()._error_body(status, message, type)

    def _success_body(self, o: dict, rec: Recorded) -> dict:
        body = super()._success_body(o, rec)
        filtered = "violence" if body["choices"][0]["finish_reason"] == "content_filter" else None
        body["choices"][0]["content_filter_results"] = azure.category_results(filtered)
        body["prompt_filter_results"] = [
            {"prompt_index": 0, "content_filter_results": azure.category_results(prompt=True)}
        ]
        return body

    def _frames(self, o: dict, rec: Recorded) -> list[bytes]:
        # AZURE_FILTER "Streaming": the prompt's annotations come first, in a chunk with no choices; then each
        # choice carries its own content_filter_results
        head = {
            "choices": [],
            "created": 0,
            "id": "",
            "model": "",
            "object": "",
            "prompt_filter_results": [
                {"prompt_index": 0, "content_filter_results": azure.category_results(prompt=True)}
            ],
        }
        frames = [self._frame(head)]
        filtered = "violence" if o["finish_reason"] == "content_filter" else None
        for frame in super()._frames(o, rec):
            if not frame.startswith(b"data: {"):
                frames.append(frame)
                continue
            event = json.loads(frame[6:])
            for choice in event.get("choices") or []:
                last = choice.get("finish_reason") is not None
                choice["content_filter_results"] = azure.category_results(filtered if last else None)
            frames.append(self._frame(event))
        return frames


__all__ = ["FakeAzureOpenAI"]
