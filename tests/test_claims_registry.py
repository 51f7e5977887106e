"""The registry of claim checks: every check is one registered function."""

from pathlib import Path

import pandas as pd
import pytest

from geo import claims as cl
from geo.claims import registry

DATA = Path(__file__).parent / "data" / "claims"


@pytest.fixture
def mini() -> pd.DataFrame:
    return cl.read_ledger(DATA / "mini_ledger.csv")


@pytest.fixture
def restore_registry():
    saved = dict(cl.CHECK_REGISTRY)
    yield
    cl.CHECK_REGISTRY.clear()
    cl.CHECK_REGISTRY.update(saved)


def test_the_registry_holds_every_check_in_order():
    expected = {
        "cross-source": cl.check_cross_source,
        "aggregate": cl.check_aggregate,
        "geometry": cl.check_geometry,
        "plausibility": cl.check_plausibility,
        "arithmetic": cl.check_arithmetic,
        "containment": cl.check_containment,
    }
    assert {name: rule.func for name, rule in cl.CHECK_REGISTRY.items()} == expected
    assert tuple(expected) == cl.CHECKS
    assert [r.name for r in registry.ordered_rules()] == list(expected)
    # containment locates a place; it never vouches for the figure
    assert [n for n, r in cl.CHECK_REGISTRY.items() if not r.vouches] == ["containment"]
    assert cl.CHECK_REGISTRY["containment"].inputs == ("lookup", "features", "places", "zones")
    assert cl.CHECK_REGISTRY["arithmetic"].inputs == ()


def test_a_registered_check_runs_with_the_inputs_it_names(mini, restore_registry):
    seen: dict[str, object] = {}

    @cl.register_check("toy")
    def check_toy(claims: pd.DataFrame, members: object = None) -> pd.DataFrame:
        seen["members"] = members
        seen["has_keys"] = "place_key" in claims.columns
        first = claims["claim_id"].iloc[0]
        return registry.frame([registry.result(first, "toy", "conflict", "toy says no")])

    members = pd.read_csv(DATA / "mini_members.csv")
    results = cl.run_checks(mini, members=members)
    assert seen["members"] is members
    assert seen["has_keys"]
    assert cl.CHECK_REGISTRY["toy"].inputs == ("members",)
    toy = results[results["check"] == "toy"]
    assert toy[["claim_id", "verdict"]].values.tolist() == [["X01", "conflict"]]
    assert results["check"].iloc[-1] == "toy"  # registered last, runs last
    judged = cl.verdicts(mini, results).set_index("claim_id")
    assert judged.loc["X01", "verdict"] == "conflict"
    assert "toy says no" in judged.loc["X01", "reason"]


def test_a_check_that_does_not_vouch_never_makes_a_claim_consistent(mini, restore_registry):
    @cl.register_check("locator", vouches=False)
    def check_locator(claims: pd.DataFrame) -> pd.DataFrame:
        rows = [registry.result(c, "locator", "consistent", "here") for c in claims["claim_id"]]
        return registry.frame(rows)

    lonely = mini[mini["claim_id"] == "X14"]  # a single statement: nothing else decides
    judged = cl.verdicts(lonely, cl.run_checks(lonely))
    assert judged["verdict"].tolist() == ["cannot verify"]


def test_a_name_is_registered_once(restore_registry):
    with pytest.raises(ValueError, match="registered already"):
        cl.register_check("geometry")(cl.check_geometry)


def test_records_are_grouped_as_pandas_groups_them():
    import pandas as pd

    from geo.claims.checks_documents import _grouped

    df = pd.DataFrame(
        {
            "place_key": ["b", "a", None, "b", "a", "c"],
            "metric": ["x", "y", "x", "x", "y", "x"],
            "v": [1, 2, 3, 4, 5, 6],
        }
    )
    expected = {
        key: grp.to_dict("records") for key, grp in df.groupby(["place_key", "metric"], sort=False)
    }
    assert _grouped(df, ("place_key", "metric")) == expected
    assert list(_grouped(df, ("place_key", "metric"))) == list(expected)
