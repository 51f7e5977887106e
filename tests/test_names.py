"""The one place-name normaliser, where the claims' and the gazetteer's used to differ."""

import pytest

from geo import claims as cl
from geo.data import gazetteer
from geo.data.names import normalize_name


def test_gazetteer_and_claims_share_the_normaliser():
    assert gazetteer.normalize_name is normalize_name
    # a name nothing knows comes back as its key, whoever normalises it
    assert (
        cl.normalise_place("某某<br>科技 园") == normalize_name("某某<br>科技 园") == "某某科技园"
    )


@pytest.mark.parametrize(
    ("written", "key"),
    [
        # table cells broken with <br>: only the claims' fold removed them
        ("大学客<br>(全球校友)<br>孵化器", "大学客(全球校友)孵化器"),
        ("大学城<br/>北拓区", "大学城北拓区"),
        # em dash: the claims' fold kept it, so 环西政—川外 and 环西政-川外 differed
        ("环西政—川外创新生态圈", "环西政-川外创新生态圈"),
        ("环西政——川外", "环西政-川外"),
        ("环西政–川外", "环西政-川外"),
        # Latin case and full-width letters: only the gazetteer's key folded them
        ("联东U谷", "联东u谷"),
        ("ＡＢＣ园", "abc园"),
        # the hyphenation point ‧ and the katakana dot ・ as middle dots
        ("黄金湾‧智谷", "黄金湾·智谷"),
        ("黄金湾・智谷", "黄金湾·智谷"),
        # both agreed on full-width brackets and spaces
        ("科学城（沙坪坝片） 科技馆", "科学城(沙坪坝片)科技馆"),
    ],
)
def test_normalize_name_folds_layout_not_words(written, key):
    assert normalize_name(written) == key


def test_synonyms_are_not_folded():
    assert normalize_name("环政法-川外") != normalize_name("环西政-川外")
    assert normalize_name("拾光阁") != normalize_name("拾光格")
