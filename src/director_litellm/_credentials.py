"""Whether a call has the credentials its provider needs: pure decisions over lookups passed in.

The call path (``_request`` through ``_litellm.missing_key_variables``) and ``doctor`` (``cli/_model_checks``)
both decide here, so a call and doctor cannot disagree. Nothing here imports litellm or reads the
process: litellm's list of missing variables, the environment and the host's litellm globals are arguments
(the one state kept is a cache of "found" verdicts, see ``missing_key_variables``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

# credentials with a chain of their own (AWS profile or role, Google application-default credentials):
# litellm lists them as missing, but a call can still succeed without them
AMBIENT_CREDENTIALS = ("AWS_", "VERTEXAI_", "VERTEX_", "GOOGLE_APPLICATION_CREDENTIALS")
# Azure takes an Entra ID token or client credentials in place of AZURE_API_KEY
AZURE_ALTERNATIVES = ("AZURE_AD_TOKEN", "AZURE_CLIENT_ID", "AZURE_CLIENT_SECRET", "AZURE_TENANT_ID")


def is_key_variable(name: str) -> bool:
    """A variable that holds a key (``OPENAI_API_KEY``, ``WATSONX_TOKEN``, ...), not an endpoint or version."""
    return any(part in name for part in ("KEY", "TOKEN", "SECRET")) and not name.startswith(AMBIENT_CREDENTIALS)


def absent_keys(listed: Iterable[str], environ: Mapping[str, str]) -> list[str]:
    """The key variables among ``listed`` (litellm's ``validate_environment`` names a provider's variables
    all or none: Azure's base, version and key together) that ``environ`` lacks."""
    return [name for name in listed if is_key_variable(name) and name not in environ]


def azure_alternative(environ: Mapping[str, str]) -> str | None:
    """The Entra ID variable that stands in for ``AZURE_API_KEY`` (``AZURE_AD_TOKEN``, ...), if one is set."""
    return next((name for name in AZURE_ALTERNATIVES if environ.get(name)), None)


def missing_keys(absent: list[str], environ: Mapping[str, str], host_has_key: Callable[[str], bool]) -> list[str]:
    """The verdict: the key variables a call without a key of its own lacks; empty when it can go.

    ``absent`` comes from ``absent_keys``; ``host_has_key(variable)`` says whether the host gave litellm
    the key itself (``litellm.api_key``, ``litellm.anthropic_key``, ...). Azure AD's token or client
    credentials stand in for ``AZURE_API_KEY``.
    """
    if not absent or any(host_has_key(name) for name in absent):
        return []
    if any(name.startswith("AZURE_") for name in absent) and azure_alternative(environ):
        return []
    return absent


# (model, api_base) -> len(environ) when litellm last found every key that model needs
_KEYS_FOUND: dict[tuple[str, str | None], int] = {}


def missing_key_variables(
    model: str,
    api_base: str | None,
    environ: Mapping[str, str],
    listed_by: Callable[..., list[str]],
    host_has_key: Callable[[str], bool],
) -> list[str]:
    """The key variables a call to ``model`` without a key of its own lacks; empty when a key is there (in
    ``environ`` or a litellm global the host set), the provider takes none, or litellm cannot tell.

    ``listed_by(model, api_base=...)`` is litellm's ``validate_environment`` list (``_litellm.environment_missing``).
    It costs 7-12 µs on litellm 1.60 and 21-32 µs on 1.110 per call, so a "found" verdict is kept per
    (model, api_base) while ``environ`` keeps its size: a variable removed later is noticed. A "missing"
    verdict is never kept: a key set after a refused call is used by the next one.
    """
    cache_key = (model, api_base)
    if _KEYS_FOUND.get(cache_key) == len(environ):
        return []
    try:
        listed = listed_by(model, api_base=api_base)
    except Exception:
        return []
    absent = absent_keys(listed, environ)
    if not absent:
        if len(_KEYS_FOUND) >= 256:
            _KEYS_FOUND.clear()
        _KEYS_FOUND[cache_key] = len(environ)
        return []
    return missing_keys(absent, environ, host_has_key)


__all__ = [
    "AMBIENT_CREDENTIALS",
    "AZURE_ALTERNATIVES",
    "absent_keys",
    "azure_alternative",
    "is_key_variable",
    "missing_key_variables",
    "missing_keys",
]
