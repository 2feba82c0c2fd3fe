"""Channel names as clients write them: which are channels, which kind is unknown, which are malformed."""

from __future__ import annotations

import pytest

from api.live.channels import KINDS, ChannelError, ChannelRef, parse_channel


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("match:7", ChannelRef(kind="match", item_id=7, name="match:7", key="match:7")),
        ("stage:3", ChannelRef(kind="stage", item_id=3, name="stage:3", key="stage:3")),
        ("season:12:leaders", ChannelRef(kind="season", item_id=12, name="season:12:leaders", key="season:12:leaders")),
        ("match:0", ChannelRef(kind="match", item_id=0, name="match:0", key="match:0")),
        (
            "match:999999999999999999",  # 18 digits: the largest id a name may carry
            ChannelRef(
                kind="match",
                item_id=999_999_999_999_999_999,
                name="match:999999999999999999",
                key="match:999999999999999999",
            ),
        ),
    ],
)
def test_every_valid_shape_is_parsed_with_its_kind_id_and_key(name: str, expected: ChannelRef) -> None:
    assert parse_channel(name, 42) == expected
    assert parse_channel(name, 43) == expected  # ids are global: the caller's organization changes nothing


def test_org_is_the_callers_own_organization_shown_as_plain_org() -> None:
    north, south = parse_channel("org", 5), parse_channel("org", 6)
    assert north == ChannelRef(kind="org", item_id=5, name="org", key="org:5")
    assert south == ChannelRef(kind="org", item_id=6, name="org", key="org:6")
    assert north.key != south.key  # one organization never hears another's channel


@pytest.mark.parametrize(
    "name", ["team:1", "player:9", "MATCH:1", "matches:1", "orgs", "", ":1", "leaders", "x" * 10_000]
)
def test_unknown_kinds_are_refused_with_unknown_channel_kind(name: str) -> None:
    with pytest.raises(ChannelError) as caught:
        parse_channel(name, 1)
    assert caught.value.code == "unknown_channel_kind"
    assert "match:{id}" in str(caught.value)
    assert len(str(caught.value)) < 200  # a huge name is not echoed back whole


@pytest.mark.parametrize(
    "name",
    [
        "match",
        "match:",
        "match:x",
        "match:-1",
        "match:1.5",
        "match: 1",
        "match:1:2",
        "stage:",
        "stage:1a",
        "season:4",
        "season:4:leader",
        "season:4:leaders:x",
        "season::leaders",
        "season:x:leaders",
        "org:5",  # an organization's channel is named "org", never by id
        "org:",
        "match:١٢",  # digits of another script are not an id
        "match:1234567890123456789",  # 19 digits: more than a BIGINT id can be
        "match:" + "9" * 5000,
    ],
)
def test_malformed_names_of_known_kinds_are_bad_channel(name: str) -> None:
    with pytest.raises(ChannelError) as caught:
        parse_channel(name, 1)
    assert caught.value.code == "bad_channel"
    assert isinstance(caught.value, ValueError)
    assert len(str(caught.value)) < 200


@pytest.mark.parametrize("name", [None, 7, 7.0, b"match:7", ["match:7"], {"match": 7}, True])
def test_non_strings_are_bad_channel(name: object) -> None:
    with pytest.raises(ChannelError) as caught:
        parse_channel(name, 1)
    assert caught.value.code == "bad_channel"
    assert type(name).__name__ in str(caught.value)


def test_every_kind_named_in_kinds_has_a_valid_shape() -> None:
    shapes = {
        "match": "match:1",
        "stage": "stage:1",
        "predictions": "stage:1:predictions",
        "season": "season:1:leaders",
        "org": "org",
    }
    assert set(KINDS) == set(shapes)
    assert {parse_channel(name, 1).kind for name in shapes.values()} == set(KINDS)
