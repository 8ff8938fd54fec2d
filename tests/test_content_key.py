"""A record's content key (what two records that are one share) is the hash of one text: the
record apart from its id, with every string equal to the id written as {"self": true}. The
key is kept in the parse cache and the facts table, so the way it is made may change but
the text hashed may not: here it is compared with that text made the plain way (the record
walked, the values replaced, then written as JSON), on records of every kind and on values
made to trip a text substitution (ids inside strings, as keys, next to quotes and commas)."""

from __future__ import annotations

import copy
import hashlib
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import PROJECT, SAMPLES, examples
from dprk_records.checks.runner import content_key
from dprk_records.records.schemas import Schemas

SCHEMAS = Schemas(PROJECT / "schema")
KINDS = list(SCHEMAS.kinds.values())


def walked_key(kind, data):
    """The content key made by walking the record first (the definition)."""
    own = data.get(kind.id_field)

    def plain(value):
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return {"self": True} if isinstance(own, str) and value == own else value

    rest = plain({k: v for k, v in data.items() if k != kind.id_field})
    text = json.dumps([kind.name, rest], sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


TRICKY = ["x", "", ",", ",x", "x,", ":", "]", "}", "[", "{", '"', '",', "\\", 'a"b', "x\\", "é", "\u2028", "\x01"]


def texts(own):
    """Strings around the id: the id itself, and the id with the characters JSON writes next to it."""
    return st.sampled_from(
        [own, own + ",", "," + own, own + '"', '"' + own, own + "\\", "\\" + own, f'"{own}"', f",{own},", "x"] + TRICKY
    )


def values(own):
    return st.recursive(
        st.none() | st.booleans() | st.integers(-3, 3) | st.floats(-2, 2, allow_nan=False) | texts(own),
        lambda children: st.lists(children, max_size=4) | st.dictionaries(texts(own), children, max_size=4),
        max_leaves=12,
    )


@st.composite
def records(draw):
    kind = draw(st.sampled_from(KINDS))
    own = draw(st.sampled_from(TRICKY + ["2023-08-30-srbm"]) | st.text(max_size=4))
    record = copy.deepcopy(SAMPLES[kind.name])
    record[kind.id_field] = draw(st.sampled_from([own, own, None, 7]))
    for _ in range(draw(st.integers(0, 4))):
        record[draw(texts(own))] = draw(values(own))
    return kind, record


@settings(max_examples=examples(1500), deadline=None)
@given(records())
def test_content_key_is_the_walked_text(case):
    kind, record = case
    assert content_key(kind, record).key == walked_key(kind, record)


def test_content_key_of_each_sample_and_self_references():
    for kind in KINDS:
        record = copy.deepcopy(SAMPLES[kind.name])
        own = record[kind.id_field]
        assert content_key(kind, record).key == walked_key(kind, record)
        # a reference to itself, in a list and in a nested mapping, and the id as a key
        record["see"] = [own, {"id": own, own: own}, [own, f"{own},"]]
        assert content_key(kind, record).key == walked_key(kind, record)
        other = dict(record, **{kind.id_field: "another-id"})
        other["see"] = ["another-id", {"id": "another-id", own: "another-id"}, ["another-id", f"{own},"]]
        assert content_key(kind, other).key == content_key(kind, record).key


def test_content_key_of_ids_a_substitution_would_misread():
    """An id starting with a comma, colon or bracket could be found across the end of one
    string and the start of the next: `["x,", ","]` holds the text `","` twice."""
    kind = KINDS[0]
    for own in (",", ",x", ":", "]", "}", ",]"):
        record = copy.deepcopy(SAMPLES[kind.name])
        record[kind.id_field] = own
        record["see"] = ["x,", own, {"k": "a:", "l": own}, ["]", own], {"m": "}"}, own]
        assert content_key(kind, record).key == walked_key(kind, record), own
