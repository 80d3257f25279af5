"""AWS Signature Version 4 on a Bedrock request: the headers' shape (AWS_SIGV4); any key passes unless one is expected."""

from __future__ import annotations

import re

AWS_SIGV4 = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-signing-request.html"

_SIGV4 = re.compile(
    r"^AWS4-HMAC-SHA256 Credential=(?P<akid>[A-Z0-9]{16,128})/(?P<date>\d{8})/(?P<region>[a-z0-9-]+)/"
    r"(?P<service>[a-z0-9-]+)/aws4_request, ?SignedHeaders=(?P<signed>[a-z0-9;-]+), ?Signature=(?P<sig>[0-9a-f]{64})$"
)
_AMZ_DATE = re.compile(r"^(\d{8})T\d{6}Z$")


def check_sigv4(headers: dict[str, str], expected_key: str | None) -> tuple[str, str] | None:
    """(exception type, message) when the request is not SigV4-signed as AWS_SIGV4 says, else None.

    A Bedrock API key (``Authorization: Bearer``) is accepted too (BEDROCK_ERRORS lists the 403s)."""
    auth = headers.get("authorization")
    if not auth:
        return "MissingAuthenticationTokenException", "Missing Authentication Token"
    if auth.startswith("Bearer ") and len(auth) > 7:
        return None
    m = _SIGV4.match(auth)
    if not m:
        return "IncompleteSignatureException", f"Authorization header requires a valid SigV4 value: {auth[:24]}..."
    date = headers.get("x-amz-date", "")
    dm = _AMZ_DATE.match(date)
    if not dm:
        return (
            "IncompleteSignatureException",
            "Authorization header requires existence of either a 'X-Amz-Date' header.",
        )
    if dm.group(1) != m.group("date"):
        return (
            "InvalidSignatureException",
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date",
        )
    if m.group("service") != "bedrock":
        return "InvalidSignatureException", "Credential should be scoped to correct service: 'bedrock'. "
    signed = m.group("signed").split(";")
    if "host" not in signed or "x-amz-date" not in signed:
        return "IncompleteSignatureException", "'Host' and 'X-Amz-Date' must be in SignedHeaders."
    if expected_key is not None and m.group("akid") != expected_key:
        return "UnrecognizedClientException", "The security token included in the request is invalid."
    return None
