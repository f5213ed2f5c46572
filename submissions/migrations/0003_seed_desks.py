from django.db import migrations

# Regional desks and their countries (ISO 3166 alpha-2); administrators edit
# both in the admin afterwards.
DESKS = {
    ("central-asia", "Central Asia"): "KZ KG TJ TM UZ",
    ("eastern-europe", "Eastern Europe and the Caucasus"): "RU BY UA MD AM AZ GE",
    ("asia-pacific", "Asia and the Pacific"): (
        "AF BD BT BN KH CN FJ IN ID IR JP KI KP KR LA MY MV MH FM MN MM NR NP PK PW PG PH WS SB LK TH TL TO TV VU VN"
    ),
    ("mena", "Middle East and North Africa"): "DZ BH EG IQ IL JO KW LB LY MA OM PS QA SA SY TN TR AE YE",
    ("africa", "Africa"): (
        "AO BJ BW BF BI CV CM CF TD KM CG CD CI DJ GQ ER SZ ET GA GM GH GN GW KE LS LR MG MW ML MR MU MZ NA NE NG "
        "RW ST SN SC SL SO ZA SS SD TZ TG UG ZM ZW"
    ),
    ("americas", "The Americas"): (
        "AG AR BS BB BZ BO BR CA CL CO CR CU DM DO EC SV GD GT GY HT HN JM MX NI PA PY PE KN LC VC SR TT US UY VE"
    ),
    ("europe", "Western Europe and others"): (
        "AL AD AT BE BA BG HR CY CZ DK EE FI FR DE GR HU IS IE IT LV LI LT LU MT MC ME NL MK NO PL PT RO SM RS SK "
        "SI ES SE CH GB AU NZ VA"
    ),
}


def seed(apps, schema_editor):
    Desk = apps.get_model("submissions", "Desk")
    DeskCountry = apps.get_model("submissions", "DeskCountry")
    for (code, name), countries in DESKS.items():
        desk, _ = Desk.objects.get_or_create(code=code, defaults={"name": name})
        for country in countries.split():
            DeskCountry.objects.get_or_create(country=country, defaults={"desk": desk})


class Migration(migrations.Migration):
    dependencies = [("submissions", "0002_deskcountry_namefingerprint_notification_and_more")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
