"""`fzreport audit` through `service.cli.main(argv)`: formats, rules, files and stdin."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from service.cli import main
from tests.conftest import SEEDS

SEED_000 = SEEDS / "000_f2d5ba989b7a1d36.txt"
SEED_003 = SEEDS / "003_5c5bdc2152d9c680.txt"
KEYS = {"genre", "metadata", "contents", "timeliness", "problems", "plans", "indicators"}


@pytest.fixture(autouse=True)
def _model(model_env: Path) -> Path:
    """Every test runs on the session bundle, through $FZREPORT_MODEL."""
    return model_env


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    capsys.readouterr()
    out = io.StringIO()
    code = main([str(a) for a in argv], out=out)
    captured = capsys.readouterr()
    return code, out.getvalue() + captured.out, captured.err


class Stdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def test_audit_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "audit", SEED_003, "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert set(result) >= KEYS
    assert result["source"] == str(SEED_003)
    assert result["metadata"]["year"] == 2024
    assert result["timeliness"]["deadline"] == "2025-04-01"


def test_audit_jsonl_keeps_file_order(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "audit", SEED_003, SEED_000, "--format", "jsonl")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 2
    records = [json.loads(line) for line in lines]
    assert [r["source"] for r in records] == [str(SEED_003), str(SEED_000)]
    assert all(set(r) >= KEYS for r in records)


def test_audit_json_of_two_files(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "audit", SEED_003, SEED_000, "--format", "json")
    assert code == 0
    documents = json.loads(out)["documents"]
    assert [d["source"] for d in documents] == [str(SEED_003), str(SEED_000)]


def test_audit_text_card(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "audit", SEED_003, "--format", "text")
    assert code == 0, err
    assert "问题清单" in out
    assert "硚口区2024年度法治政府建设情况报告" in out
    assert str(SEED_003) in out


def test_audit_custom_rules(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[default]\ndeadline = "03-01"\n', encoding="utf-8")
    code, out, _ = run(capsys, "audit", SEED_003, "--format", "json", "--rules", rules)
    assert code == 0
    timeliness = json.loads(out)["timeliness"]
    assert timeliness["deadline"] == "2025-03-01"
    assert timeliness["status"] == "late"


def test_audit_malformed_rules(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(
        '[default]\ndeadline = "04-01"\n\n[[rule]]\nlevel = "village"\ndeadline = "03-01"\n',
        encoding="utf-8",
    )
    code, out, err = run(capsys, "audit", SEED_003, "--format", "json", "--rules", rules)
    assert code != 0
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert f"{rules}:5:" in err


def test_audit_rules_not_toml(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[default\ndeadline = "04-01"\n', encoding="utf-8")
    code, _, err = run(capsys, "audit", SEED_003, "--rules", rules)
    assert code != 0
    assert len(err.strip().splitlines()) == 1
    assert str(rules) in err and "line 1" in err


def test_audit_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = tmp_path / "absent.txt"
    code, out, err = run(capsys, "audit", missing, "--format", "json")
    assert code == 1
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert str(missing) in err


def test_audit_stdin(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", Stdin(SEED_003.read_bytes()))
    code, out, err = run(capsys, "audit", "-", "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert result["source"] == "<stdin>"
    assert result["metadata"]["year"] == 2024


# -- files in other shapes: read by their format, named by their page and file name ------------

PAGE = """<html><head><meta charset="gb2312">
<title>英德市下太镇2022年度法治政府建设情况报告_英德市人民政府门户网站</title>
<meta name="PubDate" content="2023-01-18 10:20"></head><body>
<div class="nav">首页 &gt; 政务公开 &gt; 法治政府建设</div>
<div id="zoom">
<p>2022年，我镇坚持以习近平新时代中国特色社会主义思想为指导，全面推进法治政府建设。现将有关情况报告如下：</p>
<p>一、主要举措和成效</p>
<p>全年办理行政复议案件13件，开展执法检查56次，行政机关负责人出庭应诉率达100%。</p>
<p>二、存在的不足和原因</p>
<p>一是执法人员法治意识有待加强；二是基层法治力量较为薄弱。主要原因是培训不够。</p>
<p>三、2023年工作安排</p>
<p>2023年，我镇将继续深化法治政府建设，开展执法人员培训2次。</p>
</div><div class="footer">主办单位：英德市人民政府 备案号：粤ICP备0000号</div></body></html>"""


def test_audit_of_a_saved_page_names_the_issuer_from_its_title(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    page = tmp_path / "page.html"
    page.write_bytes(PAGE.encode("gb18030"))
    code, out, err = run(capsys, "audit", page, "--format", "json")
    assert code == 0, err
    meta = json.loads(out)["metadata"]
    assert meta["issuer"] == "英德市下太镇人民政府"
    assert (meta["year"], meta["level"], meta["published"]) == (2022, "township", "2023-01-18")
    assert meta["sources"]["issuer"] == "page" and meta["sources"]["year"] == "text"
    assert "issuer" not in meta["evidence"] and meta["evidence"]["year"] == [0, 4]


def test_classify_and_summarise_read_a_page_as_its_text(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    page = tmp_path / "page.htm"
    page.write_bytes(PAGE.encode("gb18030"))
    code, out, err = run(capsys, "classify", page, "--format", "json")
    assert code == 0, err
    texts = [p["text"] for p in json.loads(out)["paragraphs"]]
    assert texts[0].startswith("2022年，我镇坚持") and not any("<" in t for t in texts)
    assert not any("备案号" in t for t in texts)
    code, out, err = run(capsys, "summarise", page, "--format", "json")
    assert code == 0, err
    assert all("<" not in s["text"] for s in json.loads(out)["sentences"])


def test_audit_takes_the_issuer_from_the_file_name_and_folder(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = tmp_path / "罗湖区司法局"
    folder.mkdir()
    path = folder / "区司法局2024年法治政府建设情况报告（定稿）.txt"
    body = SEED_000.read_text(encoding="utf-8")
    path.write_text(body, encoding="utf-8")
    code, out, err = run(capsys, "audit", path, "--format", "json")
    assert code == 0, err
    meta = json.loads(out)["metadata"]
    assert meta["issuer"] == "罗湖区司法局"
    assert meta["sources"]["issuer"] == "filename"


def test_audit_of_a_file_in_a_wrong_shape_fails_in_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    fake = tmp_path / "report.pdf"
    fake.write_bytes(b"PK\x03\x04 not really anything")
    code, out, err = run(capsys, "audit", fake)
    assert code == 1
    assert err.strip().count("\n") == 0 and str(fake) in err
