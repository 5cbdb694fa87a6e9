"""The explorer's seed layout: time left to right, one band per class."""

from __future__ import annotations

from dialogue_kg.read.layout import BANDS, seed_layout


def test_time_runs_left_to_right_and_classes_keep_bands() -> None:
    classes = {"a": "agreement", "b": "agreement", "m": "meeting", "p": "actor", "q": "actor"}
    starts = {"a": "2011-07-02", "b": "2015-01-01", "m": "2013-01-01", "p": None, "q": None}
    links = [("m", "participant", "p"), ("b", "negotiator", "p")]
    pos = seed_layout(classes, starts, links)
    assert pos["a"][0] < pos["m"][0] < pos["b"][0]
    # An undated actor sits at the mean date of its dated neighbours (2013-2015 here).
    assert pos["m"][0] < pos["p"][0] < pos["b"][0]
    assert BANDS.index("meeting") < BANDS.index("actor")
    assert pos["m"][1] < pos["p"][1] and pos["m"][1] < pos["q"][1]
    assert seed_layout(classes, starts, links) == pos  # deterministic
    assert seed_layout({}, {}, []) == {}
