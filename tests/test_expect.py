"""expect() and expect_true(): the notebooks' checks of what their text states. A student's change gets one
line that names both numbers and the notebook goes on; in strict mode (make test) the same check fails."""

import pytest

from nanograd import expect, expect_true
from nanograd.course.notebooks import STRICT_VARIABLE, TextMismatch


@pytest.fixture(autouse=True)
def lenient(monkeypatch):
    monkeypatch.delenv(STRICT_VARIABLE, raising=False)


@pytest.mark.parametrize(
    ("got", "expected"),
    [(-8.0, -8.0), (0.1 + 0.2, 0.3), (6, 6.0), ([6.0, -4.0], (6.0, -4.0 + 1e-12)), ("relu", "relu")],
)
def test_a_matching_result_prints_nothing(capsys, got, expected):
    expect("L", got, expected)
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize(
    ("got", "expected", "shown"),
    [
        (-7.5, -8.0, "L is -7.5; the text assumed -8.0"),
        (0.0312, 0.03, "L is 0.0312; the text assumed 0.03"),
        (1.0000001, 1.0, "L is 1.0000001; the text assumed 1.0"),  # equal to 6 digits: shown in full
        (float("nan"), 1.0, "L is nan; the text assumed 1.0"),
        ([6.0, 4.0], [6.0, -4.0], "L is [6.0, 4.0]; the text assumed [6.0, -4.0]"),
        ([6.0], [6.0, -4.0], "L is [6.0]; the text assumed [6.0, -4.0]"),
        ("tanh", "relu", "L is 'tanh'; the text assumed 'relu'"),
    ],
)
def test_a_different_result_says_so_in_one_line_and_goes_on(capsys, got, expected, shown):
    expect("L", got, expected)
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert out.startswith(f"Note: with your change, {shown}. The notebook goes on")


def test_the_tolerance_can_be_widened_for_a_rounded_number(capsys):
    expect("the step's effect", 0.7135, 0.72, tolerance=0.01)
    assert capsys.readouterr().out == ""
    expect("the step's effect", 0.7135, 0.72, tolerance=1e-3)
    assert "the step's effect is 0.7135" in capsys.readouterr().out


def test_a_claim_that_no_longer_holds_is_named(capsys):
    expect_true("the loss went down at every step", True)
    assert capsys.readouterr().out == ""
    expect_true("the loss went down at every step", False)
    assert capsys.readouterr().out.startswith(
        "Note: with your change, this no longer holds: the loss went down at every step."
    )


def test_strict_mode_raises_with_the_same_words(monkeypatch, capsys):
    monkeypatch.setenv(STRICT_VARIABLE, "1")
    expect("L", -8.0, -8.0)
    with pytest.raises(TextMismatch, match=r"^with your change, L is -7.5; the text assumed -8.0$"):
        expect("L", -7.5, -8.0)
    with pytest.raises(TextMismatch, match="this no longer holds: the loss went down"):
        expect_true("the loss went down", False)
    assert capsys.readouterr().out == ""
    assert issubclass(TextMismatch, AssertionError)


def test_strict_mode_is_off_for_an_empty_or_zero_setting(monkeypatch, capsys):
    for setting in ("", "0"):
        monkeypatch.setenv(STRICT_VARIABLE, setting)
        expect("L", -7.5, -8.0)
        assert capsys.readouterr().out.startswith("Note:")
