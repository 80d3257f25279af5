"""aws_credentials: where a Bedrock call gets its credentials and region, found offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from director_litellm import _aws_credentials as aws

MODEL = "bedrock/converse/amazon.nova-lite-v1:0"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(aws, "_EC2_MARKERS", ())
    return tmp_path


class TestMissingSetup:
    def test_nothing_names_both(self, home: Path) -> None:
        """No source at all: the credential variables and the region variable are named."""
        problem = aws.missing_setup(MODEL, {}, {"HOME": str(home)})
        assert problem is not None
        assert "AWS_ACCESS_KEY_ID" in problem
        assert "AWS_SECRET_ACCESS_KEY" in problem
        assert "AWS_REGION_NAME" in problem

    @pytest.mark.parametrize(
        ("options", "environ"),
        [
            ({"aws_access_key_id": "AKIA", "aws_region_name": "us-east-1"}, {}),
            ({}, {"AWS_ACCESS_KEY_ID": "AKIA", "AWS_SECRET_ACCESS_KEY": "s", "AWS_REGION": "eu-west-1"}),
            ({"aws_profile_name": "dev"}, {"AWS_DEFAULT_REGION": "eu-west-1"}),
            ({}, {"AWS_WEB_IDENTITY_TOKEN_FILE": "/var/token", "AWS_REGION_NAME": "us-east-1"}),
            ({"api_key": "bedrock-api-key"}, {"AWS_REGION": "us-east-1"}),
        ],
    )
    def test_any_source_is_enough(self, home: Path, options: dict, environ: dict) -> None:
        assert aws.missing_setup(MODEL, options, {"HOME": str(home), **environ}) is None

    def test_a_key_id_without_its_secret_is_not_credentials(self, home: Path) -> None:
        environ = {"HOME": str(home), "AWS_ACCESS_KEY_ID": "AKIA", "AWS_REGION": "us-east-1"}
        assert "AWS_SECRET_ACCESS_KEY" in (aws.missing_setup(MODEL, {}, environ) or "")

    def test_shared_files_give_credentials_and_region(self, home: Path) -> None:
        """~/.aws/credentials and a region in ~/.aws/config, as `aws configure` writes them."""
        (home / ".aws").mkdir()
        (home / ".aws" / "credentials").write_text("[default]\naws_access_key_id = AKIA\n")
        (home / ".aws" / "config").write_text("[default]\nregion = ap-south-1\n")
        assert aws.missing_setup(MODEL, {}, {"HOME": str(home)}) is None
        assert aws.region(MODEL, {}, {"HOME": str(home)}) == "ap-south-1"

    def test_an_arn_names_its_region(self, home: Path) -> None:
        arn = "bedrock/arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-3-5-sonnet"
        assert aws.region(arn, {}, {"HOME": str(home)}) == "eu-central-1"

    def test_an_ec2_machine_may_have_an_instance_role(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        marker = tmp_path / "uuid"
        marker.write_text("ec2e1916-9099-7caf-fd21-012345abcdef\n")
        monkeypatch.setattr(aws, "_EC2_MARKERS", (marker,))
        assert aws.has_credentials({}, {"HOME": str(tmp_path)})


class TestRegionOption:
    def test_only_botocores_own_sources_are_passed_on(self, home: Path) -> None:
        """litellm reads aws_region_name, AWS_REGION_NAME and AWS_REGION itself; AWS_DEFAULT_REGION it does not (1.60)."""
        assert aws.region_option(MODEL, {}, {"HOME": str(home), "AWS_DEFAULT_REGION": "eu-west-3"}) == {
            "aws_region_name": "eu-west-3"
        }
        assert aws.region_option(MODEL, {}, {"HOME": str(home), "AWS_REGION": "us-east-2"}) == {}
        assert aws.region_option(MODEL, {"aws_region_name": "us-east-1"}, {"HOME": str(home)}) == {}
        assert aws.region_option(MODEL, {}, {"HOME": str(home)}) == {}
