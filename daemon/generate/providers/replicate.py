"""Replicate: predictions for images, video and audio, and the collections that list models.

A prediction is created (201), then polled at `urls.get` until it is terminal: every 0.5 s for
images, 1.5 s for video, 1 s for audio, under an overall deadline. Images ask the server to
wait a few seconds first (`Prefer: wait=N`), which often returns the finished prediction at
once. When the user aborts, or the deadline passes, the prediction is cancelled remotely.
Outputs (a URL, a list of URLs, or data: URIs) are downloaded into the asset store.
"""

from __future__ import annotations

import contextlib
import os
import threading
from typing import Any

import httpx

from ..assets import data_uri
from ..errors import Cancelled, GenerationError
from ..http import Api, ApiError, Clock, client
from ..keys import Secret
from .base import GenRequest, GenResult, RunContext

BASE_URL = "https://api.replicate.com/v1"
POLL_INTERVAL_S = {"image": 0.5, "video": 1.5, "audio": 1.0}
DEADLINE_S = {"image": 180.0, "video": 900.0, "audio": 600.0}
PREFER_WAIT_S = {"image": 5}
TERMINAL_FAILURES = ("failed", "canceled", "aborted")
ASSET_PREFIX = "asset:"
# Replicate's advice: data: URIs for files up to 256 KB, the files API above that.
MAX_DATA_URI_BYTES = 256 * 1024
DOWNLOAD_TIMEOUT = httpx.Timeout(60.0, connect=5.0)


def base_url() -> str:
    return os.environ.get("REPLICATE_BASE_URL", BASE_URL).rstrip("/")


def split_model(model: str) -> tuple[str, str, str | None]:
    """`owner/name` or `owner/name:version` -> (owner, name, version)."""
    ref, _, version = model.partition(":")
    owner, _, name = ref.partition("/")
    if not owner or not name or "/" in name:
        raise GenerationError(f"`{model}` is not a Replicate model id: write it as owner/name, for example "
                              "black-forest-labs/flux-schnell")
    return owner, name, version or None


class Replicate:
    name = "replicate"

    def __init__(self, key: Secret | None, *, clock: Clock | None = None, cancel: threading.Event | None = None) -> None:
        self.api = Api("Replicate", base_url(), key, "REPLICATE_API_TOKEN (or REPLICATE_API_KEY)", clock or Clock(),
                       cancel or threading.Event())
        self.downloads = client(timeout=DOWNLOAD_TIMEOUT)  # no auth header: outputs live on other hosts

    def close(self) -> None:
        self.api.close()
        self.downloads.close()

    def collection(self, slug: str) -> list[dict]:
        """The models of a collection, each with its latest version's input schema."""
        response = self.api.request("GET", f"/collections/{slug}")
        body = self.api.json_of(response)
        models = body.get("models") if isinstance(body, dict) else None
        if not isinstance(models, list):
            raise self.api.malformed(f"no `models` list in collection {slug}")
        return [m for m in models if isinstance(m, dict) and m.get("owner") and m.get("name")]

    def model(self, model_id: str) -> dict:
        owner, name, _ = split_model(model_id)

        def not_found(status: int, detail: str) -> str | None:
            if status == 404:
                return f"Replicate: model `{model_id}` does not exist: pick one from `cinefile models`"
            return None

        body = self.api.json_of(self.api.request("GET", f"/models/{owner}/{name}", on_status=not_found))
        if not isinstance(body, dict):
            raise self.api.malformed("a model that is not an object")
        return body

    def run(self, request: GenRequest, context: RunContext) -> GenResult:
        owner, name, version = split_model(request.model)
        inputs = {key: self._input_value(value, context) for key, value in request.params.items()}
        headers = {"Prefer": f"wait={PREFER_WAIT_S[request.kind]}"} if request.kind in PREFER_WAIT_S else None
        if version:
            url, body = "/predictions", {"version": request.model, "input": inputs}
        else:
            url, body = f"/models/{owner}/{name}/predictions", {"input": inputs}
        prediction = self._prediction(self.api.request("POST", url, json=body, headers=headers,
                                                       on_status=self._create_error(request.model)))
        context.progress("submitted")
        prediction = self._until_done(prediction, request.kind, context)
        urls = self._output_urls(prediction)
        context.progress("downloading")
        assets = [context.store.fetch(u, self.downloads, context.cancel, "Replicate") for u in urls[:1]]
        metrics = prediction.get("metrics") if isinstance(prediction.get("metrics"), dict) else {}
        predict_time = metrics.get("predict_time") if isinstance(metrics.get("predict_time"), (int, float)) else None
        return GenResult(assets=assets, cost=actual_cost(context.price, len(urls[:1]), predict_time),
                         meta={"prediction_id": prediction.get("id"), "predict_time": predict_time})

    def _input_value(self, value: Any, context: RunContext) -> Any:
        if isinstance(value, str) and value.startswith(ASSET_PREFIX):
            asset = context.store.find(value[len(ASSET_PREFIX):])
            if asset is None:
                raise GenerationError(f"input asset {value[len(ASSET_PREFIX):][:12]} is missing from assets/: "
                                      "regenerate or restore it")
            data = context.store.read(asset)
            if len(data) <= MAX_DATA_URI_BYTES:
                return data_uri(data, asset.mime)
            return self._upload(asset.name, data, asset.mime)
        return value

    def _upload(self, name: str, data: bytes, mime: str) -> str:
        """A file too big for a data: URI goes up through the files API; its URL is the input."""
        body = self.api.json_of(self.api.request("POST", "/files", files={"content": (name, data, mime)}))
        url = (body.get("urls") or {}).get("get") if isinstance(body, dict) else None
        if not isinstance(url, str):
            raise self.api.malformed("an uploaded file without `urls.get`")
        return url

    @staticmethod
    def _create_error(model: str):
        def on_status(status: int, detail: str) -> str | None:
            if status == 404 or (status == 422 and "version" in detail.lower()):
                return f"Replicate: model `{model}` does not exist or cannot be run ({detail}): pick one from `cinefile models`"
            return None

        return on_status

    def _prediction(self, response: httpx.Response) -> dict:
        body = self.api.json_of(response)
        if not isinstance(body, dict) or not isinstance(body.get("id"), str) or not isinstance(body.get("status"), str):
            raise self.api.malformed("a prediction without `id` and `status`")
        return body

    def _until_done(self, prediction: dict, kind: str, context: RunContext) -> dict:
        try:
            return self._poll(prediction, kind, context)
        except Cancelled:  # wherever the abort landed (a wait, a poll, a retry), stop the remote work
            self._cancel(prediction)
            raise

    def _poll(self, prediction: dict, kind: str, context: RunContext) -> dict:
        deadline = context.clock.now() + DEADLINE_S[kind]
        while True:
            status = prediction["status"]
            if status == "succeeded" or (status == "processing" and prediction.get("output")):
                return prediction
            if status in TERMINAL_FAILURES:
                reason = prediction.get("error") or status
                raise ApiError(f"Replicate: the model {status} ({' '.join(str(reason).split())[:200]}): "
                               "try again, or change the prompt")
            if context.clock.now() >= deadline:
                self._cancel(prediction)
                raise ApiError(f"Replicate: no result after {DEADLINE_S[kind]:.0f} s; the prediction was cancelled: "
                               "try again later")
            if context.cancel.is_set() or context.clock.sleep(POLL_INTERVAL_S[kind], context.cancel):
                raise Cancelled()
            context.progress("polling")
            prediction = self._prediction(self.api.request("GET", self._url(prediction, "get")))

    def _url(self, prediction: dict, which: str) -> str:
        urls = prediction.get("urls") if isinstance(prediction.get("urls"), dict) else {}
        url = urls.get(which)
        # Follow the server's link only on its own host: the key goes with every request.
        if isinstance(url, str) and url.startswith(self.api.base_url + "/"):
            return url
        suffix = "" if which == "get" else f"/{which}"
        return f"/predictions/{prediction['id']}{suffix}"

    def _cancel(self, prediction: dict) -> None:
        """Stop the remote prediction; best effort, since the user is already leaving."""
        # With its own abort signal: the user's abort must not stop the cancel call itself.
        with contextlib.suppress(GenerationError, Cancelled):
            self.api.request("POST", self._url(prediction, "cancel"), cancel=threading.Event())

    def _output_urls(self, prediction: dict) -> list[str]:
        output = prediction.get("output")
        if isinstance(output, str):
            urls = [output]
        elif isinstance(output, list) and all(isinstance(u, str) for u in output):
            urls = list(output)
        else:
            urls = []
        if not urls:
            raise self.api.malformed("a finished prediction with no output file")
        return urls


def actual_cost(price: dict[str, float], outputs: int, predict_time: float | None) -> float:
    """Replicate publishes no prices: the price table times the image count or the run time."""
    if "per_image" in price:
        return price["per_image"] * outputs
    if "per_second" in price and predict_time is not None:
        return price["per_second"] * predict_time
    return price.get("per_run", 0.0)
