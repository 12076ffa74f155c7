"""The review app in process (Starlette's TestClient): the token, files outside the batch, every page
as JSON, decisions through the app, crops of doubtful cells and of broken relations."""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path

import pytest
from PIL import Image

from extractor.batch.corrections import NAME
from extractor.batch.run import run_batch
from extractor.output.crops import BLUE, RED
from extractor.output.review_app import create_app, new_token
from extractor.output.review_queue import ReviewSession

from .batch_inputs import doubtful_once, make_folder

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # newer Starlette asks for another HTTP client; httpx still works
    from starlette.testclient import TestClient

PDF = "s01_gov_2021_split4.pdf"
WRONG = "s07_gov_2021_wrongtotal.pdf"


@pytest.fixture
def app(tmp_path: Path) -> tuple[TestClient, str, ReviewSession, Path]:
    out = tmp_path / "out"
    good = [PDF, WRONG, "office_2021.html"]
    run_batch(make_folder(tmp_path, good=good, broken=False), out, jobs=1, read=doubtful_once)
    (tmp_path / "secret.json").write_text('{"secret": 1}', encoding="utf-8")  # beside the batch
    session = ReviewSession(out, reviewer="ana")
    token = new_token()
    return TestClient(create_app(session, token)), token, session, out


def test_requests_without_the_token_are_refused(app: tuple[TestClient, str, ReviewSession, Path]) -> None:
    client, token, _, _ = app
    assert client.get(f"/{token}/queue.json").status_code == 200
    for url in (
        "/",
        "/queue.json",
        f"/{token[:-1]}/queue.json",
        f"/{token}x/queue.json",
        f"/{token.upper()}/queue.json",
        f"/queue.json?token={token}",
        f"/files/{PDF}.json",
    ):
        response = client.get(url, follow_redirects=False)
        assert response.status_code == 404 and token not in response.text, url
    response = client.post(
        "/decide", json={"report": 0, "path": "requests.granted.total", "action": "accept"}
    )
    assert response.status_code == 404
    assert not (app[3] / NAME).exists()
    assert client.get(f"/{token}", follow_redirects=False).headers["location"] == f"/{token}/"


def test_files_outside_the_batch_are_refused(app: tuple[TestClient, str, ReviewSession, Path]) -> None:
    client, token, _, _ = app
    own = client.get(f"/{token}/files/{PDF}.json")
    assert own.status_code == 200 and own.json()["source"]["file"] == PDF
    for name in (
        "../secret.json",
        "..%2Fsecret.json",
        "%2e%2e/secret.json",
        "....//secret.json",
        "/etc/passwd",
        "%2Fetc%2Fpasswd",
        "../../../../etc/passwd",
        f"{PDF}.json/../../secret.json",
        "sub/../../secret.json",
        ".extractor-batch.jsonl",
        "summary.csv",
        NAME,
    ):
        response = client.get(f"/{token}/files/{name}")
        assert response.status_code == 404 and '"secret": 1' not in response.text, name
        assert "root:" not in response.text, name
    for url in (
        f"/{token}/crop/9/requests.granted.total.png",
        f"/{token}/report/-1",
        f"/{token}/report/x.json",
    ):
        assert client.get(url).status_code == 404, url
    # The page and its JSON come from the package, never from a path the request names.
    assert client.get(f"/{token}/../secret.json").status_code == 404


def test_every_page_is_also_json(app: tuple[TestClient, str, ReviewSession, Path]) -> None:
    client, token, session, _ = app
    page = client.get(f"/{token}/")
    assert page.status_code == 200 and "extractor review" in page.text and "<script" in page.text
    queue = client.get(f"/{token}/queue.json").json()
    assert queue["left"] == 9 and queue["reports"] == 3 and queue["reviewer"] == "ana"
    first = queue["items"][0]
    assert set(first) >= {"file", "report", "path", "label", "value", "raw", "reasons", "proposed", "crop"}
    assert [i["confidence"] for i in queue["items"] if i["file"] == first["file"]] == [0.3, 0.55, 0.7]
    html_item = next(i for i in queue["items"] if i["file"].endswith(".html"))
    assert html_item["crop"] is None  # no page geometry
    n = session.index(PDF)
    report = client.get(f"/{token}/report/{n}.json").json()
    assert report["file"] == PDF and "requests.granted.total" in report["queue"]
    html = client.get(f"/{token}/report/{n}?cell=requests.granted.total")
    assert "class='hl doubt' data-path='requests.granted.total'" in html.text
    checks = client.get(f"/{token}/checks.json").json()
    source = {s["id"] for s in checks["relations"] if s["file"] == WRONG and s["cause"] == "source"}
    assert source >= {"requests.row_total.other_misc"}
    assert "Relations that fail" in client.get(f"/{token}/checks").text


def test_a_decision_through_the_app(app: tuple[TestClient, str, ReviewSession, Path]) -> None:
    client, token, session, out = app
    n = session.index(PDF)
    response = client.post(
        f"/{token}/decide",
        json={"report": n, "path": "requests.granted.total", "action": "correct", "value": "7"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["decision"]["value"] == 7 and body["decision"]["by"] == "ana"
    assert body["queue"]["left"] == 8 and body["queue"]["decided"] == 1
    line = json.loads((out / NAME).read_text(encoding="utf-8"))
    assert (line["path"], line["action"], line["value"]) == ("requests.granted.total", "correct", 7)
    for bad in (
        {"report": n, "path": "requests.granted.total", "action": "correct", "value": "seven"},
        {"report": n, "path": "nowhere", "action": "accept"},
        {"report": 99, "path": "requests.granted.total", "action": "accept"},
        {"path": "requests.granted.total", "action": "accept"},
        [1, 2],
    ):
        assert client.post(f"/{token}/decide", json=bad).status_code in (400, 404), bad
    assert client.post(f"/{token}/decide", content=b"not json").status_code == 400
    assert len((out / NAME).read_text(encoding="utf-8").splitlines()) == 1


def _colours(png: bytes) -> set[tuple[int, int, int]]:
    picture = Image.open(io.BytesIO(png))
    assert picture.format == "PNG"
    return {c for _, c in picture.convert("RGB").getcolors(maxcolors=1 << 22) or []}


def test_crops_of_a_cell_and_of_a_broken_relation(app: tuple[TestClient, str, ReviewSession, Path]) -> None:
    client, token, _, _ = app
    item = next(i for i in client.get(f"/{token}/queue.json").json()["items"] if i["file"] == PDF)
    response = client.get(f"/{token}/{item['crop']}")
    assert response.status_code == 200 and response.headers["content-type"] == "image/png"
    picture = Image.open(io.BytesIO(response.content))
    assert picture.width > 300 and picture.height > 100  # the header above the row
    assert RED in _colours(response.content)
    source = [s for s in client.get(f"/{token}/queue.json").json()["relations"] if s["file"] == WRONG]
    assert source and all(s["crop"] for s in source)
    response = client.get(f"/{token}/{source[0]['crop']}")
    assert response.status_code == 200 and BLUE in _colours(response.content)


def test_the_static_page_crops_source_inconsistencies_too(
    tmp_path: Path, app: tuple[TestClient, str, ReviewSession, Path]
) -> None:
    import base64

    from lxml import html as lxml_html

    from extractor.cli import main

    _, _, session, out = app
    session.decide(PDF, "requests.granted.total", "accept")  # decided: no longer listed
    page = tmp_path / "review.html"
    assert main(["review", str(out), "--html", str(page)]) == 0
    doc = lxml_html.fromstring(page.read_text(encoding="utf-8"))
    s07 = next(s for s in doc.xpath("//section[@class='file']") if WRONG in s.xpath(".//h2")[0].text)
    crops = s07.xpath(".//div[@class='source']//img[@class='relation-crop']")
    assert len(crops) == len(s07.xpath(".//table[@class='source']//code")) == 2
    for img in crops:
        assert BLUE in _colours(base64.b64decode(img.get("src").split(",", 1)[1]))
    s01 = next(s for s in doc.xpath("//section[@class='file']") if PDF in s.xpath(".//h2")[0].text)
    assert not s01.xpath(".//article[@data-path='requests.granted.total']")
    assert len(s01.xpath(".//article[@class='doubt']")) == 2
