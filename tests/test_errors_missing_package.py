"""A package the provider's route needs and cannot import is ``config`` naming the install command, never retried."""

from __future__ import annotations

from importlib.metadata import version

import pytest

from director_litellm import LiteLLMConfig, LiteLLMProvider
from director_litellm._errors import classify
from tests.fakes import FakeVertex

LITELLM_160 = tuple(int(p) for p in version("litellm").split(".")[:2]) < (1, 61)


def wrapped(missing: str, text: str) -> BaseException:
    """What litellm raises around an ImportError: its APIConnectionError (reported as a 500)."""
    import litellm

    try:
        try:
            raise ModuleNotFoundError(f"No module named {missing!r}", name=missing)
        except ModuleNotFoundError as exc:
            raise ImportError(text) from exc
    except ImportError as exc:
        err = litellm.APIConnectionError(message=text, llm_provider="bedrock", model="m")
        err.__cause__ = exc
        return err


class TestMissingPackage:
    @pytest.mark.parametrize(
        ("missing", "text", "command"),
        [
            (
                "boto3",
                "Missing boto3 to call bedrock. Run 'pip install boto3'.",
                'pip install "director-litellm[bedrock]"',
            ),
            (
                "google",
                "Google Cloud SDK not found. Install it with: pip install 'litellm[google]'",
                'pip install "director-litellm[vertex]"',
            ),
            ("somesdk", "somesdk is not installed", "pip install somesdk"),
        ],
    )
    def test_config_naming_the_command(self, missing: str, text: str, command: str) -> None:
        info = classify(wrapped(missing, text))
        assert info.category == "config"
        assert not info.retryable
        assert info.message.endswith(f"run: {command}")
        assert info.status_code == 500 or info.status_code is None

    def test_an_import_error_about_something_else_is_not_config(self) -> None:
        """Only an ImportError that says a package is missing counts (not, say, a circular import)."""
        import litellm

        err = litellm.APIConnectionError(message="boom", llm_provider="x", model="m")
        err.__cause__ = ImportError("cannot import name 'x' from partially initialized module 'y'")
        assert classify(err).category != "config"

    @pytest.mark.skipif(not LITELLM_160, reason="litellm 1.60 only (vertex_claude_160)")
    def test_claude_on_vertex_without_aiplatform_on_160(self, vertex_fake: FakeVertex) -> None:
        """litellm 1.60's Claude on Vertex needs google-cloud-aiplatform: config, its install command, nothing sent."""
        model = "claude-sonnet-4-6"
        provider = LiteLLMProvider(
            LiteLLMConfig(
                chat_model=f"vertex_ai/{model}", api_base=vertex_fake.model_url(model, "anthropic"), num_retries=2
            )
        )
        r = provider.chat_completions([{"role": "user", "content": "hi"}])
        assert not r.status and r.error["category"] == "config", r.error
        assert "google-cloud-aiplatform" in r.content
        assert r.error["attempts"] == 1
        assert vertex_fake.requests == []
