"""Replicate: predictions for images, video and audio, and the collections that list models.

An official model is run by name (`POST /models/{owner}/{name}/predictions`); a community model
only by version (`POST /predictions` with `owner/name:<version id>`), the 404 of the official
route says so. A prediction is created (201), then polled at `urls.get` until it is terminal:
every 0.5 s for images, 1.5 s for video, 1 s for audio, under an overall deadline. Images ask
the server to wait a few seconds first (`Prefer: wait=N`), which often returns the prediction
with its output at once, maybe still `processing`. When the user aborts, the deadline passes
or polling fails, the prediction is cancelled remotely, so that it stops costing.

The output (a URL, a list, an object holding URLs, data: URIs) is downloaded into the asset
store at once: Replicate keeps it about an hour. The cost is taken the way it is billed (see
costs.py): from the outputs, or from `metrics.predict_time`, which only a terminal prediction
has. A prediction paid for whose output could not be stored raises PaidNotStored, and the same
request later fetches that prediction again (`context.resume`) instead of paying twice.
"""

from __future__ import annotations

import ipaddress
import os
import threading
import urllib.parse
from typing import Any

import httpx

from ..assets import StoredAsset, data_uri
from ..costs import billing, replicate_cost
from ..duration import seconds_of
from ..errors import Cancelled, DownloadFailed, GenerationError
from ..http import Api, ApiError, Clock, client
from ..keys import Secret
from .base import GenRequest, GenResult, PaidNotStored, RunContext
from .replicate_output import media_urls, requested_seconds

BASE_URL = "https://api.replicate.com"  # REPLICATE_BASE_URL, as in Replicate's own client: no /v1
API_PATH = "/v1"
DASHBOARD = "https://replicate.com/predictions"
POLL_INTERVAL_S = {"image": 0.5, "video": 1.5, "audio": 1.0}
DEADLINE_S = {"image": 180.0, "video": 900.0, "audio": 600.0}
PREFER_WAIT_S = {"image": 5}
# After the output is stored: how long to poll on for the GPU time a community model bills.
METRICS_WAIT_S = 10.0
TERMINAL_FAILURES = ("failed", "canceled", "aborted")
TERMINAL = ("succeeded", *TERMINAL_FAILURES)
ASSET_PREFIX = "asset:"
# Replicate's advice: data: URIs for files up to 256 KB, the files API above that.
MAX_DATA_URI_BYTES = 256 * 1024
DOWNLOAD_TIMEOUT = httpx.Timeout(60.0, connect=5.0)
GONE_STATUSES = (404, 410)  # an output file (or prediction) that Replicate no longer has


def base_url() -> str:
    """The API's base: REPLICATE_BASE_URL (the host) plus /v1, unless it already ends in /v1."""
    host = os.environ.get("REPLICATE_BASE_URL", "").strip().rstrip("/") or BASE_URL
    return host if host.endswith(API_PATH) else host + API_PATH


def private_host(url: str) -> bool:
    """Whether a URL's host is this machine or a private network (a local fake of the API)."""
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private


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
        # Outputs of a local API (a test's fake) are local too; those of the real one never are.
        self.private_outputs = private_host(self.api.base_url)
        self.routes: dict[str, tuple[bool, str | None]] = {}  # model -> (official, version), once looked up

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
        note = ""
        if context.resume:
            resumed = self._resume(context.resume, request, context)
            if isinstance(resumed, GenResult):
                return resumed
            note = resumed
        url, body = self._route(request, context)
        body["input"] = {key: self._input_value(value, context) for key, value in request.params.items()}
        headers = {"Prefer": f"wait={PREFER_WAIT_S[request.kind]}"} if request.kind in PREFER_WAIT_S else None
        prediction = self._create(url, body, headers, request.model)
        context.progress("submitted")
        prediction = self._until_done(prediction, request.kind, context)
        result = self._deliver(prediction, request, context)
        if note:
            result.meta["note"] = note
        return result

    # -- which endpoint runs a model ---------------------------------------------------------

    def _route(self, request: GenRequest, context: RunContext) -> tuple[str, dict]:
        """Official models run by name; community ones only by version (`owner/name:<id>`)."""
        owner, name, version = split_model(request.model)
        if version:
            return "/predictions", {"version": request.model}
        official, latest = context.official, context.version
        if official is None or (not official and not latest):
            official, latest = self._lookup_route(request.model)
        if official:
            return f"/models/{owner}/{name}/predictions", {}
        return "/predictions", {"version": f"{owner}/{name}:{latest}"}

    def _lookup_route(self, model_id: str) -> tuple[bool, str]:
        if model_id not in self.routes:
            item = self.model(model_id)
            latest = item.get("latest_version") if isinstance(item.get("latest_version"), dict) else {}
            version = latest.get("id") if isinstance(latest.get("id"), str) else None
            self.routes[model_id] = (item.get("is_official") is True, version)
        official, version = self.routes[model_id]
        if not official and not version:
            raise GenerationError(f"Replicate: model `{model_id}` has no version that can be run: name one as "
                                  f"{model_id}:VERSION_ID in cinefile.toml")
        return official, version or ""

    # -- creating and following a prediction -------------------------------------------------

    def _create(self, url: str, body: dict, headers: dict[str, str] | None, model: str) -> dict:
        try:
            response = self.api.request("POST", url, json=body, headers=headers, on_status=self._create_error(model))
        except ApiError as error:
            if error.status is None:  # sent, maybe, and the answer lost on the way
                raise ApiError(f"{error}; a prediction may have started anyway and may cost: check {DASHBOARD} "
                               "before trying again") from None
            raise
        return self._read(response, creating=True)

    def _input_value(self, value: Any, context: RunContext) -> Any:
        if isinstance(value, list):  # reference images: each stored asset in it, sent as for one
            return [self._input_value(item, context) for item in value]
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

    def _read(self, response: httpx.Response, *, creating: bool = False) -> dict:
        """The prediction in an answer. An unreadable answer to a create may hide one that runs."""
        try:
            body = response.json()
        except ValueError:
            what = "not JSON"
        else:
            if isinstance(body, dict) and isinstance(body.get("id"), str) and isinstance(body.get("status"), str):
                return body
            what = "a prediction without `id` and `status`"
        if creating:
            raise ApiError(f"Replicate sent a malformed response ({what}) to the request that starts a prediction: "
                           f"one may have started anyway and may still run and cost; check {DASHBOARD} before trying again")
        raise self.api.malformed(what)

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
                raise ApiError(f"Replicate: no result after {DEADLINE_S[kind]:.0f} s; {self._stopped(prediction)}: "
                               "try again later")
            if context.cancel.is_set() or context.clock.sleep(POLL_INTERVAL_S[kind], context.cancel):
                raise Cancelled()
            context.progress("polling")
            try:
                prediction = self._read(self.api.request("GET", self._url(prediction, "get")))
            except ApiError as error:  # errors after the retries, or garbage: do not leave it running
                raise ApiError(f"{error}; {self._stopped(prediction)}", error.status) from None

    def _url(self, prediction: dict, which: str) -> str:
        urls = prediction.get("urls") if isinstance(prediction.get("urls"), dict) else {}
        url = urls.get(which)
        # Follow the server's link only on its own host: the key goes with every request.
        if isinstance(url, str) and url.startswith(self.api.base_url + "/"):
            return url
        suffix = "" if which == "get" else f"/{which}"
        return f"/predictions/{prediction['id']}{suffix}"

    def _cancel(self, prediction: dict) -> bool:
        """Stop the remote prediction; best effort, since the user is already leaving. True when done."""
        try:
            # With its own abort signal: the user's abort must not stop the cancel call itself.
            self.api.request("POST", self._url(prediction, "cancel"), cancel=threading.Event())
        except (GenerationError, Cancelled):
            return False
        return True

    def _stopped(self, prediction: dict) -> str:
        """Cancel a prediction given up on, and say so."""
        if self._cancel(prediction):
            return f"prediction {prediction['id']} was cancelled, so it costs nothing more"
        return f"prediction {prediction['id']} could not be cancelled and may still run and cost: check {DASHBOARD}"

    # -- the output, and what it cost --------------------------------------------------------

    def _deliver(self, prediction: dict, request: GenRequest, context: RunContext, *, recorded: bool = False) -> GenResult:
        """Store the output and take the cost. `recorded`: paid for earlier, so it costs nothing now."""
        prediction_id = prediction["id"]
        urls = media_urls(prediction.get("output"), request.kind)

        def cost(asset: StoredAsset | None = None, wait: bool = True) -> tuple[float, bool, float | None]:
            return (0.0, False, None) if recorded else self._cost(prediction, request, context, asset, len(urls), wait)

        if not urls:
            error = self.api.malformed("a finished prediction with no output file")
            paid, estimated, _ = cost()
            spent = f"; prediction {prediction_id} cost ${paid:.4f}" if paid else ""
            raise PaidNotStored(f"{error}{spent}", prediction_id=prediction_id, cost=paid, cause=error,
                                estimated=estimated, refetchable=False, recorded=recorded)
        context.progress("downloading")
        try:
            asset = context.store.fetch(urls[0], self.downloads, context.cancel, "Replicate", kind=request.kind,
                                        allow_private=self.private_outputs)
        except (GenerationError, Cancelled) as error:
            aborted = isinstance(error, Cancelled)
            paid, estimated, _ = cost(wait=not aborted)  # the user is leaving: no polling for metrics
            what = "cancelled during the download" if aborted else str(error)
            raise PaidNotStored(f"{what}; prediction {prediction_id} was paid for, and Replicate keeps its output for "
                                "about an hour: generate again to fetch it at no new cost", prediction_id=prediction_id,
                                cost=paid, cause=error, estimated=estimated, recorded=recorded) from None
        if recorded:
            return GenResult(assets=[asset], meta={"prediction_id": prediction_id, "resumed": True})
        paid, estimated, predict_time = cost(asset)
        return GenResult(assets=[asset], cost=paid, meta={"prediction_id": prediction_id, "predict_time": predict_time,
                                                          "cost_estimated": estimated})

    def _cost(self, prediction: dict, request: GenRequest, context: RunContext, asset: StoredAsset | None, images: int,
              wait: bool) -> tuple[float, bool, float | None]:
        """(cost, whether it is an estimate, GPU seconds) as the model is billed."""
        unit = billing(context.price)
        seconds = None
        if unit == "per_output_second":
            seconds = seconds_of(context.store.path_of(asset), asset.mime) if asset else None
            seconds = seconds or requested_seconds(request.params)
        if unit == "per_gpu_second" and wait:
            prediction = self._settled(prediction, request.kind, context)
        metrics = prediction.get("metrics") if isinstance(prediction.get("metrics"), dict) else {}
        predict_time = metrics.get("predict_time")
        predict_time = float(predict_time) if isinstance(predict_time, (int, float)) and predict_time >= 0 else None
        cost, estimated = replicate_cost(context.price, images=images, output_seconds=seconds, predict_time=predict_time)
        return cost, estimated, predict_time

    def _settled(self, prediction: dict, kind: str, context: RunContext) -> dict:
        """The prediction once terminal (with its metrics), polling on briefly; as it is when
        that takes too long, fails or is aborted (the cost is then estimated)."""
        deadline = context.clock.now() + METRICS_WAIT_S
        while prediction["status"] not in TERMINAL and context.clock.now() < deadline:
            if context.clock.sleep(POLL_INTERVAL_S[kind], context.cancel):
                break
            try:
                prediction = self._read(self.api.request("GET", self._url(prediction, "get")))
            except (GenerationError, Cancelled):
                break
        return prediction

    # -- a prediction paid for earlier --------------------------------------------------------

    def _resume(self, prediction_id: str, request: GenRequest, context: RunContext) -> GenResult | str:
        """The output of a prediction paid for earlier, fetched again; or why it cannot be."""
        gone = f"prediction {prediction_id}, paid for earlier, is no longer on Replicate (outputs are kept about an hour)"
        try:
            prediction = self._read(self.api.request("GET", f"/predictions/{prediction_id}"))
        except ApiError as error:
            if error.status in GONE_STATUSES:
                return f"{gone}; a new one was made"
            raise
        has_output = prediction["status"] == "succeeded" or prediction["status"] == "processing"
        if prediction.get("data_removed") or not has_output or not prediction.get("output"):
            return f"{gone}; a new one was made"
        try:
            return self._deliver(prediction, request, context, recorded=True)
        except PaidNotStored as lost:
            if _gone(lost.cause):
                return f"{gone}; a new one was made"
            raise


def _gone(error: BaseException) -> bool:
    """Whether a download failed because the file is no longer there (HTTP 404 or 410)."""
    return isinstance(error, DownloadFailed) and error.status in GONE_STATUSES
