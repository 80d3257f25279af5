"""Azure OpenAI Chat Completions: the URL, api-version, auth and content filtering the real service applies.

The request body is OpenAI's (``check_openai``); what Azure adds is checked here. Each rule cites its page.
"""

from __future__ import annotations

import re

AZURE_REF = "https://learn.microsoft.com/en-us/azure/ai-foundry/openai/reference"
AZURE_VERSIONS = "https://learn.microsoft.com/en-us/azure/ai-foundry/openai/api-version-lifecycle"
AZURE_FILTER = "https://learn.microsoft.com/en-us/azure/ai-foundry/openai/concepts/content-filter"
AZURE_QUOTA = "https://learn.microsoft.com/en-us/azure/ai-foundry/openai/how-to/quota"

# AZURE_REF: "POST https://{endpoint}/openai/deployments/{deployment-id}/chat/completions?api-version=..."
DEPLOYMENT_PATH = re.compile(r"^/openai/deployments/(?P<deployment>[^/]+)/chat/completions$")

# AZURE_VERSIONS: the data-plane inference versions (GA and preview) the service answers; any other value
# is answered 404 "Resource not found", like a wrong path.
API_VERSIONS = frozenset(
    [
        "2022-12-01",
        "2023-05-15",
        "2024-02-01",
        "2024-06-01",
        "2024-10-21",
        "2023-06-01-preview",
        "2023-07-01-preview",
        "2023-08-01-preview",
        "2023-09-01-preview",
        "2023-12-01-preview",
        "2024-02-15-preview",
        "2024-03-01-preview",
        "2024-04-01-preview",
        "2024-05-01-preview",
        "2024-07-01-preview",
        "2024-08-01-preview",
        "2024-09-01-preview",
        "2024-10-01-preview",
        "2024-12-01-preview",
        "2025-01-01-preview",
        "2025-02-01-preview",
        "2025-03-01-preview",
        "2025-04-01-preview",
    ]
)

NOT_FOUND = "Resource not found"
DEPLOYMENT_NOT_FOUND = (
    "The API deployment for this resource does not exist. If you created the deployment within the last 5 "
    "minutes, please wait a moment and try again."
)
ACCESS_DENIED = (
    "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for "
    "an active subscription and use a correct regional API endpoint for your resource."
)
# AZURE_FILTER, "Prompt filtering": the 400 a filtered prompt gets (code content_filter, innererror
# ResponsibleAIPolicyViolation with the per-category result)
PROMPT_FILTERED = (
    "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please "
    "modify your prompt and retry. To learn more about our content filtering policies please read our "
    "documentation: https://go.microsoft.com/fwlink/?linkid=2198766"
)
CATEGORIES = ("hate", "self_harm", "sexual", "violence")


def check_azure_target(method: str, path: str, query: dict[str, str]) -> str | None:
    """AZURE_REF / AZURE_VERSIONS: a POST to the deployment path with a known ``api-version``."""
    if method != "POST" or not DEPLOYMENT_PATH.match(path):
        return NOT_FOUND
    if query.get("api-version") not in API_VERSIONS:
        return NOT_FOUND
    return None


def check_azure_auth(headers: dict[str, str], expected_key: str | None) -> str | None:
    """AZURE_REF "Authentication": an ``api-key`` header, or ``Authorization: Bearer`` (Microsoft Entra ID)."""
    key = headers.get("api-key", "")
    auth = headers.get("authorization", "")
    token = auth[7:].strip() if auth.startswith("Bearer ") else ""
    if not key and not token:
        return ACCESS_DENIED
    if expected_key is not None and key != expected_key and token != expected_key:
        return ACCESS_DENIED
    return None


def filtered_prompt(body: object, blocked: frozenset[str]) -> bool:
    """AZURE_FILTER: a prompt containing a blocked term (the fake's stand-in for the classifier) is refused."""
    if not blocked or not isinstance(body, dict):
        return False
    text = " ".join(
        m.get("content", "") if isinstance(m.get("content"), str) else str(m.get("content"))
        for m in body.get("messages") or []
        if isinstance(m, dict)
    ).lower()
    return any(term.lower() in text for term in blocked)


def category_results(filtered: str | None = None, *, prompt: bool = False) -> dict:
    """AZURE_FILTER "Annotations": one severity per category (``filtered`` names the one that fired)."""
    out: dict = {
        name: {"filtered": name == filtered, "severity": "medium" if name == filtered else "safe"}
        for name in CATEGORIES
    }
    if prompt:
        out["jailbreak"] = {"filtered": False, "detected": False}
    else:
        out["protected_material_code"] = {"filtered": False, "detected": False}
        out["protected_material_text"] = {"filtered": False, "detected": False}
    return dict(sorted(out.items()))
