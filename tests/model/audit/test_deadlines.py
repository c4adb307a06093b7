"""Deadline rules from TOML (`model.audit.deadlines`): the bundled rule, custom rules, bad files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from model.audit.deadlines import DEFAULT_RULES, RulesError, load_rules

ZHEJIANG = """\
[default]
deadline = "04-01"

[[rule]]
issuer = "^浙江省"
issuer_kind = "department"
deadline = "03-01"
source = "浙江省通知"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_rules_give_1_april_of_the_next_year() -> None:
    rules = load_rules()
    assert rules.path == str(DEFAULT_RULES)
    rule = rules.rule_for("county", "government", "赵县人民政府")
    assert rule.due(2024) == date(2025, 4, 1)
    assert rule.source


def test_a_provincial_department_rule(tmp_path: Path) -> None:
    rules = load_rules(write(tmp_path, ZHEJIANG))
    department = rules.rule_for("provincial", "department", "浙江省司法厅")
    assert department.due(2024) == date(2025, 3, 1)
    assert department.source == "浙江省通知"
    government = rules.rule_for("provincial", "government", "浙江省人民政府")
    assert government.due(2024) == date(2025, 4, 1)
    elsewhere = rules.rule_for("provincial", "department", "江苏省司法厅")
    assert elsewhere.due(2024) == date(2025, 4, 1)


def test_a_rule_with_an_issuer_pattern_needs_an_issuer(tmp_path: Path) -> None:
    rules = load_rules(write(tmp_path, ZHEJIANG))
    assert rules.rule_for("provincial", "department", None) is rules.default


def test_malformed_toml_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[default]\ndeadline = "04-01"\n[[rule]\ndeadline = "03-01"\n')
    with pytest.raises(RulesError) as error:
        load_rules(path)
    message = str(error.value)
    assert str(path) in message
    assert "line 3" in message


def test_unknown_level_names_its_line(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[default]\ndeadline = "04-01"\n\n[[rule]]\nlevel = "village"\ndeadline = "03-01"\n',
    )
    with pytest.raises(RulesError) as error:
        load_rules(path)
    message = str(error.value)
    assert message.startswith(f"{path}:5:")
    assert "village" in message


@pytest.mark.parametrize("deadline", ["13-01", "04-32", "4-1", "2025-04-01"])
def test_bad_deadline(tmp_path: Path, deadline: str) -> None:
    path = write(tmp_path, f'[[rule]]\nissuer_kind = "party"\ndeadline = "{deadline}"\n')
    with pytest.raises(RulesError, match="MM-DD") as error:
        load_rules(path)
    assert str(error.value).startswith(f"{path}:3:")


def test_unknown_key_in_a_rule(tmp_path: Path) -> None:
    path = write(tmp_path, '[[rule]]\ndeadline = "03-01"\nprovince = "浙江"\n')
    with pytest.raises(RulesError, match="province") as error:
        load_rules(path)
    assert str(error.value).startswith(f"{path}:3:")


def test_unknown_top_level_table(tmp_path: Path) -> None:
    path = write(tmp_path, '[default]\ndeadline = "04-01"\n[rules]\ndeadline = "03-01"\n')
    with pytest.raises(RulesError, match="rules") as error:
        load_rules(path)
    assert str(error.value).startswith(f"{path}:3:")


def test_a_missing_file_is_a_rules_error(tmp_path: Path) -> None:
    path = tmp_path / "absent.toml"
    with pytest.raises(RulesError) as error:
        load_rules(path)
    assert str(path) in str(error.value)


def test_a_rule_without_a_deadline_names_its_own_table(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[default]\ndeadline = "04-01"\n\n[[rule]]\nlevel = "county"\ndeadline = "03-01"\n'
        '\n[[rule]]\nlevel = "township"\n',
    )
    with pytest.raises(RulesError, match="MM-DD") as error:
        load_rules(path)
    assert str(error.value).startswith(f"{path}:8:")  # the second [[rule]], not line 1
