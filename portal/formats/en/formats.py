# Dates on public pages as a reader writes them: "2 October 2026".
DATE_FORMAT = "j F Y"
