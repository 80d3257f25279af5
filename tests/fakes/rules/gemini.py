"""Gemini API (and Gemini on Vertex AI): the request body, contents, tools, signatures and auth it accepts.

Every check cites the page it comes from. The JSON is protobuf JSON: Google's parser takes a field by its
lowerCamelCase JSON name or its proto (snake_case) name alike (GEMINI_PROTO_JSON), so the checks read
both. A check returns human-readable violations (empty: the real service would accept the request).
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

GEMINI_REF = "https://ai.google.dev/api/generate-content"
GEMINI_CONTENT = "https://ai.google.dev/api/caching#Content"
GEMINI_SCHEMA = "https://ai.google.dev/api/caching#Schema"
GEMINI_FUNCTIONS = "https://ai.google.dev/gemini-api/docs/function-calling"
GEMINI_SIGNATURES = "https://ai.google.dev/gemini-api/docs/thought-signatures"
GEMINI_ERRORS = "https://ai.google.dev/gemini-api/docs/troubleshooting"
GEMINI_KEYS = "https://ai.google.dev/gemini-api/docs/api-key"
GEMINI_PROTO_JSON = "https://protobuf.dev/programming-guides/json/"
VERTEX_REF = "https://cloud.google.com/vertex-ai/generative-ai/docs/reference/rest/v1/projects.locations.endpoints/generateContent"
VERTEX_AUTH = "https://cloud.google.com/docs/authentication/rest"
VERTEX_CLAUDE = "https://cloud.google.com/vertex-ai/generative-ai/docs/partner-models/claude/use-claude"
GOOGLE_ERROR_MODEL = "https://cloud.google.com/apis/design/errors"

# GEMINI_ERRORS / GOOGLE_ERROR_MODEL: the HTTP status of each canonical error code
STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    409: "ABORTED",
    429: "RESOURCE_EXHAUSTED",
    499: "CANCELLED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
    504: "DEADLINE_EXCEEDED",
}

# GEMINI_REF: GenerateContentRequest (Vertex adds labels and a few more, VERTEX_REF)
REQUEST_FIELDS = frozenset(
    ["contents", "tools", "toolConfig", "safetySettings", "systemInstruction", "generationConfig", "cachedContent"]
)
VERTEX_REQUEST_FIELDS = REQUEST_FIELDS | {"labels", "modelArmorConfig"}
# GEMINI_REF: GenerationConfig
GENERATION_FIELDS = frozenset(
    [
        "stopSequences",
        "responseMimeType",
        "responseSchema",
        "responseJsonSchema",
        "responseModalities",
        "candidateCount",
        "maxOutputTokens",
        "temperature",
        "topP",
        "topK",
        "seed",
        "presencePenalty",
        "frequencyPenalty",
        "responseLogprobs",
        "logprobs",
        "enableEnhancedCivicAnswers",
        "speechConfig",
        "thinkingConfig",
        "imageConfig",
        "mediaResolution",
        "audioTimestamp",  # Vertex
    ]
)
# GEMINI_CONTENT: Part's data oneof and its metadata
PART_DATA = frozenset(
    [
        "text",
        "inlineData",
        "functionCall",
        "functionResponse",
        "fileData",
        "executableCode",
        "codeExecutionResult",
    ]
)
PART_FIELDS = PART_DATA | {"thought", "thoughtSignature", "partMetadata", "videoMetadata", "mediaResolution"}
# GEMINI_SCHEMA: the fields of Schema (an OpenAPI 3.0 subset); anything else is "Unknown name"
SCHEMA_FIELDS = frozenset(
    [
        "type",
        "format",
        "title",
        "description",
        "nullable",
        "enum",
        "maxItems",
        "minItems",
        "properties",
        "required",
        "minProperties",
        "maxProperties",
        "minLength",
        "maxLength",
        "pattern",
        "example",
        "anyOf",
        "propertyOrdering",
        "default",
        "items",
        "minimum",
        "maximum",
    ]
)
SCHEMA_TYPES = frozenset(["TYPE_UNSPECIFIED", "STRING", "NUMBER", "INTEGER", "BOOLEAN", "ARRAY", "OBJECT", "NULL"])
# GEMINI_SCHEMA "format": "for NUMBER type: float, double; for INTEGER type: int32, int64; for STRING type:
# enum, date-time"
SCHEMA_FORMATS = {"STRING": {"enum", "date-time"}, "NUMBER": {"float", "double"}, "INTEGER": {"int32", "int64"}}
# GEMINI_SIGNATURES (FAQ): the dummy signatures Google documents for function calls the model did not make
# (history from another model, or built by hand); sent as given or base64-encoded (the field is bytes)
PLACEHOLDER_SIGNATURES = frozenset(
    s
    for raw in (b"skip_thought_signature_validator", b"context_engineering_is_the_way_to_go")
    for s in (raw.decode(), base64.b64encode(raw).decode())
)
MISSING_SIGNATURE = (
    "Function call is missing a thought_signature in functionCall parts. This is required for tools to work "
    "correctly, and missing thought_signature may lead to degraded model performance. Additional data, function "
    "call `default_api:{name}` , position {position}. Please refer to " + GEMINI_SIGNATURES + " for more details."
)
API_KEY_INVALID = "API key not valid. Please pass a valid API key."
_CAMEL = re.compile(r"_([a-z])")


def camel(key: str) -> str:
    """GEMINI_PROTO_JSON: a proto field name (``function_call``) read as its JSON name (``functionCall``)."""
    return _CAMEL.sub(lambda m: m.group(1).upper(), key)


def camel_keys(obj: Any) -> dict:
    return {camel(k): v for k, v in obj.items()} if isinstance(obj, dict) else {}


def gemini_thinks(model: str) -> bool:
    """Gemini 2.5 and 3 are thinking models (GEMINI_SIGNATURES: they may return thought signatures)."""
    return bool(re.search(r"gemini-(2\.5|[3-9])", model))


def gemini_requires_signatures(model: str) -> bool:
    """GEMINI_SIGNATURES: "When using Gemini 3 models, you must pass back thought signatures during function
    calling, otherwise you will get a validation error (4xx status code)"."""
    return bool(re.search(r"gemini-[3-9]", model))


def _unknown(where: str, keys: set[str]) -> list[str]:
    return [
        f"Invalid JSON payload received. Unknown name \"{k}\" at '{where}': Cannot find field." for k in sorted(keys)
    ]


def check_schema(schema: Any, where: str) -> list[str]:
    """GEMINI_SCHEMA: only Schema's own fields, a known type, and a format the type allows."""
    if not isinstance(schema, dict):
        return [f"* {where}: expected a Schema object"]
    fields = camel_keys(schema)
    out = _unknown(where, set(fields) - SCHEMA_FIELDS)
    kind = fields.get("type")
    kind_name = kind.upper() if isinstance(kind, str) else None
    if kind is not None and kind_name not in SCHEMA_TYPES:
        out.append(
            f"Invalid value at '{where}.type' (type.googleapis.com/google.ai.generativelanguage.v1beta.Type), \"{kind}\""
        )
    fmt = fields.get("format")
    if fmt is not None and kind_name in SCHEMA_FORMATS and fmt not in SCHEMA_FORMATS[kind_name]:
        allowed = " and ".join(f"'{f}'" for f in sorted(SCHEMA_FORMATS[kind_name]))
        out.append(f"* {where}.format: only {allowed} are supported for {kind_name} type")
    for name, sub in (fields.get("properties") or {}).items() if isinstance(fields.get("properties"), dict) else ():
        out += check_schema(sub, f"{where}.properties[{name}]")
    if "items" in fields:
        out += check_schema(fields["items"], f"{where}.items")
    for i, sub in enumerate(fields.get("anyOf") or []):
        out += check_schema(sub, f"{where}.any_of[{i}]")
    return out


def check_tools(tools: Any) -> list[str]:
    """GEMINI_FUNCTIONS: functionDeclarations with a name and a Schema (or a full JSON Schema in
    ``parametersJsonSchema``, which is not checked against the subset)."""
    if tools is None:
        return []
    if not isinstance(tools, list):
        return ["* GenerateContentRequest.tools: expected an array of Tool"]
    out: list[str] = []
    for t, tool in enumerate(tools):
        for d, decl in enumerate(camel_keys(tool).get("functionDeclarations") or []):
            where = f"tools[{t}].function_declarations[{d}]"
            fields = camel_keys(decl)
            out += _unknown(
                where,
                set(fields)
                - {
                    "name",
                    "description",
                    "parameters",
                    "parametersJsonSchema",
                    "response",
                    "responseJsonSchema",
                    "behavior",
                },
            )
            if not re.fullmatch(r"[a-zA-Z_][a-zA-Z0-9_.:-]{0,63}", str(fields.get("name", ""))):
                out.append(f"* GenerateContentRequest.{where}.name: Invalid function name.")
            if "parameters" in fields:
                out += check_schema(fields["parameters"], f"{where}.parameters")
    return out


def _b64(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        base64.b64decode(value + "=" * (-len(value) % 4), altchars=b"-_" if "-" in value or "_" in value else None)
    except (binascii.Error, ValueError):
        return False
    return True


def _parts(content: dict) -> list[dict]:
    return [camel_keys(p) for p in content.get("parts") or [] if isinstance(p, dict)]


def check_contents(contents: Any, model: str, issued: set[str]) -> list[str]:
    """GEMINI_CONTENT (roles, parts), GEMINI_FUNCTIONS (call and response turns), GEMINI_SIGNATURES."""
    if not isinstance(contents, list) or not contents:
        return ["* GenerateContentRequest.contents: contents is not specified"]
    out: list[str] = []
    turns = [camel_keys(c) for c in contents]
    for i, c in enumerate(turns):
        out += _unknown(f"contents[{i}]", set(c) - {"role", "parts"})
        role = c.get("role")
        # GEMINI_CONTENT: "Must be either 'user' or 'model'. Useful to set for multi-turn conversations,
        # otherwise can be left blank or unset." (litellm 1.60 leaves it unset on function responses)
        if role not in ("user", "model", None, ""):
            out.append("Please use a valid role: user, model.")
        parts = _parts(c)
        if not parts:
            out.append(f"* GenerateContentRequest.contents[{i}].parts: contents.parts must not be empty.")
        for j, p in enumerate(parts):
            out += _unknown(f"contents[{i}].parts[{j}]", set(p) - PART_FIELDS)
            if not set(p) & PART_DATA:
                out.append(
                    f"* GenerateContentRequest.contents[{i}].parts[{j}].data: required oneof field 'data' must "
                    "have one initialized field"
                )
            if "thoughtSignature" in p and not _b64(p["thoughtSignature"]):
                out.append(
                    f"Invalid value at 'contents[{i}].parts[{j}].thought_signature' (TYPE_BYTES), Base64 decoding failed"
                )
            elif "thoughtSignature" in p and p["thoughtSignature"] not in issued | PLACEHOLDER_SIGNATURES:
                out.append("Corrupted thought signature.")  # GEMINI_SIGNATURES: signatures are opaque, not made up
        calls = [p["functionCall"] for p in parts if isinstance(p.get("functionCall"), dict)]
        answers = [p["functionResponse"] for p in parts if isinstance(p.get("functionResponse"), dict)]
        prev = turns[i - 1] if i else {}
        prev_calls = [p["functionCall"] for p in _parts(prev) if isinstance(p.get("functionCall"), dict)]
        prev_answers = any("functionResponse" in p for p in _parts(prev))
        # GEMINI_FUNCTIONS: a function call turn follows a user turn or a function response turn; a function
        # response turn follows the function call turn and answers each of its calls
        if calls and (role != "model" or (prev.get("role") in (None, "model", "") and not prev_answers)):
            out.append(
                "Please ensure that function call turn comes immediately after a user turn or after a function "
                "response turn."
            )
        if answers and not prev_calls:
            out.append("Please ensure that function response turn comes immediately after a function call turn.")
        elif answers and len(answers) != len(prev_calls):
            out.append(
                "Please ensure that the number of function response parts is equal to the number of function call "
                "parts of the function call turn."
            )
        elif answers and sorted(str(a.get("name")) for a in answers) != sorted(str(c.get("name")) for c in prev_calls):
            out.append("Please ensure that each function response answers a function call of the function call turn.")
    last = turns[-1]
    if last.get("role") == "model" and len(turns) > 1:
        out.append("Please ensure that multiturn requests end with a user role or a function response.")
    if gemini_requires_signatures(model):
        out += _missing_signatures(turns)
    return out


def _missing_signatures(turns: list[dict]) -> list[str]:
    """GEMINI_SIGNATURES "Validation": the current turn starts at the latest user content with standard
    content (not a functionResponse); the first functionCall part of each model step after it needs its
    signature. Earlier turns are not validated."""
    start = 0
    for i in range(len(turns) - 1, -1, -1):
        if turns[i].get("role") == "user" and not any("functionResponse" in p for p in _parts(turns[i])):
            start = i
            break
    out = []
    for i in range(start, len(turns)):
        if turns[i].get("role") != "model":
            continue
        calls = [p for p in _parts(turns[i]) if "functionCall" in p]
        if calls and not calls[0].get("thoughtSignature"):
            name = camel_keys(calls[0]["functionCall"]).get("name")
            out.append(MISSING_SIGNATURE.format(name=name, position=i + 1))
    return out


def check_generation(config: Any) -> list[str]:
    """GEMINI_REF GenerationConfig: known fields; temperature in [0, 2], topP in [0, 1]."""
    if config is None:
        return []
    fields = camel_keys(config)
    out = _unknown("generation_config", set(fields) - GENERATION_FIELDS)
    temp, top_p = fields.get("temperature"), fields.get("topP")
    if temp is not None and not (isinstance(temp, (int, float)) and 0 <= temp <= 2):
        out.append(f"* GenerateContentRequest.generation_config.temperature: must be in [0.0, 2.0], got {temp!r}")
    if top_p is not None and not (isinstance(top_p, (int, float)) and 0 <= top_p <= 1):
        out.append(f"* GenerateContentRequest.generation_config.top_p: must be in [0.0, 1.0], got {top_p!r}")
    return out


def check_gemini(body: Any, model: str, issued: set[str], *, vertex: bool = False) -> list[str]:
    """Violations of GEMINI_REF (VERTEX_REF when ``vertex``) for a generateContent request body."""
    if not isinstance(body, dict):
        return ["Invalid JSON payload received. Expected an object."]
    fields = camel_keys(body)
    out = _unknown("", set(fields) - (VERTEX_REQUEST_FIELDS if vertex else REQUEST_FIELDS))
    out += check_contents(fields.get("contents"), model, issued)
    system = fields.get("systemInstruction")
    if system is not None and not _parts(camel_keys(system)):  # GEMINI_REF: text parts only
        out.append("* GenerateContentRequest.system_instruction.parts: must not be empty.")
    out += check_tools(fields.get("tools"))
    out += check_generation(fields.get("generationConfig"))
    return out


def check_gemini_key(
    headers: dict[str, str], query: dict[str, str], expected_key: str | None
) -> tuple[int, str, str] | None:
    """GEMINI_KEYS: the key goes in ``x-goog-api-key`` (or ``?key=``). ``(status, message, reason)`` when refused.

    An ``Authorization: Bearer`` header is read as an OAuth access token (VERTEX_AUTH), which an API key is not."""
    key = headers.get("x-goog-api-key") or query.get("key")
    bearer = headers.get("authorization", "")
    if bearer:
        return (
            401,
            "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other "
            "valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
            "ACCESS_TOKEN_TYPE_UNSUPPORTED",
        )
    if not key:
        return (
            403,
            "Method doesn't allow unregistered callers (callers without established identity). Please use API Key "
            "or other form of API consumer identity to call this API.",
            "",
        )
    if expected_key is not None and key != expected_key:
        return 400, API_KEY_INVALID, "API_KEY_INVALID"
    return None
