from sample_px_app.check import explain, satisfies
from sample_px_app.cli import main


def test_satisfies() -> None:
    assert satisfies("requests>=2,<3", "2.31.0")
    assert not satisfies("requests>=2,<3", "3.0")
    assert satisfies("pkg>=1.0", "2.0b1")


def test_explain() -> None:
    assert explain("flask>=3", "3.0.2") == "flask 3.0.2 satisfies >=3"


def test_main_exit_codes(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["flask>=3", "2.0"]) == 1
    assert "does not satisfy" in capsys.readouterr().out
    assert main(["only-one-arg"]) == 2
