"""The API's contract: health, readiness, predictions, and clear 4xx answers to bad input."""

from __future__ import annotations

import json

from app.settings import settings


def test_health(client):
    r = client.get("/health")
    assert r.status == 200
    assert r.json() == {"status": "ok"}


def test_ready_once_the_model_is_loaded(client):
    r = client.get("/ready")
    assert r.status == 200, r.text
    assert r.json()["status"] == "ready"


def test_predict_one_record(client, record):
    r = client.post("/predict", json=record)
    assert r.status == 200, r.text
    body = r.json()
    assert len(body["predictions"]) == 1
    assert "prediction" in body["predictions"][0]
    assert body["model_version"]


def test_predict_a_batch(client, record):
    r = client.post("/predict", json={"instances": [record, record, record]})
    assert r.status == 200, r.text
    predictions = r.json()["predictions"]
    assert len(predictions) == 3
    assert predictions[0] == predictions[1] == predictions[2]


def test_probabilities_add_up(client, record):
    p = client.post("/predict", json=record).json()["predictions"][0]
    if p.get("probabilities"):
        assert abs(sum(p["probabilities"].values()) - 1.0) < 1e-6


def _field_errors(r):
    assert r.status == 422, r.text
    return [[str(part) for part in e["loc"]] for e in r.json()["detail"]]


def test_a_missing_field_is_named(client, record):
    name = next(iter(record))
    bad = {k: v for k, v in record.items() if k != name}
    assert any(name in loc for loc in _field_errors(client.post("/predict", json=bad)))


def test_a_wrong_type_is_named(client, record):
    name = next(iter(record))
    bad = dict(record)
    bad[name] = 123 if isinstance(record[name], str) else "not a number"
    assert any(name in loc for loc in _field_errors(client.post("/predict", json=bad)))


def test_an_unknown_field_is_rejected(client, record):
    assert any("surprise" in loc for loc in _field_errors(client.post("/predict", json={**record, "surprise": 1})))


def test_nan_and_infinity_are_rejected(client, record):
    name = next(iter(record))
    if isinstance(record[name], (int, float)) and not isinstance(record[name], bool):
        body = json.dumps(record).replace(json.dumps(record[name]), "NaN", 1)
        assert client.post("/predict", data=body, headers={"content-type": "application/json"}).status == 422


def test_an_empty_batch_is_rejected(client):
    assert client.post("/predict", json={"instances": []}).status == 422


def test_a_batch_over_the_limit_is_rejected(client, record):
    assert client.post("/predict", json={"instances": [record] * (settings.max_batch + 1)}).status == 422


def test_a_body_that_is_not_json_is_rejected(client):
    r = client.post("/predict", data="this is not json", headers={"content-type": "application/json"})
    assert r.status == 422


def test_a_body_over_the_size_limit_is_refused(client):
    big = "[" + "1," * settings.max_body_bytes + "1]"
    assert client.post("/predict", data=big, headers={"content-type": "application/json"}).status == 413


def test_metrics_count_requests_and_predictions(client, record):
    client.post("/predict", json=record)
    r = client.get("/metrics")
    assert r.status == 200
    assert "http_requests_total" in r.text
    assert "http_request_duration_seconds_bucket" in r.text
    assert "model_predictions_total" in r.text


def test_the_openapi_document_describes_predict(client):
    spec = client.get("/openapi.json").json()
    assert "/predict" in spec["paths"]
    assert client.get("/docs").status == 200


def test_a_body_nested_too_deeply_is_a_4xx(client):
    deep = "[" * 50_000 + "]" * 50_000
    r = client.post("/predict", data=deep, headers={"content-type": "application/json"})
    assert 400 <= r.status < 500, r.text


def test_the_docs_page_loads_nothing_from_elsewhere(client):
    page = client.get("/docs").text
    assert "<script" not in page and "https://" not in page and "http://" not in page


def test_ready_does_not_tell_where_the_model_is_or_what_failed_inside(client, tmp_path):
    from app.model import model

    secret = tmp_path / "private" / "models" / "gone.joblib"
    model._model = None  # as at start-up, before any model loaded
    try:
        model.load(str(secret))
        r = client.get("/ready")
        assert r.status == 503
        assert str(secret) not in r.text and "private" not in r.text
    finally:
        model.load()
    assert client.get("/ready").status == 200
