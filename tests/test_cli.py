"""The `fzreport` command through `service.cli.main(argv)`: contracts, bad input, golden outputs.

Golden files in tests/golden/ hold the expected output for two seed reports. After a deliberate
change to the classifier or the summariser, regenerate them and review the diff:

    FZREPORT_UPDATE_GOLDEN=1 pytest tests/test_cli.py
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse

from model.ingest.readers import decode_bytes, read_document
from model.labels import LABELS
from model.summary.registry import DEFAULT_METHOD, SUMMARISERS
from model.summary.scorers import pagerank
from model.text.segment import unwrap
from service import cli
from service.cli import main
from tests.conftest import ROOT, SEEDS, modules_after

SEED_000 = SEEDS / "000_f2d5ba989b7a1d36.txt"
SEED_003 = SEEDS / "003_5c5bdc2152d9c680.txt"
GOLDEN = ROOT / "tests" / "golden"
UPDATE_GOLDEN = os.environ.get("FZREPORT_UPDATE_GOLDEN") == "1"


@pytest.fixture(autouse=True)
def _model(model_env: Path) -> Path:
    """Every CLI test runs on the session bundle, through $FZREPORT_MODEL."""
    return model_env


class Result:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err

    def json(self) -> dict:
        return json.loads(self.out)


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> Result:
    """Run the CLI in-process; stdout is the `out` stream, stderr is captured."""
    capsys.readouterr()
    out = io.StringIO()
    code = main([str(a) for a in argv], out=out)
    captured = capsys.readouterr()
    return Result(code, out.getvalue() + captured.out, captured.err)


def assert_clean_failure(result: Result, status: int = 1) -> None:
    """A failure is one line on stderr with a non-zero status, never a traceback."""
    assert result.code == status
    assert "Traceback" not in result.err
    assert result.err.startswith(("fzreport: ", "usage: "))
    if status != 2:  # argparse prints its usage before the error line
        assert len(result.err.strip().splitlines()) == 1, result.err


def nonblank_lines(text: str) -> list[str]:
    return [line.strip() for line in re.split(r"\r\n|\r|\n", text) if line.strip()]


def check_summary(summary: dict, text: str, max_chars: int | None = None) -> None:
    """The summarise contract: extractive, in document order, within budget."""
    sentences = summary["sentences"]
    for s in sentences:
        assert unwrap(text[s["start"] : s["end"]]) + ("…" if s["cut"] else "") == s["text"]
        assert isinstance(s["score"], float)
    starts = [s["start"] for s in sentences]
    assert starts == sorted(starts)
    assert all(a["end"] <= b["start"] for a, b in zip(sentences, sentences[1:], strict=False))
    assert sorted(s["rank"] for s in sentences) == list(range(1, len(sentences) + 1))
    if max_chars is not None:
        assert sum(len(s["text"]) for s in sentences) <= max_chars
    assert summary["summary"] == "".join(s["text"] for s in sentences)


@pytest.fixture()
def report_file(tmp_path: Path, tiny_report) -> Path:
    path = tmp_path / "report.txt"
    path.write_text(tiny_report.text, encoding="utf-8")
    return path


def stdin_bytes(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))


# -- classify ---------------------------------------------------------------------------------


def test_classify_json_contract(capsys, report_file: Path, tiny_report) -> None:
    result = run(capsys, "classify", report_file, "--format", "json")
    assert result.code == 0, result.err
    paragraphs = result.json()["paragraphs"]
    assert [p["text"] for p in paragraphs] == tiny_report.texts
    for p in paragraphs:
        assert p["label"] in LABELS
        assert 0.0 <= p["confidence"] <= 1.0
        assert sum(p["scores"].values()) == pytest.approx(1.0, abs=1e-3)
    labels = [p["label"] for p in paragraphs]
    assert labels[tiny_report.texts.index("二、存在的不足和原因")] == "shortcomings"


def test_classify_one_entry_per_nonblank_line(capsys, tmp_path: Path) -> None:
    text = (
        "\n\n一、主要成效\r\n  我局完成了任务。  \n\u3000\n二、存在问题\n执法不规范\x0c仍有差距。\n"
    )
    path = tmp_path / "r.txt"
    path.write_bytes(text.encode("utf-8"))
    result = run(capsys, "classify", path, "--format", "json")
    assert [p["text"] for p in result.json()["paragraphs"]] == nonblank_lines(text)


def test_classify_from_stdin(capsys, monkeypatch, tiny_report) -> None:
    stdin_bytes(monkeypatch, tiny_report.text.encode("gbk"))
    result = run(capsys, "classify", "-", "--format", "json")
    assert result.code == 0, result.err
    assert [p["text"] for p in result.json()["paragraphs"]] == tiny_report.texts


def test_classify_reads_stdin_by_default(capsys, monkeypatch) -> None:
    stdin_bytes(monkeypatch, "收藏 打印 关闭\n".encode())
    result = run(capsys, "classify", "--format", "json")
    assert result.json()["paragraphs"][0]["label"] == "boilerplate"


def test_classify_text_format(capsys, report_file: Path, tiny_report) -> None:
    result = run(capsys, "classify", report_file)
    assert result.code == 0
    lines = result.out.splitlines()
    assert len(lines) == len(tiny_report.lines)
    for line, text in zip(lines, tiny_report.texts, strict=True):
        label, confidence, rest = line.split(maxsplit=2)
        assert label in LABELS and 0 <= float(confidence) <= 1 and rest == text


_LINE_TEXT = st.text(
    alphabet=st.sampled_from(
        list("一、（）。，；！？法治政府建设年 \t\u3000\x0c\u2028来源1") + ["\ufeff"]
    ),
    max_size=12,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINE_TEXT, max_size=8), st.sampled_from(["\n", "\r\n"]))
def test_classify_contract_on_any_lines(bundle, lines: list[str], newline: str) -> None:
    text = newline.join(lines)
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cli, "_bundle", lambda args: bundle)
        stdin_bytes(mp, text.encode("utf-8"))
        assert main(["classify", "-", "--format", "json"], out=out) == 0
    paragraphs = json.loads(out.getvalue())["paragraphs"]
    # BOMs opening the input are encoding marks, not text (the reader drops them all).
    expected = nonblank_lines(text.lstrip("\ufeff"))
    assert [p["text"] for p in paragraphs] == expected


# -- summarise --------------------------------------------------------------------------------


@pytest.mark.parametrize("max_chars", [0, 1, 30, 120, 500, 100_000])
def test_summarise_max_chars(capsys, max_chars: int) -> None:
    text = SEED_003.read_text(encoding="utf-8")
    result = run(capsys, "summarise", SEED_003, "--max-chars", max_chars, "--format", "json")
    assert result.code == 0, result.err
    summary = result.json()
    check_summary(summary, text, max_chars)
    if max_chars >= 120:
        assert summary["sentences"]


def test_summarise_seed_respects_budget(capsys) -> None:
    result = run(capsys, "summarise", SEED_003, "--max-chars", "120", "--format", "json")
    assert result.code == 0
    assert 0 < sum(len(s["text"]) for s in result.json()["sentences"]) <= 120


@pytest.mark.parametrize("k", [0, 1, 3, 1000])
def test_summarise_max_sentences(capsys, report_file: Path, tiny_report, k: int) -> None:
    result = run(capsys, "summarise", report_file, "--max-sentences", k, "--format", "json")
    sentences = result.json()["sentences"]
    check_summary(result.json(), tiny_report.text)
    assert len(sentences) == min(k, len(sentences))
    if k == 1000:  # more than there are: every whole body sentence, never chrome or headings
        assert len(sentences) >= 4
        assert "收藏" not in result.json()["summary"]
        assert not any(s["text"].startswith(("一、", "二、", "三、")) for s in sentences)


def test_summarise_default_budget_is_a_few_sentences(capsys) -> None:
    result = run(capsys, "summarise", SEED_003, "--format", "json")
    assert 0 < len(result.json()["sentences"]) <= 5


@pytest.mark.parametrize("method", sorted(SUMMARISERS))
def test_summarise_every_method(capsys, method: str) -> None:
    text = SEED_000.read_text(encoding="utf-8")
    result = run(
        capsys, "summarise", SEED_000, "--method", method, "--max-chars", 200, "--format", "json"
    )
    assert result.code == 0, result.err
    check_summary(result.json(), text, 200)


def test_summarise_several_files_jsonl(capsys, tmp_path: Path, report_file: Path) -> None:
    files = [SEED_003, report_file, SEED_000]
    result = run(capsys, "summarise", *files, "--max-chars", 150, "--format", "jsonl")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert len(lines) == 3
    for line, path in zip(lines, files, strict=True):
        record = json.loads(line)
        assert record["source"] == str(path)
        check_summary(record, path.read_text(encoding="utf-8"), 150)


def test_summarise_several_files_json(capsys, report_file: Path) -> None:
    result = run(
        capsys, "summarise", SEED_000, report_file, "--max-sentences", 2, "--format", "json"
    )
    documents = result.json()["documents"]
    assert [d["source"] for d in documents] == [str(SEED_000), str(report_file)]


def test_summarise_text_format(capsys, report_file: Path) -> None:
    as_json = run(capsys, "summarise", report_file, "--max-sentences", 3, "--format", "json")
    as_text = run(capsys, "summarise", report_file, "--max-sentences", 3)
    assert as_text.code == 0
    assert as_text.out.splitlines() == [s["text"] for s in as_json.json()["sentences"]]
    several = run(capsys, "summarise", report_file, SEED_000, "--max-sentences", 1)
    assert several.out.splitlines()[0] == f"== {report_file}"
    assert several.out.splitlines()[2] == f"== {SEED_000}"


def test_summarise_from_stdin(capsys, monkeypatch, tiny_report) -> None:
    stdin_bytes(monkeypatch, tiny_report.text.encode("utf-8"))
    result = run(capsys, "summarise", "--max-chars", 80, "--format", "json")
    assert result.json()["source"] == "<stdin>"
    check_summary(result.json(), tiny_report.text, 80)


_REPORT_PIECES = st.sampled_from(
    [
        *("一、主要成效\n", "二、存在问题\n", "（一）", "一是", "\n", "\r\n", " ", "\u3000"),
        *("。", "！", "？", "；", "，", "…", "”", ":", "来源：司法局", "打印 关闭"),
        *("我局推进法治政府建设", "办理案件131件", "执法不够规范", "下一步将继续推进"),
    ]
)

# Any characters but NUL, which marks binary input (refused, tested below), and lone
# surrogates, which no UTF-8 input can hold.
_CHARS = st.text(
    alphabet=st.characters(exclude_characters="\x00", exclude_categories=("Cs",)), max_size=4
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(_REPORT_PIECES, _CHARS), max_size=40).map("".join),
    st.integers(min_value=0, max_value=120),
    st.sampled_from(sorted(SUMMARISERS)),
)
def test_summarise_contract_on_any_text(bundle, text: str, max_chars: int, method: str) -> None:
    out = io.StringIO()
    argv = ["summarise", "-", "--max-chars", str(max_chars), "--method", method, "--format", "json"]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cli, "_bundle", lambda args: bundle)
        stdin_bytes(mp, text.encode("utf-8"))
        assert main(argv, out=out) == 0
    check_summary(json.loads(out.getvalue()), decode_bytes(text.encode("utf-8")).text, max_chars)


# -- bad input: a result or a one-line error, never a traceback -------------------------------

TRADITIONAL = (
    "一、主要舉措和成效\n我局堅持以習近平法治思想為指導，全面推進法治政府建設，辦理案件131件。\n"
    "二、存在的不足\n執法人員法治意識有待加強。\n三、明年工作計劃\n我局將繼續推進依法行政。\n"
)
HTML = (
    "<html><head><title>报告</title></head><body><div class='nav'>首页 &gt; 政务公开</div>"
    "<p>一、主要成效</p><p>我局完成了年度任务。</p><div>来源：司法局 打印 关闭</div>"
    "</body></html>\n"
)
NO_HEADINGS = "我局深入推进法治政府建设。全年办理行政复议案件131件。\n下一步将继续推进依法行政。\n"

BAD_INPUTS = {
    "empty": b"",
    "whitespace": b" \n\t\n\xe3\x80\x80\r\n",
    "one-sentence": "只有一句话没有句号".encode(),
    "binary": bytes(range(256)) * 8,
    "gbk": TRADITIONAL.replace("舉", "举").encode("gbk", errors="ignore"),
    "gb18030": NO_HEADINGS.encode("gb18030"),
    "no-headings": NO_HEADINGS.encode(),
    "html": HTML.encode(),
    "traditional": TRADITIONAL.encode(),
    "big5": TRADITIONAL.encode("big5"),
}


@pytest.mark.parametrize("command", ["classify", "summarise"])
@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_gives_a_result_or_one_line(capsys, tmp_path: Path, name: str, command: str):
    path = tmp_path / f"{name}.txt"
    path.write_bytes(BAD_INPUTS[name])
    result = run(capsys, command, path, "--format", "json")
    assert "Traceback" not in result.err
    if result.code:
        assert_clean_failure(result)
        return
    assert result.err == ""
    # read as the batch reads it: a page saved under a .txt name is still a page
    text = read_document(BAD_INPUTS[name], path.name).text
    if command == "classify":
        paragraphs = result.json()["paragraphs"]
        assert [p["text"] for p in paragraphs] == nonblank_lines(text)
        assert all(p["label"] in LABELS for p in paragraphs)
    else:
        check_summary(result.json(), text)


@pytest.mark.parametrize("command", ["classify", "summarise", "audit"])
def test_empty_and_whitespace_files_are_refused_in_one_line(capsys, tmp_path, command: str) -> None:
    # an empty file is never a silent empty report: it names the file and the reason
    for name in ("empty", "whitespace"):
        path = tmp_path / f"{name}.txt"
        path.write_bytes(BAD_INPUTS[name])
        result = run(capsys, command, path, "--format", "json")
        assert result.code == 1
        assert_clean_failure(result)
        assert str(path) in result.err and "empty" in result.err


@pytest.mark.parametrize("command", ["classify", "summarise"])
def test_empty_standard_input_gives_empty_results(capsys, monkeypatch, command: str) -> None:
    for name in ("empty", "whitespace"):
        stdin_bytes(monkeypatch, BAD_INPUTS[name])
        result = run(capsys, command, "-", "--format", "json")
        assert result.code == 0
        key = "paragraphs" if command == "classify" else "sentences"
        assert result.json()[key] == []


def test_binary_input_is_refused_in_one_line(capsys, tmp_path: Path) -> None:
    path = tmp_path / "image.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    for command in ("classify", "summarise"):
        result = run(capsys, command, path, "--format", "json")
        assert_clean_failure(result)
        assert str(path) in result.err and "binary" in result.err
        assert result.out == ""


@pytest.mark.parametrize("codec", ["gbk", "gb18030", "big5"])
def test_legacy_encodings_give_the_same_result_as_utf8(capsys, tmp_path: Path, codec: str):
    utf8, legacy = tmp_path / "utf8.txt", tmp_path / f"{codec}.txt"
    text = TRADITIONAL if codec == "big5" else NO_HEADINGS + TRADITIONAL.replace("舉", "举")
    utf8.write_text(text, encoding="utf-8")
    legacy.write_bytes(text.encode(codec, errors="ignore"))
    if legacy.read_bytes().decode(codec) != text:
        pytest.skip(f"{codec} cannot encode the sample")
    for command in ("classify", "summarise"):
        expected = run(capsys, command, utf8, "--format", "json").json()
        got = run(capsys, command, legacy, "--format", "json").json()
        expected.pop("source", None), got.pop("source", None)
        assert got == expected


@pytest.mark.parametrize(
    "sentence", ["我局全年办理行政复议案件131件。", "我局推进法治政府建设，取得了明显成效"]
)
def test_single_sentence(capsys, tmp_path: Path, sentence: str) -> None:
    path = tmp_path / "one.txt"
    path.write_text(sentence, encoding="utf-8")
    summary = run(capsys, "summarise", path, "--format", "json").json()
    assert [s["text"] for s in summary["sentences"]] == [sentence]
    (paragraph,) = run(capsys, "classify", path, "--format", "json").json()["paragraphs"]
    assert paragraph["text"] == sentence


def test_traditional_characters_are_classified(capsys, tmp_path: Path) -> None:
    path = tmp_path / "trad.txt"
    path.write_text(TRADITIONAL, encoding="utf-8")
    paragraphs = run(capsys, "classify", path, "--format", "json").json()["paragraphs"]
    assert len(paragraphs) == 6
    assert paragraphs[2]["label"] == "shortcomings"  # 二、存在的不足: simplified in both scripts


@pytest.fixture(scope="module")
def big_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2 MB report: a seed repeated until it is that large."""
    text = SEED_003.read_text(encoding="utf-8")
    repeats = 2_000_000 // len(text.encode("utf-8")) + 1
    path = tmp_path_factory.mktemp("big") / "big.txt"
    path.write_text("\n".join([text] * repeats), encoding="utf-8")
    assert path.stat().st_size >= 2_000_000
    return path


def test_big_report_is_classified(capsys, big_report: Path) -> None:
    text = big_report.read_text(encoding="utf-8")
    result = run(capsys, "classify", big_report, "--format", "json")
    assert result.code == 0, result.err
    assert len(result.json()["paragraphs"]) == len(nonblank_lines(text))


@pytest.mark.parametrize("method", sorted({DEFAULT_METHOD, "textrank"}))  # the centroid, the graph
def test_big_report_is_summarised(capsys, big_report: Path, method: str) -> None:
    text = big_report.read_text(encoding="utf-8")
    argv = ["summarise", big_report, "--method", method, "--max-chars", 300, "--format", "json"]
    result = run(capsys, *argv)
    assert result.code == 0, result.err
    check_summary(result.json(), text, 300)


def test_sentence_graph_of_a_huge_report_stays_sparse() -> None:
    # A dense sentence graph made a 2 MB report take ~8 GB and ~50 s to summarise.
    n = 200_000  # a dense n×n float64 matrix would need 320 GB
    ranks = pagerank(sparse.identity(n, format="csr"))
    assert ranks.shape == (n,) and np.isclose(ranks.sum(), 1.0)


# -- usage errors -----------------------------------------------------------------------------


def test_missing_file(capsys, tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    for argv in (["classify", missing], ["summarise", SEED_000, missing, "--format", "jsonl"]):
        result = run(capsys, *argv)
        assert_clean_failure(result)
        assert result.err.count(str(missing)) == 1 and "No such file" in result.err


def test_directory_instead_of_a_file(capsys, tmp_path: Path) -> None:
    result = run(capsys, "classify", tmp_path)
    assert_clean_failure(result)
    assert result.err == f"fzreport: {tmp_path}: Is a directory\n"


def test_closed_standard_input(capsys, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", None)
    for command in ("classify", "summarise"):
        result = run(capsys, command)
        assert_clean_failure(result)
        assert "standard input" in result.err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["summarise", "--max-chars", "10", "--max-sentences", "2"], "not allowed with"),
        (["summarise", "--max-chars", "-5"], "must be zero or more"),
        (["summarise", "--max-chars", "ten"], "not a whole number"),
        (["summarise", "--max-sentences", "-1"], "must be zero or more"),
        (["summarise", "--method", "gpt"], "invalid choice"),
        (["summarise", "--format", "xml"], "invalid choice"),
        (["classify", "--format", "jsonl"], "invalid choice"),
        (["frobnicate"], "invalid choice"),
        ([], "required"),
    ],
)
def test_usage_errors_exit_2(capsys, argv: list[str], message: str) -> None:
    result = run(capsys, *argv, SEED_000) if argv else run(capsys)
    assert_clean_failure(result, status=2)
    assert message in result.err


@pytest.mark.parametrize("command", ["classify", "summarise", "train", "evaluate"])
def test_help(capsys, command: str) -> None:
    result = run(capsys, command, "--help")
    assert result.code == 0
    assert result.out.startswith("usage: fzreport")


def test_missing_model_is_one_line(capsys, monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FZREPORT_MODEL", str(tmp_path / "none.joblib"))
    result = run(capsys, "classify", SEED_000)
    assert_clean_failure(result)
    assert "no model bundle" in result.err


def test_broken_model_is_one_line(capsys, tmp_path: Path, bundle_path: Path) -> None:
    broken = tmp_path / "m.joblib"
    broken.write_bytes(bundle_path.read_bytes()[:1000])
    manifest = json.loads(bundle_path.with_name(bundle_path.name + ".manifest.json").read_text())
    broken.with_name("m.joblib.manifest.json").write_text(json.dumps(manifest))
    result = run(capsys, "summarise", SEED_000, "--model", broken)
    assert_clean_failure(result)
    assert "sha256 does not match" in result.err


def test_a_bundle_without_lean_arrays_is_one_line(capsys, tmp_path: Path, bundle_path) -> None:
    old = tmp_path / "old.joblib"
    old.write_bytes(bundle_path.read_bytes())
    manifest = json.loads(bundle_path.with_name(bundle_path.name + ".manifest.json").read_text())
    manifest = {k: v for k, v in manifest.items() if k != "lean"} | {"format": 4}
    old.with_name("old.joblib.manifest.json").write_text(json.dumps(manifest))
    result = run(capsys, "classify", SEED_000, "--model", old)
    assert_clean_failure(result)
    assert f"fzreport train --out {old}" in result.err


@pytest.mark.parametrize(
    ("error", "status", "message"),
    [
        (KeyboardInterrupt(), 130, "fzreport: interrupted\n"),
        (BrokenPipeError(), 1, ""),
        (PermissionError("Permission denied"), 1, "fzreport: Permission denied\n"),
        (ValueError("bad value"), 1, "fzreport: bad value\n"),
    ],
)
def test_failures_map_to_exit_codes(capsys, monkeypatch, error, status, message) -> None:
    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr("model.analyse.prepare", fail)
    result = run(capsys, "classify", SEED_000)
    assert (result.code, result.err) == (status, message)


def test_unexpected_errors_are_one_line(capsys, monkeypatch) -> None:
    def explode(*args, **kwargs):
        raise AttributeError("'SectionClassifier' object has no attribute 'x_'")

    monkeypatch.setattr("model.analyse.prepare", explode)
    result = run(capsys, "summarise", SEED_000)
    assert_clean_failure(result)
    assert "AttributeError" in result.err


def test_command_line_in_a_subprocess(bundle_path: Path, tiny_report) -> None:
    """The real entry point: bytes on a pipe in, JSON out, nothing on stderr."""
    env = os.environ | {"FZREPORT_MODEL": str(bundle_path)}
    command = [sys.executable, "-m", "service.cli", "summarise", "--max-chars", "80"]
    result = subprocess.run(
        [*command, "--format", "json"],
        input=tiny_report.text.encode("gb18030"),
        capture_output=True,
        cwd=ROOT,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr == b""
    check_summary(json.loads(result.stdout), tiny_report.text, 80)


# -- golden outputs -----------------------------------------------------------------------------


def _golden(name: str, actual: object) -> object:
    """The stored expectation, (re)written first when FZREPORT_UPDATE_GOLDEN=1."""
    path = GOLDEN / name
    if UPDATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(actual, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if not path.exists():
        pytest.fail(f"no golden file {path}: run FZREPORT_UPDATE_GOLDEN=1 pytest tests/test_cli.py")
    return json.loads(path.read_text(encoding="utf-8"))


def test_golden_classify_seed_003(capsys) -> None:
    result = run(capsys, "classify", SEED_003, "--format", "json")
    actual = [{"label": p["label"], "text": p["text"]} for p in result.json()["paragraphs"]]
    expected = _golden("classify_003.json", actual)
    assert [p["text"] for p in actual] == [p["text"] for p in expected]
    assert [p["label"] for p in actual] == [p["label"] for p in expected]


def test_golden_summarise_seed_000(capsys) -> None:
    result = run(capsys, "summarise", SEED_000, "--max-sentences", 5, "--format", "json")
    actual = result.json()
    actual.pop("source")  # the path as typed, not part of the result
    expected = _golden("summarise_000.json", actual)

    def fixed(summary: dict) -> list[tuple]:
        return [
            (s["text"], s["start"], s["end"], s["rank"], s["label"]) for s in summary["sentences"]
        ]

    assert fixed(actual) == fixed(expected)
    assert [s["score"] for s in actual["sentences"]] == pytest.approx(
        [s["score"] for s in expected["sentences"]], abs=1e-3
    )


# -- start-up: what each command imports -------------------------------------------------------

_CLI = """
import sys
from service.cli import main
main(sys.argv[1:], out=open("/dev/null", "w"))
"""
# Modules help and usage errors never wait for; the first four also never serve a model.
HEAVY = ("sklearn", "scipy", "jieba", "rjieba", "numpy", "joblib", "flask", "tqdm", "matplotlib")


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["--version"],
        ["classify", "--bogus"],
        ["summarise", "--help"],
        ["summarise", "--method", "nope"],
        ["batch", "--help"],
        ["serve", "--help"],
        ["train", "--help"],
        ["evaluate", "--help"],
    ],
    ids=" ".join,
)
def test_help_and_usage_errors_import_nothing_heavy(tmp_path: Path, argv: list[str]) -> None:
    assert not modules_after(tmp_path, _CLI, *argv) & set(HEAVY)


def test_version(capsys) -> None:
    assert run(capsys, "--version").out == f"fzreport {__import__('model').__version__}\n"


@pytest.mark.parametrize(
    "argv",
    [["classify", SEED_003], ["summarise", SEED_000, SEED_003, "--format", "json"]],
    ids=lambda argv: argv[0],
)
def test_classify_and_summarise_never_import_scikit_learn(tmp_path: Path, argv: list) -> None:
    loaded = modules_after(tmp_path, _CLI, *argv)
    assert {"numpy", "rjieba"} <= loaded  # the probe did classify and summarise
    assert not loaded & {"sklearn", "scipy", "jieba", "joblib", "matplotlib"}
