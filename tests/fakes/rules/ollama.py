"""Ollama's native chat API (``POST /api/chat``): what the server refuses, with its ``{"error": ...}`` texts.

Ollama decodes the body into Go structs, so a field of the wrong JSON type is refused with the decoder's
message (400); unknown keys are ignored. The texts below are the server's, as recorded in public bug
reports (cited per rule).
"""

from __future__ import annotations

from typing import Any

OLLAMA_REF = "https://docs.ollama.com/api/chat"
OLLAMA_API = "https://github.com/ollama/ollama/blob/main/docs/api.md"
OLLAMA_TOOLS = "https://docs.ollama.com/capabilities/tool-calling"
OLLAMA_ERRORS = "https://docs.ollama.com/api/errors"

_GO = "json: cannot unmarshal {got} into Go struct field ChatRequest.messages.{field} of type {want}"


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    return {str: "string", list: "array", dict: "object"}.get(type(value), "null")


def check_ollama(body: Any, models: frozenset[str], no_tools: frozenset[str]) -> tuple[int, str] | None:
    """The first refusal as (status, error text), or None."""
    if not isinstance(body, dict):
        return 400, "invalid character looking for beginning of value"
    model = body.get("model")
    if not isinstance(model, str) or not model:
        return 400, "model is required"  # OLLAMA_REF: "model" (required)
    name = model if ":" in model else f"{model}:latest"
    if name not in models:
        # OLLAMA_ERRORS: 404 for a model that has not been pulled
        return 404, f'model "{model}" not found, try pulling it first'
    for message in body.get("messages") or []:
        if not isinstance(message, dict):
            return 400, f"json: cannot unmarshal {_json_type(message)} into Go struct field ChatRequest.messages"
        content = message.get("content")
        if content is not None and not isinstance(content, str):
            # OLLAMA_REF: content is a string, images a separate list; an OpenAI parts array is refused
            # (recorded: "cannot unmarshal array into Go struct field ChatRequest.messages.content of type string")
            return 400, _GO.format(got=_json_type(content), field="content", want="string")
        images = message.get("images")
        if images is not None and not (isinstance(images, list) and all(isinstance(x, str) for x in images)):
            return 400, _GO.format(got=_json_type(images), field="images", want="[]api.ImageData")
        for call in message.get("tool_calls") or []:
            arguments = ((call or {}).get("function") or {}).get("arguments")
            if arguments is not None and not isinstance(arguments, dict):
                # OLLAMA_TOOLS: arguments are an object; a JSON string is refused (recorded: "json: cannot
                # unmarshal string into Go struct field ChatRequest.messages.tool_calls.function.arguments of
                # type api.ToolCallFunctionArguments")
                return 400, _GO.format(
                    got=_json_type(arguments),
                    field="tool_calls.function.arguments",
                    want="api.ToolCallFunctionArguments",
                )
    options = body.get("options")
    if options is not None and not isinstance(options, dict):
        return (
            400,
            f"json: cannot unmarshal {_json_type(options)} into Go struct field ChatRequest.options of type map[string]interface {{}}",
        )
    if body.get("tools") and name in no_tools:
        # OLLAMA_TOOLS: a model whose template has no tool support refuses tools
        return 400, f"registry.ollama.ai/library/{name} does not support tools"
    return None
