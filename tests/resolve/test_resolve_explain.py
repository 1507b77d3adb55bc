"""Rendering of resolution failures, from plain Conflict data."""

from __future__ import annotations

from px.errors import ExitCode, ResolutionImpossible
from px.resolve import Availability, Clash, Conflict, Demand, NoSolution, explain
from px.resolve.explain import hint

FOO = Availability(versions=("2.0", "1.0"))


def test_two_demands_with_a_chain() -> None:
    conflict = Conflict(
        "3.12.0",
        clashes=(
            Clash(
                "foo",
                (
                    Demand("foo>=2", "app 1.0", ("app 1.0",)),
                    Demand("foo<2", "bar 1.0", ("app 1.0", "mid 3.0", "bar 1.0")),
                ),
                FOO,
            ),
        ),
    )
    assert explain(conflict) == (
        "Because app 1.0 depends on foo>=2 and bar 1.0 depends on foo<2, "
        "no version of foo satisfies both.",
        "  bar 1.0 comes from the project -> app 1.0 -> mid 3.0 -> bar 1.0",
    )
    assert hint(conflict) == "loosen one of the requirements above"


def test_root_label_and_demands_grouped_by_parent() -> None:
    demands = (Demand("foo>=2", None), Demand("foo<2", None), Demand("foo!=1.5", "x 1.0"))
    conflict = Conflict("3.12.0", clashes=(Clash("foo", demands, FOO),))
    assert explain(conflict, root_label="myapp") == (
        "Because myapp depends on foo>=2 and foo<2 and x 1.0 depends on foo!=1.5, "
        "no version of foo satisfies all of them.",
    )


def test_many_parents_are_cut_short() -> None:
    demands = tuple(Demand(f"foo=={i}", f"p{i} 1.0") for i in range(10))
    (line,) = explain(Conflict("3.12.0", clashes=(Clash("foo", demands, FOO),)))
    assert "p5 1.0 depends on foo==5" in line and "p6" not in line and "4 more" in line


def test_no_matching_version_lists_what_exists() -> None:
    many = tuple(f"1.{i}" for i in range(20, 0, -1))
    clash = Clash("foo", (Demand("foo>=5", None),), Availability(versions=many))
    (line,) = explain(Conflict("3.12.0", clashes=(clash,)))
    assert line == (
        "the project depends on foo>=5, but no version of foo matches >=5 "
        "(available: 1.20, 1.19, 1.18, 1.17, 1.16, 1.15, 1.14, 1.13, 12 more)."
    )


def test_only_pre_releases_say_how_to_ask() -> None:
    av = Availability(versions=("2.0b2", "2.0b1", "1.0"), prerelease=("2.0b2", "2.0b1"))
    conflict = Conflict("3.12.0", clashes=(Clash("foo", (Demand("foo<3", "x 1.0"),), av),))
    (line,) = explain(conflict)
    assert line == (
        "x 1.0 depends on foo<3, but the versions of foo that match are unusable: "
        "2.0b2 and 2.0b1 are pre-releases."
    )
    assert hint(conflict) == "to allow a pre-release, name one in a specifier, e.g. foo>=2.0b1"


def test_python_and_yanked_reasons_together() -> None:
    av = Availability(
        versions=("3.0", "2.0", "1.0"),
        needs_other_python=(("3.0", ">=3.13"), ("2.0", ">=3.13")),
        yanked=("1.0",),
    )
    clash = Clash("foo", (Demand("foo", None),), av)
    (line,) = explain(Conflict("3.12.0", clashes=(clash,)))
    assert line == (
        "the project depends on foo, but the versions of foo that match are unusable: "
        "3.0, 2.0 require Python >=3.13 (the target is Python 3.12.0); 1.0 is yanked."
    )


def test_python_of_the_metadata() -> None:
    conflict = Conflict(
        "3.10.2",
        python=(
            Demand("Python >=3.12", "foo 2.0", ("app 1.0", "foo 2.0")),
            Demand("Python >=3.11", "foo 1.0", ("app 1.0", "foo 1.0")),
        ),
    )
    assert explain(conflict)[0] == (
        "foo 2.0 requires Python >=3.12 and foo 1.0 requires Python >=3.11, "
        "but the target is Python 3.10.2."
    )
    assert hint(conflict).startswith("use a newer Python")


def test_versions_ruled_out_by_their_own_dependencies() -> None:
    av = Availability(versions=("2.0", "1.0"), ruled_out=("2.0",))
    demands = (Demand("foo>=2", None), Demand("foo<3", "bar 1.0"))
    (line,) = explain(Conflict("3.12.0", clashes=(Clash("foo", demands, av),)))
    assert line.endswith(
        "no version of foo satisfies both. (2.0 would, but conflicts with other "
        "requirements through its own dependencies.)"
    )


def test_missing_project_and_abandoned_search() -> None:
    clash = Clash("ghost[x]", (Demand("ghost[x]>=1", "app 1.0"),), Availability(exists=False))
    conflict = Conflict("3.12.0", clashes=(clash,))
    assert explain(conflict) == (
        "app 1.0 depends on ghost[x]>=1, but there is no project named ghost on the index.",
    )
    assert hint(conflict) == "check the spelling of 'ghost' and the index URL"
    gave_up = Conflict("3.12.0", gave_up_after=100)
    assert explain(gave_up) == ("The search for a solution was abandoned after 100 rounds.",)
    assert "pin some" in hint(gave_up)


def test_no_solution_is_a_px_error_carrying_the_data() -> None:
    clash = Clash("foo", (Demand("foo>=5", None),), FOO)
    conflict = Conflict("3.12.0", clashes=(clash,))
    error = NoSolution(conflict, root_label="app")
    assert isinstance(error, ResolutionImpossible)
    assert error.exit_code == ExitCode.RESOLUTION
    assert error.conflict is conflict
    assert (
        error.why
        == "app depends on foo>=5, but no version of foo matches >=5 (available: 2.0, 1.0)."
    )
    assert error.to_json()["code"] == "resolution-impossible"
