"""The Cote R against the three examples worked by hand in docs/cote-r.md (same numbers)."""

from decimal import Decimal as D

import pytest

from students import cote_r

# Example 1: 85 in a group of [70, 85, 90, 75], IDGZ 0.9, IFGZ 0.2.
GROUP_1 = [D(70), D(85), D(90), D(75)]
# Example 2: 58 (a failure) in a group of [58, 66, 74, 82, 90], IDGZ 1.1, IFGZ −0.3.
GROUP_2 = [D(58), D(66), D(74), D(82), D(90)]
# Example 3's third course: 72 in a group of [60, 72, 84], IDGZ 1.0, IFGZ 0.4.
GROUP_3 = [D(60), D(72), D(84)]


def crc(grade: D, group: list[D], idgz: str, ifgz: str) -> D:
    mean, stdev = cote_r.group_statistics(group)
    z = cote_r.z_score(grade, mean=mean, stdev=stdev)
    return cote_r.course_cote_r(z=z, idgz=D(idgz), ifgz=D(ifgz))


def close(value: D, expected: str) -> bool:
    """Equal to the hand computation's nine decimals."""
    return abs(value - D(expected)) < D("0.000000001")


def test_example_1_a_grade_above_the_group_mean():
    mean, stdev = cote_r.group_statistics(GROUP_1)
    assert mean == 80
    assert close(stdev**2, "62.5")  # (100 + 25 + 100 + 25) / 4
    assert close(stdev, "7.905694150")
    z = cote_r.z_score(D(85), mean=mean, stdev=stdev)
    assert close(z, "0.632455532")  # 5 / √62.5 = √0.4
    value = cote_r.course_cote_r(z=z, idgz=D("0.9"), ifgz=D("0.2"))
    assert close(value, "28.846049894")  # (0.569209979 + 0.2 + 5) × 5
    assert cote_r.rounded(value) == D("28.846")


def test_example_2_a_failure_below_the_group_mean():
    mean, stdev = cote_r.group_statistics(GROUP_2)
    assert mean == 74
    assert close(stdev**2, "128")  # (256 + 64 + 0 + 64 + 256) / 5
    assert close(stdev, "11.313708499")
    z = cote_r.z_score(D(58), mean=mean, stdev=stdev)
    assert close(z, "-1.414213562")  # −16 / √128 = −√2
    value = cote_r.course_cote_r(z=z, idgz=D("1.1"), ifgz=D("-0.3"))
    assert close(value, "15.721825407")  # (−1.555634919 − 0.3 + 5) × 5
    assert cote_r.rounded(value) == D("15.722")
    assert not cote_r.passed(D(58))


def test_example_3_overall_over_three_courses_with_one_failure():
    course_a = crc(D(85), GROUP_1, "0.9", "0.2")  # 28.846049894, 2.33 units, passed
    course_b = crc(D(58), GROUP_2, "1.1", "-0.3")  # 15.721825407, 2 units, failed
    course_c = crc(D(72), GROUP_3, "1.0", "0.4")  # Z = 0: (0 + 0.4 + 5) × 5 = 27
    assert course_c == 27
    courses = [
        cote_r.CourseResult(cote_r=course_a, credits=D("2.33"), grade=D(85), first_term=False),
        cote_r.CourseResult(cote_r=course_b, credits=D(2), grade=D(58), first_term=False),
        cote_r.CourseResult(cote_r=course_c, credits=D("2.66"), grade=D(72), first_term=False),
    ]
    assert [course.weight for course in courses] == [1, D("0.5"), 1]
    overall = cote_r.overall_cote_r(courses)
    # (67.211296253 + 15.721825407 + 71.82) / (2.33 + 1 + 2.66) = 154.753121660 / 5.99
    assert close(overall, "25.835245686")
    assert cote_r.rounded(overall) == D("25.835")


def test_example_3_when_the_failure_is_in_the_first_term():
    course_a = crc(D(85), GROUP_1, "0.9", "0.2")
    course_b = crc(D(58), GROUP_2, "1.1", "-0.3")
    courses = [
        cote_r.CourseResult(cote_r=course_a, credits=D("2.33"), grade=D(85), first_term=True),
        cote_r.CourseResult(cote_r=course_b, credits=D(2), grade=D(58), first_term=True),
        cote_r.CourseResult(cote_r=D(27), credits=D("2.66"), grade=D(72), first_term=True),
    ]
    assert courses[1].weight == D("0.25")
    overall = cote_r.overall_cote_r(courses)
    # (67.211296253 + 7.860912703 + 71.82) / (2.33 + 0.5 + 2.66) = 146.892208957 / 5.49
    assert close(overall, "26.756322214")
    assert cote_r.rounded(overall) == D("26.756")


def test_example_3_without_the_failure_rule_the_failure_would_weigh_more():
    course_a = crc(D(85), GROUP_1, "0.9", "0.2")
    course_b = crc(D(58), GROUP_2, "1.1", "-0.3")
    # As if B had passed: w = 1 for all three.
    courses = [
        cote_r.CourseResult(cote_r=course_a, credits=D("2.33"), grade=D(85), first_term=False),
        cote_r.CourseResult(cote_r=course_b, credits=D(2), grade=D(60), first_term=False),
        cote_r.CourseResult(cote_r=D(27), credits=D("2.66"), grade=D(72), first_term=False),
    ]
    overall = cote_r.overall_cote_r(courses)
    # (67.211296253 + 31.443650814 + 71.82) / 6.99
    assert close(overall, "24.388404445")
    assert cote_r.rounded(overall) == D("24.388")


def test_a_group_whose_grades_are_all_equal_gives_z_0():
    mean, stdev = cote_r.group_statistics([D(80), D(80), D(80)])
    assert stdev == 0
    assert cote_r.z_score(D(80), mean=mean, stdev=stdev) == 0
    assert cote_r.course_cote_r(z=D(0), idgz=D("0.8"), ifgz=D("0.1")) == D("25.5")


@pytest.mark.parametrize(
    ("grade", "first_term", "weight"),
    [
        (D(60), False, D(1)),
        (D(60), True, D(1)),
        (D("59.99"), False, D("0.5")),
        (D("59.99"), True, D("0.25")),
        (D(0), True, D("0.25")),
    ],
)
def test_failures_count_less(grade, first_term, weight):
    assert cote_r.course_weight(grade, first_term=first_term) == weight


def test_no_course_no_overall_cote_r():
    assert cote_r.overall_cote_r([]) is None
    zero_credits = cote_r.CourseResult(cote_r=D(30), credits=D(0), grade=D(90), first_term=False)
    assert cote_r.overall_cote_r([zero_credits]) is None


def test_a_group_without_grades_has_no_statistics():
    with pytest.raises(ValueError, match="no statistics"):
        cote_r.group_statistics([])


def test_rounding_is_half_up_to_three_decimals():
    assert cote_r.rounded(D("28.8455")) == D("28.846")
    assert cote_r.rounded(D("28.8454999")) == D("28.845")
