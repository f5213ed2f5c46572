# Dates in the genitive, as Russian writes them: "2 октября 2026" ("E" is the month's genitive form).
DATE_FORMAT = "j E Y"
