"""Comparing an archive's reports (`model.compare`): issuers, clusters, recurrences, copied
text and rates, on small hand-built archives."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest

from model.compare import (
    CLUSTER_THRESHOLD,
    NUM_PERM,
    RECURRING_THRESHOLD,
    SHARED_MIN_CHARS,
    SHARED_THRESHOLD,
    compare,
    normalise_issuer,
    problem_clusters,
    rates,
    recurring_by_issuer,
    recurring_problems,
    shared_passages,
)

ALL_PRESENT = dict.fromkeys(("achievements", "shortcomings", "leadership", "plans"), "present")

STAFF = "行政执法人员素质有待提高，部分执法人员法治意识不强，执法程序不规范。"
STAFF_AGAIN = "执法人员素质仍需提升，一些执法人员法治意识不强，存在执法程序不规范现象。"
DISCLOSURE = "政府信息公开不够及时，公开内容不全面，群众查询不便。"
DISCLOSURE_AGAIN = "政府信息公开还不够及时，公开的内容不够全面。"
REVIEW = "行政复议纠错率偏低，复议机关审查不够深入。"
TEMPLATE = (
    "全面贯彻落实习近平法治思想，深入推进法治政府建设，坚持把法治政府建设摆在全局工作的"
    "突出位置，严格落实党政主要负责人履行推进法治建设第一责任人职责，统筹推进依法行政各项工作。"
)


def report(
    id: int,
    issuer: str | None = "海宁市人民政府",
    year: int | None = 2023,
    problems: list[str] | None = None,
    paragraphs: list[str] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A report dict as the archive store passes it; a problem's title is its first clause."""
    return {
        "id": id,
        "issuer": issuer,
        "issuer_kind": fields.get("issuer_kind", "government"),
        "level": fields.get("level", "county"),
        "year": year,
        "timeliness": fields.get("timeliness", "on_time"),
        "contents": fields.get("contents", ALL_PRESENT),
        "problems": [
            {"index": k, "title": text.split("，")[0], "text": text}
            for k, text in enumerate(problems or [])
        ],
        "paragraphs": [
            {"index": k, "text": text, "label": "achievements"}
            for k, text in enumerate(paragraphs or [])
        ],
    }


# -- issuers ---------------------------------------------------------------------------------------


def test_traditional_and_simplified_names_are_one_body() -> None:
    assert normalise_issuer("北京市朝陽區人民政府") == normalise_issuer("北京市朝阳区人民政府")
    assert normalise_issuer("北京市朝阳区人民政府") == "北京市朝阳区人民政府"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (" 海宁市 人民政府\u3000", "海宁市人民政府"),
        ("海宁市政府", "海宁市人民政府"),
        ("海宁市政府办公室", "海宁市人民政府办公室"),
        ("中共海宁市委", "海宁市委"),
        ("武汉经济技术开发区(汉南区)", "武汉经济技术开发区"),
        ("武汉经济技术开发区（汉南区）", "武汉经济技术开发区"),
        ("ＸＸ县司法局", "XX县司法局"),
    ],
)
def test_issuer_spellings(name: str, expected: str) -> None:
    assert normalise_issuer(name) == expected


def test_abbreviated_names_are_not_merged() -> None:
    assert normalise_issuer("海宁市住建局") == "海宁市住建局"
    assert normalise_issuer("海宁市住建局") != normalise_issuer("海宁市住房和城乡建设局")
    assert normalise_issuer("海宁市住建局") != normalise_issuer("海宁市人民政府")


@pytest.mark.parametrize("name", [None, "", "   "])
def test_no_issuer(name: str | None) -> None:
    assert normalise_issuer(name) is None


# -- problem clusters ------------------------------------------------------------------------------


def _cluster_of(clusters: list[dict[str, Any]], report_id: int, index: int) -> int | None:
    for k, c in enumerate(clusters):
        if any(m["report_id"] == report_id and m["index"] == index for m in c["members"]):
            return k
    return None


def test_clusters_merge_paraphrases_and_keep_problems_apart() -> None:
    reports = [
        report(1, problems=[STAFF, DISCLOSURE]),
        report(2, issuer="嘉兴市人民政府", problems=[STAFF_AGAIN, REVIEW]),
        report(3, issuer="湖州市司法局", problems=[DISCLOSURE_AGAIN, STAFF]),
    ]
    clusters = problem_clusters(reports)
    staff = _cluster_of(clusters, 1, 0)
    disclosure = _cluster_of(clusters, 1, 1)
    assert staff is not None and disclosure is not None and staff != disclosure
    assert _cluster_of(clusters, 2, 0) == staff and _cluster_of(clusters, 3, 1) == staff
    assert _cluster_of(clusters, 3, 0) == disclosure
    assert clusters[staff]["count"] == 3 and clusters[disclosure]["count"] == 2
    # The review problem is one report's only: no cluster.
    assert _cluster_of(clusters, 2, 1) is None
    assert [c["count"] for c in clusters] == sorted((c["count"] for c in clusters), reverse=True)
    assert clusters[0]["name"] in {"行政执法人员素质有待提高", "执法人员素质仍需提升"}
    assert set(clusters[0]["members"][0]) == {"report_id", "index", "title"}


def test_one_report_repeating_itself_is_no_cluster() -> None:
    assert problem_clusters([report(1, problems=[STAFF, STAFF_AGAIN]), report(2)]) == []


def test_a_higher_threshold_splits_paraphrases() -> None:
    reports = [report(1, problems=[STAFF]), report(2, problems=[STAFF_AGAIN])]
    assert len(problem_clusters(reports)) == 1
    assert problem_clusters(reports, threshold=0.95) == []
    assert 0 < CLUSTER_THRESHOLD < 1


def test_clusters_use_blocking_on_many_items() -> None:
    # 600 unrelated items (random characters, seeded) and one shared problem: the shared
    # problem is still found and the unrelated ones stay single.
    rng = random.Random(7)
    filler = [
        report(
            100 + k,
            f"{k}号单位",
            problems=["".join(chr(0x4E00 + rng.randrange(8000)) for _ in range(16))],
        )
        for k in range(600)
    ]
    reports = [*filler, report(1, problems=[STAFF]), report(2, problems=[STAFF_AGAIN])]
    clusters = problem_clusters(reports)
    assert [sorted(m["report_id"] for m in c["members"]) for c in clusters] == [[1, 2]]


# -- recurring problems ----------------------------------------------------------------------------


def test_recurring_finds_one_issuer_in_two_years() -> None:
    reports = [
        report(1, year=2023, problems=[STAFF, DISCLOSURE]),
        report(2, issuer="海宁市政府", year=2024, problems=[STAFF_AGAIN, REVIEW]),
    ]
    found = recurring_problems(reports)
    assert len(found) == 1
    pair = found[0]
    assert pair["issuer"] == "海宁市人民政府"
    assert pair["similarity"] >= RECURRING_THRESHOLD
    assert [(i["report_id"], i["year"], i["index"]) for i in pair["items"]] == [
        (1, 2023, 0),
        (2, 2024, 0),
    ]
    assert pair["items"][0]["title"] == "行政执法人员素质有待提高"


def test_recurring_needs_the_same_issuer_and_different_years() -> None:
    other_issuer = [
        report(1, year=2023, problems=[STAFF]),
        report(2, "嘉兴市人民政府", 2024, [STAFF]),
    ]
    same_year = [report(1, year=2024, problems=[STAFF]), report(2, year=2024, problems=[STAFF])]
    assert recurring_problems(other_issuer) == []
    assert recurring_problems(same_year) == []


def test_recurring_skips_unknown_issuers_and_years() -> None:
    reports = [
        report(1, issuer=None, year=2023, problems=[STAFF]),
        report(2, issuer=None, year=2024, problems=[STAFF]),
        report(3, year=None, problems=[STAFF]),
        report(4, year=2024, problems=[STAFF]),
    ]
    assert recurring_problems(reports) == []


def test_recurring_is_sorted_by_issuer_then_year() -> None:
    reports = [
        report(1, "嘉兴市人民政府", 2022, [DISCLOSURE]),
        report(2, "嘉兴市人民政府", 2021, [DISCLOSURE]),
        report(3, "海宁市人民政府", 2024, [STAFF]),
        report(4, "海宁市人民政府", 2020, [STAFF]),
        report(5, "海宁市人民政府", 2022, [STAFF]),
    ]
    found = recurring_problems(reports)
    keys = [(f["issuer"], f["items"][0]["year"], f["items"][1]["year"]) for f in found]
    assert keys == sorted(keys)
    assert len(found) == 1 + 3
    assert all(f["items"][0]["year"] < f["items"][1]["year"] for f in found)


def test_recurring_by_issuer_counts_problems_and_orders_bodies() -> None:
    reports = [
        report(1, "嘉兴市人民政府", 2022, [DISCLOSURE]),
        report(2, "嘉兴市人民政府", 2021, [DISCLOSURE]),
        report(3, "海宁市人民政府", 2024, [STAFF]),
        report(4, "海宁市人民政府", 2020, [STAFF, DISCLOSURE]),
        report(5, "海宁市人民政府", 2022, [STAFF_AGAIN, DISCLOSURE]),
    ]
    pairs = recurring_problems(reports)
    summary = recurring_by_issuer(pairs, examples=2)
    assert [e["issuer"] for e in summary] == ["海宁市人民政府", "嘉兴市人民政府"]
    haining, jiaxing = summary
    later = {
        (p["items"][1]["report_id"], p["items"][1]["index"])
        for p in pairs
        if p["issuer"] == "海宁市人民政府"
    }
    assert haining["problems"] == len(later) >= 3  # 2022's two items and 2024's one
    assert haining["pairs"] == sum(p["issuer"] == "海宁市人民政府" for p in pairs)
    assert haining["years"] == [2020, 2022, 2024]
    assert len(haining["examples"]) == 2  # different problems, the closest pairs first
    assert len({e["items"][1]["title"] for e in haining["examples"]}) == 2
    assert [e["similarity"] for e in haining["examples"]] == sorted(
        (e["similarity"] for e in haining["examples"]), reverse=True
    )
    assert (jiaxing["problems"], jiaxing["pairs"], jiaxing["years"]) == (1, 1, [2021, 2022])
    assert recurring_by_issuer([]) == []


# -- shared passages -------------------------------------------------------------------------------


def test_shared_finds_a_copied_paragraph_between_issuers() -> None:
    copied = TEMPLATE.replace("全局", "全县")  # one word changed
    reports = [
        report(1, paragraphs=["一、主要举措和成效", TEMPLATE, STAFF * 3]),
        report(2, issuer="嘉兴市司法局", paragraphs=[DISCLOSURE * 3, copied]),
    ]
    found = shared_passages(reports)
    assert len(found) == 1
    assert sorted((p["report_id"], p["index"]) for p in found[0]["paragraphs"]) == [(1, 1), (2, 1)]
    assert SHARED_THRESHOLD <= found[0]["similarity"] < 1
    assert len(found[0]["text"]) <= 120 and found[0]["text"].startswith("全面贯彻落实")


def test_shared_ignores_the_same_issuer() -> None:
    reports = [
        report(1, issuer="海宁市人民政府", year=2023, paragraphs=[TEMPLATE]),
        report(2, issuer="海宁市政府", year=2024, paragraphs=[TEMPLATE]),
    ]
    assert shared_passages(reports) == []


def test_shared_skips_short_paragraphs_and_headings() -> None:
    short = "坚持依法行政，推进法治政府建设。"
    heading = "一、深入学习贯彻习近平法治思想，全面推进法治政府建设各项工作落地见效取得新进展"
    assert len(short) < SHARED_MIN_CHARS
    reports = [
        report(1, paragraphs=[short, heading]),
        report(2, issuer="嘉兴市人民政府", paragraphs=[short, heading]),
    ]
    assert shared_passages(reports) == []
    assert shared_passages(reports, min_chars=5) != []  # the short one, once allowed


def test_shared_counts_unknown_issuers_apart() -> None:
    reports = [
        report(1, issuer=None, paragraphs=[TEMPLATE]),
        report(2, None, paragraphs=[TEMPLATE]),
    ]
    found = shared_passages(reports)
    assert len(found) == 1 and found[0]["similarity"] == 1.0


def test_shared_keeps_different_paragraphs_apart() -> None:
    other = (
        "严格规范公正文明执法，全面推行行政执法公示制度、执法全过程记录制度、重大执法决定"
        "法制审核制度，行政执法案卷评查合格率达到百分之九十八以上。"
    )
    reports = [report(1, paragraphs=[TEMPLATE]), report(2, "嘉兴市人民政府", paragraphs=[other])]
    assert shared_passages(reports) == []
    assert NUM_PERM == 128


# -- rates -----------------------------------------------------------------------------------------


def test_rates_count_compliance_and_timeliness() -> None:
    weak = {**ALL_PRESENT, "leadership": "weak"}
    reports = [
        report(1, year=2023, level="county", timeliness="on_time"),
        report(2, year=2023, level="county", timeliness="late", contents=weak),
        report(3, year=2024, level="city", timeliness="unknown", issuer_kind="department"),
        report(4, year=None, level=None, contents={}),  # not a report
    ]
    out = rates(reports)
    assert out["non_reports"] == 1
    whole = out["all"]
    assert whole["reports"] == 3 and whole["compliant"] == 2
    assert whole["compliance"] == pytest.approx(2 / 3, abs=1e-4)
    assert whole["parts"]["leadership"] == pytest.approx(2 / 3, abs=1e-4)
    assert whole["parts"]["plans"] == 1.0
    assert (whole["on_time"], whole["late"], whole["unknown"]) == (1, 1, 1)
    assert whole["on_time_rate"] == 0.5
    assert set(out["by_level"]) == {"city", "county"}
    assert out["by_level"]["county"]["reports"] == 2
    assert out["by_level"]["county"]["compliance"] == 0.5
    assert out["by_level"]["city"]["on_time_rate"] is None
    assert out["by_kind"]["department"]["reports"] == 1
    assert out["by_year"]["2023"]["reports"] == 2 and out["by_year"]["2024"]["reports"] == 1


def test_rates_group_missing_values_as_unknown() -> None:
    out = rates([report(1, year=None, level=None, issuer_kind=None)])
    assert list(out["by_year"]) == ["unknown"]
    assert out["by_level"]["unknown"]["reports"] == 1


# -- compare ---------------------------------------------------------------------------------------


def test_empty_input_gives_empty_results() -> None:
    out = compare([])
    assert out["clusters"] == [] and out["recurring"] == [] and out["shared"] == []
    assert out["rates"]["all"]["reports"] == 0 and out["rates"]["all"]["compliance"] is None
    assert out["rates"]["by_year"] == {} and out["rates"]["non_reports"] == 0


def test_reports_without_problems_or_paragraphs() -> None:
    bare = {"id": 1, "issuer": None, "year": None, "contents": {}}
    out = compare([bare, bare | {"id": 2}])
    assert out["clusters"] == [] and out["recurring"] == [] and out["shared"] == []
    assert out["rates"]["non_reports"] == 2


def test_compare_calls_every_part() -> None:
    reports = [
        report(1, year=2023, problems=[STAFF], paragraphs=[TEMPLATE]),
        report(2, issuer="海宁市政府", year=2024, problems=[STAFF_AGAIN]),
        report(3, issuer="嘉兴市人民政府", paragraphs=[TEMPLATE]),
    ]
    out = compare(reports)
    assert set(out) == {"clusters", "recurring", "recurring_issuers", "shared", "rates"}
    assert len(out["clusters"]) == 1 and len(out["recurring"]) == 1 and len(out["shared"]) == 1
    assert out["recurring_issuers"] == recurring_by_issuer(out["recurring"])
    assert out["rates"]["all"]["reports"] == 3


# -- vectorised internals --------------------------------------------------------------------------


def test_signatures_are_datasketchs() -> None:
    import numpy as np
    from datasketch import MinHash

    from model.compare import MINHASH_SEED, signatures

    rng = random.Random(3)
    sets = [sorted({rng.randrange(2**32) for _ in range(rng.randrange(1, 40))}) for _ in range(20)]
    values = np.asarray([v for s in sets for v in s], dtype=np.uint64)
    indptr = np.cumsum([0, *map(len, sets)])
    ours = signatures(values, indptr)
    for row, s in zip(ours, sets, strict=True):
        m = MinHash(num_perm=NUM_PERM, seed=MINHASH_SEED, hashfunc=int, scheme="affine32")
        m.update_batch(s)
        assert np.array_equal(row, m.hashvalues)


def _vectors(texts: list[str]) -> Any:
    from model.compare import _Vocabulary

    return _Vocabulary().vectors(texts)


def test_tfidf_rows_match_the_formula() -> None:
    import math

    from model.compare import _bigram_keys, _bigram_weights, _pair_dots

    texts = ["执法人员素质", "执法程序", "法", ""]
    matrix = _vectors(texts)
    assert matrix.shape[0] == 4 and matrix.indices[0] == 0  # term 0: the first bigram, 执法
    # "执法程序": 执法, 法程, 程序 once each; weight (1 + log 1) · idf, the shipped IDF.
    table, idf, _, unseen = _bigram_weights()
    keys, _ = _bigram_keys(["执法程序"])
    at = np.searchsorted(table, keys)
    weights = [
        idf[a] if a < len(table) and table[a] == k else unseen
        for a, k in zip(at, keys, strict=True)
    ]
    row = matrix.data[matrix.indptr[1] : matrix.indptr[2]]
    norm = math.sqrt(sum(w * w for w in weights))
    assert sorted(row) == pytest.approx(sorted(w / norm for w in weights))
    norms = [math.fsum(matrix.data[matrix.indptr[i] : matrix.indptr[i + 1]] ** 2) for i in range(3)]
    assert norms == pytest.approx([1.0, 1.0, 1.0])
    assert matrix.indptr[4] == matrix.indptr[3]  # an empty text has no terms
    dots = _pair_dots(matrix, np.array([0, 0, 1]), np.array([1, 2, 1]))
    assert 0 < dots[0] < 1 and dots[1] == 0 and dots[2] == pytest.approx(1.0)


def test_stock_bigrams_weigh_less_than_a_problems_own() -> None:
    from model.compare import _bigram_keys, _bigram_weights

    table, idf, common, unseen = _bigram_weights()
    (stock, own, never), _ = _bigram_keys(["工作", "复议", "龘龘"])
    weight = {key: idf[np.searchsorted(table, key)] for key in (stock, own)}
    assert weight[stock] < weight[own] < unseen
    assert never not in table and common[np.searchsorted(table, stock)]


def test_the_shipped_bigram_table_is_the_one_the_reports_give() -> None:
    from model.compare import BIGRAMS_FILE, bigram_table
    from training.bigrams import same_table, sentences

    assert same_table(BIGRAMS_FILE, bigram_table(sentences()))


def test_shingles_of_short_and_long_texts() -> None:
    from model.compare import SHINGLE, _shingles

    values, indptr = _shingles(["甲乙丙丁戊己", "甲乙", "", "甲乙丙丁戊己"])
    sizes = np.diff(indptr)
    assert list(sizes) == [6 - SHINGLE + 1, 2, 0, 6 - SHINGLE + 1]
    assert list(values[indptr[0] : indptr[1]]) == list(values[indptr[3] : indptr[4]])
    assert list(values[indptr[1] : indptr[2]]) == sorted(map(ord, "甲乙"))


def test_large_buckets_are_walked_by_a_window() -> None:
    from model.compare import BUCKET_PAIRS, BUCKET_WINDOW, band_keys, candidate_pairs

    # Identical sets share every bucket: each of the first BUCKET_PAIRS members pairs with all
    # before it; each later one only with the BUCKET_WINDOW just before it.
    count = BUCKET_PAIRS + 10
    values = np.tile(np.arange(10, dtype=np.uint64), count)
    indptr = np.arange(0, 10 * count + 1, 10)
    pairs = candidate_pairs(band_keys(values, indptr, 0.8)).tolist()
    assert {tuple(p) for p in pairs} == {
        (i, j) for j in range(count) for i in range(0 if j < BUCKET_PAIRS else j - BUCKET_WINDOW, j)
    }
    assert pairs == sorted(pairs, key=lambda p: (p[1], p[0]))  # by the later one, then the first


def test_the_pairs_of_added_sets_are_those_of_the_whole() -> None:
    from model.compare import BUCKET_PAIRS, candidate_pairs

    rng = np.random.default_rng(3)
    keys = rng.integers(1, 4, size=(BUCKET_PAIRS * 3, 2)).astype(np.uint64)  # big buckets
    keys[5] = 0  # an empty set
    whole = candidate_pairs(keys).tolist()
    for first in (BUCKET_PAIRS // 2, BUCKET_PAIRS * 2):  # the sets before more were added
        assert candidate_pairs(keys[:first]).tolist() == [p for p in whole if p[1] < first]


def test_a_resumed_passage_index_finds_what_one_index_of_all_finds() -> None:
    from model.compare import PassageIndex

    rng = random.Random(5)
    other = "".join(rng.choice("法治政府建设推进依法行政监督执法复议") for _ in range(90))

    def variant(text: str) -> str:
        chars = list(text)
        for at in rng.sample(range(len(chars)), 2):
            chars[at] = rng.choice("甲乙丙丁戊己庚辛")
        return "".join(chars)

    # More copies than BUCKET_PAIRS, so the big buckets are walked by their windows.
    reports = [
        report(k, issuer=f"第{k % 23}局", paragraphs=[variant(TEMPLATE), variant(other), TEMPLATE])
        for k in range(1, 61)
    ]
    texts = {(r["id"], p["index"]): p["text"] for r in reports for p in r["paragraphs"]}

    def text_of(report_id: int, index: int) -> str:
        return texts[report_id, index]

    whole = PassageIndex()
    whole.add(reports)
    expected = whole.finish(text_of=text_of)
    first = PassageIndex()
    first.add(reports[:35])
    first.finish(text_of=text_of)
    resumed = PassageIndex.resume(first.state())
    resumed.add(reports[35:])
    assert resumed.finish(text_of=text_of) == expected
    assert len(expected[0]["paragraphs"]) > 60
    state, again = whole.state(), resumed.state()
    assert set(state) == set(again) and state.pop("issuers") == again.pop("issuers")
    for name, values in state.items():
        assert np.array_equal(values, again[name], equal_nan=values.dtype.kind == "f"), name


def _random_problems(count: int, seed: int = 3) -> list[str]:
    """Problem statements made of pieces of the fixtures, so that many pairs are close."""
    rng = random.Random(seed)
    pieces = [STAFF, STAFF_AGAIN, DISCLOSURE, DISCLOSURE_AGAIN, REVIEW]
    texts = []
    for _ in range(count):
        a, b = rng.sample(pieces, 2)
        cut = rng.randrange(5, len(a))
        texts.append(a[:cut] + b[rng.randrange(0, 10) :])
    return texts


def test_pair_dots_add_each_pairs_products_in_column_order() -> None:
    from model.compare import _dot, _pair_dots, _row

    matrix = _vectors(_random_problems(60))
    rng = np.random.default_rng(0)
    left, right = rng.integers(0, 60, 500), rng.integers(0, 60, 500)
    dots = _pair_dots(matrix, left, right)
    expected = [_dot(_row(matrix, i), _row(matrix, j)) for i, j in zip(left, right, strict=True)]
    assert dots.tolist() == expected  # to the bit, as the loop over the shorter row adds them


def test_terms_are_numbered_in_order_of_first_appearance() -> None:
    from model.compare import _first_seen

    numbers, distinct = _first_seen(np.array([30, 10, 30, 20, 10], dtype=np.uint64))
    assert numbers.tolist() == [0, 1, 0, 2, 1] and distinct.tolist() == [30, 10, 20]
    numbers, distinct = _first_seen(np.array([], dtype=np.uint64))
    assert numbers.tolist() == [] and distinct.tolist() == []


def test_terms_are_numbered_the_same_at_once_or_a_chunk_at_a_time() -> None:
    from model.compare import _Vocabulary

    texts = [*_random_problems(50), "法", "", "甲乙", *_random_problems(30, seed=9)]
    whole = _Vocabulary().vectors(texts)
    vocabulary = _Vocabulary()
    parts = [vocabulary.vectors(texts[a : a + 7]) for a in range(0, len(texts), 7)]
    again = _Vocabulary(vocabulary.keys, vocabulary.ids).vectors(texts)  # a resumed one
    assert np.array_equal(np.concatenate([p.indices for p in parts]), whole.indices)
    assert np.array_equal(np.concatenate([p.data for p in parts]), whole.data)
    for name in ("data", "indices", "indptr"):
        assert np.array_equal(getattr(whole, name), getattr(again, name)), name


def test_cluster_centre_is_the_member_closest_to_the_sum() -> None:
    from model.compare import _centre, _dot, _row

    matrix = _vectors(_random_problems(12))
    group = [2, 5, 7, 11]
    total: dict[int, float] = {}
    for u in group:
        for t, w in _row(matrix, u).items():
            total[t] = total.get(t, 0.0) + w
    expected = max(group, key=lambda u: (round(_dot(_row(matrix, u), total), 9), -u))
    assert _centre(matrix, group, total) == expected


def _archive(count: int = 160, seed: int = 5) -> list[dict[str, Any]]:
    """Reports of nine bodies over six years whose problems share many pieces, and two big
    reports of one body: many clusters, merges and recurring pairs."""
    texts = _random_problems(400, seed=seed)
    reports = [
        report(
            k, f"第{k % 9}区司法局", 2019 + k % 6, problems=texts[5 * (k % 80) : 5 * (k % 80) + 5]
        )
        for k in range(1, count + 1)
    ]
    reports[40:40] = [
        report(999, "大局", 2020, problems=texts[:300]),
        report(998, "大局", 2021, problems=texts[100:400]),
    ]
    return reports


def test_problems_taken_in_chunks_or_resumed_are_compared_as_all_at_once() -> None:
    from model.compare import ProblemIndex, problem_rows

    rows = [row for r in _archive() for row in problem_rows(r)]

    def everything(index: ProblemIndex, changes: list[Any]) -> tuple[list[Any], list[Any]]:
        clusters: dict[str, Any] = {}
        pairs = []
        for change in changes:
            for ref in change.dropped:
                clusters.pop(ref, None)
            clusters.update({ref: (sort, entry) for ref, sort, entry in change.clusters})
            pairs += [(sort, entry) for _, sort, entry in change.recurring]
        return sorted(clusters.values(), key=lambda c: c[0]), sorted(pairs, key=lambda p: p[0])

    whole = ProblemIndex()
    whole.add(rows)
    expected = everything(whole, [whole.changes()])
    assert len(expected[0]) >= 3 and len(expected[1]) > 50
    assert any(len(entry["members"]) > 20 for _, entry in expected[0])
    chunked = ProblemIndex()
    changes = []
    for at in range(0, len(rows), 97):
        chunked.add(rows[at : at + 97])
        changes.append(chunked.changes())
    assert everything(chunked, changes) == expected
    first = ProblemIndex()
    first.add(rows[:500])
    changes = [first.changes()]
    resumed = ProblemIndex.resume(first.state())
    resumed.add(rows[500:])
    changes.append(resumed.changes())
    assert everything(resumed, changes) == expected
    state, again = whole.state(), resumed.state()
    assert set(state) == set(again)
    for name, values in state.items():
        assert (
            np.array_equal(values, again[name])
            if isinstance(values, np.ndarray)
            else (values == again[name])
        ), name


def test_a_statement_met_again_weighs_in_its_group() -> None:
    reports = [
        report(1, "甲县", problems=[STAFF]),
        report(2, "乙县", problems=[STAFF_AGAIN]),
        report(3, "丙县", problems=[STAFF]),
    ]
    (cluster,) = problem_clusters(reports)
    assert cluster["count"] == 3 and len(cluster["members"]) == 3
