"""The loopback server itself: Range, HEAD, validators, and each injected fault behave as documented."""

from __future__ import annotations

import requests


def test_range_head_and_conditional_requests(artifact_server):
    url = artifact_server.add("/blob.bin", bytes(range(256)) * 4)
    head = requests.head(url, timeout=5)
    assert head.status_code == 200 and head.headers["Content-Length"] == "1024"
    part = requests.get(url, headers={"Range": "bytes=10-19"}, timeout=5)
    assert part.status_code == 206 and part.content == bytes(range(10, 20))
    assert part.headers["Content-Range"] == "bytes 10-19/1024"
    tail = requests.get(url, headers={"Range": "bytes=-4"}, timeout=5)
    assert tail.content == bytes(range(252, 256))
    again = requests.get(url, headers={"If-None-Match": head.headers["ETag"]}, timeout=5)
    assert again.status_code == 304 and again.content == b""
    assert requests.get(url, headers={"Range": "bytes=5000-"}, timeout=5).status_code == 416


def test_faults_apply_the_given_number_of_times(artifact_server):
    url = artifact_server.add("/m.zip", b"payload")
    artifact_server.fault("/m.zip", "500", times=2)
    codes = [requests.get(url, timeout=5).status_code for _ in range(3)]
    assert codes == [500, 500, 200]
    artifact_server.fault("/m.zip", "head-405")
    assert requests.head(url, timeout=5).status_code == 405
    assert requests.get(url, timeout=5).status_code == 200
    artifact_server.fault("/m.zip", "ignore-range")
    assert requests.get(url, headers={"Range": "bytes=0-1"}, timeout=5).status_code == 200
    assert requests.get(artifact_server.url("/missing"), timeout=5).status_code == 404
    assert artifact_server.bytes_sent("/m.zip") > 0
