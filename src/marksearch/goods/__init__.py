"""Goods and services: a multilingual term base, class suggestion, similarity of goods.

The pipeline, one module per step:

``tokens``      goods text to terms (``;``, new lines, ``；``) and terms to features
``sources``     the reference terms (WIPO NCL, CNIPA, KIPO) and a record's terms
``index``       TF-IDF over hashed features, cosine by postings (numpy)
``base``        the term base: rows, ids, similar groups, glosses; build, merge, save
``bases``       the shipped base, and the shipped base grown with a register's goods
``analysis``    :func:`analyse`: a description's terms and ranked classes, once per query
``similarity``  :func:`overlap` and :func:`similarity`: which goods meet, and why
``classes``     short names of the 45 Nice classes
``evaluate``    the held-back evaluation behind ``bench/goods.py``
``cli``         the ``marksearch goods`` command

>>> a = analyse("phone cases")
>>> a.best_class, a.signal_for_classes([9])
(9, (1.0, 'goods: phone cases (class 9) ~ class 9'))
>>> analyse("咖啡").items[0].matches[0].term.gloss
'coffee'
"""

from marksearch.goods.analysis import (
    ClassSuggestion,
    GoodsAnalysis,
    GoodsModel,
    GoodsQuery,
    ItemAnalysis,
    TermMatch,
    analyse,
)
from marksearch.goods.base import Term, TermBase
from marksearch.goods.bases import base_for_store, default_base
from marksearch.goods.classes import class_name
from marksearch.goods.similarity import (
    GoodsItem,
    GoodsOverlap,
    GoodsPair,
    overlap,
    similarity,
)
from marksearch.goods.tokens import split_terms

__all__ = [
    "ClassSuggestion",
    "GoodsAnalysis",
    "GoodsItem",
    "GoodsModel",
    "GoodsOverlap",
    "GoodsPair",
    "GoodsQuery",
    "ItemAnalysis",
    "Term",
    "TermBase",
    "TermMatch",
    "analyse",
    "base_for_store",
    "class_name",
    "default_base",
    "overlap",
    "similarity",
    "split_terms",
]
