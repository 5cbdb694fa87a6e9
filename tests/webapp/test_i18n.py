"""Language choice: ?lang= (remembered), cookie, Accept-Language, English by default."""

from __future__ import annotations

from dialogue_kg.labels import best, canonical, fallbacks


def test_fallback_order() -> None:
    assert fallbacks("sr-Cyrl")[:2] == ["sr-Cyrl", "sr-Latn"]
    assert fallbacks("sq")[0] == "sq" and "en" in fallbacks("sq")
    assert canonical("sr-latn") == "sr-Latn"
    assert canonical("sr_Cyrl") == "sr-Cyrl"


def test_best_label_falls_back_to_english_then_anything() -> None:
    values = [("Agreement", "en"), ("Marrëveshja", "sq"), ("Sporazum", "sr-latn")]
    assert best(values, "sq") == "Marrëveshja"
    assert best(values, "sr-Cyrl") == "Споразум"  # the Latin, transliterated
    assert best([("Agreement", "en")], "sq") == "Agreement"
    assert best([("Only", "de")], "sq") == "Only"
    assert best([], "en") is None


def test_language_by_parameter_cookie_and_header(client) -> None:
    assert 'lang="en"' in client.get("/").get_data(as_text=True)
    page = client.get("/", headers={"Accept-Language": "sq,en;q=0.5"}).get_data(as_text=True)
    assert 'lang="sq"' in page
    response = client.get("/?lang=sr-Cyrl")
    assert 'lang="sr-Cyrl"' in response.get_data(as_text=True)
    assert "lang=sr-Cyrl" in response.headers["Set-Cookie"]
    assert 'lang="sr-Cyrl"' in client.get("/").get_data(as_text=True)


def test_unknown_language_is_ignored(client) -> None:
    response = client.get("/?lang=xx")
    assert 'lang="en"' in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers


def test_pages_carry_a_strict_content_security_policy(client) -> None:
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-eval" not in policy
