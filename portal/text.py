"""Reading text as words: normalised, split into tokens that point back into the original, lemmatised.

Shared by screening (keyword hints) and the name gate (communications.names).
The text may be HTML. What a reader sees is what is read:

- tags are dropped and the text around an inline tag is joined (``An<em>na</em>``
  reads ``Anna``), while block-level tags (``</p><p>``, ``<br>``, ``<li>``) separate
  words; attribute values and comments are read too, as separate pieces after
  the visible text, because they leave with the HTML;
- character references are decoded, Unicode is NFKC-normalised, format
  characters (zero-width spaces and joiners, soft hyphens, bidi controls) and
  stray combining marks (stress accents) are dropped;
- within a word mixing Latin and Cyrillic, look-alike letters are folded to the
  word's main script (``Ивaнова`` with a Latin ``a`` reads ``ивановa`` in Cyrillic);
- words are case-folded; each token keeps its offsets in the ORIGINAL text so a
  hit can be shown in context.

Lemmas: pymorphy3 for Russian (and other Cyrillic words, which it guesses),
Snowball for English, French and Spanish. The analyser is built once per
process; per-word results are cached.
"""

import functools
import html
import re
import threading
import unicodedata
from dataclasses import dataclass

import snowballstemmer

# Tags whose boundary separates words as a reader sees them.
BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul", "title", "body", "head", "html", "img", "input", "select", "option", "textarea",
    "button"
})  # fmt: skip
_MARKUP = re.compile(
    r"(?P<comment><!--(?P<inside>.*?)(?:-->|$))"
    r"|(?P<tag></?(?P<name>[A-Za-z][A-Za-z0-9:-]*)(?P<attrs>(?:[^<>\"']|\"[^\"]*\"|'[^']*')*)>)",
    re.DOTALL,
)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_ATTRIBUTE_VALUE = re.compile(r"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s\"'=<>`]+))")
# Attributes that hold markup settings, not words anyone wrote (title, alt, href, id... are read).
_TECHNICAL_ATTRIBUTES = frozenset({
    "class", "style", "dir", "lang", "rel", "target", "type", "width", "height", "align", "valign", "role",
    "colspan", "rowspan", "border", "cellpadding", "cellspacing", "start", "reversed", "scope",
})  # fmt: skip

# Look-alike letters, both cases: Cyrillic -> Latin (the inverse gives Latin -> Cyrillic).
_CYRILLIC_LOOKALIKES = dict(
    zip(
        "аеорсухіјѕԁһԛԝАВЕКМНОРСТУХІЈЅ",
        "aeopcyxijsdhqwABEKMHOPCTYXIJS",
        strict=True,
    )
)
_LATIN_LOOKALIKES = {latin: cyrillic for cyrillic, latin in _CYRILLIC_LOOKALIKES.items()}
# Greek capitals and a few small letters that pass for Latin ones.
_GREEK_LOOKALIKES = dict(zip("ΑΒΕΗΙΚΜΝΟΡΤΥΧΖοαικνρτυχ", "ABEHIKMNOPTYXZoaiknptux", strict=True))

_TOKEN = re.compile(r"[^\W\d_]+(?:['’ʼʻ`‘][^\W\d_]+)*")
APOSTROPHES = "'’ʼʻ`‘"


def is_cyrillic(char: str) -> bool:
    return "\u0400" <= char <= "\u052f"


def is_latin(char: str) -> bool:
    return (char.isascii() and char.isalpha()) or "\u00c0" <= char <= "\u024f" or "\u1e00" <= char <= "\u1eff"


@dataclass(frozen=True)
class Stream:
    """Normalised text (NFKC, not yet case-folded) and, per character, its span in the original."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def span(self, begin: int, end: int) -> tuple[int, int]:
        """The original offsets of stream[begin:end]."""
        return self.starts[begin], self.ends[end - 1]


@dataclass(frozen=True)
class Token:
    """One word. `norm` is folded and case-folded; start/end are offsets in the original text."""

    norm: str
    start: int
    end: int
    shape: str  # "lower", "title", "upper" or "mixed", as written
    index: int  # position in the stream, for sentences

    @property
    def capitalised(self) -> bool:
        return self.shape in ("title", "upper")

    @property
    def cyrillic(self) -> bool:
        return any(is_cyrillic(char) for char in self.norm)


def _invisible(char: str) -> bool:
    category = unicodedata.category(char)
    # Cf: zero-width space/joiners, LRM/RLM, bidi embeddings and isolates, soft hyphen, BOM, word joiner.
    return (
        category == "Cf"
        or category in ("Mn", "Me")
        or "\ufe00" <= char <= "\ufe0f"
        or char in "\u115f\u1160\u3164\uffa0"
    )


# Characters that NFKC leaves as they are and that are never invisible: ASCII and the basic Russian alphabet.
_SIMPLE = re.compile("[\x00-\x7f\u0410-\u044f\u0401\u0451]+")


class _Builder:
    def __init__(self) -> None:
        self.chars: list[str] = []
        self.starts: list[int] = []
        self.ends: list[int] = []

    def separate(self, at: int) -> None:
        if self.chars and self.chars[-1] != "\n":
            self.add("\n", at, at)

    def add(self, chars: str, start: int, end: int) -> None:
        for char in chars:
            self.chars.append(char)
            self.starts.append(start)
            self.ends.append(end)

    def plain(self, text: str, offset: int) -> None:
        """Add plain text: NFKC per base character with its marks; drop what is invisible."""
        i, n = 0, len(text)
        while i < n:
            simple = _SIMPLE.match(text, i)
            if simple:  # characters that read as written, unless a mark follows the last one
                j = simple.end()
                if j < n and unicodedata.category(text[j]) in ("Mn", "Mc", "Me"):
                    j -= 1
                if j > i:
                    self.chars.extend(text[i:j])
                    self.starts.extend(range(offset + i, offset + j))
                    self.ends.extend(range(offset + i + 1, offset + j + 1))
                    i = j
                    continue
            j = i + 1
            while j < n and unicodedata.category(text[j]) in ("Mn", "Mc", "Me"):
                j += 1
            cluster = text[i:j]
            if is_cyrillic(cluster[0]):
                cluster = cluster[0] + cluster[1:].replace("\u0301", "").replace("\u0300", "")  # stress marks
            cluster = unicodedata.normalize("NFKC", cluster)
            kept = "".join(char for char in cluster if not _invisible(char))
            self.add(kept, offset + i, offset + j)
            i = j


def _read_text(built: _Builder, text: str, offset: int) -> None:
    """Text without tags: character references decoded, each to the span of its reference."""
    position = 0
    for match in _ENTITY.finditer(text):
        built.plain(text[position : match.start()], offset + position)
        decoded = _Builder()
        decoded.plain(html.unescape(match.group()), 0)
        built.add("".join(decoded.chars), offset + match.start(), offset + match.end())
        position = match.end()
    built.plain(text[position:], offset + position)


@functools.lru_cache(maxsize=64)
def stream(text: str) -> Stream:
    """The text as read: tags out (inline joined, block separated), references decoded, NFKC, no invisibles.

    The last texts read are kept (a Stream cannot change): each step of a letter (approval, sending, the
    public version, release) reads the same letter again, and reading is much of the name gate's time.
    """
    built = _Builder()
    hidden: list[tuple[int, str]] = []  # attribute values and comments: read after the visible text
    position = 0
    for match in _MARKUP.finditer(text):
        _read_text(built, text[position : match.start()], position)
        position = match.end()
        if match.group("comment"):
            hidden.append((match.start("inside"), match.group("inside")))
            continue
        if match.group("name").lower() in BLOCK_TAGS:
            built.separate(match.start())
        attrs_at = match.start("attrs")
        for value in _ATTRIBUTE_VALUE.finditer(match.group("attrs")):
            if value.group(1).lower() in _TECHNICAL_ATTRIBUTES:
                continue
            group = next(g for g in (2, 3, 4) if value.group(g) is not None)
            hidden.append((attrs_at + value.start(group), value.group(group)))
    _read_text(built, text[position:], position)
    for offset, piece in hidden:
        built.separate(offset)
        _read_text(built, piece, offset)
    return Stream("".join(built.chars), tuple(built.starts), tuple(built.ends))


@functools.lru_cache(maxsize=100_000)
def fold_lookalikes(word: str) -> str:
    """Fold look-alike letters of a word mixing scripts into its main script."""
    word = "".join(_GREEK_LOOKALIKES.get(char, char) for char in word)
    cyrillic = sum(1 for char in word if is_cyrillic(char))
    latin = sum(1 for char in word if is_latin(char))
    if not cyrillic or not latin:
        return word
    own_cyrillic = sum(1 for char in word if is_cyrillic(char) and char not in _CYRILLIC_LOOKALIKES)
    own_latin = sum(1 for char in word if is_latin(char) and char not in _LATIN_LOOKALIKES)
    to_cyrillic = own_cyrillic > own_latin or (own_cyrillic == own_latin and cyrillic >= latin)
    table = _LATIN_LOOKALIKES if to_cyrillic else _CYRILLIC_LOOKALIKES
    return "".join(table.get(char, char) for char in word)


def _shape(word: str) -> str:
    letters = [char for char in word if char.isalpha()]
    if all(char.islower() for char in letters):
        return "lower"
    if len(letters) > 1 and all(char.isupper() for char in letters):
        return "upper"
    if letters[0].isupper() and all(char.islower() for char in letters[1:]):
        return "title"
    return "mixed"


def tokens_of(read: Stream) -> list[Token]:
    return list(_tokens_of(read))


@functools.lru_cache(maxsize=64)
def _tokens_of(read: Stream) -> tuple[Token, ...]:
    found = []
    for match in _TOKEN.finditer(read.text):
        norm, shape = _word(match.group())
        start, end = read.span(match.start(), match.end())
        found.append(Token(norm, start, end, shape, match.start()))
    return tuple(found)


@functools.lru_cache(maxsize=100_000)
def _word(word: str) -> tuple[str, str]:
    """A word as written: folded and case-folded, and its shape."""
    word = fold_lookalikes(word)
    return word.casefold(), _shape(word)


def tokens(text: str) -> list[Token]:
    """The words of `text` (plain or HTML), normalised, with their offsets in `text`."""
    return tokens_of(stream(text))


def normalise(text: str) -> str:
    """The text as read, case-folded, look-alikes folded word by word: for comparing, never for display."""
    read = stream(text)
    return _TOKEN.sub(lambda match: fold_lookalikes(match.group()), read.text).casefold()


# --- Sentences ------------------------------------------------------------------

_ABBREVIATIONS = frozenset({
    "mr", "ms", "mrs", "dr", "st", "no", "art", "para", "paras", "p", "pp", "vol", "e", "g", "i", "etc", "cf",
    "vs", "jr", "sr", "mme", "mlle", "sra", "sres", "dña", "г", "гг", "ст", "см", "т", "е", "др", "им", "ул",
    "д", "кв", "пр", "тел", "г-жа", "г-н", "n"
})  # fmt: skip
# A run of stops is matched from its first stop only, and never given back: otherwise a run of 20,000 full
# stops is tried from each of them (seconds of CPU for one field of a report).
_SENTENCE_END = re.compile(r"(?<![.!?…])[.!?…]++[\"'»”)\]]*+(?=\s)|\n+")


@dataclass(frozen=True)
class Sentence:
    start: int  # offsets in the original text
    end: int
    text: str  # as read: tags out, NFKC


def _word_before(text: str, begin: int, end: int) -> str | None:
    r"""The word before the full stops that end text[begin:end], as `([^\W\d_][\w-]*)\.*$` finds it there: from
    its first letter (not a digit or _) through letters, digits, _ and -. Read backwards from `end`, so that
    sentences that go on after abbreviations ("A. A. A. ...") cost no more than their length."""
    j = end
    while j > begin and text[j - 1] == ".":
        j -= 1
    k = j
    while k > begin and (text[k - 1].isalnum() or text[k - 1] in "_-"):
        k -= 1
    for first in range(k, j):
        if text[first].isalnum() and not text[first].isdecimal():
            return text[first:j]
    return None


def sentences_of(read: Stream) -> list[tuple[int, int]]:
    """Sentence spans in the stream: split after . ! ? … before a space, and at block boundaries."""
    spans, begin = [], 0
    for match in _SENTENCE_END.finditer(read.text):
        if match.group().startswith("."):
            word = _word_before(read.text, begin, match.start() + 1)
            if word and (word.casefold() in _ABBREVIATIONS or len(word) == 1):
                continue  # "Mr.", "ст.", an initial: the sentence goes on
        spans.append((begin, match.end()))
        begin = match.end()
    spans.append((begin, len(read.text)))
    trimmed = []
    for first, last in spans:
        while first < last and read.text[first].isspace():
            first += 1
        while last > first and read.text[last - 1].isspace():
            last -= 1
        if first < last:
            trimmed.append((first, last))
    return trimmed


def sentences(text: str) -> list[Sentence]:
    read = stream(text)
    return [Sentence(*read.span(first, last), read.text[first:last]) for first, last in sentences_of(read)]


# --- Transliteration --------------------------------------------------------------

# Cyrillic as written for Russian, Tajik, Kazakh, Kyrgyz, Uzbek, Turkmen and Ukrainian, in plain Latin.
CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "ғ": "gh", "қ": "q", "ҳ": "h", "ҷ": "j", "ӣ": "i", "ӯ": "u", "ә": "a",
    "ө": "o", "ү": "u", "ұ": "u", "і": "i", "ң": "ng", "ў": "u", "һ": "h", "җ": "j",
}  # fmt: skip
_LATIN_SPECIAL = {
    "ş": "sh", "ș": "sh", "š": "sh", "ç": "ch", "č": "ch", "ž": "zh", "ğ": "gh", "ı": "i", "ə": "a",
    "ä": "a", "ö": "o", "ü": "u", "ý": "y", "ñ": "ng", "ŋ": "ng", "ß": "ss", "œ": "oe", "æ": "ae", "đ": "d",
}  # fmt: skip


def transliterate(text: str) -> str:
    """Cyrillic letters in Latin (lower case), the rest unchanged."""
    return "".join(CYRILLIC_TO_LATIN.get(char, char) for char in unicodedata.normalize("NFKC", text).lower())


def to_ascii(word: str) -> str:
    """A word in plain lower-case Latin letters: Cyrillic transliterated, diacritics and apostrophes dropped."""
    word = "".join(_LATIN_SPECIAL.get(char, char) for char in transliterate(word))
    word = "".join(char for char in unicodedata.normalize("NFKD", word) if not unicodedata.combining(char))
    return "".join(char for char in word if "a" <= char <= "z")


# One sound, many spellings: passport (ICAO), BGN/PCGN, scientific, French and local Latin alphabets.
_SKELETON_FOLDS = [
    (re.compile(r"shch|sch|shh"), "sh"),
    (re.compile(r"tch"), "ch"),
    (re.compile(r"j(?![aeiouy])"), "i"),  # Sergej, Dmitrij: й
    (re.compile(r"dzh|dj|zh"), "j"),
    (re.compile(r"kh"), "h"),
    (re.compile(r"gh"), "g"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"ck|q"), "k"),
    (re.compile(r"ts|tz"), "c"),
    (re.compile(r"sh"), "s"),  # ш, ş, š and s are told apart by few spellers
    (re.compile(r"ch"), "c"),  # ч, ç, č, ц
    (re.compile(r"w"), "v"),
    (re.compile(r"y"), "i"),
    (re.compile(r"^ie"), "e"),  # Yelena, Ielena, Elena
    (re.compile(r"(?<=[aeiou])i(?=[aeiou])"), ""),  # Andreyev, Andreev; Mamadshoyeva, Mamadshoeva
    (re.compile(r"(?<=[^aeiou])io"), "e"),  # Fyodor, Fedor (ё)
    (re.compile(r"ng(?![aeiou])"), "n"),  # ң
    (re.compile(r"(.)\1+"), r"\1"),  # Anna, Ana; Aliyev, Aliiev
]


@functools.lru_cache(maxsize=50_000)
def skeletons(word: str) -> frozenset[str]:
    """Canonical Latin keys of a word's spelling, equal across scripts and transliteration systems.

    A few letters have two readings and give two keys: x (Uzbek х or English ks)
    and a leading j (Julia, Юлия; Jamshid, Джамшид).
    """
    base = word.casefold()
    if len(base) > 2 and base[-1] == "s" and base[-2] in APOSTROPHES:
        base = base[:-2]  # English possessive: Ivanova's
    plains = {to_ascii(base)}
    if "ў" in base:  # Uzbek ў: "u" in Russian spelling, "o'" in Uzbek Latin
        plains.add(to_ascii(base.replace("ў", "о")))
    variants = {plain.replace(x, replacement) for plain in plains for x, replacement in (("x", "h"), ("x", "ks"))}
    variants |= {"i" + variant[1:] for variant in variants if variant.startswith("j")}
    keys = set()
    for variant in variants:
        for pattern, replacement in _SKELETON_FOLDS:
            variant = pattern.sub(replacement, variant)
        if variant:
            keys.add(variant)
    return frozenset(keys)


# --- Lemmas -----------------------------------------------------------------------


@functools.cache
def morph():
    """The Russian morphological analyser: built once per process (it loads its dictionaries)."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


_STEMMER_LANGUAGES = {"en": "english", "fr": "french", "es": "spanish"}


_stemmers = threading.local()


def _stemmer(language: str):
    """This thread's Snowball stemmer for `language`: a stemmer keeps the word it works on in itself, so
    gunicorn's threads cannot share one (they would stem each other's words, or fail)."""
    name = _STEMMER_LANGUAGES.get(language, "english")
    stemmer = getattr(_stemmers, name, None)
    if stemmer is None:
        stemmer = snowballstemmer.stemmer(name)
        setattr(_stemmers, name, stemmer)
    return stemmer


@functools.lru_cache(maxsize=100_000)
def stem(word: str, language: str = "en") -> str:
    """The Snowball stem of a Latin-script word (English, French or Spanish; English otherwise)."""
    return _stemmer(language).stemWord(word.casefold())


@functools.lru_cache(maxsize=100_000)
def parses(word: str) -> tuple:
    """pymorphy3's analyses of a Cyrillic word (known or guessed), most likely first."""
    return tuple(morph().parse(word.casefold()))


@functools.lru_cache(maxsize=100_000)
def lemmas(word: str, language: str = "ru") -> frozenset[str]:
    """The dictionary forms a word may be of: every pymorphy3 normal form for a Cyrillic word
    (ё read as е), the Snowball stem in `language` for a Latin one. The word itself is included."""
    word = word.casefold()
    if any(is_cyrillic(char) for char in word):
        return frozenset({word.replace("ё", "е")} | {parse.normal_form.replace("ё", "е") for parse in parses(word)})
    return frozenset({word, stem(word, language)})


_NAME_TAGS = frozenset({"Name", "Surn", "Patr", "Geox", "Orgn", "Trad", "Abbr", "Init", "Poss"})


@functools.lru_cache(maxsize=100_000)
def is_russian_word(word: str) -> bool:
    """Whether a Cyrillic word is an ordinary Russian word in the dictionary (not only a name or place)."""
    return any(parse.is_known and not (_NAME_TAGS & parse.tag.grammemes) for parse in parses(word))


@functools.cache
def _word_lists() -> frozenset[str]:
    """Lower-case English, French and Spanish words from the lists that ship with xkcdpass.

    Its English list (2of12) writes proper names with a capital, so only the
    lower-case entries, which are ordinary words, are kept.
    """
    from pathlib import Path

    import xkcdpass

    folder = Path(xkcdpass.__file__).parent / "static"
    words: set[str] = set()
    for name in ("legacy", "fr-freelang", "spa-mich"):
        path = folder / name
        if path.exists():
            content = path.read_text(encoding="utf-8", errors="ignore")
            words |= {line.strip() for line in content.splitlines() if line.strip().islower()}
    return frozenset(words)


def is_latin_word(word: str) -> bool:
    """Whether a Latin-script word is an ordinary English, French or Spanish word."""
    return word.casefold() in _word_lists()


def is_ordinary_word(word: str) -> bool:
    """Whether a word is in a dictionary as an ordinary word, not only as a name."""
    if any(is_cyrillic(char) for char in word):
        return is_russian_word(word)
    return is_latin_word(word)
