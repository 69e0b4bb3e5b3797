"""The ``aws`` secrets manager: secrets in AWS Secrets Manager (boto3).

Each Cairn secret is one AWS secret named ``<prefix><name>`` whose
``SecretString`` is the JSON object of its keys and values; its schema is the
tag ``cairn:schema``. Credentials come from the component's own fields (best
given as references, which a secrets manager resolves through the ``default``
local secrets manager) or else from boto3's usual chain (environment, profile,
instance role). A client is made for each operation, with the credentials
resolved just then, and dropped after it (only botocore's sessions, which
cache service descriptions and hold no credentials given here, are re-used).
"""

from __future__ import annotations

import json
import threading
from typing import Any, ClassVar

from pydantic import SecretStr

from cairn.exceptions import ConfigurationError, EntityExistsError, StoreError
from cairn.secrets_managers import BaseSecretsManager

SCHEMA_TAG = "cairn:schema"


class AWSSecretsManager(BaseSecretsManager):
    """Secrets in AWS Secrets Manager.

    Attributes:
        region_name: the AWS region.
        prefix: prepended to every secret name in AWS (keeps Cairn's secrets apart).
        endpoint_url: another endpoint (a VPC endpoint, or a local emulator in tests).
        profile_name: a profile of the AWS config files.
        aws_access_key_id: an access key (a secret field).
        aws_secret_access_key: its secret key (a secret field).
        aws_session_token: a session token (a secret field).
    """

    FLAVOR: ClassVar[str] = "aws"

    region_name: str = "us-east-1"
    prefix: str = "cairn/"
    endpoint_url: str | None = None
    profile_name: str | None = None
    aws_access_key_id: SecretStr | None = None
    aws_secret_access_key: SecretStr | None = None
    aws_session_token: SecretStr | None = None

    @property
    def requirements(self) -> set[str]:
        """boto3 where steps run."""
        return {"boto3>=1.34"}

    def _client(self) -> Any:
        """A client made now, with the credentials resolved now (not kept afterwards)."""
        from botocore.config import Config

        config = Config(connect_timeout=10, read_timeout=30, retries={"max_attempts": 3})
        return _session(self.profile_name).create_client(
            "secretsmanager", region_name=self.region_name, endpoint_url=self.endpoint_url,
            aws_access_key_id=self.resolve_secret(self.aws_access_key_id),
            aws_secret_access_key=self.resolve_secret(self.aws_secret_access_key),
            aws_session_token=self.resolve_secret(self.aws_session_token), config=config,
        )  # fmt: skip

    def _call(self, action: str, name: str, **kwargs: Any) -> Any:
        """``client.<action>(**kwargs)``; ``None`` when the secret does not exist."""
        from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

        try:
            return getattr(self._client(), action)(**kwargs)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code == "ResourceNotFoundException":
                return None
            if code == "ResourceExistsException":
                raise EntityExistsError(f"Secret '{name}' exists in AWS already.") from None
            raise StoreError(
                f"AWS Secrets Manager refused {action} of secret '{name}' ({code}): check the "
                f"permissions of secrets manager '{self.name}'."
            ) from None
        except NoCredentialsError:
            raise ConfigurationError(
                f"Secrets manager '{self.name}' has no AWS credentials: set "
                f"aws_access_key_id/aws_secret_access_key or profile_name, or configure boto3."
            ) from None
        except BotoCoreError as exc:
            raise StoreError(
                f"Cannot reach AWS Secrets Manager for secret '{name}': {type(exc).__name__}."
            ) from None

    # ------------------------------------------------------------ primitives
    def _load(self, name: str) -> tuple[str, dict[str, str]] | None:
        found = self._call("get_secret_value", name, SecretId=self.prefix + name)
        if found is None:
            return None
        try:
            values = json.loads(found["SecretString"])
        except (KeyError, ValueError):
            raise StoreError(f"AWS secret '{self.prefix}{name}' is not a JSON object.") from None
        if not isinstance(values, dict):
            raise StoreError(f"AWS secret '{self.prefix}{name}' is not a JSON object.")
        described = self._call("describe_secret", name, SecretId=self.prefix + name) or {}
        tags = {t["Key"]: t["Value"] for t in described.get("Tags", [])}
        return tags.get(SCHEMA_TAG, "arbitrary"), {str(k): str(v) for k, v in values.items()}

    def _names(self) -> list[str]:
        from cairn.stack.secret_references import is_secret_name

        names: list[str] = []
        kwargs: dict[str, Any] = {"Filters": [{"Key": "name", "Values": [self.prefix]}]}
        while True:
            page = self._call("list_secrets", "*", **kwargs) or {}
            for entry in page.get("SecretList", []):
                full = entry.get("Name", "")
                short = full[len(self.prefix) :]
                if full.startswith(self.prefix) and short and is_secret_name(short):
                    names.append(short)
            if not page.get("NextToken"):
                return names
            kwargs["NextToken"] = page["NextToken"]

    def _save(self, name: str, schema: str, values: dict[str, str], create: bool) -> None:
        text = json.dumps(values)
        tags = [{"Key": SCHEMA_TAG, "Value": schema}]
        full = self.prefix + name
        if create or self._call("describe_secret", name, SecretId=full) is None:
            self._call("create_secret", name, Name=full, SecretString=text, Tags=tags)
            return
        self._call("put_secret_value", name, SecretId=full, SecretString=text)
        self._call("tag_resource", name, SecretId=full, Tags=tags)

    def _remove(self, name: str) -> bool:
        full = self.prefix + name
        if self._call("describe_secret", name, SecretId=full) is None:
            return False
        found = self._call("delete_secret", name, SecretId=full, ForceDeleteWithoutRecovery=True)
        return found is not None


_SESSIONS: dict[str | None, Any] = {}  # profile -> botocore session (caches service models only)
_SESSIONS_LOCK = threading.Lock()


def _session(profile: str | None) -> Any:
    """A botocore session per profile, re-used so that service models load once."""
    import botocore.session

    with _SESSIONS_LOCK:
        if profile not in _SESSIONS:
            _SESSIONS[profile] = botocore.session.Session(profile=profile)
        return _SESSIONS[profile]
