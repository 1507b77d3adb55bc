from sample_px_app.cli import greet


def test_greet() -> None:
    assert greet("px") == "hello, px"
