"""The contract: golden/<case>/after is byte for byte what refactor-app makes of before/."""

from __future__ import annotations

import pytest

from conftest import EXAMPLE, SHARED_EXAMPLES
from golden_cases import GOLDEN, cases, run_case, tree_files


@pytest.mark.parametrize("case", cases())
def test_golden_case(case, tmp_path):
    result = run_case(case, tmp_path)
    expected = tree_files(GOLDEN / case / "after")
    actual = tree_files(result)
    assert sorted(actual) == sorted(expected), "different set of files"
    for name in expected:
        assert actual[name] == expected[name], f"{name} differs from golden/{case}/after/{name}"


def test_there_is_one_case_per_step_and_one_for_all():
    from refactor_app.steps import STEP_NAMES

    assert {f"divio-tutorial-{name}" for name in (*STEP_NAMES, "all")} <= set(cases())


def test_the_hardening_steps_have_cases_of_their_own():
    from refactor_app.steps import HARDENING_STEP_NAMES

    own = {f"divio-tutorial-{name}" for name in HARDENING_STEP_NAMES if name != "proxy-ssl-header"}
    # The tutorial shows no TLS-terminating proxy: proxy-ssl-header's case is a Heroku startproject.
    assert own | {"divio-tutorial-hardening", "startproject-heroku-proxy-ssl-header"} <= set(cases())


def test_every_case_starts_from_the_bundled_example():
    bundled = tree_files(EXAMPLE)
    for case in cases():
        if case.startswith("divio-tutorial-"):
            assert tree_files(GOLDEN / case / "before") == bundled, case


@pytest.mark.skipif(not SHARED_EXAMPLES.is_dir(), reason="../shared/examples is not beside the repository")
def test_bundled_example_and_golden_result_are_the_reference_trees():
    # Modes aside (the shared copies are read-only), the bytes must be the reference's.
    def contents(root):
        return {name: data for name, (data, _) in tree_files(root).items()}

    assert contents(EXAMPLE) == contents(SHARED_EXAMPLES / "divio-tutorial")
    assert contents(GOLDEN / "divio-tutorial-all" / "after") == contents(SHARED_EXAMPLES / "divio-tutorial-after")
