"""Names as letters write them, for the name gate's tests and its false-alarm bench.

Written independently of communications.names: Russian forms come from
pymorphy3's inflect, Central Asian forms from the suffix rules below, and the
transliterations from the published tables (passport/ICAO, BGN/PCGN, Uzbek and
Kazakh Latin), so a test does not check the gate against itself.
"""

import importlib
import random
from dataclasses import dataclass

from portal.text import morph

CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")

# (first names, women; first names, men; surname stems that take -ов/-ова or -ев/-ева)
POOLS = {
    "russian": (
        ["Анна", "Мария", "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Юлия", "Екатерина"],
        ["Сергей", "Алексей", "Дмитрий", "Андрей", "Игорь", "Николай", "Михаил", "Павел", "Иван", "Владимир"],
        ["Иванов", "Смирнов", "Кузнецов", "Соколов", "Лебедев", "Новиков", "Волков", "Васильев", "Зайцев",
         "Павлов", "Семёнов", "Голубев", "Виноградов", "Богданов", "Фёдоров", "Михайлов", "Тарасов", "Комаров",
         "Макаров", "Андреев", "Ковалёв", "Ильин", "Гусев", "Титов", "Баранов", "Куликов", "Степанов", "Сорокин"],
    ),
    "kazakh": (
        ["Айгерим", "Гульнара", "Жанар", "Салтанат", "Асель", "Айжан", "Динара", "Мадина"],
        ["Нурлан", "Ерлан", "Бауыржан", "Асхат", "Ержан", "Данияр", "Серик", "Бекжан"],
        ["Нурланов", "Ахметов", "Жумабаев", "Сапаров", "Тулегенов", "Касымов", "Байжанов", "Омаров"],
    ),
    "kyrgyz": (
        ["Чолпон", "Айпери", "Нургуль", "Жылдыз", "Бермет", "Асыл"],
        ["Бакыт", "Азамат", "Эрмек", "Улан", "Нурбек", "Темирлан"],
        ["Бакиев", "Осмонов", "Жапаров", "Сатыбалдиев", "Токтогулов", "Исаков"],
    ),
    "tajik": (
        ["Ульфатхоним", "Фарзона", "Мехрангез", "Зарина", "Шахноза", "Гулчехра"],
        ["Фаридун", "Шохрух", "Рустам", "Джамшед", "Бахтовар", "Далер"],
        ["Мамадшоев", "Рахимов", "Саидов", "Шарипов", "Назаров", "Холов"],
    ),
    "uzbek": (
        ["Дилноза", "Гулнора", "Нигора", "Феруза", "Мохира", "Севара"],
        ["Азимжан", "Бахтиёр", "Улугбек", "Шухрат", "Жахонгир", "Отабек"],
        ["Аскаров", "Юсупов", "Каримов", "Турсунов", "Хамраев", "Эргашев"],
    ),
}  # fmt: skip
ENGLISH = (
    ["Margaret", "Eleanor", "Harriet", "Abigail", "Philippa", "Rosalind"],
    ["Jonathan", "Nathaniel", "Bartholomew", "Reginald", "Cornelius", "Percival"],
    ["Thornton", "Whitaker", "Hargreaves", "Pemberton", "Fairweather", "Ashcombe"],
)


@dataclass(frozen=True)
class Person:
    culture: str
    gender: str  # "femn" or "masc"
    first: str
    surname: str  # as a whole word, or "Асан уулу" (two words)
    patronymic: str = ""

    @property
    def full(self) -> str:
        return " ".join(part for part in (self.first, self.patronymic, self.surname) if part)


def _ova(stem: str, gender: str) -> str:
    return stem + "а" if gender == "femn" else stem


def person(rng: random.Random, culture: str, gender: str) -> Person:
    """A person of `culture` ("russian", "kazakh", "kyrgyz", "tajik", "uzbek", "english")."""
    women, men, stems = ENGLISH if culture == "english" else POOLS[culture]
    first = rng.choice(women if gender == "femn" else men)
    stem = rng.choice(stems)
    patronymic = ""
    surname = _ova(stem, gender) if culture != "english" else stem
    style = rng.random()
    if culture == "kazakh" and style < 0.3:
        father = rng.choice(POOLS["kazakh"][1])
        surname = father + ("қызы" if gender == "femn" else "ұлы")
    elif culture == "kyrgyz" and style < 0.3:
        father = rng.choice(POOLS["kyrgyz"][1])
        surname = father + (" кызы" if gender == "femn" else " уулу")
    elif culture == "tajik" and style < 0.3:
        father = rng.choice(POOLS["tajik"][1])
        surname = father + "зода"
    elif culture in ("russian", "kazakh", "uzbek") and style > 0.7:
        father = rng.choice(POOLS[culture][1])
        patronymic = father + ("овна" if gender == "femn" else "ович")
        if father.endswith("й"):
            patronymic = father[:-1] + ("евна" if gender == "femn" else "евич")
    return Person(culture, gender, first, surname, patronymic)


# --- Grammatical forms in a Russian sentence -------------------------------------------


def _pymorphy(word: str, case: str, tag: str, gender: str) -> str | None:
    for parse in morph().parse(word.lower()):
        if tag in parse.tag and "nomn" in parse.tag and (parse.tag.gender == gender or "Fixd" in parse.tag):
            form = parse.inflect({case, "sing"})
            if form:
                return form.word
    return None


def _by_rule(word: str, case: str, gender: str) -> str:
    """Russian declension of a Central Asian name, by its ending."""
    lower = word.lower()
    if lower.endswith(("ұлы", "қызы", "уулу", "кызы", "заде")) or lower[-1] in "оеиую":
        return lower
    if lower.endswith(("ов", "ев", "ин")) and gender == "masc":
        return lower + {"nomn": "", "gent": "а", "datv": "у", "accs": "а", "ablt": "ым", "loct": "е"}[case]
    if lower.endswith(("ова", "ева", "ина")):
        return lower[:-1] + {"nomn": "а", "gent": "ой", "datv": "ой", "accs": "у", "ablt": "ой", "loct": "ой"}[case]
    if lower.endswith(("овна", "евна")):
        return lower[:-1] + {"nomn": "а", "gent": "ы", "datv": "е", "accs": "у", "ablt": "ой", "loct": "е"}[case]
    if lower.endswith(("ович", "евич")):
        return lower + {"nomn": "", "gent": "а", "datv": "у", "accs": "а", "ablt": "ем", "loct": "е"}[case]
    if lower.endswith("а"):  # a-stems, men's and women's, and -зода
        hard = "и" if lower[-2] in "кгхжшчщ" else "ы"
        return lower[:-1] + {"nomn": "а", "gent": hard, "datv": "е", "accs": "у", "ablt": "ой", "loct": "е"}[case]
    if gender == "femn":  # Айгерим, Жанар, Нургуль: a woman's name on a consonant does not decline
        return lower
    return lower + {"nomn": "", "gent": "а", "datv": "у", "accs": "а", "ablt": "ом", "loct": "е"}[case]


def inflect(word: str, case: str, gender: str, kind: str) -> str:
    """One name part in `case`: pymorphy3's inflect where it knows the name, else the suffix rules."""
    tag = {"first": "Name", "surname": "Surn", "patronymic": "Patr"}[kind]
    form = _pymorphy(word, case, tag, gender) or _by_rule(word, case, gender)
    return form[:1].upper() + form[1:]


def forms(person: Person, case: str) -> str:
    """The full name in a Russian sentence, in `case`."""
    parts = [inflect(person.first, case, person.gender, "first")]
    if person.patronymic:
        parts.append(inflect(person.patronymic, case, person.gender, "patronymic"))
    for word in person.surname.split():
        parts.append(word if word in ("уулу", "кызы") else inflect(word, case, person.gender, "surname"))
    return " ".join(parts)


# --- Transliteration, as passports, the press and local Latin alphabets write it ---------------

_COMMON = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "з": "z", "и": "i", "к": "k", "л": "l", "м": "m",
    "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "ъ": "", "ь": "",
    "э": "e", "ы": "y", "ғ": "gh", "қ": "q", "ҳ": "h", "ҷ": "j", "ӣ": "i", "ӯ": "u", "ә": "a", "ө": "o",
    "ү": "u", "ұ": "u", "і": "i", "ң": "ng", "ў": "u",
}  # fmt: skip
SYSTEMS = {
    # ICAO 9303 (passports since 2013)
    "passport": {**_COMMON, "е": "e", "ё": "e", "ж": "zh", "й": "i", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
                 "щ": "shch", "ю": "iu", "я": "ia", "ъ": "ie"},
    # BGN/PCGN, the press
    "bgn": {**_COMMON, "е": "e", "ё": "yo", "ж": "zh", "й": "y", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
            "щ": "shch", "ю": "yu", "я": "ya"},
    # Older passports and French-free Latin: й as j, х as h
    "simple": {**_COMMON, "е": "e", "ё": "e", "ж": "zh", "й": "j", "х": "h", "ц": "c", "ч": "ch", "ш": "sh",
               "щ": "sch", "ю": "yu", "я": "ya"},
    # Uzbek Latin (1995)
    "uzbek": {**_COMMON, "е": "e", "ё": "yo", "ж": "j", "й": "y", "х": "x", "ц": "ts", "ч": "ch", "ш": "sh",
              "щ": "sh", "ю": "yu", "я": "ya", "ғ": "g'", "ў": "o'"},
    # Kazakh Latin (2021)
    "kazakh": {**_COMMON, "е": "e", "ё": "io", "ж": "j", "й": "i", "х": "h", "ц": "ts", "ч": "ch", "ш": "ş",
               "щ": "şş", "ю": "iu", "я": "ia", "ы": "y", "ұ": "ū", "ү": "ü", "ә": "ä", "ө": "ö", "ғ": "ğ",
               "ң": "ñ", "і": "ı"},
}  # fmt: skip


def transliterate(text: str, system: str) -> str:
    table = SYSTEMS[system]
    out = []
    for i, char in enumerate(text):
        lower = char.lower()
        latin = table.get(lower, lower)
        if system == "bgn" and lower == "е" and (i == 0 or text[i - 1].lower() in "аеёиоуыэюяь "):
            latin = "ye"
        if char.isupper() and latin:
            latin = latin[0].upper() + latin[1:]
        out.append(latin)
    return "".join(out)


# --- Formatting tricks ---------------------------------------------------------------------------

ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u200e", "\u202a", "\u2066"]
_TO_CYRILLIC = dict(zip("aeopcxyAEOPCXTHBMK", "аеорсхуАЕОРСХТНВМК", strict=True))
_TO_LATIN = {cyrillic: latin for latin, cyrillic in _TO_CYRILLIC.items()}


def disguise(name: str, rng: random.Random) -> str:
    """The name with tags inside words, zero-width characters and look-alike letters of the other script."""
    out = []
    for char in name:
        roll = rng.random()
        if roll < 0.15:
            char = _TO_CYRILLIC.get(char, _TO_LATIN.get(char, char))
        out.append(char)
        if char.isalpha() and roll > 0.9:
            out.append(rng.choice(ZERO_WIDTH))
    word = "".join(out)
    if len(word) > 3 and rng.random() < 0.5:
        cut = rng.randrange(1, len(word) - 1)
        tag = rng.choice(["em", "strong", "span", "b", "i"])
        word = f"{word[:cut]}<{tag}>{word[cut:]}</{tag}>"
    return word


# --- The letter libraries (migrations 0002 and 0003) -----------------------------------------------


def library_texts() -> list[str]:
    """Every text of the seeded letter libraries: mandates, norm paragraphs and titles, template parts."""
    english = importlib.import_module("communications.migrations.0002_seed_libraries")
    others = importlib.import_module("communications.migrations.0003_seed_libraries_fr_es_ru")
    texts = list(english.MANDATES)
    texts += [piece for _code, title, _topics, text in english.NORMS_EN for piece in (title, text)]
    texts += [part for parts in english.TEMPLATES_EN.values() for part in parts.values()]
    texts += [piece for norms in others.NORMS.values() for pair in norms.values() for piece in pair]
    texts += [part for kinds in others.TEMPLATES.values() for parts in kinds.values() for part in parts.values()]
    return texts


def library(language: str) -> tuple[dict, list[str]]:
    """(templates by kind, norm texts) of one language."""
    english = importlib.import_module("communications.migrations.0002_seed_libraries")
    others = importlib.import_module("communications.migrations.0003_seed_libraries_fr_es_ru")
    if language == "en":
        return english.TEMPLATES_EN, [text for *_rest, text in english.NORMS_EN]
    return others.TEMPLATES[language], [text for _title, text in others.NORMS[language].values()]


FACTS = {
    "en": [
        "On 3 October 2026, {name} was detained by police officers in Osh after a press conference.",
        "{name}, a lawyer who defends journalists, received death threats by telephone.",
        "Officers searched the office of {name} and seized computers and documents.",
        "The court sentenced {name} to seven years in a penal colony on charges of extremism.",
        "The family of {name} has not been told where {name} is held.",
    ],
    "ru": [
        "3 октября 2026 года {name} был задержан сотрудниками полиции в Оше после пресс-конференции.",
        "Угрозы в адрес {name} поступали по телефону и в социальных сетях.",
        "Сотрудники полиции провели обыск в офисе, которым руководит {name}, и изъяли компьютеры.",
        "Суд приговорил {name} к семи годам лишения свободы по обвинению в экстремизме.",
        "Родственникам не сообщают, где содержится {name}.",
    ],
}


def letter(rng: random.Random, language: str, people: list[Person]) -> str:
    """A letter drafted from the library, its facts naming `people` (in the forms Russian needs)."""
    templates, norms = library(language)
    parts = templates[rng.choice(sorted(templates))]
    facts = []
    for someone in people:
        sentence = rng.choice(FACTS[language])
        if language == "ru":
            named = forms(someone, rng.choice(CASES))
        else:
            named = someone.full if someone.culture == "english" else transliterate(someone.full, "passport")
        facts.append(sentence.format(name=named))
    body = [
        parts["opening"].format(mandates="Special Rapporteur on the situation of human rights defenders"),
        parts["facts_intro"],
        *facts,
        parts["concerns"],
        parts["norms_intro"],
        *rng.sample(norms, 3),
        parts["questions"],
        parts["closing"],
    ]
    return "\n\n".join(f"<p>{paragraph}</p>" for paragraph in body)


# --- Kazakh and Kyrgyz case endings, from the grammars' tables -----------------------------------------
#
# The ending's vowel follows the last vowel of the name (Kazakh: back а о ұ ы or front ә ө ү і е; Kyrgyz:
# а/ы, о/у, е/и, ө/ү), its first consonant the last sound of the name. Written as the grammars give them,
# table by table, not from communications.names.

TURKIC_CASES = ("gent", "datv", "accs", "loct", "ablt", "ins")
KAZAKH_FIRST = ["Айгерім", "Әсел", "Гүлнар", "Мөлдір", "Ләззат", "Ақмарал", "Жанар", "Салтанат", "Ерболат",
                "Нұрсұлтан", "Дәурен", "Бауыржан", "Қайрат", "Асқар", "Серік", "Талғат", "Ержан", "Мұрат"]  # fmt: skip
KYRGYZ_FIRST = ["Айгерим", "Чолпон", "Бермет", "Нургүл", "Жылдыз", "Алтынай", "Бүбүсара", "Айпери", "Азамат",
                "Бакыт", "Эрмек", "Темирлан", "Өмүрбек", "Улан", "Нурбек", "Талант", "Жоомарт", "Үсөн"]  # fmt: skip

_KAZAKH_BACK, _KAZAKH_FRONT = "аоұы", "әөүіе"
# Case -> the ending after (a vowel, м н ң, л р й у ж з, a voiceless consonant), as (back, front).
_KAZAKH_TABLE = {
    "gent": (("ның", "нің"), ("ның", "нің"), ("дың", "дің"), ("тың", "тің")),
    "datv": (("ға", "ге"), ("ға", "ге"), ("ға", "ге"), ("қа", "ке")),
    "accs": (("ны", "ні"), ("ды", "ді"), ("ды", "ді"), ("ты", "ті")),
    "loct": (("да", "де"), ("да", "де"), ("да", "де"), ("та", "те")),
    "ablt": (("дан", "ден"), ("нан", "нен"), ("дан", "ден"), ("тан", "тен")),
    "ins": (("мен", "мен"), ("мен", "мен"), ("мен", "мен"), ("пен", "пен")),
}
_KYRGYZ_GROUPS = {"а": 0, "ы": 0, "о": 1, "у": 1, "е": 2, "и": 2, "ө": 3, "ү": 3}
# Case -> the ending after (a vowel, a voiced consonant, a voiceless one), for each of the four groups.
_KYRGYZ_TABLE = {
    "gent": (("нын", "нун", "нин", "нүн"), ("дын", "дун", "дин", "дүн"), ("тын", "тун", "тин", "түн")),
    "datv": (("га", "го", "ге", "гө"), ("га", "го", "ге", "гө"), ("ка", "ко", "ке", "кө")),
    "accs": (("ны", "ну", "ни", "нү"), ("ды", "ду", "ди", "дү"), ("ты", "ту", "ти", "тү")),
    "loct": (("да", "до", "де", "дө"), ("да", "до", "де", "дө"), ("та", "то", "те", "тө")),
    "ablt": (("дан", "дон", "ден", "дөн"), ("дан", "дон", "ден", "дөн"), ("тан", "тон", "тен", "төн")),
}
_VOICELESS_AT_END = "кқпстфхцчшщбвгғд"


def kazakh_case(name: str, case: str) -> str:
    lower = name.lower()
    front = next(char in _KAZAKH_FRONT for char in reversed(lower) if char in _KAZAKH_BACK + _KAZAKH_FRONT + "и")
    last = lower[-1]
    column = 0 if last in "аәеиоөұүыіэюя" else 1 if last in "мнң" else 3 if last in _VOICELESS_AT_END else 2
    ending = _KAZAKH_TABLE[case][column][front]
    if case == "ins" and last in "жз":
        ending = "бен"
    return name + ending


def kyrgyz_case(name: str, case: str) -> str:
    if case == "ins":
        return name + " менен"  # a word of its own in Kyrgyz
    lower = name.lower()
    group = next(_KYRGYZ_GROUPS[char] for char in reversed(lower) if char in _KYRGYZ_GROUPS)
    last = lower[-1]
    column = 0 if last in "аеиоөуүыэюя" else 2 if last in _VOICELESS_AT_END else 1
    return name + _KYRGYZ_TABLE[case][column][group]


TURKIC_SENTENCES = {
    "kk": ["2026 жылғы 3 қазанда полиция {name} қатысты іс қозғады.", "Сот {name} қатысты шешім шығарды."],
    "ky": ["2026-жылы 3-октябрда милиция {name} кармады.", "Сот {name} тууралуу чечим чыгарды."],
}
