"""Short names of the 45 Nice classes, for reasons and listings.

The names are this project's few-word summaries of the WIPO class headings
(NCL 12-2024, ``data/classifications/nice_ncl12-2024_class_headings_en.csv``);
the headings themselves are the reference.

>>> class_name(30), class_name(42), is_service(35), is_service(9)
('coffee, tea, bakery', 'scientific and IT services', True, False)
"""

from __future__ import annotations

__all__ = ["CLASS_NAMES", "FIRST_SERVICE_CLASS", "class_name", "is_service"]

FIRST_SERVICE_CLASS = 35

CLASS_NAMES: dict[int, str] = {
    1: "chemicals", 2: "paints", 3: "cosmetics and cleaning", 4: "oils and fuels",
    5: "pharmaceuticals", 6: "common metals", 7: "machines", 8: "hand tools",
    9: "apparatus, computers, software", 10: "medical apparatus", 11: "lighting, heating, cooling",
    12: "vehicles", 13: "firearms, fireworks", 14: "jewellery, watches", 15: "musical instruments",
    16: "paper, printed matter", 17: "rubber, plastics, insulation", 18: "leather goods, bags",
    19: "non-metallic building materials", 20: "furniture", 21: "household utensils",
    22: "ropes, sacks, tents", 23: "yarns and threads", 24: "textiles", 25: "clothing, footwear",
    26: "lace, haberdashery", 27: "carpets, floor coverings", 28: "games, toys, sporting goods",
    29: "meat, dairy, preserved foods", 30: "coffee, tea, bakery", 31: "agricultural produce, animal feed",
    32: "beers, soft drinks", 33: "wines and spirits", 34: "tobacco, smokers' articles",
    35: "advertising, business, retail", 36: "finance, insurance, real estate",
    37: "construction and repair", 38: "telecommunications", 39: "transport and travel",
    40: "treatment of materials", 41: "education, entertainment", 42: "scientific and IT services",
    43: "food and drink services, lodging", 44: "medical, beauty, agriculture services",
    45: "legal and security services",
}


def class_name(nice_class: int) -> str:
    """A few words for a class; ``class N`` for a number outside 1 to 45."""
    return CLASS_NAMES.get(nice_class, f"class {nice_class}")


def is_service(nice_class: int) -> bool:
    """Classes 35 to 45 are services, 1 to 34 goods."""
    return nice_class >= FIRST_SERVICE_CLASS
