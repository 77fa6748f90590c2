"""The indicator system's arithmetic, by hand: weighted averages of exact fractions, missing
values left out and their weight renormalised, coverage kept."""

from __future__ import annotations

from fractions import Fraction

from projects.indicator_score import Node, from_mean, from_rate, problems, score, total


def leaf(weight: int, value, number: int = 1) -> Node:
    return Node(
        number, f"leaf{number}", weight, "statistic", value=None if value is None else Fraction(value)
    )


def test_a_rate_and_a_survey_mean_become_values_out_of_100():
    assert from_rate(0.9765) == Fraction(19530, 200) and from_rate(None) is None
    assert from_mean(Fraction(21, 5)) == 80  # a mean of 4.2: (4.2 − 1) × 25
    assert from_mean(1) == 0 and from_mean(5) == 100


def test_a_node_is_the_weighted_average_of_its_children():
    node = Node(9, "处置效率", 50, "children", (leaf(60, 90, 1), leaf(40, 70, 2)))
    scored = score(node)
    assert scored.score == Fraction(60 * 90 + 40 * 70, 100) == 82
    assert scored.coverage == 1


def test_a_missing_value_is_left_out_and_the_others_weights_renormalised():
    node = Node(9, "群众满意", 50, "children", (leaf(30, 60, 1), leaf(70, None, 2)))
    scored = score(node)
    assert scored.score == 60 and scored.coverage == Fraction(3, 10)


def test_the_communitys_score_over_three_levels_by_hand():
    efficiency = Node(11, "效率", 50, "children", (leaf(60, 90, 1), leaf(40, 70, 2)))  # 82
    satisfaction = Node(12, "满意", 50, "children", (leaf(100, 80, 3),))  # 80
    service = Node(1, "服务", 40, "children", (efficiency, satisfaction))  # 81
    safety = Node(2, "安全", 60, "children", (Node(21, "治安", 100, "children", (leaf(100, 50, 4),)),))  # 50
    assert total([service, safety]).score == Fraction(40 * 81 + 60 * 50, 100)  # 62.4


def test_weights_that_do_not_sum_to_100_are_named():
    tree = [Node(1, "服务", 40, "children", (leaf(50, 1), leaf(40, 2))), Node(2, "安全", 60, "children")]
    assert problems(tree) == ["/服务"]
    assert problems([Node(1, "服务", 90, "children")]) == ["/"]
