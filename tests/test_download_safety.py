"""Only the right media, from public addresses, is stored: an output of the wrong kind is
refused, and an output URL at a loopback, link-local or private address is never contacted."""

from __future__ import annotations

import threading

import httpx
import pytest

from cinefile.daemon.generate import GenerationError
from cinefile.daemon.generate.addresses import not_public
from cinefile.daemon.generate.assets import AssetStore
from cinefile.daemon.generate.http import client

from fake_apis import CDN_HOST, MP4, PNG, WAV
from generate_fixtures import FAKE_DNS, fake  # noqa: F401  (fixtures)


def stored(project) -> list[str]:
    """Every file in assets/, hidden temp files too."""
    folder = project.root / "assets"
    return sorted(p.name for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def fetch(project, url: str, **options):
    with client() as http:
        return AssetStore(project.root).fetch(url, http, threading.Event(), "Replicate", **options)


# --- the kind of media ------------------------------------------------------------------


def test_video_bytes_for_an_image_job_are_refused_and_nothing_is_stored(sample, fake):
    with pytest.raises(GenerationError, match=r"Replicate's output is video/mp4, not an image file: refused, "
                                              r"nothing was stored; pick an image model"):
        fetch(sample, f"https://{CDN_HOST}/xezq/p1/out-0.mp4", kind="image")
    assert fake.calls("GET", CDN_HOST) and stored(sample) == []  # no temp file either


def test_video_bytes_for_a_speech_job_are_refused(sample, fake):
    with pytest.raises(GenerationError, match="is video/mp4, not an audio file"):
        fetch(sample, f"https://{CDN_HOST}/xezq/p1/out-0.mp4", kind="speech")
    with pytest.raises(GenerationError, match="is video/mp4, not an audio file"):
        AssetStore(sample.root).put(MP4, "the mock's output", kind="audio")
    assert stored(sample) == []


def test_each_kind_takes_its_own_media(sample, fake):
    store = AssetStore(sample.root)
    assert fetch(sample, f"https://{CDN_HOST}/xezq/p1/out-0.png", kind="image").mime == "image/png"
    assert fetch(sample, f"https://{CDN_HOST}/xezq/p2/out-0.mp4", kind="video").mime == "video/mp4"
    assert fetch(sample, f"https://{CDN_HOST}/xezq/p3/out-0.wav", kind="audio").mime == "audio/wav"
    gif = b"GIF89a" + b"\x00" * 40  # the mock's video without ffmpeg
    assert store.put(gif, "the mock's output", kind="video").mime == "image/gif"
    assert store.put(PNG, "the mock's output").mime == "image/png"  # no kind: any media, as before
    with pytest.raises(GenerationError, match="is audio/wav, not a video file"):
        store.put(WAV, "the mock's output", kind="video")


def test_a_wrong_data_uri_is_refused_too(sample, fake):
    import base64

    uri = "data:image/png;base64," + base64.b64encode(MP4).decode()  # what it claims does not count
    with pytest.raises(GenerationError, match="is video/mp4, not an image file"):
        fetch(sample, uri, kind="image")
    assert stored(sample) == []


# --- public addresses only --------------------------------------------------------------


def test_an_output_at_the_cloud_metadata_address_is_never_contacted(sample, fake):
    with pytest.raises(GenerationError, match=r"Replicate returned an output URL at 169\.254\.169\.254, a link-local "
                                              r"address: refused, nothing was downloaded"):
        fetch(sample, "https://169.254.169.254/latest/meta-data/out-0.png", kind="image")
    assert fake.log == [] and stored(sample) == []


@pytest.mark.parametrize(("host", "why"), [
    ("127.0.0.1", "loopback"), ("[::1]", "loopback"), ("[::ffff:127.0.0.1]", "loopback"),
    ("169.254.10.1", "link-local"), ("[fe80::1]", "link-local"),
    ("10.1.2.3", "private"), ("172.16.5.4", "private"), ("192.168.1.1", "private"), ("[fd00::7]", "private"),
    ("0.0.0.0", "unspecified"), ("224.0.0.1", "multicast"), ("240.0.0.1", "reserved"),
])
def test_non_public_ip_literals_are_refused(sample, fake, host, why):
    with pytest.raises(GenerationError, match=f"an? {why} address: refused"):
        fetch(sample, f"https://{host}/out-0.png")
    assert fake.log == []


def test_a_host_name_that_resolves_to_a_private_address_is_refused(sample, fake, monkeypatch):
    monkeypatch.setitem(FAKE_DNS, "cdn.evil.example", ["151.101.2.132", "10.0.0.7"])  # any one private is enough
    with pytest.raises(GenerationError, match=r"at cdn\.evil\.example \(10\.0\.0\.7\), a private address: refused"):
        fetch(sample, "https://cdn.evil.example/out-0.png")
    assert fake.log == []


def test_a_host_that_does_not_resolve_is_not_contacted(sample, fake):
    with pytest.raises(GenerationError, match="the output's host nowhere.invalid cannot be found"):
        fetch(sample, "https://nowhere.invalid/out-0.png")
    assert fake.log == []


def test_a_private_host_is_allowed_when_the_providers_own_api_is_local(sample, fake):
    with pytest.raises(GenerationError, match="the download broke off"):  # contacted: the fake has no such host
        fetch(sample, "https://127.0.0.1:8080/out-0.png", allow_private=True)
    assert [url for _, url, _ in fake.log] == ["https://127.0.0.1:8080/out-0.png"] and stored(sample) == []


def test_a_redirect_is_not_followed(sample, fake, monkeypatch):
    from cinefile.daemon.generate import http as http_module

    def redirecting(request: httpx.Request) -> httpx.Response:
        fake.handle(request)  # logged as the fake logs every request
        if request.url.host == CDN_HOST:
            return httpx.Response(302, headers={"location": "https://169.254.169.254/latest/meta-data/"})
        raise AssertionError(f"followed a redirect to {request.url}")

    monkeypatch.setattr(http_module, "TRANSPORT", httpx.MockTransport(redirecting))
    with pytest.raises(GenerationError, match=r"redirects to 169\.254\.169\.254: not followed, nothing was downloaded"):
        fetch(sample, f"https://{CDN_HOST}/xezq/p1/out-0.png")
    assert [url for _, url, _ in fake.log] == [f"https://{CDN_HOST}/xezq/p1/out-0.png"] and stored(sample) == []


def test_public_addresses_pass():
    assert not_public("151.101.2.132") is None and not_public("2606:4700::6810:85e5") is None
    assert not_public("100.64.0.1") == "not a public address"  # carrier-grade NAT: shared, not the internet
