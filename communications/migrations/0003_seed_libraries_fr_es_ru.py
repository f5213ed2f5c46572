"""The letter templates and norm paragraphs in French, Spanish and Russian.

The same kinds of letter, and the same norm codes, topics and order, as the
English library seeded by 0002; the topics and order are taken from it, so
the four libraries cannot drift apart. Instruments are cited by their official
names in each language. {mandates} stays as it is: the drafter replaces it.
"""

import importlib

from django.db import migrations

NORMS_EN = importlib.import_module("communications.migrations.0002_seed_libraries").NORMS_EN

# code -> (title, text), per language.
NORMS = {
    "fr": {
        "declaration-hrd": (
            "Déclaration sur les défenseurs des droits de l'homme",
            "Nous nous référons à la Déclaration sur le droit et la responsabilité des individus, groupes et organes "
            "de la société de promouvoir et protéger les droits de l'homme et les libertés fondamentales "
            "universellement reconnus (Déclaration sur les défenseurs des droits de l'homme), en particulier à ses "
            "articles 1 et 2, qui disposent que chacun a le droit de promouvoir la protection et la réalisation des "
            "droits de l'homme et d'œuvrer en ce sens, et que c'est à chaque État qu'incombe au premier chef la "
            "responsabilité de les protéger, ainsi qu'à son article 12, paragraphes 2 et 3, qui exigent de l'État "
            "qu'il prenne toutes les mesures nécessaires pour assurer la protection de chacun contre toute violence, "
            "menace, représailles, pression ou autre action arbitraire en conséquence de l'exercice légitime de ces "
            "droits.",
        ),
        "iccpr-9": (
            "PIDCP, article 9 (liberté et sécurité de la personne)",
            "L'article 9 du Pacte international relatif aux droits civils et politiques garantit le droit à la "
            "liberté et à la sécurité de la personne, interdit l'arrestation et la détention arbitraires, et exige "
            "que toute personne arrêtée soit informée dans le plus court délai des accusations portées contre elle "
            "et traduite dans le plus court délai devant un juge.",
        ),
        "iccpr-14": (
            "PIDCP, article 14 (droit à un procès équitable)",
            "L'article 14 du Pacte garantit le droit à ce que sa cause soit entendue équitablement et publiquement "
            "par un tribunal compétent, indépendant et impartial, la présomption d'innocence, ainsi que le droit de "
            "disposer du temps et des facilités nécessaires à la préparation de sa défense et de communiquer avec "
            "le conseil de son choix.",
        ),
        "iccpr-19": (
            "PIDCP, article 19 (liberté d'expression)",
            "L'article 19 du Pacte protège le droit de ne pas être inquiété pour ses opinions et le droit à la "
            "liberté d'expression, qui comprend la liberté de rechercher, de recevoir et de répandre des "
            "informations et des idées de toute espèce. Toute restriction doit être expressément fixée par la loi "
            "et nécessaire à la poursuite d'un but légitime.",
        ),
        "iccpr-21": (
            "PIDCP, article 21 (réunion pacifique)",
            "L'article 21 du Pacte reconnaît le droit de réunion pacifique ; l'exercice de ce droit ne peut faire "
            "l'objet que des seules restrictions imposées conformément à la loi et qui sont nécessaires dans une "
            "société démocratique.",
        ),
        "iccpr-22": (
            "PIDCP, article 22 (liberté d'association)",
            "L'article 22 du Pacte protège le droit à la liberté d'association, qui comprend la possibilité pour "
            "les associations de solliciter, de recevoir et d'utiliser des ressources, y compris de l'étranger.",
        ),
        "cat": (
            "Convention contre la torture",
            "Les articles 2 et 16 de la Convention contre la torture et autres peines ou traitements cruels, "
            "inhumains ou dégradants exigent de l'État qu'il prenne des mesures efficaces pour empêcher que des "
            "actes de torture et des mauvais traitements soient commis, et l'article 12 exige qu'il soit procédé "
            "immédiatement à une enquête impartiale chaque fois qu'il y a des motifs raisonnables de croire qu'un "
            "tel acte a été commis.",
        ),
        "iccpr-6": (
            "PIDCP, article 6 (droit à la vie)",
            "L'article 6 du Pacte protège le droit à la vie ; l'État doit protéger les défenseurs contre les "
            "menaces pesant sur leur vie, qu'elles émanent d'acteurs étatiques ou non étatiques, et enquêter "
            "rapidement et efficacement sur les meurtres et les tentatives de meurtre.",
        ),
        "cedaw": (
            "Convention sur l'élimination de toutes les formes de discrimination à l'égard des femmes",
            "La Convention sur l'élimination de toutes les formes de discrimination à l'égard des femmes et la "
            "résolution 68/181 de l'Assemblée générale sur la protection des défenseuses des droits de l'homme "
            "demandent aux États de protéger les défenseuses contre la violence fondée sur le genre et la "
            "discrimination dans leur travail.",
        ),
        "un-reprisals": (
            "Coopération avec l'Organisation des Nations Unies",
            "Dans sa résolution 42/28, le Conseil des droits de l'homme demande aux États de prévenir tout acte "
            "d'intimidation ou de représailles et de s'abstenir de tels actes à l'encontre de ceux qui cherchent à "
            "coopérer, coopèrent ou ont coopéré avec l'Organisation des Nations Unies.",
        ),
    },
    "es": {
        "declaration-hrd": (
            "Declaración sobre los defensores de los derechos humanos",
            "Nos referimos a la Declaración sobre el derecho y el deber de los individuos, los grupos y las "
            "instituciones de promover y proteger los derechos humanos y las libertades fundamentales universalmente "
            "reconocidos (Declaración sobre los defensores de los derechos humanos), en particular a sus artículos 1 "
            "y 2, que establecen que toda persona tiene derecho a promover y procurar la protección y realización de "
            "los derechos humanos, y que incumbe a cada Estado la responsabilidad primordial de protegerlos, así "
            "como a su artículo 12, párrafos 2 y 3, que exigen al Estado adoptar todas las medidas necesarias para "
            "garantizar la protección de toda persona frente a toda violencia, amenaza, represalia, presión o "
            "cualquier otra acción arbitraria resultante del ejercicio legítimo de esos derechos.",
        ),
        "iccpr-9": (
            "PIDCP, artículo 9 (libertad y seguridad personales)",
            "El artículo 9 del Pacto Internacional de Derechos Civiles y Políticos garantiza el derecho a la "
            "libertad y a la seguridad personales, prohíbe la detención o prisión arbitrarias y exige que toda "
            "persona detenida sea informada sin demora de la acusación formulada contra ella y llevada sin demora "
            "ante un juez.",
        ),
        "iccpr-14": (
            "PIDCP, artículo 14 (juicio imparcial)",
            "El artículo 14 del Pacto garantiza el derecho a ser oído públicamente y con las debidas garantías por "
            "un tribunal competente, independiente e imparcial, la presunción de inocencia, y el derecho a disponer "
            "del tiempo y de los medios adecuados para la preparación de la defensa y a comunicarse con un defensor "
            "de su elección.",
        ),
        "iccpr-19": (
            "PIDCP, artículo 19 (libertad de expresión)",
            "El artículo 19 del Pacto protege el derecho a no ser molestado a causa de las propias opiniones y el "
            "derecho a la libertad de expresión, que comprende la libertad de buscar, recibir y difundir "
            "informaciones e ideas de toda índole. Toda restricción debe estar expresamente fijada por la ley y ser "
            "necesaria para alcanzar un fin legítimo.",
        ),
        "iccpr-21": (
            "PIDCP, artículo 21 (reunión pacífica)",
            "El artículo 21 del Pacto reconoce el derecho de reunión pacífica; su ejercicio solo podrá estar sujeto "
            "a las restricciones previstas por la ley que sean necesarias en una sociedad democrática.",
        ),
        "iccpr-22": (
            "PIDCP, artículo 22 (libertad de asociación)",
            "El artículo 22 del Pacto protege el derecho a la libertad de asociación, que incluye la capacidad de "
            "las asociaciones de solicitar, recibir y utilizar recursos, incluidos los procedentes del extranjero.",
        ),
        "cat": (
            "Convención contra la Tortura",
            "Los artículos 2 y 16 de la Convención contra la Tortura y Otros Tratos o Penas Crueles, Inhumanos o "
            "Degradantes exigen al Estado que adopte medidas eficaces para impedir los actos de tortura y los malos "
            "tratos, y el artículo 12 exige que se proceda a una investigación pronta e imparcial siempre que haya "
            "motivos razonables para creer que se ha cometido un acto de esa índole.",
        ),
        "iccpr-6": (
            "PIDCP, artículo 6 (derecho a la vida)",
            "El artículo 6 del Pacto protege el derecho a la vida; el Estado debe proteger a los defensores frente "
            "a las amenazas contra su vida procedentes de agentes estatales y no estatales, e investigar con "
            "prontitud y eficacia los asesinatos y las tentativas de asesinato.",
        ),
        "cedaw": (
            "Convención sobre la Eliminación de Todas las Formas de Discriminación contra la Mujer",
            "La Convención sobre la Eliminación de Todas las Formas de Discriminación contra la Mujer y la "
            "resolución 68/181 de la Asamblea General, relativa a la protección de las defensoras de los derechos "
            "humanos, exhortan a los Estados a proteger a las defensoras frente a la violencia de género y la "
            "discriminación en su labor.",
        ),
        "un-reprisals": (
            "Cooperación con las Naciones Unidas",
            "En su resolución 42/28, el Consejo de Derechos Humanos exhorta a los Estados a prevenir todo acto de "
            "intimidación o represalia contra quienes procuran cooperar, cooperan o han cooperado con las Naciones "
            "Unidas, y a abstenerse de cometerlo.",
        ),
    },
    "ru": {
        "declaration-hrd": (
            "Декларация о правозащитниках",
            "Мы ссылаемся на Декларацию о праве и обязанности отдельных лиц, групп и органов общества поощрять и "
            "защищать общепризнанные права человека и основные свободы (Декларация о правозащитниках), в частности "
            "на ее статьи 1 и 2, в которых предусматривается, что каждый человек имеет право поощрять и стремиться "
            "защищать и осуществлять права человека и что главная ответственность за их защиту лежит на каждом "
            "государстве, а также на пункты 2 и 3 ее статьи 12, которые требуют от государства принимать все "
            "необходимые меры для обеспечения защиты каждого человека от любого насилия, угроз, мести, давления или "
            "любых других произвольных действий, являющихся следствием законного осуществления им этих прав.",
        ),
        "iccpr-9": (
            "МПГПП, статья 9 (свобода и личная неприкосновенность)",
            "Статья 9 Международного пакта о гражданских и политических правах гарантирует право на свободу и "
            "личную неприкосновенность, запрещает произвольный арест или содержание под стражей и требует, чтобы "
            "каждому арестованному в срочном порядке сообщалось любое предъявленное ему обвинение и чтобы он в "
            "срочном порядке доставлялся к судье.",
        ),
        "iccpr-14": (
            "МПГПП, статья 14 (справедливое судебное разбирательство)",
            "Статья 14 Пакта гарантирует право на справедливое и публичное разбирательство дела компетентным, "
            "независимым и беспристрастным судом, презумпцию невиновности, а также право иметь достаточное время и "
            "возможности для подготовки своей защиты и сноситься с выбранным им самим защитником.",
        ),
        "iccpr-19": (
            "МПГПП, статья 19 (свобода выражения мнений)",
            "Статья 19 Пакта защищает право беспрепятственно придерживаться своих мнений и право на свободное "
            "выражение мнения, включающее свободу искать, получать и распространять всякого рода информацию и идеи. "
            "Любые ограничения должны быть установлены законом и являться необходимыми для достижения законной "
            "цели.",
        ),
        "iccpr-21": (
            "МПГПП, статья 21 (мирные собрания)",
            "Статья 21 Пакта признает право на мирные собрания; пользование этим правом не подлежит никаким "
            "ограничениям, кроме тех, которые налагаются в соответствии с законом и которые необходимы в "
            "демократическом обществе.",
        ),
        "iccpr-22": (
            "МПГПП, статья 22 (свобода ассоциации)",
            "Статья 22 Пакта защищает право на свободу ассоциации, которое включает возможность ассоциаций "
            "запрашивать, получать и использовать ресурсы, в том числе из-за рубежа.",
        ),
        "cat": (
            "Конвенция против пыток",
            "Статьи 2 и 16 Конвенции против пыток и других жестоких, бесчеловечных или унижающих достоинство видов "
            "обращения и наказания требуют от государства принимать эффективные меры для предупреждения актов "
            "пыток и жестокого обращения, а статья 12 требует проведения быстрого и беспристрастного "
            "расследования, когда имеются достаточные основания полагать, что такой акт был совершен.",
        ),
        "iccpr-6": (
            "МПГПП, статья 6 (право на жизнь)",
            "Статья 6 Пакта защищает право на жизнь; государство должно защищать правозащитников от угроз их жизни "
            "со стороны государственных и негосударственных субъектов, а также оперативно и эффективно "
            "расследовать убийства и покушения на убийство.",
        ),
        "cedaw": (
            "Конвенция о ликвидации всех форм дискриминации в отношении женщин",
            "Конвенция о ликвидации всех форм дискриминации в отношении женщин и резолюция 68/181 Генеральной "
            "Ассамблеи о защите правозащитниц призывают государства защищать правозащитниц от гендерного насилия и "
            "дискриминации в их работе.",
        ),
        "un-reprisals": (
            "Сотрудничество с Организацией Объединенных Наций",
            "В резолюции 42/28 Совета по правам человека содержится призыв к государствам предотвращать любые акты "
            "запугивания или репрессий в отношении тех, кто стремится сотрудничать, сотрудничает или сотрудничал с "
            "Организацией Объединенных Наций, и воздерживаться от таких актов.",
        ),
    },
}

_FR_ADDRESS = (
    "Excellence,\n\nNous avons l'honneur de nous adresser à vous en notre qualité de {mandates}, conformément aux "
    "résolutions du Conseil des droits de l'homme.\n\n"
)
_FR_PUBLIC = (
    "Nous serions reconnaissants de recevoir une réponse dans un délai de 60 jours. Passé ce délai, cette "
    "communication, ainsi que toute réponse reçue du Gouvernement de votre Excellence, seront rendues publiques sur "
    "le site Internet consacré aux communications"
)
_FR_REPORT = " et figureront dans le rapport présenté au Conseil des droits de l'homme"
_FR_REGARDS = "Veuillez agréer, Excellence, l'assurance de notre très haute considération."
_FR_FIRST_QUESTION = (
    "Veuillez nous fournir toute information et tout commentaire complémentaires que vous pourriez avoir sur "
)

_ES_ADDRESS = (
    "Excelentísimo/a Sr./Sra.:\n\nTenemos el honor de dirigirnos a Usted en nuestra calidad de {mandates}, de "
    "conformidad con las resoluciones del Consejo de Derechos Humanos.\n\n"
)
_ES_PUBLIC = (
    "Agradeceríamos recibir una respuesta en un plazo de 60 días. Transcurrido dicho plazo, esta comunicación y "
    "toda respuesta recibida del Gobierno de su Excelencia se harán públicas a través del sitio web de informes "
    "de comunicaciones"
)
_ES_REPORT = " y se presentarán en el informe al Consejo de Derechos Humanos"
_ES_REGARDS = "Acepte, Excelencia, la expresión de nuestra más distinguida consideración."
_ES_FIRST_QUESTION = "Sírvase proporcionar cualquier información o comentario adicional que pueda tener sobre "

_RU_ADDRESS = (
    "Ваше Превосходительство,\n\nИмеем честь обратиться к Вам в качестве {mandates} в соответствии с резолюциями "
    "Совета по правам человека.\n\n"
)
_RU_PUBLIC = (
    "Мы были бы признательны за получение ответа в течение 60 дней. По истечении этого срока настоящее сообщение "
    "и любой ответ, полученный от Правительства Вашего Превосходительства, будут преданы гласности на веб-сайте, "
    "посвященном сообщениям"
)
_RU_REPORT = ", и представлены в докладе Совету по правам человека"
_RU_REGARDS = "Примите, Ваше Превосходительство, уверения в нашем самом высоком уважении."
_RU_FIRST_QUESTION = (
    "Просим предоставить любую дополнительную информацию и замечания, которые могут у Вас иметься в связи с "
)

TEMPLATES = {
    "fr": {
        "UA": {
            "opening": _FR_ADDRESS + "À cet égard, nous souhaiterions porter à l'attention urgente du Gouvernement "
            "de votre Excellence des informations que nous avons reçues concernant la situation décrite ci-dessous, "
            "qui semble exiger une action immédiate.",
            "facts_intro": "Selon les informations reçues :",
            "concerns": "Sans vouloir préjuger de l'exactitude de ces allégations, nous exprimons notre vive "
            "préoccupation quant aux actes allégués, qui semblent directement liés au travail pacifique et légitime "
            "de défense des droits de l'homme des personnes concernées, ainsi qu'au risque auquel elles sont "
            "actuellement exposées.",
            "norms_intro": "En relation avec les faits allégués et les préoccupations exprimées ci-dessus, nous "
            "souhaiterions appeler l'attention du Gouvernement de votre Excellence sur les normes et principes "
            "internationaux suivants :",
            "questions": _FR_FIRST_QUESTION + "les allégations susmentionnées.\n"
            "Veuillez fournir des informations sur le fondement juridique des mesures prises et indiquer en quoi "
            "elles sont compatibles avec le droit international des droits de l'homme.\n"
            "Veuillez indiquer les mesures prises pour garantir l'intégrité physique et psychologique des personnes "
            "concernées et les protéger de tout nouveau préjudice.\n"
            "Veuillez indiquer les mesures prises pour que les défenseurs des droits de l'homme puissent mener leur "
            "travail légitime dans un environnement sûr et favorable, sans crainte de représailles.",
            "closing": _FR_PUBLIC + _FR_REPORT + ".\n\nDans l'attente d'une réponse, nous demandons instamment que "
            "toutes les mesures provisoires nécessaires soient prises pour faire cesser les violations alléguées et "
            "empêcher qu'elles ne se reproduisent.\n\n" + _FR_REGARDS,
        },
        "AL": {
            "opening": _FR_ADDRESS + "À cet égard, nous souhaiterions porter à l'attention du Gouvernement de votre "
            "Excellence des informations que nous avons reçues concernant les événements décrits ci-dessous.",
            "facts_intro": "Selon les informations reçues :",
            "concerns": "Sans préjuger de l'exactitude des informations reçues, nous exprimons notre sérieuse "
            "préoccupation au sujet de ces allégations qui, si elles étaient confirmées, constitueraient une "
            "violation des droits des personnes concernées et semblent liées à leur travail de défense des droits "
            "de l'homme.",
            "norms_intro": "Nous souhaiterions appeler l'attention du Gouvernement de votre Excellence sur les "
            "normes et principes internationaux suivants :",
            "questions": _FR_FIRST_QUESTION + "les allégations susmentionnées.\n"
            "Veuillez fournir des informations sur toute enquête menée sur ces événements, ainsi que sur ses "
            "résultats.\n"
            "Veuillez indiquer les mesures prises pour offrir un recours utile aux personnes concernées.",
            "closing": _FR_PUBLIC + _FR_REPORT + ".\n\n" + _FR_REGARDS,
        },
        "OL": {
            "opening": _FR_ADDRESS + "À cet égard, nous souhaiterions formuler les observations suivantes sur des "
            "lois et des politiques qui ont une incidence sur le travail des défenseurs des droits de l'homme.",
            "facts_intro": "Selon les informations reçues :",
            "concerns": "Nous craignons que ces mesures, si elles étaient adoptées ou maintenues, ne restreignent "
            "indûment le travail légitime des défenseurs des droits de l'homme et de la société civile.",
            "norms_intro": "Nous souhaiterions rappeler les normes et principes internationaux suivants :",
            "questions": _FR_FIRST_QUESTION + "ce qui précède.\n"
            "Veuillez expliquer en quoi ces mesures sont compatibles avec les obligations de l'État au regard du "
            "droit international des droits de l'homme.\n"
            "Veuillez indiquer si la société civile a été consultée et, le cas échéant, de quelle manière.",
            "closing": _FR_PUBLIC + ".\n\n" + _FR_REGARDS,
        },
    },
    "es": {
        "UA": {
            "opening": _ES_ADDRESS + "En este sentido, quisiéramos señalar a la atención urgente del Gobierno de su "
            "Excelencia la información que hemos recibido en relación con la situación descrita a continuación, que "
            "parece requerir medidas inmediatas.",
            "facts_intro": "Según la información recibida:",
            "concerns": "Sin querer prejuzgar la exactitud de estas alegaciones, expresamos nuestra grave "
            "preocupación por los presuntos actos, que parecen estar directamente vinculados con la labor pacífica y "
            "legítima de defensa de los derechos humanos de las personas afectadas, y por el riesgo al que se "
            "enfrentan actualmente.",
            "norms_intro": "En relación con los hechos alegados y las preocupaciones expresadas, quisiéramos señalar "
            "a la atención del Gobierno de su Excelencia las siguientes normas y estándares internacionales:",
            "questions": _ES_FIRST_QUESTION + "las alegaciones mencionadas.\n"
            "Sírvase proporcionar información sobre la base jurídica de las medidas adoptadas y sobre su "
            "compatibilidad con el derecho internacional de los derechos humanos.\n"
            "Sírvase indicar las medidas adoptadas para garantizar la integridad física y psicológica de las "
            "personas afectadas y protegerlas de nuevos daños.\n"
            "Sírvase indicar las medidas adoptadas para garantizar que los defensores de los derechos humanos "
            "puedan llevar a cabo su labor legítima en un entorno seguro y propicio, sin temor a represalias.",
            "closing": _ES_PUBLIC + _ES_REPORT + ".\n\nA la espera de su respuesta, instamos a que se adopten todas "
            "las medidas provisionales necesarias para poner fin a las presuntas violaciones e impedir que se "
            "repitan.\n\n" + _ES_REGARDS,
        },
        "AL": {
            "opening": _ES_ADDRESS + "En este sentido, quisiéramos señalar a la atención del Gobierno de su "
            "Excelencia la información que hemos recibido en relación con los hechos descritos a continuación.",
            "facts_intro": "Según la información recibida:",
            "concerns": "Sin prejuzgar la exactitud de la información recibida, expresamos nuestra seria "
            "preocupación por estas alegaciones, que, de confirmarse, serían contrarias a los derechos de las "
            "personas afectadas y parecen estar relacionadas con su labor en favor de los derechos humanos.",
            "norms_intro": "Quisiéramos señalar a la atención del Gobierno de su Excelencia las siguientes normas y "
            "estándares internacionales:",
            "questions": _ES_FIRST_QUESTION + "las alegaciones mencionadas.\n"
            "Sírvase proporcionar información sobre toda investigación realizada en relación con estos hechos y "
            "sobre sus resultados.\n"
            "Sírvase indicar las medidas adoptadas para proporcionar un recurso efectivo a las personas afectadas.",
            "closing": _ES_PUBLIC + _ES_REPORT + ".\n\n" + _ES_REGARDS,
        },
        "OL": {
            "opening": _ES_ADDRESS + "En este sentido, quisiéramos formular los siguientes comentarios sobre leyes "
            "y políticas que afectan a la labor de los defensores de los derechos humanos.",
            "facts_intro": "Según la información recibida:",
            "concerns": "Nos preocupa que estas medidas, de ser adoptadas o mantenidas, puedan restringir "
            "indebidamente la labor legítima de los defensores de los derechos humanos y de la sociedad civil.",
            "norms_intro": "Quisiéramos recordar las siguientes normas y estándares internacionales:",
            "questions": _ES_FIRST_QUESTION + "lo anterior.\n"
            "Sírvase explicar de qué manera estas medidas son compatibles con las obligaciones del Estado en virtud "
            "del derecho internacional de los derechos humanos.\n"
            "Sírvase indicar si se consultó a la sociedad civil y de qué manera.",
            "closing": _ES_PUBLIC + ".\n\n" + _ES_REGARDS,
        },
    },
    "ru": {
        "UA": {
            "opening": _RU_ADDRESS + "В этой связи мы хотели бы в срочном порядке обратить внимание Правительства "
            "Вашего Превосходительства на полученную нами информацию о ситуации, изложенной ниже, которая, как "
            "представляется, требует принятия безотлагательных мер.",
            "facts_intro": "Согласно полученной информации:",
            "concerns": "Не желая предрешать вопрос о достоверности этих утверждений, мы выражаем глубокую "
            "обеспокоенность в связи с предполагаемыми действиями, которые, как представляется, непосредственно "
            "связаны с мирной и законной правозащитной деятельностью соответствующих лиц, а также в связи с "
            "угрозой, которой они подвергаются в настоящее время.",
            "norms_intro": "В связи с вышеизложенными предполагаемыми фактами и обеспокоенностью мы хотели бы "
            "обратить внимание Правительства Вашего Превосходительства на следующие международные нормы и "
            "стандарты:",
            "questions": _RU_FIRST_QUESTION + "вышеупомянутыми утверждениями.\n"
            "Просим предоставить информацию о правовых основаниях принятых мер и о том, каким образом они "
            "совместимы с международным правом прав человека.\n"
            "Просим указать меры, принятые для обеспечения физической и психологической неприкосновенности "
            "соответствующих лиц и их защиты от дальнейшего вреда.\n"
            "Просим указать меры, принятые для того, чтобы правозащитники могли осуществлять свою законную "
            "деятельность в безопасной и благоприятной обстановке, не опасаясь репрессий.",
            "closing": _RU_PUBLIC + _RU_REPORT + ".\n\nВ ожидании ответа мы настоятельно призываем принять все "
            "необходимые временные меры для прекращения предполагаемых нарушений и предотвращения их "
            "повторения.\n\n" + _RU_REGARDS,
        },
        "AL": {
            "opening": _RU_ADDRESS + "В этой связи мы хотели бы обратить внимание Правительства Вашего "
            "Превосходительства на полученную нами информацию о событиях, изложенных ниже.",
            "facts_intro": "Согласно полученной информации:",
            "concerns": "Не предрешая вопроса о достоверности полученной информации, мы выражаем серьезную "
            "обеспокоенность в связи с этими утверждениями, которые, если они подтвердятся, будут означать "
            "нарушение прав соответствующих лиц и которые, как представляется, связаны с их правозащитной "
            "деятельностью.",
            "norms_intro": "Мы хотели бы обратить внимание Правительства Вашего Превосходительства на следующие "
            "международные нормы и стандарты:",
            "questions": _RU_FIRST_QUESTION + "вышеупомянутыми утверждениями.\n"
            "Просим предоставить информацию о любом расследовании, проведенном в связи с этими событиями, и о его "
            "результатах.\n"
            "Просим указать шаги, предпринятые для предоставления соответствующим лицам эффективного средства "
            "правовой защиты.",
            "closing": _RU_PUBLIC + _RU_REPORT + ".\n\n" + _RU_REGARDS,
        },
        "OL": {
            "opening": _RU_ADDRESS + "В этой связи мы хотели бы высказать следующие замечания относительно "
            "законодательства и политики, затрагивающих деятельность правозащитников.",
            "facts_intro": "Согласно полученной информации:",
            "concerns": "Мы обеспокоены тем, что эти меры, в случае их принятия или сохранения, могут неоправданно "
            "ограничивать законную деятельность правозащитников и гражданского общества.",
            "norms_intro": "Мы хотели бы напомнить о следующих международных нормах и стандартах:",
            "questions": _RU_FIRST_QUESTION + "вышеизложенным.\n"
            "Просим пояснить, каким образом эти меры совместимы с обязательствами государства по международному "
            "праву прав человека.\n"
            "Просим указать, проводились ли консультации с гражданским обществом и каким образом.",
            "closing": _RU_PUBLIC + ".\n\n" + _RU_REGARDS,
        },
    },
}


def seed(apps, schema_editor):
    NormParagraph = apps.get_model("communications", "NormParagraph")
    LetterTemplate = apps.get_model("communications", "LetterTemplate")
    for language, norms in NORMS.items():
        for order, (code, _title, topics, _text) in enumerate(NORMS_EN):
            title, text = norms[code]
            NormParagraph.objects.get_or_create(
                code=code, language=language, defaults={"title": title, "topics": topics, "text": text, "order": order}
            )
    for language, templates in TEMPLATES.items():
        for kind, parts in templates.items():
            LetterTemplate.objects.get_or_create(kind=kind, language=language, defaults=parts)


class Migration(migrations.Migration):
    dependencies = [("communications", "0002_seed_libraries")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
