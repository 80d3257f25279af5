"""What upstream failures look like: status codes, exception class names and texts, each with its category.

Data only (moved out of ``errors``); ``errors.classify`` applies it in the order of its rules
(``errors._RULES``). Class names are matched along the exception chain and its MROs, texts
lower-cased.
"""

from __future__ import annotations

from director_litellm._error_types import Category

# what an end user is told; never upstream text
USER_TEXT: dict[Category, str] = {
    "auth": "The LLM provider rejected the API key. Check the key configured for this model.",
    "permission": "The API key is not allowed to use this model or endpoint.",
    "not_found": "The model or endpoint was not found. Check the model name and API base URL.",
    "bad_request": "The LLM provider refused the request as invalid.",
    "context_window": "The conversation is too long for this model's context window.",
    "content_policy": "The LLM provider refused the request under its content policy.",
    "unsupported_params": "The model does not support a parameter in this request.",
    "rate_limit": "The LLM provider is rate limiting requests. Please try again shortly.",
    "timeout": "The LLM provider did not answer in time.",
    "connection": "Could not connect to the LLM provider.",
    "server": "The LLM provider had an internal error or is overloaded. Please try again.",
    "bad_response": "The LLM provider returned a response that could not be used.",
    "invalid_input": "The request to the LLM was malformed and was not sent",
    "config": "director-litellm is misconfigured",
    "blocked_version": "The installed litellm release is blocked",
    "unknown": "The LLM call failed unexpectedly.",
}

BY_STATUS: dict[int, Category] = {
    400: "bad_request",
    401: "auth",
    402: "permission",
    403: "permission",
    404: "not_found",
    408: "timeout",
    409: "server",
    413: "context_window",
    422: "bad_request",
    429: "rate_limit",
    500: "server",
    502: "server",
    503: "server",
    504: "timeout",
    529: "server",
}

# litellm classes whose meaning is more specific than any status code (checked before the status)
SPECIFIC_CLASSES: tuple[tuple[str, Category], ...] = (
    ("ContextWindowExceededError", "context_window"),
    ("ContentPolicyViolationError", "content_policy"),
    ("UnsupportedParamsError", "unsupported_params"),
    ("BudgetExceededError", "rate_limit"),
)
# litellm / openai classes that say what happened when no status code came with them
GENERAL_CLASSES: tuple[tuple[str, Category], ...] = (
    ("AuthenticationError", "auth"),
    ("PermissionDeniedError", "permission"),
    ("NotFoundError", "not_found"),
    ("RateLimitError", "rate_limit"),
    ("Timeout", "timeout"),
    ("APITimeoutError", "timeout"),
    ("BadRequestError", "bad_request"),
    ("UnprocessableEntityError", "bad_request"),
    ("ServiceUnavailableError", "server"),
    ("BadGatewayError", "server"),
    ("InternalServerError", "server"),
    ("MidStreamFallbackError", "connection"),
)

# litellm classes it raises when it refuses a request itself, before sending (litellm's own 400 label)
LOCAL_REFUSAL_CLASSES = frozenset({"BadRequestError", "UnsupportedParamsError"})
# ... unless a more specific class says the provider's limit or policy was met
NOT_LOCAL_CLASSES = frozenset({"ContextWindowExceededError", "ContentPolicyViolationError"})

TRANSPORT_TIMEOUT = frozenset(
    {
        "ReadTimeout",
        "WriteTimeout",
        "ConnectTimeout",
        "PoolTimeout",
        "TimeoutException",
        "TimeoutError",
        "APITimeoutError",
        "ServerTimeoutError",
    }
)
TRANSPORT_CONNECTION = frozenset(
    {
        "ConnectError",
        "ConnectionRefusedError",
        "RemoteProtocolError",
        "ReadError",
        "ConnectionResetError",
        "ConnectionError",
        "ClientConnectorError",
        "ServerDisconnectedError",
        "ClientOSError",
        "IncompleteRead",
        "ClientPayloadError",
    }
)
CONNECTION_HINTS = (
    "connection refused",
    "connect call failed",
    "connection reset",
    "server disconnected",
    "peer closed connection",
    "connection error",
    "incomplete chunked read",
    "remoteprotocolerror",
    "all connection attempts failed",
    "name or service not known",
    "nodename nor servname",
)

BAD_BODY_HINTS = (
    "expecting value: line",
    "expecting property name",
    "unterminated string",
    "expecting ',' delimiter",
    "invalid control character",
    "extra data: line",
)
AUTH_HINTS = (
    "missing credentials",
    "api_key client option must be set",
    "no api key provided",
    "api key not found",
    "invalid x-api-key",
    "incorrect api key",
    # AWS (Bedrock): an access key id AWS does not know (403 UnrecognizedClientException), a wrong
    # secret (403 SignatureDoesNotMatch / InvalidSignatureException)
    "the security token included in the request is invalid",
    "the request signature we calculated does not match",
    # Gemini answers a bad key with HTTP 400 "API key not valid. Please pass a valid API key." (API_KEY_INVALID)
    "api key not valid",
    "api_key_invalid",
)
# a package the provider's route needs is not installed (litellm reports it as a 500, a connection
# error or a 400): an ImportError saying so along the chain ...
MISSING_PACKAGE_HINTS = ("no module named", "not installed", "import failed", "sdk not found", "pip install")
# ... or litellm's own sentence for it, with no ImportError kept (Bedrock on 1.60: "Missing boto3 to call bedrock")
MISSING_PACKAGE_SENTENCES = ("missing boto3", "missing optional dependency", "google cloud sdk not found")
# a cloud route found no credentials at all (google-auth's DefaultCredentialsError; litellm reports a 500):
# by the class or text, what to set
MISSING_CREDENTIALS = (
    (
        "DefaultCredentialsError",
        "default credentials were not found",
        "no Google Cloud credentials for Vertex AI: set GOOGLE_APPLICATION_CREDENTIALS to a service-account "
        "JSON file (or VERTEXAI_CREDENTIALS), or run: gcloud auth application-default login",
    ),
)
# the cloud's token endpoint refused the credentials (google-auth's RefreshError, e.g. 400 invalid_grant for a
# deleted or revoked service-account key; litellm reports a 500)
REFUSED_CREDENTIALS = (
    (
        "RefreshError",
        "invalid_grant",
        "Google refused the Vertex AI credentials. Check the service-account file GOOGLE_APPLICATION_CREDENTIALS "
        "(or VERTEXAI_CREDENTIALS) names: its key may be deleted or revoked",
    ),
)
# optional packages litellm imports for one provider family, by the missing module's top-level name
# (google-auth's is ``google``), and the command that installs it (the package's extras, pyproject.toml)
INSTALL_COMMANDS = (
    ("google", 'pip install "director-litellm[vertex]"'),
    ("vertexai", 'pip install "google-cloud-aiplatform>=1.38"'),
    ("boto3", 'pip install "director-litellm[bedrock]"'),
    ("botocore", 'pip install "director-litellm[bedrock]"'),
)
# LiteLLM Proxy / Router answers whose status code says less than their text (seen at the wire)
GATEWAY_HINTS: tuple[tuple[str, Category], ...] = (
    # a proxy without a database answers any key but its master key with 400 "No connected db."
    ("no connected db", "auth"),
    # the Router: every deployment cooling down, over its budget or rpm (litellm 1.60: no status)
    ("no deployments available", "rate_limit"),
    # the proxy: a model name its config does not have (400)
    ("invalid model name passed in", "not_found"),
)


__all__ = [
    "AUTH_HINTS",
    "BAD_BODY_HINTS",
    "BY_STATUS",
    "CONNECTION_HINTS",
    "GATEWAY_HINTS",
    "GENERAL_CLASSES",
    "INSTALL_COMMANDS",
    "LOCAL_REFUSAL_CLASSES",
    "MISSING_CREDENTIALS",
    "MISSING_PACKAGE_HINTS",
    "MISSING_PACKAGE_SENTENCES",
    "NOT_LOCAL_CLASSES",
    "REFUSED_CREDENTIALS",
    "SPECIFIC_CLASSES",
    "TRANSPORT_CONNECTION",
    "TRANSPORT_TIMEOUT",
    "USER_TEXT",
]
