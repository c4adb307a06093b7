from service.cli import main


def test_summarise_seed_respects_budget(capsys):
    assert main(["summarise", "seeds/003_5c5bdc2152d9c680.txt", "--max-chars", "120", "--format", "json"]) == 0
