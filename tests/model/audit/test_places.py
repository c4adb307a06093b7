"""The table of administrative divisions (model/audit/places.py)."""

from __future__ import annotations

from model.audit.places import divisions, prefectures


def test_the_table_has_every_level() -> None:
    codes = dict(divisions())
    assert codes["420000000000"] == "湖北省"
    assert codes["420100000000"] == "武汉市"
    assert codes["420104000000"] == "硚口区"
    assert len(codes) > 3000


def test_prefectures_are_the_prefecture_level_divisions() -> None:
    names = set(prefectures())
    assert {"武汉市", "清远市", "恩施土家族苗族自治州", "大兴安岭地区", "锡林郭勒盟"} <= names
    # county-level cities, municipalities directly under the centre, Taiwan, sea areas: not
    assert not names & {"海宁市", "英德市", "北京市", "重庆市", "台北市", "海域", "雄安新区"}
    assert len(names) == 333
    assert [len(n) for n in prefectures()] == sorted((len(n) for n in names), reverse=True)
