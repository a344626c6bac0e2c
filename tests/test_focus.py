"""The region hint and the feed focus (geomap.focus): where a source's stories usually are."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from geomap.cli import main
from geomap.errors import InputError
from geomap.focus import Vote, document_vote, feed_key, feed_priors, region_prior, with_feed_focus
from geomap.geoparse import geoparse_document
from geomap.ingest import Document

if TYPE_CHECKING:
    from pathlib import Path

    from geomap.gazetteer import Gazetteer


def _place(gazetteer: Gazetteer, doc: Document, name: str) -> tuple[str, str]:
    parsed = geoparse_document(doc, gazetteer)
    res = next(r for r in parsed.resolutions if r.mention.text == name)
    assert res.place is not None
    return res.place.country_code, res.place.admin1_code


def test_region_prior_reads_countries_and_admin1_regions(gazetteer: Gazetteer) -> None:
    osh = region_prior("Osh Region", gazetteer)
    assert osh.countries == {"KG": 1.0}
    assert osh.admin1 == {"KG.08": 1.0}
    assert [p.admin1_code for p in osh.places] == ["KG.08"]
    two = region_prior("KG; Uzbekistan", gazetteer)
    assert two.countries == {"KG": 1.0, "UZ": 1.0}
    assert not two.admin1


def test_region_prior_rejects_a_name_that_is_no_area(gazetteer: Gazetteer) -> None:
    with pytest.raises(InputError, match="no country or admin-1 region"):
        region_prior("Qwzxv Plateau", gazetteer)


@pytest.mark.parametrize(
    ("name", "region", "country", "admin1"),
    [
        ("Richmond", "", "US", "US.VA"),  # the largest namesake, with nothing to say otherwise
        ("Richmond", "Kentucky", "US", "US.KY"),  # a Kentucky desk
        ("London", "", "GB", "GB.ENG"),
        ("London", "Ontario", "CA", "CA.08"),  # an Ontario desk
    ],
)
def test_region_hint_reads_the_story_as_if_it_named_the_region(
    gazetteer: Gazetteer, name: str, region: str, country: str, admin1: str
) -> None:
    doc = Document(doc_id="1", text=f"Officials in {name} said the bridge would reopen on Friday.", region=region)
    assert _place(gazetteer, doc, name) == (country, admin1)


def test_region_hint_does_not_override_what_the_text_says(gazetteer: Gazetteer) -> None:
    text = "Officials in Richmond, Virginia, said the bridge would reopen on Friday."
    doc = Document(doc_id="1", text=text, region="Kentucky")
    assert _place(gazetteer, doc, "Richmond") == ("US", "US.VA")


def test_feed_key_reads_the_outlet_then_the_url_host() -> None:
    assert feed_key(Document(doc_id="1", text="", extra={"feed": "Valley Courier"})) == "valley courier"
    assert feed_key(Document(doc_id="1", text="", extra={"url": "https://www.example.org/news/1"})) == "example.org"
    assert feed_key(Document(doc_id="1", text="")) == ""


def test_feed_priors_never_count_a_report_for_itself() -> None:
    lone = feed_priors([Vote({"KG": 1.0}, {"KG.08": 1.0})])
    assert not lone[0]  # no other report: no prior
    priors = feed_priors([Vote({"KG": 1.0}, {}), Vote({"KG": 1.0}, {}), Vote({}, {})])
    assert priors[0].country_share("KG") == pytest.approx(1 / 3, abs=1e-4)  # one other voter, shrunk by two
    assert priors[2].country_share("KG") == pytest.approx(2 / 4, abs=1e-4)  # a report naming no place gets one


def test_document_vote_counts_the_confident_places_of_the_lead(gazetteer: Gazetteer) -> None:
    doc = Document(doc_id="1", text="Floods hit Bishkek and Osh in Kyrgyzstan on Monday.")
    vote = document_vote(doc, gazetteer)
    assert max(vote.countries, key=lambda k: vote.countries[k]) == "KG"
    assert sum(vote.countries.values()) == pytest.approx(1.0)


def _feed(texts: list[str], outlet: str) -> list[Document]:
    return [Document(doc_id=f"{outlet}-{i}", text=t, extra={"feed": outlet}) for i, t in enumerate(texts)]


def test_feed_focus_learns_each_outlets_home_from_its_own_reports(gazetteer: Gazetteer) -> None:
    local = _feed(
        [
            "Police in Lexington and Frankfort reported icy roads in Kentucky on Monday.",
            "The school board in Bowling Green, Kentucky, voted on Tuesday.",
            "A fire destroyed a barn near Owensboro, Kentucky, on Wednesday.",
            "Louisville and Lexington, Kentucky, opened warming centres on Thursday.",
        ],
        "bluegrass daily",
    )
    abroad = _feed(
        [
            "Protesters marched in Bishkek, Kyrgyzstan, on Monday.",
            "Water shortages hit Osh and Jalal-Abad in Kyrgyzstan on Tuesday.",
        ],
        "steppe wire",
    )
    docs = list(with_feed_focus([*local, *abroad], gazetteer))
    assert [d.doc_id for d in docs] == [d.doc_id for d in [*local, *abroad]]  # input order kept
    for doc in docs[:4]:
        assert doc.prior is not None
        assert doc.prior.country_share("US") > 0.5
        assert doc.prior.admin1_share("US.KY") > 0.3
        assert doc.prior.country_share("KG") == 0.0  # another outlet's reports do not count
    assert docs[4].prior is not None
    assert docs[4].prior.country_share("KG") > 0.3


def test_feed_focus_leaves_a_single_report_alone(gazetteer: Gazetteer) -> None:
    doc = Document(doc_id="1", text="Floods hit Osh, Kyrgyzstan, on Monday.")
    assert list(with_feed_focus([doc], gazetteer)) == [doc]
    assert doc.prior is None


def test_cli_region_hint_and_its_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "docs.jsonl"
    lines = [
        {"id": "a", "text": "Officials in Richmond said the bridge would reopen on Friday."},
        {"id": "b", "text": "Officials in Richmond said the bridge would reopen.", "region": "Ontario"},
    ]
    src.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    out = tmp_path / "places.jsonl"
    assert main(["geoparse", str(src), "-o", str(out), "--region", "Kentucky", "--fast"]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0]["toponyms"][0]["country_code"] == "US"
    assert rows[1]["toponyms"][0]["country_code"] == "CA"  # the document's own region wins over --region
    capsys.readouterr()
    assert main(["geoparse", str(src), "--region", "Qwzxv Plateau", "--fast"]) == 1
    err = capsys.readouterr().err
    assert err.count("error:") == 1
    assert "Qwzxv Plateau" in err
