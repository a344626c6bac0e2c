import pytest

from geomap.attributes import Count
from geomap.fatalities import named_victims, report_toll, stated_toll


@pytest.mark.parametrize(
    ("text", "toll"),
    [
        ("Bandits raided a farm and shot a herder. 1 fatality.", 1),
        ("Militants attacked four villages. 9 total fatalities split between 3 events.", 3),
        ("Raids hit two towns; 5 fatalities were split across 2 events.", 3),  # 2.5 rounds half up
        ("Fighting in two districts. 20 fatalities split across 4 events coded as 6.", 6),
        ("Shelling of three hamlets. Casualties were coded as 10 and split between both locations.", 5),
        ("Heavy fighting was reported; fatalities coded as 4.", 4),
        ("An unspecified number of soldiers were killed in the ambush.", 3),
        ("Troops reported an unknown number of fatalities.", 3),
    ],
)
def test_fatalities_stated_toll(text: str, toll: int) -> None:
    count = stated_toll(text)
    assert count is not None
    assert count.best == toll


@pytest.mark.parametrize(
    "text",
    [
        "Gunmen attacked a bus station; unknown casualties.",  # dead or hurt: ACLED codes nothing
        "Unknown gunmen killed a trader.",
        "Three people were killed by a landslide.",
    ],
)
def test_fatalities_no_stated_toll(text: str) -> None:
    assert stated_toll(text) is None


@pytest.mark.parametrize(
    ("text", "victims"),
    [
        ("Gunmen shot and killed a trader in the market.", 1),
        ("Soldiers killed a rebel commander and 12 of his fighters near the border.", 13),
        ("The district judge was shot dead outside his house.", 1),
        ("A fisherman died after being beaten by police.", 1),
        ("Clashes led to the killing of 4 herders in the valley.", 4),
        ("Two assailants stabbed and murdered the headmaster and his driver, then fled.", 2),
        ("Police killed the suspects.", None),
        ("Nobody was hurt.", None),
    ],
)
def test_fatalities_named_victims(text: str, victims: int | None) -> None:
    assert named_victims(text) == victims


def _count(value: int) -> Count:
    return Count(text=str(value), start_char=0, end_char=1, qualifier="exact", low=value, best=value, high=value)


def test_fatalities_report_toll_rules() -> None:
    note = "Rioters burned a police post after officers killed a man (coded separately)."
    assert report_toll(note, _count(1), "Violent demonstration") is None
    protest = "Students marched to demand justice for a classmate who was shot dead last week."
    assert report_toll(protest, _count(1), "Peaceful protest") is None
    split = "Rebels attacked two villages, killing 8 civilians. Fatalities are split across two events."
    toll = report_toll(split, _count(8), "Attack")
    assert toll is not None
    assert toll.best == 4
    plain = "Gunmen killed a shopkeeper in his store."
    toll = report_toll(plain, None, "Attack")
    assert toll is not None
    assert toll.best == 1
    assert plain[toll.start_char : toll.end_char] == toll.text
    long_report = plain + " Officials gave no details about the investigation." * 40
    assert report_toll(long_report, None, "Attack") is None  # long reports keep their clause counts
