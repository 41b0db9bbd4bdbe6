"""Rebuild the shipped fixtures from Busan's partner list and the article's facts.

    python manage.py build_fixtures [--csv PATH] [--out DIR]

Writes, with natural keys and fixed timestamps (so a rebuild from the same input gives
the same bytes, and loading them twice changes nothing):

* ``cooperation_fields.json``: the cooperation fields;
* ``busan_partners.json``: the home city, every partner city in the CSV with its former
  names and aliases, the partnerships and each row's sources, then the relations that never
  reached signature (Hokkaido's letter of intent), counted nowhere;
* ``busan_almaty_2022.json``: every fact of the 2022-09-21 article (agreements,
  signatories, events, participants, delegations, itinerary, outcomes). It repeats the
  Almaty row, byte for byte, so each file loads on its own and in any order.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from registry.management.commands import _fixture_facts as data
from registry.management.commands import _fixture_life as life
from registry.management.commands import _fixture_visits as visits
from registry.models import City

TIMESTAMP = "2022-09-21T00:00:00Z"
DEFAULT_CSV = settings.BASE_DIR.parent / "shared" / "data" / "busan_partners.csv"
# Wikidata IDs with their sources (columns slug, qid, source, notes); an empty qid (sources in
# conflict) leaves the city without one. No ID is ever made up.
WIKIDATA_CSV = settings.BASE_DIR.parent / "shared" / "data" / "wikidata_ids.csv"
WIKIDATA_IDS: dict[str, dict] = {}


def read_wikidata_ids(path: Path) -> dict[str, dict]:
    """Rows of ``wikidata_ids.csv`` with a well-formed QID, by city slug (``{}`` without the file)."""
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["slug"]: row for row in csv.DictReader(handle) if re.fullmatch(r"Q[1-9][0-9]*", row["qid"].strip())}


PUBLISHERS = {
    "busan.go.kr": "Busan Metropolitan City",
    "grandculture.net": "Encyclopedia of Korean Local Culture",
    "github.com": "GitHub (Hekman/twincities, Wikipedia-derived)",
    "wikipedia.org": "Wikipedia",
    "busan.com": "Busan Ilbo",
    "newsis.com": "Newsis",
    "bfic.kr": "Busan Foundation for International Cooperation",
    "donga.com": "Dong-A Ilbo",
    "hankyung.com": "Korea Economic Daily",
    "joongang.co.kr": "JoongAng Ilbo",
    "sedaily.com": "Seoul Economic Daily",
    "mbn.co.kr": "MBN",
}
_NAME_YEARS = re.compile(r"^(?P<name>.+?)\s*\((?P<start>\d{4})?\s*[–-]\s*(?P<end>\d{4})?\)$")
CSV_COLUMNS = {
    "partner_city_en",
    "partner_city_local",
    "partner_city_ko",
    "country_iso2",
    "admin_level",
    "relationship",
    "established",
    "status_2022",
    "source_urls",
    "confidence",
    "notes",
    "lat",
    "lon",
    "coord_source",
    "former_names",
    "aliases",
    "names_source",
}


def source_slug(url: str) -> str:
    """A stable slug for a source URL: its host and path, cut short, plus a hash (or the
    slug of the hand-described source with that URL)."""
    known = {source["url"]: source["slug"] for source in data.SOURCES if source["url"]}
    if url in known:
        return known[url]
    parts = urlsplit(url)
    host = parts.netloc.removeprefix("www.")
    readable = slugify(f"{host} {parts.path}")[:60].strip("-")
    return f"{readable}-{hashlib.sha1(url.encode()).hexdigest()[:8]}"


def source_record(url: str) -> dict:
    """A Source fixture row for ``url``; the publisher comes from the host where known."""
    parts = urlsplit(url)
    host = parts.netloc.removeprefix("www.")
    publisher = next((name for domain, name in PUBLISHERS.items() if host.endswith(domain)), host)
    title = f"{host}{parts.path}".rstrip("/")
    if parts.query:
        title += f"?{parts.query}"
    return record(
        "registry.source",
        {
            "slug": source_slug(url),
            "title": title[:500],
            "publisher": publisher,
            "url": url,
            "published_on": None,
            "language": "",
            "notes": "",
        },
    )


def record(model: str, fields: dict) -> dict:
    """A fixture row with fixed timestamps and no primary key (natural keys only)."""
    return {"model": model, "fields": {**fields, "created_at": TIMESTAMP, "updated_at": TIMESTAMP}}


def parse_names(value: str, kind: str) -> list[dict]:
    """``"Verny (1855–1921); Alma-Ata (1921–1993)"`` → name rows with years."""
    names = []
    for item in filter(None, (part.strip() for part in value.split(";"))):
        match = _NAME_YEARS.match(item)
        if match:
            start, end = match["start"], match["end"]
            names.append(
                {
                    "name": match["name"],
                    "kind": kind,
                    "used_from": int(start) if start else None,
                    "used_until": int(end) if end else None,
                }
            )
        else:
            names.append({"name": item, "kind": kind})
    return names


def wikidata_note(slug: str) -> str:
    """Where the city's Wikidata ID comes from, for the staff notes (``""`` without one)."""
    row = WIKIDATA_IDS.get(slug)
    if not row:
        return ""
    note = f"Wikidata ID {row['qid'].strip()} from {row['source']}."
    return f"{note} {row['notes']}".strip() if row.get("notes") else note


def city_records(city: dict) -> list[dict]:
    """City row (with its folded search text) followed by its former-name/alias rows."""
    names = city.get("names", [])
    fields = {
        "slug": city["slug"],
        "name_en": city["name_en"],
        "name_ko": city.get("name_ko", ""),
        "name_native": city.get("name_native", ""),
        "name_native_language": data.NATIVE_NAME_LANGUAGES.get(city["slug"], ""),
        "country": city["country"],
        "admin_level": city.get("admin_level", "city"),
        "subdivision": city.get("subdivision", ""),
        "latitude": city.get("latitude"),
        "longitude": city.get("longitude"),
        "coordinates_source": city.get("coordinates_source", ""),
        "population": city.get("population"),
        "population_year": city.get("population_year"),
        "wikidata_id": WIKIDATA_IDS.get(city["slug"], {}).get("qid", "").strip(),
        "confidence": city.get("confidence", "high"),
        "notes": "\n".join(filter(None, [city.get("notes", ""), wikidata_note(city["slug"])])),
        "sources": [[slug] for slug in city.get("sources", [])],
    }
    instance = City(**{k: v for k, v in fields.items() if k != "sources"})
    fields["search_text"] = instance.build_search_text(names=[n["name"] for n in names])
    rows = [record("registry.city", fields)]
    for name in names:
        rows.append(
            record(
                "registry.cityname",
                {
                    "city": [city["slug"]],
                    "name": name["name"],
                    "kind": name["kind"],
                    "used_from": name.get("used_from"),
                    "used_until": name.get("used_until"),
                    "notes": name.get("notes", ""),
                },
            )
        )
    return rows


def read_partners(path: Path) -> list[dict]:
    """Rows of ``busan_partners.csv``; ``CommandError`` if a column is missing."""
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = CSV_COLUMNS - set(reader.fieldnames or [])
        if missing:
            raise CommandError(f"{path}: missing columns {', '.join(sorted(missing))}")
        return list(reader)


def partner_city(row: dict) -> dict:
    """The City description of one CSV row (Almaty gets the extra facts of the notes)."""
    slug = slugify(row["partner_city_en"].replace("(", "").replace(")", ""))
    urls = [u.strip() for u in row["source_urls"].split(";") if u.strip()]
    if row["names_source"].strip():
        urls.append(row["names_source"].strip())
    city = {
        "slug": slug,
        "name_en": row["partner_city_en"],
        "name_ko": row["partner_city_ko"],
        "name_native": row["partner_city_local"],
        "country": row["country_iso2"].upper(),
        "admin_level": row["admin_level"],
        "latitude": f"{float(row['lat']):.5f}",
        "longitude": f"{float(row['lon']):.5f}",
        "coordinates_source": row["coord_source"],
        "confidence": row["confidence"],
        "notes": "",
        "names": parse_names(row["former_names"], "former") + parse_names(row["aliases"], "alias"),
        "sources": [data.NOTES, *dict.fromkeys(source_slug(u) for u in urls)],
        "urls": urls,
    }
    if slug == "almaty":
        city.update(population=data.ALMATY_EXTRA["population"], population_year=data.ALMATY_EXTRA["population_year"])
        city["notes"] = data.ALMATY_EXTRA["notes_suffix"].strip()
        city["sources"] = [data.ARTICLE, *city["sources"]]
    return city


def stage_records(partner: str, kind: str, established_on: str | None) -> list[dict]:
    """The stages :data:`life.STAGES` gives for Busan's partnership with ``partner``, each citing
    its source URLs and the research notes."""
    key = [data.HOME_CITY["slug"], partner, kind, established_on]
    return [
        record(
            "registry.partnershipstage",
            {
                "partnership": key,
                "kind": stage_kind,
                "on": on,
                "precision": precision,
                "reference": "",
                "note_en": note_en,
                "note_ko": note_ko,
                "sources": [[source_slug(url)] for url in urls] + [[data.NOTES]],
            },
        )
        for stage_kind, on, precision, note_en, note_ko, urls in life.STAGES.get((partner, kind, established_on), [])
    ]


def claim_records(target: str, key: list, claims: list[tuple]) -> list[dict]:
    """Claim rows about one record (``target``: ``"partnership"``, ``"agreement"`` or ``"event"``;
    ``key``: its natural key) from ``claims`` (fact, value, preferred, note in English, note in Korean,
    sources), each citing its sources (URLs, or slugs of the sources described in :data:`data.SOURCES`)
    and the research notes."""
    described = {source["slug"] for source in data.SOURCES}
    return [
        record(
            "registry.claim",
            {
                **{name: (key if name == target else None) for name in ("partnership", "agreement", "event")},
                "fact": fact,
                "value": value,
                "preferred": preferred,
                "note_en": note_en,
                "note_ko": note_ko,
                "sources": [[url if url in described else source_slug(url)] for url in urls]
                + ([[data.NOTES]] if data.NOTES not in urls else []),
            },
        )
        for fact, value, preferred, note_en, note_ko, urls in claims
    ]


def partnership_claims(partner: str, kind: str, established_on: str) -> list[dict]:
    """The claims :data:`life.CLAIMS` gives for Busan's partnership with ``partner``."""
    key = [data.HOME_CITY["slug"], partner, kind, established_on]
    return claim_records("partnership", key, life.CLAIMS.get((partner, kind, established_on), []))


def predecessor_records(before: dict) -> list[dict]:
    """The partnership an upgrade ended (Fukuoka's 1989 agreement), with its stages."""
    row = partnership_record(
        before["partner"],
        before["kind"],
        established_on=before["established_on"],
        status="ended",
        ended_on=before["ended_on"],
        status_reason=before["status_reason"],
        status_reason_ko=before["status_reason_ko"],
        notes=before["notes"],
        sources=[source_slug(url) for url in before["sources"]] + [data.NOTES],
    )
    return [row, *stage_records(before["partner"], before["kind"], before["established_on"])]


def partnership_record(partner: str, kind: str, *, sources: list[str], **fields) -> dict:
    """A fixture row of the home city's partnership with ``partner`` (a slug) citing ``sources``
    (slugs); ``fields`` override the defaults (active, day precision, high confidence, published)."""
    defaults = {
        "established_precision": "day",
        "status": "active",
        "ended_on": None,
        "ended_precision": "day",
        "status_reason": "",
        "status_reason_ko": "",
        "confidence": "high",
        "publication": "published",
        "notes": "",
        "fields": [],
        "predecessor": None,
    }
    values = {**defaults, **fields, "sources": [[slug] for slug in sources]}
    order = ["established_on", *list(defaults)[:-2], "fields", "sources", "predecessor"]
    return record(
        "registry.partnership",
        {"city": [data.HOME_CITY["slug"]], "partner": [partner], "kind": kind, **{k: values[k] for k in order}},
    )


def build_partners(rows: list[dict]) -> tuple[list[dict], dict]:
    """Records of busan_partners.json, and the Almaty city description for the article file."""
    records: list[dict] = [record("registry.source", source) for source in data.SOURCES]
    records += city_records(data.HOME_CITY)
    seen_sources: set[str] = set()
    almaty = None
    for row in rows:
        city = partner_city(row)
        for url in city["urls"]:
            slug = source_slug(url)
            if slug not in seen_sources and slug not in {source["slug"] for source in data.SOURCES}:
                seen_sources.add(slug)
                records.append(source_record(url))
        records += city_records(city)
        if city["slug"] == "almaty":
            almaty = city
        predecessor = None
        for before in life.PREDECESSORS:
            if before["partner"] == city["slug"]:
                records += predecessor_records(before)
                predecessor = [data.HOME_CITY["slug"], city["slug"], before["kind"], before["established_on"]]
        records.append(
            partnership_record(
                city["slug"],
                row["relationship"],
                established_on=row["established"],
                established_precision="day" if len(row["established"]) == 10 else "year",
                status="active" if row["status_2022"] == "active" else row["status_2022"],
                confidence=row["confidence"],
                notes=row["notes"],
                fields=[[f] for f in data.ALMATY_FIELDS] if city["slug"] == "almaty" else [],
                sources=city["sources"],
                predecessor=predecessor,
            )
        )
        records += stage_records(city["slug"], row["relationship"], row["established"])
        records += partnership_claims(city["slug"], row["relationship"], row["established"])
    if almaty is None:
        raise CommandError("The CSV has no Almaty row; the article's fixture needs it.")
    return records + unsigned_records(), almaty


def unsigned_records() -> list[dict]:
    """The relations that never reached signature (:data:`life.UNSIGNED`): the partner city, a
    ``proposed`` partnership without an established date, and its stages (the letter of intent)."""
    records = []
    for relation in life.UNSIGNED:
        city = relation["city"]
        records += city_records(city)
        records.append(
            partnership_record(
                city["slug"],
                relation["kind"],
                established_on=None,
                status="proposed",
                confidence=relation["confidence"],
                notes=relation["notes"],
                sources=relation["sources"],
            )
        )
        records += stage_records(city["slug"], relation["kind"], None)
    return records


def _people(rows: list[dict]) -> list[dict]:
    return [
        {
            "person": [row["person"]] if row["person"] else None,
            "role": row["role"],
            "role_ko": row["role_ko"],
            "organization": [row["organization"]] if row["organization"] else None,
            "order": row["order"],
        }
        for row in rows
    ]


def build_article(almaty: dict, source_urls: dict[str, dict]) -> list[dict]:
    """Records of busan_almaty_2022.json: every fact of the article."""
    # The article's sources and the Almaty row (with its sources) are repeated, identical, from
    # the partner file so that the itinerary stops can be saved whichever file loads first.
    records = [record("registry.source", source) for source in data.SOURCES]
    own = {source["slug"] for source in data.SOURCES}
    records += [source_urls[slug] for slug in almaty["sources"] if slug in source_urls and slug not in own]
    records += city_records(almaty)
    for city in data.OTHER_CITIES:
        records += city_records(city)
    for org in data.ORGANIZATIONS:
        records.append(
            record(
                "registry.organization",
                {
                    "slug": org["slug"],
                    "name_en": org["name_en"],
                    "name_ko": org.get("name_ko", ""),
                    "name_native": org.get("name_native", ""),
                    "kind": org["kind"],
                    "city": [org["city"]] if org.get("city") else None,
                    "country": org.get("country", ""),
                    "website": "",
                    "notes": org.get("notes", ""),
                    "sources": [[s] for s in org["sources"]],
                },
            )
        )
    for person in data.PEOPLE:
        records.append(
            record(
                "registry.person",
                {
                    "slug": person["slug"],
                    "name_en": person["name_en"],
                    "name_ko": person.get("name_ko", ""),
                    "name_native": "",
                    "notes": person.get("notes", ""),
                    "sources": [[s] for s in person["sources"]],
                },
            )
        )
    for agreement in data.AGREEMENTS:
        fields = {k: v for k, v in agreement.items() if k not in {"signatories"}}
        fields.update(
            partnership=agreement["partnership"],
            parties=[[p] for p in agreement["parties"]],
            place=[agreement["place"]] if agreement["place"] else None,
            fields=[[f] for f in agreement["fields"]],
            sources=[[s] for s in agreement["sources"]],
            document="",
            publication="published",
        )
        records.append(record("registry.agreement", fields))
        for signatory in _people(agreement["signatories"]):
            records.append(record("registry.signatory", {**signatory, "agreement": [agreement["slug"]]}))
    for delegation in visits.DELEGATIONS:
        fields = {k: v for k, v in delegation.items() if k not in {"members", "itinerary", "outcomes"}}
        fields.update(
            organizer=[delegation["organizer"]] if delegation["organizer"] else None,
            leader=[delegation["leader"]] if delegation["leader"] else None,
            travelled_with=[delegation["travelled_with"]] if delegation["travelled_with"] else None,
            sources=[[s] for s in delegation["sources"]],
            publication="published",
        )
        records.append(record("registry.delegation", fields))
        for member in _people(delegation["members"]):
            records.append(record("registry.delegationmember", {**member, "delegation": [delegation["slug"]]}))
        for stop in delegation["itinerary"]:
            records.append(
                record(
                    "registry.itinerarystop",
                    {
                        "purpose_ko": "",
                        **stop,
                        "city": [stop["city"]],
                        "delegation": [delegation["slug"]],
                    },
                )
            )
        for outcome in delegation["outcomes"]:
            records.append(
                record(
                    "registry.outcome",
                    {
                        **outcome,
                        "agreement": [outcome["agreement"]] if outcome["agreement"] else None,
                        "delegation": [delegation["slug"]],
                    },
                )
            )
    for event in visits.EVENTS:
        fields = {k: v for k, v in event.items() if k != "participants"}
        fields.update(
            city=[event["city"]] if event["city"] else None,
            agreement=[event["agreement"]] if event["agreement"] else None,
            delegation=[event["delegation"]] if event["delegation"] else None,
            sources=[[s] for s in event["sources"]],
            publication="published",
        )
        records.append(record("registry.event", fields))
        for participant in _people(event["participants"]):
            records.append(record("registry.eventparticipant", {**participant, "event": [event["slug"]]}))
        records += claim_records("event", [event["slug"]], life.EVENT_CLAIMS.get(event["slug"], []))
    return records


def build_cooperation_fields() -> list[dict]:
    return [
        record("registry.cooperationfield", {"slug": slug, "name_en": en, "name_ko": ko})
        for slug, en, ko in data.COOPERATION_FIELDS
    ]


class Command(BaseCommand):
    help = "Rebuild fixtures/*.json from busan_partners.csv and the article's facts."

    def add_arguments(self, parser):
        parser.add_argument("--csv", type=Path, default=DEFAULT_CSV, help="Path of busan_partners.csv.")
        parser.add_argument("--out", type=Path, default=settings.FIXTURE_DIRS[0], help="Folder to write to.")
        parser.add_argument(
            "--wikidata-csv", type=Path, default=WIKIDATA_CSV, help="Path of wikidata_ids.csv (QIDs with sources)."
        )

    def handle(self, *args, csv: Path, out: Path, wikidata_csv: Path, **options):
        if not csv.exists():
            raise CommandError(f"{csv} does not exist; pass --csv PATH.")
        WIKIDATA_IDS.clear()
        WIKIDATA_IDS.update(read_wikidata_ids(wikidata_csv))
        rows = read_partners(csv)
        partners, almaty = build_partners(rows)
        sources_by_slug = {r["fields"]["slug"]: r for r in partners if r["model"] == "registry.source"}
        article = build_article(almaty, sources_by_slug)
        out.mkdir(parents=True, exist_ok=True)
        for name, records in (
            ("cooperation_fields.json", build_cooperation_fields()),
            ("busan_partners.json", partners),
            ("busan_almaty_2022.json", article),
        ):
            path = out / name
            path.write_text(json.dumps(records, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            self.stdout.write(f"{path}: {len(records)} rows")
