"""Version numbers of what a register keeps, in a module of its own so that the stores can read
them without importing the text-key code.
"""

from __future__ import annotations

__all__ = ["KEYS_VERSION"]

KEYS_VERSION = 9
"""Which text keys :func:`marksearch.text.mark_keys` computes; raised whenever it gives other keys
for some text, so that a register keyed by an earlier version can say so (``Store.keys_version``;
``marksearch rekey`` brings it up to date).  1: every register made before the number was kept;
2: ``partial`` keys (readings of part of a mark with a goods word); 3: a script part of a mixed mark
inside a word (the Ω of ``Ωmega``) reading fewer than three letters is no longer keyed alone, the
signs ™ and ℠ are dropped (NFKC made them the letters TM and SM), and Greek words get a loan reading
by their modern sounds (Σταρμπάκς: starbaks); 4: a leading article (THE, LA, DER, ...) does not
dominate a mark of several words, and digits are read as letters only in a word with no more digits
than letters (``135º`` and ``B52`` are numbers), and the skeleton reads Cyrillic and Greek letters
drawn like Latin ones as those (СОСА-СОLА: cocacola); a word spelt in two alphabets with such letters
(ΑΡΡLE), and the mark's other words of such letters, are read as the Latin words they show; 5: the sound keys hear runs of one or two digits as English
words, plainly and as puns (7-ELEVEN: seven eleven; 2GETHER: two gether, together; 1ST: first), folding
reads a ``$`` or ``€`` beside a letter as the letter (CA$H: cash) and a heart as *love*, and drops a
combining mark that follows no letter (the variation selector of ❤️ was a word of its own), and a Latin
word with German umlauts is also heard as their transliteration (GÖTHE: goethe); 6: the plain key
writes katakana as hiragana (トウキョウ and とうきょう are spelt alike) and traditional Chinese characters
as simplified (可口可樂 and 可口可乐), a Han character pypinyin has
no reading for is left unread (𠮷 read as the digit 5), and Arabic and Hebrew words get a loan reading
with their vowel letters read (كوكا كولا: koka kola); 7: Arabic and Hebrew vowel points are dropped
and ё is written е (تُويُوتَا is spelt as تويوتا), a geresh stays on its Hebrew letter (ג׳יפ), and legal
forms that are also everyday words (ME, AS, EV, SPA, ...) end a mark as legal forms only when spelt
as letters apart (KISS ME sounded exactly like KISS); Cyrillic words get a loan reading (ДЖИП: jip,
ХАЙНЦ: hainz), the Japanese loan reading keeps the u before ン and ッ (サムスン: samsun, グッチ: gucci) and
reads シ si (ペプシ: pepsi), and Hebrew pe and Arabic jeem are also read f and g (פורד: ford, جوجل:
gogl), a geresh makes gimel j (ג׳יפ: jip), and Korean is also read the Western way, ㅍ as f and 아이 as the English long i (포드: fod, 나이키: niki);
8: Korean's Western reading has a second form with ㅂ read v as well (볼보: bolbo and volvo);
9: an N between two single letters is a letter of an acronym spelt out, not the "and" of ROCK N ROLL
(T.N.T.: tnt, S O N Y: sony), and the Arabic tatweel is dropped (نايـك is spelt as نايك); Persian keheh
and farsi yeh, alef maksura and alefs with a hamza or madda are spelt as the plain Arabic letters (کیا:
كيا, أحمد: احمد), digits of every script as ASCII digits (٧: 7), and a closing + is said "plus"
(DISNEY+: disney plus)."""
