"""Where a Bedrock call gets its AWS credentials and region, found offline (no boto3, no network).

litellm signs Bedrock requests with botocore's credential chain. Without credentials it fails
only when the call is made ("Unable to locate credentials", which looked like a rejected key);
without a region it silently signs for ``us-west-2`` (litellm 1.60 reads only ``AWS_REGION_NAME``
and ``AWS_REGION``, not ``AWS_DEFAULT_REGION``). ``missing_setup`` says what is missing, naming the
variables to set, so the call is refused before anything is sent, and doctor says the same.

Credentials count as present when any source of botocore's chain is there: keys given per call or
in ``LITELLM_EXTRA_PARAMS`` (litellm's ``aws_*`` options), ``AWS_ACCESS_KEY_ID`` with
``AWS_SECRET_ACCESS_KEY``, a profile, web identity or container credentials, a shared credentials
or config file, a Bedrock API key (``AWS_BEARER_TOKEN_BEDROCK`` / ``api_key``), or a machine that
looks like EC2 (its instance role cannot be checked offline).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: litellm's per-call options that bring a credential (the same names on litellm 1.60 and 1.110)
CREDENTIAL_OPTIONS = ("aws_access_key_id", "aws_profile_name", "aws_role_name", "aws_web_identity_token", "api_key")
#: environment variables botocore (or litellm) takes credentials from, each enough on its own
CREDENTIAL_VARIABLES = (
    "AWS_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "AWS_BEARER_TOKEN_BEDROCK",
)
#: where a region comes from, in litellm's order of preference (AWS_DEFAULT_REGION: botocore's own)
REGION_VARIABLES = ("AWS_REGION_NAME", "AWS_REGION", "AWS_DEFAULT_REGION")
_ARN_REGION = re.compile(r"arn:aws[a-z-]*:bedrock:([a-z0-9-]+):")
_EC2_MARKERS = (Path("/sys/hypervisor/uuid"), Path("/sys/class/dmi/id/board_asset_tag"))


def is_bedrock(model: str, route: str | None) -> bool:
    """A model litellm reaches through Bedrock (``bedrock/...``, ``bedrock/converse/...``)."""
    return route == "bedrock" or model.startswith("bedrock/")


def _aws_files(environ: Mapping[str, str]) -> list[Path]:
    home = Path(environ.get("HOME") or os.path.expanduser("~"))
    return [
        Path(environ.get("AWS_SHARED_CREDENTIALS_FILE") or home / ".aws" / "credentials"),
        Path(environ.get("AWS_CONFIG_FILE") or home / ".aws" / "config"),
    ]


def _looks_like_ec2() -> bool:
    for marker in _EC2_MARKERS:
        try:
            if marker.read_text(errors="replace").lower().startswith(("ec2", "i-")):
                return True
        except OSError:
            continue
    return False


def has_credentials(options: Mapping[str, Any], environ: Mapping[str, str]) -> bool:
    if any(options.get(name) for name in CREDENTIAL_OPTIONS):
        return True
    if environ.get("AWS_ACCESS_KEY_ID") and environ.get("AWS_SECRET_ACCESS_KEY"):
        return True
    if any(environ.get(name) for name in CREDENTIAL_VARIABLES):
        return True
    return any(path.is_file() for path in _aws_files(environ)) or _looks_like_ec2()


def region(model: str, options: Mapping[str, Any], environ: Mapping[str, str]) -> str | None:
    """The region the call will be signed for, or None when nothing names one."""
    given = options.get("aws_region_name")
    if given:
        return str(given)
    arn = _ARN_REGION.search(model)
    if arn:
        return arn.group(1)
    for name in REGION_VARIABLES:
        if environ.get(name):
            return environ[name]
    config = _aws_files(environ)[1]
    try:
        match = re.search(r"^\s*region\s*=\s*(\S+)", config.read_text(errors="replace"), re.M)
    except OSError:
        return None
    return match.group(1) if match else None


def missing_setup(model: str, options: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> str | None:
    """None when a Bedrock call to ``model`` has credentials and a region; else what to set."""
    environ = os.environ if environ is None else environ
    missing = []
    if not has_credentials(options, environ):
        missing.append(
            "AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_PROFILE, or "
            "aws_access_key_id / aws_secret_access_key in LITELLM_EXTRA_PARAMS)"
        )
    if region(model, options, environ) is None:
        missing.append("an AWS region: set AWS_REGION_NAME (or AWS_REGION, or aws_region_name in LITELLM_EXTRA_PARAMS)")
    return f"no {' and no '.join(missing)} for {model}" if missing else None


def region_option(model: str, options: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """``{"aws_region_name": ...}`` when only botocore's own sources name the region (``AWS_DEFAULT_REGION``,
    ``~/.aws/config``): litellm 1.60 reads neither and would sign for ``us-west-2``. Empty otherwise."""
    environ = os.environ if environ is None else environ
    if options.get("aws_region_name") or _ARN_REGION.search(model) or any(environ.get(n) for n in REGION_VARIABLES[:2]):
        return {}
    found = region(model, options, environ)
    return {"aws_region_name": found} if found else {}


__all__ = [
    "CREDENTIAL_OPTIONS",
    "REGION_VARIABLES",
    "has_credentials",
    "is_bedrock",
    "missing_setup",
    "region",
    "region_option",
]
