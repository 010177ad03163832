"""Office vocabularies shared by the readers: status, mark feature and kind words.

Each office writes its own words for where a mark stands and what it looks
like; the mappers here turn them into :class:`~marksearch.records.Status`,
:class:`~marksearch.records.Feature` and :class:`~marksearch.records.Kind`.
The readers keep the office's own code and text beside the mapped value.

* USPTO status codes: :data:`USPTO_STATUS_CODES` and :func:`uspto_status`,
  one table for the daily XML, TSDR ST.66 and TSDR ST.96.
* EUIPO and TMview status words: :func:`status_from_text`.
* Mark features: :func:`feature_from_text` (EUIPO/TMview words, USPTO drawing
  texts) and :func:`uspto_drawing` (USPTO mark drawing codes).
* Kinds: :func:`kind_from_text` (ST.66 KindMark, ST.96 MarkCategory).

>>> uspto_status("686")
(<Status.PENDING: 'pending'>, 'PUBLISHED FOR OPPOSITION')
>>> status_from_text("Application refused"), feature_from_text("3D shape")
(<Status.ENDED: 'ended'>, <Feature.SHAPE_3D: '3d'>)
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from marksearch.records import Feature, Kind, Status

__all__ = [
    "USPTO_STATUS_CODES",
    "feature_from_text",
    "kind_from_text",
    "status_from_text",
    "uspto_drawing",
    "uspto_status",
]

# --------------------------------------------------------------------------
# USPTO status codes.

# USPTO TSDR status codes with the common status each one means.  Texts are
# the USPTO's own status descriptions (TSDR status-code list, as published with
# the trademark bulk data documentation).  Judgement calls, by why:
#   612 petition to revive received: pending, because a revival brings the mark
#       back and a clearance search must not drop it yet;
#   400/403 IR cancelled pending transformation: still alive for a while;
#   715/716 registration cancelled but the application restored: pending;
#   763 refusal affirmed on appeal: pending until the case is abandoned (603);
#   779 opposition sustained: ended, registration is refused;
#   778/780/790 cancellation proceedings: the registration stands meanwhile.
_USPTO_STATUS_TABLE = """
000 unknown UNKNOWN
400 pending IR CANCELLED; APPLICATION PENDING TRANSFORMATION
401 ended IR CANCELLED - NO TRANSFORMATION FILED
402 ended IR CANCELLED--CASE ABANDONED/CANCELLED
403 registered IR CANCELLED; REGISTRATION PENDING TRANSFORMATION
600 ended ABANDONED - INCOMPLETE RESPONSE
601 ended ABANDONED - EXPRESS
602 ended ABANDONED-FAILURE TO RESPOND OR LATE RESPONSE
603 ended ABANDONED - AFTER EX PARTE APPEAL
604 ended ABANDONED - AFTER INTER-PARTES DECISION
605 ended ABANDONED - AFTER PUBLICATION
606 ended ABANDONED - NO STATEMENT OF USE FILED
607 ended ABANDONED - DEFECTIVE STATEMENT OF USE
608 ended ABANDONED - AFTER PETITION DECISION
609 ended ABANDONED - DEFECTIVE DIVIDED APPLICATION
612 pending PETITION TO REVIVE-RECEIVED
614 ended ABANDONED PETITION TO REVIVE-DENIED
616 pending REVIVED - AWAITING FURTHER ACTION
618 ended ABANDONED FILE - BACKFILE
620 unknown BACKFILE APPLICATION ADDED TO DATA BASE - STATUS NOT RECORDED
622 ended MISASSIGNED SERIAL NUMBER
624 registered REGISTERED - BACKFILE
625 unknown REGISTRATION ADDED TO THE DATA BASE-STATUS UNCLEAR
626 ended REGISTERED - BACKFILE CANCELLED OR EXPIRED
630 pending NEW APPLICATION - RECORD INITIALIZED NOT ASSIGNED TO EXAMINER
631 pending NEW APPLICATION - DIVIDED - INITIAL PROCESSING
632 pending INFORMAL APPLICATION
638 pending NEW APPLICATION - ASSIGNED TO EXAMINER
640 pending NON-FINAL ACTION COUNTED - NOT MAILED
641 pending NON-FINAL ACTION - MAILED
642 pending INVENTORIED AS REJECTED
643 pending PREVIOUS ACTION/ALLOWANCE COUNT WITHDRAWN
644 pending FINAL REFUSAL COUNTED - NOT MAILED
645 pending FINAL REFUSAL - MAILED
646 pending EXAMINERS AMENDMENT COUNTED - NOT MAILED
647 pending EXAMINERS AMENDMENT - MAILED
648 pending ACTION CONTINUING FINAL COUNTED - NOT MAILED
649 pending ACTION CONTINUING FINAL - MAILED
650 pending SUSPENSION INQUIRY COUNTED - NOT MAILED
651 pending SUSPENSION INQUIRY - MAILED
652 pending SUSPENSION LETTER COUNTED - NOT MAILED
653 pending SUSPENSION LETTER - MAILED
654 pending REPORT COMPLETED SUSPENSION CHECK - CASE STILL SUSPENDED
655 pending EXAMINER'S AMENDMENT/PRIORITY ACTION COUNTED NOT MAILED
656 pending EXAMINER'S AMENDMENT/PRIORITY ACTION MAILED
657 pending PRIORITY ACTION COUNTED NOT MAILED
658 pending PRIORITY ACTION MAILED
659 pending SUBSEQUENT FINAL REFUSAL COUNTED NOT MAILED
660 pending SUBSEQUENT FINAL MAILED
661 pending RESPONSE AFTER NON-FINAL ACTION - ENTERED
663 pending RESPONSE AFTER FINAL REJECTION - ENTERED
664 pending INVENTORIED AS AMENDED
665 pending NOTICE OF UNRESPONSIVE AMENDMENT - COUNTED
666 pending NOTICE OF UNRESPONSIVE AMENDMENT - MAILED
667 pending REFUSAL WITHDRAWAL LETTER - COUNTED
668 pending REFUSAL WITHDRAWAL LETTER - MAILED
672 pending REINSTATED - AWAITING FURTHER ACTION
673 pending PETITION GRANTED - AWAITING FURTHER ACTION
680 pending APPROVED FOR PUBLICATION
681 pending PUBLICATION/ISSUE REVIEW COMPLETE
682 pending ON HOLD - ADDITIONAL PUB REVIEW REQUIRED
686 pending PUBLISHED FOR OPPOSITION
688 pending NOTICE OF ALLOWANCE - ISSUED
689 pending NOTICE OF ALLOWANCE - WITHDRAWN
690 pending NOTICE OF ALLOWANCE - CANCELLED
692 pending WITHDRAWN BEFORE PUBLICATION
693 pending WITHDRAWN FROM ISSUE-JURISDICTION RESTORED
694 pending WITHDRAWN BEFORE ISSUE
700 registered REGISTERED
701 registered SECTION 8-ACCEPTED
702 registered SECTION 8 & 15-ACCEPTED AND ACKNOWLEDGED
703 registered SECTION 15-ACKNOWLEDGED
704 registered PARTIAL SECTION 8 ACCEPTED
705 registered PARTIAL SECTION 8 & 15 ACCEPTED AND ACKNOWLEDGED
710 ended CANCELLED - SECTION 8
711 ended CANCELLED - SECTION 7
712 ended CANCELLED BY COURT ORDER (SECTION 37)
713 ended CANCELLED - SECTION 18
714 ended CANCELLED - SECTION 24
715 pending CANCELLED - RESTORED TO PENDENCY
716 pending INADVERTENTLY ISSUED REGISTRATION NUMBER CANCELLED
717 registered REGISTERED - AWAITING DIVISIONAL FEE
718 pending REQUEST FOR FIRST EXTENSION - FILED
719 pending REQUEST FOR SECOND EXTENSION - FILED
720 pending REQUEST FOR THIRD EXTENSION - FILED
721 pending REQUEST FOR FOURTH EXTENSION - FILED
722 pending REQUEST FOR FIFTH EXTENSION - FILED
724 pending EXTENSION REQUEST REFUSAL - COUNTED
725 pending EXTENSION REQUEST REFUSAL - MAILED
730 pending FIRST EXTENSION - GRANTED
731 pending SECOND EXTENSION - GRANTED
732 pending THIRD EXTENSION - GRANTED
733 pending FOURTH EXTENSION - GRANTED
734 pending FIFTH EXTENSION - GRANTED
740 registered POST REGISTRATION PAPER FILED - ASSIGNED TO PARA-LEGAL
744 pending STATEMENT OF USE - FILED
745 pending STATEMENT OF USE - INFORMAL-LETTER MAILED
746 pending STATEMENT OF USE - INFORMAL-RESPONSE ENTERED
748 pending STATEMENT OF USE - TO EXAMINER
752 pending SU - EXAMINER STATEMENT COUNTED - NOT MAILED
753 pending SU - EXAMINER STATEMENT - MAILED
756 pending EXAMINER STATEMENT COUNTED - NOT MAILED
757 pending EXAMINER STATEMENT - MAILED
760 pending EX PARTE APPEAL PENDING
762 pending EX PARTE APPEAL TERMINATED
763 pending EX PARTE APPEAL-REFUSAL AFFIRMED
764 pending EX PARTE APPEAL DISMISSED AS MOOT
765 pending CONCURRENT USE PROCEEDING TERMINATED-GRANTED
766 pending CONCURRENT USE PROCEEDING TERMINATED-DENIED
771 pending CONCURRENT USE PROCEEDING PENDING
772 pending INTERFERENCE PROCEEDING PENDING
773 pending EXTENSION OF TIME TO OPPOSE PROCESS - TERMINATED
774 pending OPPOSITION PENDING
775 pending OPPOSITION DISMISSED
777 pending OPPOSITION TERMINATED-SEE TTAB RECORDS
778 registered CANCELLATION DISMISSED
779 ended OPPOSITION SUSTAINED
780 registered CANCELLATION TERMINATED - SEE TTAB RECORDS
790 registered CANCELLATION PENDING
794 pending JURISDICTION RESTORED TO EXAMINING ATTORNEY
800 registered REGISTERED AND RENEWED
801 pending OPPOSITION PAPERS FILED
802 pending REQUEST FOR EXTENSION OF TIME TO FILE OPPOSITION
803 pending AMENDMENT AFTER PUBLICATION
804 pending APPEAL RECEIVED AT TTAB
806 pending SU - NON-FINAL ACTION COUNTED - NOT MAILED
807 pending SU - NON-FINAL ACTION - MAILED
808 pending SU - FINAL REFUSAL COUNTED - NOT MAILED
809 pending SU - FINAL REFUSAL - MAILED
810 pending SU - EXAMINER'S AMENDMENT COUNTED - NOT MAILED
811 pending SU - EXAMINER'S AMENDMENT - MAILED
812 pending SU - ACTION CONTINUING FINAL COUNTED - NOT MAILED
813 pending SU - ACTION CONTINUING FINAL - MAILED
814 pending SU - RESPONSE AFTER NON-FINAL ACTION - ENTERED
815 pending SU - RESPONSE AFTER FINAL REJECTION - ENTERED
816 pending SU - NOTICE OF UNRESPONSIVE AMENDMENT - COUNTED
817 pending SU - NOTICE OF UNRESPONSIVE AMENDMENT - MAILED
818 pending SU - STATEMENT OF USE ACCEPTED - APPROVED FOR REGISTRATION
819 pending SU - REGISTRATION REVIEW COMPLETE
820 pending SU - EXAMINER'S AMENDMENT/PRIORITY ACTION COUNTED NOT MAILED
821 pending SU - EXAMINER'S AMENDMENT/PRIORITY ACTION MAILED
822 pending SU - PRIORITY ACTION COUNTED NOT MAILED
823 pending SU - PRIORITY ACTION MAILED
824 pending SU - SUBSEQUENT FINAL REFUSAL WRITTEN
825 pending SU - SUBSEQUENT FINAL MAILED
900 ended EXPIRED
969 unknown NON REGISTRATION DATA
970 unknown RECORD CREATED DUE TO ASSIGNMENT REQUEST
973 unknown PENDING PETITION/COURT DECISION
"""


def _parse_status_table(table: str) -> dict[str, tuple[Status, str]]:
    out: dict[str, tuple[Status, str]] = {}
    for line in table.strip().splitlines():
        code, status, text = line.split(" ", 2)
        out[code] = (Status(status), text)
    return out


USPTO_STATUS_CODES: Mapping[str, tuple[Status, str]] = _parse_status_table(_USPTO_STATUS_TABLE)
"""USPTO status code -> (common status, USPTO description)."""

# A code the table does not list is decided from the record's description,
# tried in this order: TSDR writes sentences there ("A Sections 8 and 15
# combined declaration has been accepted and acknowledged."), and one that
# says a registration was cancelled has ended.  The daily XML has no
# description, so an unlisted code stays unknown there.
_USPTO_WORDS: tuple[tuple[re.Pattern[str], Status], ...] = (
    (re.compile(r"abandon|cancel|expired|surrender|dead"), Status.ENDED),
    (re.compile(r"regist|renew|section 8|section 15|section 71"), Status.REGISTERED),
    (re.compile(r"applica|opposition|suspen|allowance|publi|examin|statement of use|extension"),
     Status.PENDING),
)


def uspto_status(code: str | None, description: str | None = None) -> tuple[Status, str | None]:
    """A USPTO 3-digit status code as (common status, status text).

    The code is looked up in :data:`USPTO_STATUS_CODES`; a code the table does
    not list is decided from the record's ``description`` (TSDR's
    ``MarkCurrentStatusExternalDescriptionText``), else it is unknown (which
    counts as live).  The text is the record's own description when it has
    one, else the USPTO's description of the code.

    >>> [uspto_status(c)[0].value for c in ("702", "602", "730", "710", "800", "999")]
    ['registered', 'ended', 'pending', 'ended', 'registered', 'unknown']
    >>> uspto_status("800", "The registration has been renewed.")
    (<Status.REGISTERED: 'registered'>, 'The registration has been renewed.')
    >>> uspto_status("999", "Abandoned because no response was filed")
    (<Status.ENDED: 'ended'>, 'Abandoned because no response was filed')
    """
    listed = USPTO_STATUS_CODES.get(code or "")
    if listed is not None:
        status, text = listed
        return status, description or text
    folded = (description or "").lower()
    status = next((s for pattern, s in _USPTO_WORDS if pattern.search(folded)), Status.UNKNOWN)
    return status, description


# --------------------------------------------------------------------------
# EUIPO and TMview status words.

# EUIPO MarkCurrentStatusCode texts (all seen in the open-data samples, plus
# the "Registration ..." endings of the EUIPO eSearch status list) and the
# plain words TMview national feeds use.
_STATUS_TEXT: dict[str, Status] = {
    "registered": Status.REGISTERED,
    "registration cancellation pending": Status.REGISTERED,  # still in force until decided
    "registration renewed": Status.REGISTERED,
    "application filed": Status.PENDING,
    "application under examination": Status.PENDING,
    "application published": Status.PENDING,
    "application opposed": Status.PENDING,
    "appeal pending": Status.PENDING,
    "application withdrawn": Status.ENDED,
    "application refused": Status.ENDED,
    "registration expired": Status.ENDED,
    "registration surrendered": Status.ENDED,
    "registration cancelled": Status.ENDED,
    "expired": Status.ENDED,
    "ended": Status.ENDED,
    "filed": Status.PENDING,
    "pending": Status.PENDING,
}
# Fallback for texts not in the table, tried in this order, each rule before the words it
# would otherwise be taken for (docs/record-format.md: registered means in force, also while a
# renewal or a cancellation is pending; ended means refused, withdrawn, abandoned, cancelled,
# expired):
#   a renewal or a cancellation (revocation, invalidity) pending: the registration stands meanwhile
#       (as USPTO 790 CANCELLATION PENDING), so "pending" must not make it an application;
#   a part ended ("Registration partially cancelled", "Application partially refused"): the mark
#       goes on for its other goods, as a registration or as an application;
#   "not yet registered" is an application; other negations of "registered", "renewed", "in
#       force", "protected" or "valid" ("Registration not renewed", "Non-renewed", "Unregistered",
#       "No longer in force") have ended, and must not read as the word they negate;
#   then the plain words: pending ones, ends, registrations, and "application" alone.
_STATUS_WORDS: tuple[tuple[re.Pattern[str], Status], ...] = (
    (re.compile(r"\b(renewal|cancellation|revocation|invalidity)\b.*\bpending\b"
                r"|\bpending\b.*\b(renewal|cancellation|revocation|invalidity)\b"), Status.REGISTERED),
    (re.compile(r"^(?=.*\bpartial).*(regist|cancel|surrender|revo|invalid|protect)"), Status.REGISTERED),
    (re.compile(r"\bpartial"), Status.PENDING),
    (re.compile(r"\bnot yet\b"), Status.PENDING),
    (re.compile(r"\b(not|non|no longer)[\s-]*(registered|renewed|in force|protected|valid)\b"
                r"|\bun(registered|renewed|protected)\b"), Status.ENDED),
    (re.compile(r"pending|opposed|opposition|examination|published|filed|appeal"), Status.PENDING),
    (
        re.compile(r"withdrawn|refused|rejected|expired|surrendered|cancelled|abandoned"
                   r"|lapsed|revoked|invalid|ceased|ended|dead"),
        Status.ENDED,
    ),
    (re.compile(r"registered|renewed|in force|protected"), Status.REGISTERED),
    (re.compile(r"application"), Status.PENDING),
)


def status_from_text(raw: str | None) -> Status:
    """Map an office's status words (EUIPO, TMview) to :class:`Status`.

    >>> status_from_text("Registration cancellation pending"), status_from_text("Application refused")
    (<Status.REGISTERED: 'registered'>, <Status.ENDED: 'ended'>)
    >>> [status_from_text(t).value for t in ("Registration renewal pending", "Registration not renewed",
    ...                                      "Registration partially cancelled", "Opposition pending")]
    ['registered', 'ended', 'registered', 'pending']
    """
    if not raw:
        return Status.UNKNOWN
    folded = " ".join(raw.lower().split())
    found = _STATUS_TEXT.get(folded)
    if found is not None:
        return found
    return next((s for pattern, s in _STATUS_WORDS if pattern.search(folded)), Status.UNKNOWN)


# --------------------------------------------------------------------------
# Mark features and kinds.

# EUIPO MarkFeature vocabulary (Word, Figurative, 3D shape, Colour, Sound,
# Position, Pattern, Motion, Multimedia, Hologram, Other) and ST.66 spellings.
_FEATURE_TEXT: dict[str, Feature] = {
    "word": Feature.WORD,
    "figurative": Feature.FIGURATIVE,
    "combined": Feature.COMBINED,
    "stylized": Feature.STYLISED,
    "stylised": Feature.STYLISED,
    "3d shape": Feature.SHAPE_3D,
    "3-d": Feature.SHAPE_3D,
    "3d": Feature.SHAPE_3D,
    "shape": Feature.SHAPE_3D,
    "three dimensional": Feature.SHAPE_3D,
    "colour": Feature.COLOUR,
    "color": Feature.COLOUR,
    "sound": Feature.SOUND,
    "position": Feature.POSITION,
    "pattern": Feature.PATTERN,
    "motion": Feature.MOTION,
    "multimedia": Feature.MULTIMEDIA,
    "hologram": Feature.HOLOGRAM,
    "olfactory": Feature.OTHER,
    "other": Feature.OTHER,
}
# USPTO mark drawing texts (ST.66 MarkFeature, ST.96 v1 MarkFeatureCategory),
# matched on their start because wording drifts between USPTO products.
_USPTO_FEATURE_PREFIX: tuple[tuple[str, Feature], ...] = (
    ("TYPESET", Feature.WORD),
    ("STANDARD CHARACTER", Feature.WORD),
    ("DESIGN ONLY", Feature.FIGURATIVE),
    ("DESIGN PLUS", Feature.COMBINED),
    ("STYLIZED", Feature.STYLISED),
    ("WORD(S)/LETTER(S)/NUMBER(S) IN STYLIZED", Feature.STYLISED),
    ("ILLUSTRATION: DRAWING OR DESIGN WITHOUT", Feature.FIGURATIVE),
    ("ILLUSTRATION: DRAWING OR DESIGN WHICH ALSO", Feature.COMBINED),
    ("NO DRAWING", Feature.OTHER),
    ("SOUND", Feature.SOUND),
)
# USPTO mark drawing codes, first digit (daily XML mark-drawing-code "4000",
# TSDR MarkFeatureCode "4"): 1 typed ("typeset") and 4 standard characters
# ("block letters" before November 2003) are both plain words, 2 design only,
# 3 design plus words, 5 stylized words, 6 no drawing (sound, scent).
_USPTO_DRAWING: dict[str, Feature] = {
    "1": Feature.WORD,
    "2": Feature.FIGURATIVE,
    "3": Feature.COMBINED,
    "4": Feature.WORD,
    "5": Feature.STYLISED,
    "6": Feature.OTHER,
}
# A drawing of a three-dimensional shape is still drawn with code 2, 3 or 5;
# only the daily XML's drawing-3d-current-in flag says it is a shape.
_USPTO_DRAWN = frozenset({Feature.FIGURATIVE, Feature.COMBINED, Feature.STYLISED})


def feature_from_text(raw: str | None) -> Feature:
    """Map EUIPO/TMview words and USPTO drawing texts to :class:`Feature`.

    >>> feature_from_text("3D shape"), feature_from_text("DESIGN PLUS WORDS, LETTERS, AND/OR NUMBERS")
    (<Feature.SHAPE_3D: '3d'>, <Feature.COMBINED: 'combined'>)
    """
    if not raw:
        return Feature.UNKNOWN
    found = _FEATURE_TEXT.get(" ".join(raw.lower().split()))
    if found is not None:
        return found
    upper = raw.upper().lstrip()
    return next((f for p, f in _USPTO_FEATURE_PREFIX if upper.startswith(p)), Feature.UNKNOWN)


def uspto_drawing(code: str | None, *, shape_3d: bool = False) -> Feature:
    """USPTO mark drawing code (``1``, ``4000``) to :class:`Feature`; 0 or other codes: unknown.

    ``shape_3d`` is the 3-D flag of the daily XML: a design (2, 3 or 5) drawn
    from a three-dimensional shape is :attr:`Feature.SHAPE_3D`.

    >>> uspto_drawing("4000"), uspto_drawing("4000", shape_3d=True)
    (<Feature.WORD: 'word'>, <Feature.WORD: 'word'>)
    >>> uspto_drawing("3000", shape_3d=True)
    <Feature.SHAPE_3D: '3d'>
    """
    feature = _USPTO_DRAWING.get((code or "").strip()[:1], Feature.UNKNOWN)
    if shape_3d and feature in _USPTO_DRAWN:
        return Feature.SHAPE_3D
    return feature


def kind_from_text(raw: str | None) -> Kind:
    """ST.66 KindMark / ST.96 MarkCategory to :class:`Kind`.

    EUIPO writes ``Individual``, ``Collective``, ``EU Certificate``; USPTO
    ``Trademark, Service Mark``, ``Collective Membership Mark``, ``Certification Mark``.

    >>> kind_from_text("Trademark, Service Mark"), kind_from_text("EU Certificate")
    (<Kind.INDIVIDUAL: 'individual'>, <Kind.CERTIFICATION: 'certification'>)
    """
    folded = (raw or "").lower()
    if "collective" in folded:
        return Kind.COLLECTIVE
    if "certif" in folded or "guarantee" in folded:
        return Kind.CERTIFICATION
    if any(w in folded for w in ("individual", "trademark", "trade mark", "service mark")):
        return Kind.INDIVIDUAL
    return Kind.UNKNOWN
