"""Similarity of goods and services, from Nice classes alone (for now).

Two marks conflict only for goods that are close, and the Nice class is the
one goods field every office gives.  A class is a coarse proxy: offices
compare the goods themselves, and goods in one class can be far apart
(class 9 holds both software and sunglasses) while goods in two classes can
be close.  So the score is a documented partial one, and a future goods
module comparing terms and office similarity groups should replace it.

Scores:

* same class: 1.0;
* a pair of classes that examiners commonly find complementary or
  competing, from :data:`RELATED_CLASSES`: that pair's score;
* class 35 (retail of goods) with any goods class (1 to 34): 0.4, since a
  shop selling the goods is often found similar to the goods;
* otherwise 0.0.

Source of the related pairs: EUIPO Guidelines for Examination, Part C,
Opposition, Section 2, Chapter 2 "Comparison of goods and services"
(complementarity, same purpose, same distribution channels) and the cases
it cites; the selection and the scores are this project's, not an office
table.

>>> class_similarity(9, 9), class_similarity(9, 42), class_similarity(35, 25), class_similarity(1, 45)
(1.0, 0.6, 0.4, 0.0)
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "NEUTRAL_GOODS",
    "NICE_CLASSES",
    "RELATED_CLASSES",
    "RETAIL_CLASS",
    "RETAIL_SIMILARITY",
    "class_similarity",
]

NICE_CLASSES = 45
# The goods score when either mark gives no class: halfway, so that a mark
# without classes is neither preferred nor buried, and a search without
# classes ranks by the text alone (every candidate gets the same factor).
NEUTRAL_GOODS = 0.5

RETAIL_CLASS = 35
RETAIL_SIMILARITY = 0.4

# (group of classes, score for two different classes of the group).
_GROUPS: tuple[tuple[tuple[int, ...], float], ...] = (
    ((9, 42), 0.6),           # software and computers / software design and SaaS
    ((9, 38), 0.4),           # telecommunications apparatus / telecom services
    ((29, 30, 31), 0.5),      # foodstuffs
    ((32, 33), 0.6),          # beverages: beers and soft drinks / wines and spirits
    ((29, 30, 32, 33), 0.4),  # food and drink sold side by side
    ((29, 30, 32, 33, 43), 0.4),  # food and drink / restaurants and bars
    ((3, 5), 0.5),            # cosmetics / pharmaceuticals (creams, hygiene)
    ((5, 10), 0.5),           # pharmaceuticals / medical apparatus
    ((5, 44), 0.4),           # pharmaceuticals / medical services
    ((14, 18, 25), 0.4),      # jewellery, leather goods and clothing: fashion accessories
    ((12, 37), 0.4),          # vehicles / their repair and maintenance
    ((16, 41), 0.4),          # printed matter / education and publishing
    ((9, 41), 0.4),           # recorded media and downloads / entertainment
    ((28, 41), 0.4),          # games and toys / entertainment
    ((36, 35), 0.3),          # financial / business services
    ((39, 43), 0.3),          # travel / temporary accommodation
)


def _related(groups: Iterable[tuple[tuple[int, ...], float]]) -> dict[tuple[int, int], float]:
    table: dict[tuple[int, int], float] = {}
    for classes, score in groups:
        for a in classes:
            for b in classes:
                if a != b:
                    table[(a, b)] = max(table.get((a, b), 0.0), score)
    return table


RELATED_CLASSES: dict[tuple[int, int], float] = _related(_GROUPS)


def class_similarity(a: int, b: int) -> float:
    """How close two Nice classes are, in [0, 1]; symmetric."""
    if a == b:
        return 1.0
    score = RELATED_CLASSES.get((a, b), 0.0)
    if RETAIL_CLASS in (a, b) and 1 <= min(a, b) <= 34:
        score = max(score, RETAIL_SIMILARITY)
    return score
