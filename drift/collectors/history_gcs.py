"""History in a Cloud Storage bucket (`--history gs://BUCKET/PREFIX`), through
google-cloud-storage: the Store of drift/history/store.py with GCS's own generations.

A conditional write is `if_generation_match` (0: only if the object does not exist), so
two runs of one project cannot both move `latest`; a read pins the generation it got
metadata for, so text and generation always belong together. Requests are retried (they
are all conditional, so a retry cannot overwrite someone else's write) within a bounded
deadline. STORAGE_EMULATOR_HOST sends everything to an emulator, anonymously; otherwise
the Application Default Credentials are used.
"""

from __future__ import annotations

import os
from typing import Any

import requests
from google.api_core import exceptions as gexc
from google.auth import exceptions as auth_exc
from google.cloud import storage  # type: ignore[import-untyped]
from google.cloud.storage.retry import DEFAULT_RETRY  # type: ignore[import-untyped]

from drift.collectors.answers import short
from drift.history.store import ANY, Conflict, Expect, HistoryError, Stored

DEADLINE_S = 60.0  # all retries of one request
TIMEOUT_S = 20.0  # one attempt
EMULATOR_ENV = "STORAGE_EMULATOR_HOST"


class GCSStore:
    """A Store on gs://bucket/prefix (see drift/history/store.py)."""

    def __init__(self, bucket: str, prefix: str = "", client: Any = None) -> None:
        self.bucket_name = bucket
        self.prefix = prefix.strip("/")
        self._client = client
        self._retry = DEFAULT_RETRY.with_timeout(DEADLINE_S)

    def _bucket(self) -> Any:
        if self._client is None:
            self._client = _make_client()
        return self._client.bucket(self.bucket_name)

    def _name(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def location(self, key: str = "") -> str:
        name = self._name(key) if key else self.prefix
        return f"gs://{self.bucket_name}/{name}" if name else f"gs://{self.bucket_name}"

    def get(self, key: str) -> Stored | None:
        name = self._name(key)
        for _ in range(3):
            try:
                blob = self._bucket().get_blob(name, timeout=TIMEOUT_S, retry=self._retry)
                if blob is None:
                    return None
                data = blob.download_as_bytes(
                    if_generation_match=blob.generation, timeout=TIMEOUT_S, retry=self._retry
                )
            except gexc.PreconditionFailed:
                continue  # rewritten between metadata and download: read both again
            except gexc.NotFound:
                return None  # removed between metadata and download
            except Exception as err:  # noqa: BLE001  (every failure becomes one sentence)
                raise HistoryError(self._sentence("read", key, err)) from err
            try:
                return Stored(data.decode("utf-8"), str(blob.generation))
            except UnicodeDecodeError as err:
                raise HistoryError(
                    f"{self.location(key)} is not UTF-8 text; move it away."
                ) from err
        raise HistoryError(f"{self.location(key)} kept changing while it was read.")

    def put(self, key: str, text: str, expect: Expect) -> str:
        blob = self._bucket().blob(self._name(key))
        kwargs: dict[str, Any] = {"timeout": TIMEOUT_S}
        if expect is ANY:
            kwargs["retry"] = None  # unconditional: a retry could undo another's write
        else:
            kwargs["if_generation_match"] = 0 if expect is None else int(str(expect))
            kwargs["retry"] = self._retry
        try:
            blob.upload_from_string(text.encode("utf-8"), content_type="application/json", **kwargs)
        except gexc.PreconditionFailed as err:
            raise Conflict(f"{self.location(key)} changed since it was read") from err
        except Exception as err:  # noqa: BLE001
            raise HistoryError(self._sentence("write", key, err)) from err
        return str(blob.generation)

    def check(self) -> None:
        """Credentials and an endpoint before the scan; the bucket itself is met at the
        first read (a missing one reads as no history, and fails at the write)."""
        try:
            self._bucket()
        except HistoryError:
            raise
        except Exception as err:  # noqa: BLE001
            raise HistoryError(f"cannot use {self.location()}: {short(str(err))}.") from err

    def _sentence(self, verb: str, key: str, err: BaseException) -> str:
        where = self.location(key)
        if isinstance(err, gexc.NotFound):
            return (
                f"cannot {verb} {where}: bucket {self.bucket_name} does not exist or this "
                "account cannot see it."
            )
        if isinstance(err, gexc.Forbidden | gexc.Unauthorized):
            return (
                f"cannot {verb} {where}: {err.code} {short(err.message)} (the account needs "
                "roles/storage.objectUser on the bucket)."
            )
        if isinstance(err, gexc.RetryError):
            cause = short(str(err.cause))
            return f"cannot {verb} {where}: no answer within {DEADLINE_S:.0f} s ({cause})."
        if isinstance(err, gexc.GoogleAPICallError):
            return f"cannot {verb} {where}: {err.code} {short(err.message)}."
        if isinstance(err, requests.RequestException | auth_exc.GoogleAuthError):
            return f"cannot {verb} {where}: {short(str(err))}."
        return f"cannot {verb} {where}: {type(err).__name__}: {short(str(err))}."


def _make_client() -> Any:
    """An emulator's anonymous client, or one with the resolved ADC (one sentence if none)."""
    if os.environ.get(EMULATOR_ENV):
        return storage.Client(project=None)  # the client goes anonymous for an emulator
    from drift.collectors.credentials import CredentialsError, resolve

    try:
        credentials = resolve()
    except CredentialsError as err:
        raise HistoryError(f"cannot keep history in Cloud Storage: {err}.") from err
    return storage.Client(project=None, credentials=credentials)
