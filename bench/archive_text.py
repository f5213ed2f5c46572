# ruff: noqa: E501 (tables of words and sentences, one entry a line)
"""Fictional letters for bench/archive.py: facts in English or Russian from a vocabulary of a few hundred words.

Every letter of the public archive has the same parts: the fixed text of its
template (kind and language), the facts of the case, the norms that apply
and the questions. The template and norm paragraphs come from the portal's own
libraries (bench/seed_archive.py); this module writes the facts, the summary
and the other varied columns of one record, so that a search term matches a
realistic share of the archive: words of the boilerplate match every letter
in a language, professions and violations a few per cent to a third, charges,
organisations and cities a fraction of a per cent to a few per cent.

Names, places and organisations are invented or generic. Nothing here touches
the database.
"""

import random
from datetime import date, timedelta
from html import escape, unescape

from communications.names import WITHHELD

# --- Recipients -------------------------------------------------------------------
# (alpha-3, name, weight, cities); Russian letters go to the first group only.
RUSSIAN_SPEAKING = [
    ("TJK", "Tajikistan", 9, [("Dushanbe", "Душанбе"), ("Khujand", "Худжанд"), ("Khorog", "Хорог"), ("Kulob", "Куляб")]),
    ("KAZ", "Kazakhstan", 8, [("Almaty", "Алматы"), ("Astana", "Астана"), ("Zhanaozen", "Жанаозен"), ("Shymkent", "Шымкент")]),
    ("KGZ", "Kyrgyzstan", 7, [("Bishkek", "Бишкек"), ("Osh", "Ош"), ("Jalal-Abad", "Джалал-Абад"), ("Karakol", "Каракол")]),
    ("UZB", "Uzbekistan", 7, [("Tashkent", "Ташкент"), ("Nukus", "Нукус"), ("Samarkand", "Самарканд"), ("Andijan", "Андижан")]),
    ("TKM", "Turkmenistan", 3, [("Ashgabat", "Ашхабад"), ("Turkmenabat", "Туркменабат"), ("Dashoguz", "Дашогуз")]),
    ("RUS", "Russian Federation", 10, [("Moscow", "Москва"), ("Grozny", "Грозный"), ("Kazan", "Казань"), ("Novosibirsk", "Новосибирск"), ("Krasnodar", "Краснодар")]),
    ("BLR", "Belarus", 7, [("Minsk", "Минск"), ("Gomel", "Гомель"), ("Grodno", "Гродно"), ("Brest", "Брест")]),
    ("AZE", "Azerbaijan", 5, [("Baku", "Баку"), ("Ganja", "Гянджа"), ("Sumgait", "Сумгаит")]),
    ("ARM", "Armenia", 2, [("Yerevan", "Ереван"), ("Gyumri", "Гюмри")]),
    ("MDA", "Republic of Moldova", 2, [("Chisinau", "Кишинёв"), ("Tiraspol", "Тирасполь")]),
]  # fmt: skip
OTHER_STATES = [
    ("CHN", "China", 6, ["Beijing", "Urumqi", "Lhasa", "Guangzhou"]), ("IND", "India", 6, ["New Delhi", "Mumbai", "Srinagar", "Bhima Koregaon"]),
    ("PAK", "Pakistan", 3, ["Islamabad", "Lahore", "Quetta"]), ("BGD", "Bangladesh", 3, ["Dhaka", "Chittagong"]),
    ("LKA", "Sri Lanka", 2, ["Colombo", "Jaffna"]), ("NPL", "Nepal", 1, ["Kathmandu"]), ("MMR", "Myanmar", 4, ["Yangon", "Mandalay", "Sittwe"]),
    ("THA", "Thailand", 3, ["Bangkok", "Chiang Mai"]), ("KHM", "Cambodia", 3, ["Phnom Penh", "Siem Reap"]), ("VNM", "Viet Nam", 3, ["Hanoi", "Ho Chi Minh City"]),
    ("LAO", "Lao People's Democratic Republic", 1, ["Vientiane"]), ("PHL", "Philippines", 5, ["Manila", "Davao", "Negros"]), ("IDN", "Indonesia", 3, ["Jakarta", "Jayapura"]),
    ("MYS", "Malaysia", 2, ["Kuala Lumpur"]), ("SGP", "Singapore", 1, ["Singapore"]), ("KOR", "Republic of Korea", 1, ["Seoul"]),
    ("IRN", "Iran (Islamic Republic of)", 6, ["Tehran", "Mashhad", "Zahedan", "Sanandaj"]), ("IRQ", "Iraq", 3, ["Baghdad", "Basra", "Erbil"]),
    ("SYR", "Syrian Arab Republic", 2, ["Damascus", "Aleppo"]), ("SAU", "Saudi Arabia", 4, ["Riyadh", "Jeddah"]), ("ARE", "United Arab Emirates", 3, ["Abu Dhabi", "Dubai"]),
    ("BHR", "Bahrain", 3, ["Manama"]), ("QAT", "Qatar", 1, ["Doha"]), ("KWT", "Kuwait", 1, ["Kuwait City"]), ("OMN", "Oman", 1, ["Muscat"]),
    ("YEM", "Yemen", 2, ["Sana'a", "Aden"]), ("JOR", "Jordan", 2, ["Amman"]), ("LBN", "Lebanon", 1, ["Beirut"]), ("ISR", "Israel", 3, ["Jerusalem", "Hebron"]),
    ("EGY", "Egypt", 6, ["Cairo", "Alexandria", "Aswan"]), ("LBY", "Libya", 2, ["Tripoli", "Benghazi"]), ("TUN", "Tunisia", 3, ["Tunis", "Sfax"]),
    ("DZA", "Algeria", 3, ["Algiers", "Oran"]), ("MAR", "Morocco", 3, ["Rabat", "Laayoune"]), ("SDN", "Sudan", 3, ["Khartoum", "El Fasher"]),
    ("SSD", "South Sudan", 1, ["Juba"]), ("ETH", "Ethiopia", 2, ["Addis Ababa", "Mekelle"]), ("ERI", "Eritrea", 1, ["Asmara"]),
    ("KEN", "Kenya", 3, ["Nairobi", "Mombasa"]), ("UGA", "Uganda", 3, ["Kampala", "Gulu"]), ("TZA", "United Republic of Tanzania", 2, ["Dar es Salaam", "Arusha"]),
    ("RWA", "Rwanda", 1, ["Kigali"]), ("BDI", "Burundi", 2, ["Bujumbura", "Gitega"]), ("COD", "Democratic Republic of the Congo", 4, ["Kinshasa", "Goma", "Bukavu"]),
    ("CMR", "Cameroon", 2, ["Yaounde", "Bamenda"]), ("NGA", "Nigeria", 3, ["Lagos", "Abuja", "Port Harcourt"]), ("NER", "Niger", 1, ["Niamey"]),
    ("MLI", "Mali", 1, ["Bamako"]), ("BFA", "Burkina Faso", 1, ["Ouagadougou"]), ("SEN", "Senegal", 1, ["Dakar"]), ("GIN", "Guinea", 2, ["Conakry"]),
    ("TCD", "Chad", 1, ["N'Djamena"]), ("ZWE", "Zimbabwe", 3, ["Harare", "Bulawayo"]), ("ZMB", "Zambia", 1, ["Lusaka"]), ("MOZ", "Mozambique", 1, ["Maputo", "Cabo Delgado"]),
    ("ZAF", "South Africa", 2, ["Johannesburg", "Durban"]), ("SWZ", "Eswatini", 1, ["Mbabane"]), ("TUR", "Turkiye", 5, ["Istanbul", "Ankara", "Diyarbakir"]),
    ("HUN", "Hungary", 1, ["Budapest"]), ("POL", "Poland", 1, ["Warsaw"]), ("SRB", "Serbia", 1, ["Belgrade"]), ("GRC", "Greece", 1, ["Lesbos", "Athens"]),
    ("GBR", "United Kingdom of Great Britain and Northern Ireland", 2, ["London"]), ("FRA", "France", 1, ["Paris", "Calais"]), ("ITA", "Italy", 1, ["Rome", "Lampedusa"]),
    ("ESP", "Spain", 1, ["Madrid", "Melilla"]), ("UKR", "Ukraine", 2, ["Kyiv", "Kharkiv"]), ("GEO", "Georgia", 2, ["Tbilisi", "Batumi"]),
    ("USA", "United States of America", 2, ["Washington", "Standing Rock"]), ("MEX", "Mexico", 6, ["Mexico City", "Oaxaca", "Chihuahua", "Guerrero"]),
    ("GTM", "Guatemala", 4, ["Guatemala City", "Huehuetenango"]), ("HND", "Honduras", 4, ["Tegucigalpa", "La Esperanza"]), ("SLV", "El Salvador", 2, ["San Salvador"]),
    ("NIC", "Nicaragua", 4, ["Managua", "Masaya"]), ("CRI", "Costa Rica", 1, ["San Jose"]), ("PAN", "Panama", 1, ["Panama City"]), ("CUB", "Cuba", 3, ["Havana", "Santiago de Cuba"]),
    ("HTI", "Haiti", 1, ["Port-au-Prince"]), ("COL", "Colombia", 7, ["Bogota", "Cauca", "Medellin", "Putumayo"]), ("VEN", "Venezuela (Bolivarian Republic of)", 4, ["Caracas", "Maracaibo"]),
    ("ECU", "Ecuador", 2, ["Quito", "Sarayaku"]), ("PER", "Peru", 3, ["Lima", "Cajamarca"]), ("BOL", "Bolivia (Plurinational State of)", 1, ["La Paz"]),
    ("BRA", "Brazil", 6, ["Sao Paulo", "Rio de Janeiro", "Para", "Maranhao"]), ("PRY", "Paraguay", 1, ["Asuncion"]), ("CHL", "Chile", 1, ["Santiago", "Araucania"]),
    ("ARG", "Argentina", 1, ["Buenos Aires"]), ("AUS", "Australia", 1, ["Canberra"]), ("PNG", "Papua New Guinea", 1, ["Port Moresby"]), ("FJI", "Fiji", 1, ["Suva"]),
]  # fmt: skip
COMPANIES = [
    "Northern Ridge Mining Corporation", "Atlas Hydropower Ltd", "Green Valley Palm Oil Plc", "Transcontinental Pipeline Company",
    "Silverline Telecom", "Meridian Cotton Holdings", "Blue Delta Petroleum", "Andes Copper Resources",
]  # fmt: skip

# --- People ---------------------------------------------------------------------
# (English, Russian, the norms' work-area topic, themes it implies)
PROFESSIONS = [
    ("journalist", "журналист", "journalism", ()), ("investigative journalist", "журналист-расследователь", "journalism", ("anti_corruption",)),
    ("blogger", "блогер", "journalism", ("online_attacks",)), ("human rights lawyer", "адвокат", "legal", ()),
    ("trade union leader", "профсоюзный лидер", "civil_political", ()), ("environmental activist", "экологический активист", "environment", ("land_environment",)),
    ("indigenous leader", "лидер коренного народа", "environment", ("land_environment",)), ("land rights defender", "защитник земельных прав", "environment", ("land_environment",)),
    ("women's rights activist", "активистка за права женщин", "women", ("women",)), ("LGBTI activist", "ЛГБТИ-активист", "civil_political", ("lgbti",)),
    ("anti-corruption campaigner", "антикоррупционный активист", "civil_political", ("anti_corruption",)), ("student activist", "студент-активист", "civil_political", ()),
    ("doctor", "врач", "other", ()), ("teacher", "учитель", "other", ()), ("poet", "поэт", "journalism", ()), ("researcher", "исследователь", "other", ()),
    ("election observer", "наблюдатель на выборах", "civil_political", ()), ("director of a human rights organisation", "руководитель правозащитной организации", "civil_political", ()),
    ("community leader", "общественный лидер", "civil_political", ("remote",)), ("defender of the rights of migrants", "защитник прав мигрантов", "civil_political", ("migrants",)),
    ("disability rights activist", "активист движения за права людей с инвалидностью", "civil_political", ("disability",)),
    ("photographer", "фотограф", "journalism", ()), ("human rights monitor", "правозащитник-мониторщик", "civil_political", ()),
]  # fmt: skip
FIRST_NAMES = ["Aigul", "Dilnoza", "Nargiza", "Zarina", "Malika", "Elena", "Olga", "Farida", "Maria", "Ana", "Fatima", "Leila",
               "Timur", "Rustam", "Bakhrom", "Azamat", "Sergei", "Ivan", "Farrukh", "Juan", "Carlos", "Ahmed", "Omar", "Daniel"]  # fmt: skip
LAST_INITIALS = "ABDGIKMNORSTUVYZ"
ORGANISATIONS = [
    ("Legal Aid Centre", "Центр правовой помощи"), ("Human Rights Bureau", "Бюро по правам человека"),
    ("Green Steppe", "Зелёная степь"), ("Women's Resource Centre", "Ресурсный центр для женщин"),
    ("Free Press Foundation", "Фонд свободы прессы"), ("Committee against Torture", "Комитет против пыток"),
    ("Clean Water Alliance", "Альянс за чистую воду"), ("Migrant Support Network", "Сеть поддержки мигрантов"),
    ("Public Monitoring Commission", "Общественная наблюдательная комиссия"), ("Youth for Democracy", "Молодёжь за демократию"),
    ("Rainbow Collective", "Радужный коллектив"), ("Mountain Communities Union", "Союз горных общин"),
]  # fmt: skip
PERPETRATORS = [
    ("police officers", "сотрудники милиции"), ("officers of the State security service", "сотрудники службы государственной безопасности"),
    ("officers of the anti-extremism unit", "сотрудники центра по противодействию экстремизму"), ("masked men in plain clothes", "люди в масках и штатском"),
    ("private security guards of a mining company", "охранники горнодобывающей компании"), ("border guards", "пограничники"),
    ("officials of the local administration", "представители местной администрации"), ("soldiers", "военнослужащие"),
    ("unidentified men", "неизвестные"), ("investigators of the prosecutor's office", "следователи прокуратуры"),
]  # fmt: skip
TRIGGERS = [
    ("publishing an investigation into corruption in public procurement", "публикации расследования о коррупции в государственных закупках"),
    ("organising a peaceful protest against the construction of a dam", "организации мирного протеста против строительства плотины"),
    ("representing victims of torture in court", "защиты в суде жертв пыток"),
    ("documenting forced evictions of farmers", "документирования принудительных выселений фермеров"),
    ("reporting on the parliamentary elections", "освещения парламентских выборов"),
    ("submitting information to the Special Rapporteur", "направления информации Специальному докладчику"),
    ("speaking in defence of the rights of LGBTI persons", "выступлений в защиту прав ЛГБТИ-людей"),
    ("criticising the pollution of the river by a mining company", "критики загрязнения реки горнодобывающей компанией"),
    ("supporting a strike of oil workers", "поддержки забастовки нефтяников"),
    ("assisting asylum seekers at the border", "помощи лицам, ищущим убежища, на границе"),
    ("exposing torture in a penal colony", "разоблачения пыток в исправительной колонии"),
    ("campaigning for the release of political prisoners", "кампании за освобождение политических заключённых"),
    ("reporting on forced labour in the cotton harvest", "сообщений о принудительном труде на сборе хлопка"),
    ("defending the land of an indigenous community against a palm oil plantation", "защиты земель коренной общины от плантации масличной пальмы"),
    ("monitoring a trial of opposition politicians", "наблюдения за процессом над оппозиционными политиками"),
    ("publishing a report on domestic violence", "публикации доклада о домашнем насилии"),
]  # fmt: skip
CHARGES = [
    ("extremism", "экстремизм"), ("hooliganism", "хулиганство"), ("fraud", "мошенничество"), ("tax evasion", "уклонение от уплаты налогов"),
    ("dissemination of false information", "распространение заведомо ложной информации"), ("incitement to social hatred", "возбуждение социальной розни"),
    ("participation in mass riots", "участие в массовых беспорядках"), ("treason", "государственная измена"),
    ("membership of a banned organisation", "участие в запрещённой организации"), ("defamation", "клевета"),
    ("illegal entrepreneurship", "незаконное предпринимательство"), ("insulting the head of State", "оскорбление главы государства"),
    ("possession of drugs", "хранение наркотиков"), ("calls to overthrow the constitutional order", "призывы к свержению конституционного строя"),
]  # fmt: skip
WORK_TOPICS = [
    ("forced labour in the cotton fields", "принудительный труд на хлопковых полях"), ("conditions in prisons", "условия содержания в тюрьмах"),
    ("domestic violence", "домашнее насилие"), ("the rights of persons with disabilities", "права людей с инвалидностью"),
    ("access to clean water", "доступ к чистой воде"), ("the labour rights of miners", "трудовые права шахтёров"),
    ("freedom of religion", "свобода вероисповедания"), ("the rights of ethnic minorities", "права этнических меньшинств"),
    ("land grabbing", "захват земель"), ("the rights of migrant workers", "права трудовых мигрантов"),
    ("police violence", "насилие со стороны полиции"), ("freedom of the media", "свобода СМИ"),
]  # fmt: skip
MONTHS_RU = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]

# Sentences per violation type. English slots: {She} {she} {her} {obj}; Russian: {a} (feminine past-tense ending),
# {ona} (pronoun). Both: {date} {city} {perp} {charge} {trigger} {days} {years} {org}.
EVENTS = {
    "arbitrary_detention": (
        ["On {date}, {she} was arrested in {city} by {perp} and taken to a temporary detention facility without a warrant.",
         "{She} has been held in pre-trial detention for {days} days; the court extended the detention at a closed hearing.",
         "{She} was held incommunicado for the first three days and was not allowed to call a lawyer or {her} family."],
        ["{date} {ona} был{a} задержан{a} в городе {city}: {perp} доставили {ee} в изолятор временного содержания без ордера.",
         "{ona_cap} уже {days} дней содержится под стражей; суд продлил срок содержания на закрытом заседании.",
         "Первые три дня {ona} содержал{asya} без связи с внешним миром, без адвоката и без возможности позвонить семье."],
    ),
    "judicial_harassment": (
        ["On {date}, the prosecutor's office opened a criminal case against {obj} on charges of {charge}.",
         "The trial in {city} was closed to the public and diplomats were not admitted as observers.",
         "On {date}, the court sentenced {obj} to {years} years of imprisonment for {charge}; the appeal was rejected."],
        ["{date} прокуратура возбудила в отношении {ee} уголовное дело по статье «{charge}».",
         "Процесс в городе {city} проходил в закрытом режиме; дипломатов не допустили в зал суда.",
         "{date} суд приговорил {ee} к {years} годам лишения свободы по обвинению «{charge}»; апелляция отклонена."],
    ),
    "death_threats": (
        ["Since {date}, {she} has received death threats by telephone and through messaging applications.",
         "Unknown men left a note at the family's door in {city} warning that {she} would be killed if the reporting continued."],
        ["С {date} {ona} получает угрозы убийством по телефону и в мессенджерах.",
         "Неизвестные оставили у двери дома в городе {city} записку с угрозой убить {ee}, если публикации продолжатся."],
    ),
    "torture": (
        ["During interrogation {she} was reportedly beaten, suffocated with a plastic bag and deprived of sleep to force a confession.",
         "A medical examination requested by the lawyer was refused, although bruises were visible at the hearing."],
        ["На допросе {ee}, по имеющимся сведениям, избивали, душили полиэтиленовым пакетом и лишали сна, добиваясь признания.",
         "В судебно-медицинской экспертизе, о которой просил адвокат, отказали, хотя синяки были видны на заседании."],
    ),
    "disappearance": (
        ["{She} was last seen on {date} at a checkpoint near {city}; the authorities deny holding {obj}.",
         "The family's requests to the police and the prosecutor about {her} whereabouts have gone unanswered."],
        ["В последний раз {ee} видели {date} на блокпосту у города {city}; власти отрицают, что {ona} находится под стражей.",
         "Запросы семьи в милицию и прокуратуру о {ee} местонахождении остаются без ответа."],
    ),
    "physical_attack": (
        ["On {date}, {she} was assaulted near {her} home in {city} by {perp} and suffered a broken arm and head injuries.",
         "The police refused to register the complaint about the attack."],
        ["{date} {perp} напали на {ee} у дома в городе {city}; {ona} получил{a} перелом руки и травму головы.",
         "Милиция отказалась зарегистрировать заявление о нападении."],
    ),
    "surveillance": (
        ["{She} discovered that {her} phone had been infected with spyware and that {her} meetings were followed by plain-clothes agents."],
        ["{ona_cap} обнаружил{a}, что {ee} телефон заражён шпионской программой, а за встречами следят агенты в штатском."],
    ),
    "online_attacks": (
        ["A coordinated smear campaign on social media accused {obj} of being a foreign agent and published {her} home address.",
         "Fake accounts posted manipulated photographs of {obj} and calls for violence against {obj}."],
        ["В социальных сетях развернулась скоординированная травля: {ee} называли иностранным агентом и опубликовали домашний адрес.",
         "Фейковые аккаунты распространяли смонтированные фотографии и призывы к насилию."],
    ),
    "travel_ban": (
        ["On {date}, border guards at the airport of {city} prevented {obj} from travelling to Geneva to attend a session of the Human Rights Council."],
        ["{date} пограничники в аэропорту города {city} не выпустили {ee} в Женеву на сессию Совета по правам человека."],
    ),
    "raids": (
        ["On {date}, {perp} searched the office of the {org} in {city} and seized computers, documents and financial records."],
        ["{date} {perp} провели обыск в офисе организации «{org}» в городе {city} и изъяли компьютеры, документы и финансовую отчётность."],
    ),
    "family_harassment": (
        ["Relatives of {obj} were summoned for questioning, and {her} brother was dismissed from his job."],
        ["Родственников вызывали на допросы, а брата уволили с работы."],
    ),
    "registration_funding": (
        ["On {date}, the Ministry of Justice suspended the registration of the {org} and froze its bank accounts, citing foreign funding."],
        ["{date} Министерство юстиции приостановило регистрацию организации «{org}» и заморозило её банковские счета из-за иностранного финансирования."],
    ),
    "un_reprisals": (
        ["The measures followed {her} cooperation with the United Nations, including information submitted to the universal periodic review."],
        ["Эти меры последовали за сотрудничеством с Организацией Объединённых Наций, в том числе за информацию, представленную для универсального периодического обзора."],
    ),
    "killing": (
        ["On {date}, {she} was shot dead outside {her} home in {city}; the investigation has not identified the perpetrators."],
        ["{date} {ona} был{a} застрелен{a} у своего дома в городе {city}; следствие до сих пор не установило виновных."],
    ),
    "attempted_killing": (
        ["On {date}, unidentified gunmen fired at {her} car near {city}; {she} survived with gunshot wounds."],
        ["{date} неизвестные обстреляли {ee} автомобиль у города {city}; {ona} выжил{a}, получив огнестрельные ранения."],
    ),
    "sexual_violence": (
        ["While in custody {she} was subjected to sexual violence and threats of rape by officers."],
        ["Во время содержания под стражей {ona} подвергал{asya} сексуальному насилию и угрозам изнасилования со стороны сотрудников."],
    ),
    "other": (
        ["{She} was dismissed from {her} post at the State university after the publication."],
        ["После публикации {ee} уволили с должности в государственном университете."],
    ),
}  # fmt: skip
VIOLATION_WEIGHTS = {
    "arbitrary_detention": 22, "judicial_harassment": 20, "death_threats": 10, "torture": 6, "disappearance": 3,
    "physical_attack": 8, "surveillance": 7, "online_attacks": 10, "travel_ban": 5, "raids": 7, "family_harassment": 4,
    "registration_funding": 6, "un_reprisals": 3, "killing": 1, "attempted_killing": 1, "sexual_violence": 1, "other": 3,
}  # fmt: skip
SUMMARY_NOUN = {
    "arbitrary_detention": ("arbitrary detention of", "произвольное задержание"),
    "judicial_harassment": ("criminal prosecution of", "уголовное преследование"),
    "death_threats": ("death threats against", "угрозы убийством"),
    "torture": ("torture of", "пытки"),
    "disappearance": ("enforced disappearance of", "насильственное исчезновение"),
    "physical_attack": ("physical attack on", "нападение"),
    "surveillance": ("surveillance of", "слежка"),
    "online_attacks": ("online smear campaign against", "травля в сети"),
    "travel_ban": ("travel ban imposed on", "запрет на выезд"),
    "raids": ("raid on the organisation of", "обыск в организации"),
    "family_harassment": ("harassment of the family of", "преследование семьи"),
    "registration_funding": ("restrictions on the organisation of", "ограничения деятельности организации"),
    "un_reprisals": ("reprisals against", "репрессии"),
    "killing": ("killing of", "убийство"),
    "attempted_killing": ("attempted killing of", "покушение"),
    "sexual_violence": ("sexual violence against", "сексуальное насилие"),
    "other": ("dismissal of", "увольнение"),
}
CONTEXT = (
    ["{She} has worked for {years} years with the {org} in {city}, documenting {topic}.",
     "{She} is known for {her} work on {topic} in the region and has spoken at meetings of the OSCE and the United Nations.",
     "The {org} provides legal aid to victims of {topic} and publishes reports on the situation in {city}."],
    ["{ona_cap} много лет работает в организации «{org}» в городе {city} и документирует нарушения в сфере: {topic}.",
     "{ona_cap} {izvesten} своей работой по теме «{topic}» и выступал{a} на встречах ОБСЕ и ООН.",
     "Организация «{org}» оказывает юридическую помощь и публикует доклады о ситуации в городе {city}."],
)  # fmt: skip
RISKS = (
    ["{She} remains in detention and {her} health is deteriorating.", "The lawyer has not been allowed to visit {obj} for weeks.",
     "The appeal hearing is scheduled for {date}.", "{She} has gone into hiding with {her} children.",
     "{She} began a hunger strike on {date}.", "The threats continue and no protection has been offered."],
    ["{ona_cap} по-прежнему под стражей, {ee} здоровье ухудшается.", "Адвоката не допускают уже несколько недель.",
     "Рассмотрение апелляции назначено на {date}.", "{ona_cap} вынужден{a} скрываться вместе с детьми.",
     "{date} {ona} объявил{a} голодовку.", "Угрозы продолжаются, никакой защиты не предоставлено."],
)  # fmt: skip
TRIGGER_SENTENCE = (
    "The measures reportedly came in reprisal for {trigger}.",
    "По имеющимся сведениям, это последовало после {trigger}.",
)

# What the bench searches for: facts vocabulary of every frequency, in both languages, one or two words.
SEARCH_TERMS = [
    "journalist", "lawyer", "torture", "detention", "extremism", "hunger strike", "mining company", "spyware",
    "asylum seekers", "cotton", "blogger", "trade union", "Khujand", "Almaty", "eviction", "smear campaign",
    "Geneva", "bank accounts", "plantation", "universal periodic review", "indigenous", "fraud", "checkpoint", "oil",
    "журналист", "адвокат", "пытки", "задержание", "экстремизм", "голодовка", "обыск", "блогер",
    "Худжанд", "Ташкент", "мошенничество", "профсоюзный", "шпионской", "травля", "сбор хлопка", "мигрантов",
]  # fmt: skip
# Words of the letters' fixed text: they match most of the archive, the worst case of a ranked search.
BROAD_TERMS = ["human rights", "defender", "government", "information", "права человека", "правительства"]


def pg_array(values) -> str:
    """A PostgreSQL array literal of text values."""
    quoted = ('"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"' for value in values)
    return "{" + ",".join(quoted) + "}"


def letter_text(html: str) -> str:
    """The text communications.release._index derives from the letter's HTML (Django must be set up)."""
    from communications.release import _TAG

    return unescape(_TAG.sub(" ", html))


def _date_en(day: date) -> str:
    return f"{day.day} {day:%B} {day.year}"


def _date_ru(day: date) -> str:
    return f"{day.day} {MONTHS_RU[day.month - 1]} {day.year} года"


class Writer:
    """Draws one record at a time; deterministic for a given seed."""

    def __init__(self, seed: int, *, today: date):
        self.rng = random.Random(seed)
        self.today = today
        self.first_day = today - timedelta(days=15 * 365)
        self.last_day = today - timedelta(days=61)
        self.states = [(code, name, weight, cities, True) for code, name, weight, cities in RUSSIAN_SPEAKING]
        self.states += [
            (code, name, weight, [(c, c) for c in cities], False) for code, name, weight, cities in OTHER_STATES
        ]
        self.state_weights = [state[2] for state in self.states]
        self.violations = list(VIOLATION_WEIGHTS)
        self.violation_weights = list(VIOLATION_WEIGHTS.values())

    def _violations(self) -> list[str]:
        rng, chosen = self.rng, []
        for _ in range(rng.choices([1, 2, 3], [45, 40, 15])[0]):
            (value,) = rng.choices(self.violations, self.violation_weights)
            if value not in chosen:
                chosen.append(value)
        return chosen

    def record(self) -> dict:
        """Everything of one record but its reference: recipient, dates, facts, themes, replies."""
        rng = self.rng
        if rng.random() < 0.03:
            code, name, russian = "OTH", rng.choice(COMPANIES), False
            cities = rng.choices(self.states, self.state_weights)[0][3]
        else:
            code, name, _weight, cities, russian_speaking = rng.choices(self.states, self.state_weights)[0]
            russian = russian_speaking and rng.random() < 0.6
        kind = rng.choices(["UA", "AL", "OL"], [46, 44, 10])[0]
        sent_on = self.first_day + timedelta(days=rng.randrange((self.last_day - self.first_day).days + 1))
        profession = rng.choice(PROFESSIONS)
        violations = self._violations() if kind != "OL" or rng.random() < 0.5 else ["registration_funding"]
        female = "women" in profession[3] or rng.random() < 0.5
        city = rng.choice(cities)[1 if russian else 0]
        org = rng.choice(ORGANISATIONS)[1 if russian else 0]
        facts_html, facts_text = self._facts(
            russian=russian, female=female, profession=profession, violations=violations, city=city, org=org,
            sent_on=sent_on,
        )  # fmt: skip
        themes = set(profession[3])
        if female and rng.random() < 0.6:
            themes.add("women")
        if {"killing", "attempted_killing"} & set(violations):
            themes.add("killing")
        if {"arbitrary_detention", "judicial_harassment"} & set(violations) and rng.random() < 0.7:
            themes.add("imprisonment")
        if "online_attacks" in violations:
            themes.add("online_attacks")
        if "un_reprisals" in violations:
            themes.add("un_reprisals")
        if code == "OTH" or rng.random() < 0.05:
            themes.add("business")
        if rng.random() < 0.02:
            themes.add("child")
        reply_status = rng.choices(["none", "acknowledgement", "substantive", "confidential"], [50, 12, 32, 6])[0]
        reply_count = 0 if reply_status == "none" else rng.choices([1, 2, 3], [80, 15, 5])[0]
        first_reply_on = None
        if reply_count:
            first_reply_on = sent_on + timedelta(days=max(3, int(rng.lognormvariate(4.0, 0.6))))
        noun = SUMMARY_NOUN[violations[0]][1 if russian else 0]
        who = profession[1] if russian else f"a {profession[0]}"
        summary = f"{noun}: {who}, {city}." if russian else f"Alleged {noun} {who} in {city}."
        summary = summary[0].upper() + summary[1:]
        mandates = rng.sample(MANDATES, rng.choices([0, 1, 2, 3], [35, 35, 20, 10])[0])
        return {
            "kind": kind,
            "recipient": code,
            "recipient_name": name,
            "language": "ru" if russian else "en",
            "sent_on": sent_on,
            "released_on": sent_on + timedelta(days=60),
            "mandates": mandates,
            "summary": summary,
            "facts_html": facts_html,
            "facts_text": facts_text,
            "themes": sorted(themes),
            "violations": sorted(violations),
            "topics": sorted({*violations, profession[2]}),
            "reply_status": reply_status,
            "reply_count": reply_count,
            "first_reply_on": first_reply_on,
        }

    def _facts(self, *, russian, female, profession, violations, city, org, sent_on) -> tuple[str, str]:
        """The facts as the letter's HTML and as release._index turns HTML into text."""
        rng = self.rng
        language = 1 if russian else 0
        if rng.random() < 0.7:
            name = f"{rng.choice(LAST_INITIALS)}. {rng.choice(LAST_INITIALS)}."  # no consent to be named in public
        elif rng.random() < 0.5:
            name = WITHHELD
        else:
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_INITIALS)}{rng.choice(['ova', 'ov', 'ez', 'i', 'enko', 'yan'])}"
        event_day = sent_on - timedelta(days=rng.randrange(3, 120))
        slots = {
            "city": city,
            "org": org,
            "perp": rng.choice(PERPETRATORS)[language],
            "charge": rng.choice(CHARGES)[language],
            "days": rng.randrange(10, 400),
            "years": rng.randrange(2, 16),
            "topic": rng.choice(WORK_TOPICS)[language],
            "trigger": rng.choice(TRIGGERS)[language],
        }
        if russian:
            slots |= {"a": "а" if female else "", "ona": "она" if female else "он", "ona_cap": "Она" if female else "Он",
                      "ee": "её" if female else "его", "asya": "ась" if female else "ся", "izvesten": "известна" if female else "известен"}  # fmt: skip
        else:
            slots |= {"She": "She" if female else "He", "she": "she" if female else "he", "her": "her" if female else "his",
                      "obj": "her" if female else "him"}  # fmt: skip

        def dated() -> str:
            day = event_day + timedelta(days=rng.randrange(0, 60))
            return _date_ru(day) if russian else _date_en(day)

        sentences = rng.sample(CONTEXT[language], rng.choice([1, 2]))
        for violation in violations:
            options = EVENTS[violation][language]
            sentences += rng.sample(options, min(len(options), rng.choice([1, 2, 3])))
        sentences.append(TRIGGER_SENTENCE[language])
        facts = " ".join(self._fill(sentence, slots, dated) for sentence in sentences)
        risk = self._fill(rng.choice(RISKS[language]), slots, dated)
        place = f"{_date_ru(event_day) if russian else event_day.isoformat()} {city}"
        # The shape of communications.drafting._facts: the person, then where and when and what, then the risk.
        html = (
            f"<p><strong>{escape(name)}</strong>, {escape(profession[language])}.</p>"
            f"<p>{escape(place)}: {escape(facts)}</p><p>{escape(risk)}</p>"
        )
        return html, letter_text(html)

    @staticmethod
    def _fill(template: str, slots: dict, dated) -> str:
        values = dict(slots)
        while "{date}" in template:
            template = template.replace("{date}", dated(), 1)
        sentence = template.format(**values)
        return sentence[0].upper() + sentence[1:]


MANDATES = [
    "Special Rapporteur on extrajudicial, summary or arbitrary executions",
    "Special Rapporteur on human rights and the environment",
    "Special Rapporteur on the independence of judges and lawyers",
    "Special Rapporteur on the promotion and protection of the right to freedom of opinion and expression",
    "Special Rapporteur on the right to privacy",
    "Special Rapporteur on the rights of Indigenous Peoples",
    "Special Rapporteur on the rights to freedom of peaceful assembly and of association",
    "Special Rapporteur on torture and other cruel, inhuman or degrading treatment or punishment",
    "Special Rapporteur on violence against women and girls",
    "Working Group on Arbitrary Detention",
    "Working Group on Enforced or Involuntary Disappearances",
    "Working Group on business and human rights",
]
