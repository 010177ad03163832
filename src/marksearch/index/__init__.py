"""Candidate generation and filters over the stored keys: segments, key spaces, exact top-k."""

from marksearch.index.filters import Filter
from marksearch.index.segment import Segment, build_segment
from marksearch.index.topk import TopK, top_k

__all__ = ["Filter", "Segment", "TopK", "build_segment", "top_k"]
