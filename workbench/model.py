"""The canonical tables (sites, sessions, events): every column with its type, meaning and sources.

Each column names the vendor fields it serves, by seed: ``ot`` Opentracker (seeds 000, 001),
``countly`` (seed 002), ``clicky`` (seed 003), ``giosg`` (seed 004). Timestamps are instants in
UTC with millisecond precision; local time is always derived with a zone, never stored.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

from workbench.errors import WorkbenchError

SCHEMA_VERSION = 1

TIMESTAMP = pa.timestamp("ms", tz="UTC")
STRING_MAP = pa.map_(pa.string(), pa.string())


@dataclass(frozen=True)
class Column:
    """One column of a canonical table."""

    name: str
    type: pa.DataType
    meaning: str
    serves: str = ""
    required: bool = False
    unique: bool = False  # (nearly) one value per row: stored without a dictionary


@dataclass(frozen=True)
class Table:
    """A canonical table: its name, one-line purpose and ordered columns."""

    name: str
    purpose: str
    columns: tuple[Column, ...]

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([pa.field(c.name, c.type, nullable=not c.required) for c in self.columns])

    @property
    def parquet_options(self) -> dict[str, list[str]]:
        """How the store writes the table's Parquet files.

        Dictionaries for every column but the unique ids. Statistics only where they can
        prune a row group: times and numbers (rows are sorted by time) and site_id (a
        batch often holds one site); min/max of other strings span everything.
        """
        return {
            "use_dictionary": [c.name for c in self.columns if not c.unique],
            "write_statistics": [
                c.name for c in self.columns if c.type != pa.string() or c.name == "site_id"
            ],
        }

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise WorkbenchError(
            "unknown_column",
            f"{self.name}: unknown column {name!r}; expected one of: {', '.join(self.names)}",
        )


def _c(name: str, type_: pa.DataType, meaning: str, serves: str = "", required: bool = False):
    return Column(name, type_, meaning, serves, required, unique=name in UNIQUE)


UNIQUE = {"session_id", "visitor_id", "first_session_id", "event_id", "ip_address"}


S, INT, D, B, T = pa.string(), pa.int64(), pa.float64(), pa.bool_(), TIMESTAMP

SITES = Table(
    "sites",
    "One row per tracked website or app, with every vendor identity that addresses it.",
    (
        _c("site_id", S, "Canonical site id, stable, used by sessions and events", "", True),
        _c("name", S, "Domain of a website or name of an app", "ot site; countly app name", True),
        _c("kind", S, "'web' or 'app'", "", True),
        _c(
            "time_zone", S, "IANA time zone of the site: reports default to it", "ot timeZone", True
        ),
        _c("opentracker_site", S, "Opentracker site name", "ot site (e.g. www.opentracker.net)"),
        _c("opentracker_login", S, "Opentracker login email allowed to read the site", "ot login"),
        _c(
            "opentracker_password_hash",
            S,
            "scrypt hash of the Opentracker password (never the password)",
            "ot password",
        ),
        _c("clicky_site_id", S, "Clicky numeric site id", "clicky site_id"),
        _c("clicky_sitekey", S, "Clicky sitekey that authenticates reads", "clicky sitekey"),
        _c("countly_app_id", S, "Countly application id", "countly app_id"),
        _c("countly_app_key", S, "Countly write key (SDKs send it to /i)", "countly app_key"),
        _c("countly_api_key", S, "Countly read key (/o requests)", "countly api_key"),
        _c("giosg_org_id", S, "giosg organization id (a UUID)", "giosg organization_id"),
        _c("giosg_token", S, "giosg API token for the organization", "giosg Authorization"),
        _c("created", T, "When the site was added to the store", ""),
    ),
)

SESSIONS = Table(
    "sessions",
    "One row per visit (web) or app session: the union of the fields the seeds expose.",
    (
        # identity and time
        _c("site_id", S, "The site visited (sites.site_id)", "ot site; clicky site_id", True),
        _c(
            "session_id",
            S,
            "Unique id of the visit",
            "ot session_id, visit_id; clicky session_id; giosg session_id",
            True,
        ),
        _c(
            "visitor_id",
            S,
            "Unique id of the visitor or device",
            "ot machine_idx, use_id; clicky uid; countly device_id; giosg visitor_id",
            True,
        ),
        _c(
            "start_ts",
            T,
            "First hit of the visit (begin_session)",
            "ot session_start_unix_timestamp; clicky time; countly begin_session timestamp",
            True,
        ),
        _c(
            "end_ts",
            T,
            "Last action of the visit (or start + heartbeats for apps)",
            "ot session_end_unix_timestamp; countly session_duration/end_session",
            True,
        ),
        _c(
            "last_seen_ts",
            T,
            "When the collector last heard from the visit; 'online' is decided on it",
            "ot eventUnixTimestamp, lastEvent, status, user_status",
        ),
        _c(
            "duration_s",
            INT,
            "Visit length in whole seconds (end_ts - start_ts; apps: heartbeat sum)",
            "ot duration; clicky time_total; countly session_duration; giosg session_duration_secs",
            True,
        ),
        _c(
            "is_new",
            B,
            "First visit of this visitor",
            "clicky new_visitors/returning_visitors; countly n (new users)",
            True,
        ),
        _c(
            "visit_number",
            INT,
            "The visitor's visit count including this one",
            "ot number_visits, total_number_visits, visits_pageviews; clicky total_visits",
        ),
        _c(
            "first_visit_ts",
            T,
            "Start of the visitor's first visit",
            "ot first_session_unix_timestamp, firstMeasurement; clicky first_visit.time",
        ),
        _c(
            "first_session_id", S, "The visitor's first session id", "clicky first_visit.session_id"
        ),
        _c(
            "visitor_pageviews",
            INT,
            "The visitor's pageviews over all visits up to this one",
            "ot total_pages_viewed",
        ),
        # activity
        _c(
            "pageviews",
            INT,
            "Pages (or app views) seen in the visit",
            "ot pages_viewed, number_of_pages_viewed; clicky actions-pageviews",
            True,
        ),
        _c(
            "actions",
            INT,
            "Pageviews, downloads, outbound clicks, clicks and searches in the visit",
            "clicky actions",
            True,
        ),
        _c(
            "distinct_urls",
            INT,
            "Number of distinct URLs viewed in the visit",
            "giosg distinct_visited_urls_count",
        ),
        _c(
            "entry_url",
            S,
            "First page of the visit",
            "ot entryPage, entry_root_url; clicky landing",
        ),
        _c("entry_title", S, "Title of the first page", "ot entry_title"),
        _c(
            "exit_url",
            S,
            "Last page of the visit",
            "ot currentPage, exit_root_url; clicky exit",
        ),
        _c("exit_title", S, "Title of the last page", "ot currentTitle, exit_title"),
        # acquisition
        _c(
            "referrer_url",
            S,
            "External page the visit came from (empty for direct visits)",
            "ot session_referrer, referrer; clicky referrer_url; giosg distinct_referrer_urls",
        ),
        _c(
            "referrer_domain",
            S,
            "Host of referrer_url without 'www.'",
            "ot referrersLogo, session_referrer_hostname; clicky referrer_domain",
        ),
        _c(
            "referrer_type",
            S,
            "direct, search, social, link, email, advertising or campaign",
            "clicky referrer_type, source",
        ),
        _c(
            "search_term",
            S,
            "Search term that brought the visit (from the referrer)",
            "ot search, session_search; clicky referrer_search; giosg distinct_search_terms",
        ),
        _c("campaign", S, "Campaign name (utm_campaign or vendor equivalent)", "clicky campaign"),
        # geography (names and codes kept as recorded)
        _c(
            "country_code",
            S,
            "ISO 3166-1 alpha-2 code as recorded (e.g. XK, RS)",
            "ot code, country_code, flag, countryCode; clicky country; countly code",
        ),
        _c(
            "country_name",
            S,
            "Country name as recorded (e.g. 'Fiji Islands', 'Serbia and Montenegro')",
            "ot country, country_name; clicky geolocation; countly country; giosg country",
        ),
        _c(
            "region_code",
            S,
            "Region code in its source's system: generated sample data uses ISO 3166-2 "
            "(without the country prefix), Opentracker's rows MaxMind legacy codes (ES 59)",
            "ot region_code, regionCode; clicky regions",
        ),
        _c("region_name", S, "Region name as recorded", "ot region; clicky geolocation (US state)"),
        _c("city", S, "City name as recorded", "ot city; clicky cities, geolocation; giosg city"),
        _c("postal_code", S, "Postal code", "ot postal_code, zipCode"),
        _c("latitude", D, "Latitude of the visitor's location", "ot latitude; clicky latitude"),
        _c("longitude", D, "Longitude of the visitor's location", "ot longitude; clicky longitude"),
        _c("metro_code", S, "US DMA (metro) code", "ot dma_code"),
        _c("area_code", S, "Telephone area code", "ot area, area_code"),
        _c("geo_time_zone", S, "IANA time zone of the visitor's location", "ot timezone"),
        # network
        _c(
            "ip_address",
            S,
            "Visitor IP (truncated when ingested with --anonymize-ip)",
            "ot ip_number, inet_aton; clicky ip_address; countly ip_address",
        ),
        _c("isp", S, "Internet service provider", "ot isp"),
        _c("isp_organization", S, "ISP or organization owning the IP block", "ot isp_org"),
        _c(
            "organization",
            S,
            "Company or organization of the visitor",
            "ot company_org, filtered_company; clicky organization; giosg ip_organization",
        ),
        _c("hostname", S, "Reverse-DNS domain of the IP", "ot provider; clicky hostname"),
        _c("connection_type", S, "Cable/DSL, Corporate, Cellular, Dialup", "ot connection"),
        # technology
        _c(
            "browser",
            S,
            "Browser family (Chrome, Firefox, IE, Safari, ...)",
            "ot browser; clicky web_browser; countly _browser; giosg browser_name",
        ),
        _c(
            "browser_version",
            S,
            "Browser version",
            "ot browser_version; countly _browser_version; giosg browser_version",
        ),
        _c(
            "os",
            S,
            "Operating system family (Windows, Mac OS X, iOS, Android, ...)",
            "ot platform; clicky operating_system; countly _os; giosg os_name",
        ),
        _c("os_version", S, "Operating system version", "ot platform; countly _os_version"),
        _c(
            "device_type",
            S,
            "desktop, mobile or tablet",
            "countly _device_type; giosg device_type; clicky hardware",
        ),
        _c("device", S, "Device model (e.g. iPhone15,2)", "countly _device; clicky hardware"),
        _c(
            "screen_resolution",
            S,
            "Screen size as WIDTHxHEIGHT",
            "ot resolution; clicky screen_resolution; countly _resolution",
        ),
        _c("density", S, "Screen pixel density", "countly _density"),
        _c("language", S, "Language tag (en-US)", "clicky language; countly _locale"),
        _c("javascript", B, "Whether JavaScript ran", "clicky javascript"),
        _c("user_agent", S, "Raw User-Agent header", "countly _ua; access logs"),
        # app
        _c("carrier", S, "Mobile carrier ('Unknown' when missing)", "countly _carrier"),
        _c("app_version", S, "App version", "countly _app_version"),
        _c("sdk_name", S, "SDK that sent the session", "countly sdk_name"),
        _c("sdk_version", S, "SDK version", "countly sdk_version"),
        # quality and extension
        _c("is_bot", B, "Flagged as automated traffic; reports exclude it by default", "", True),
        _c(
            "bot_reason",
            S,
            "Why it was flagged (crawler-ua, headless, one-hit-zero-seconds, rule:NAME)",
            "",
        ),
        _c(
            "properties",
            STRING_MAP,
            "Custom visitor data and segments (key -> value)",
            "clicky custom; ot email and segments ('name!'); giosg rooms",
        ),
        _c(
            "source_fields",
            STRING_MAP,
            "Source fields with no canonical column, kept verbatim",
            "ot machine_id, rnd, entry_query, exit_query_id, event_id",
        ),
    ),
)

EVENTS = Table(
    "events",
    "One row per action in a session: pageviews, downloads, outbound links, clicks, "
    "searches, video and custom (Countly) events.",
    (
        _c("site_id", S, "The site (sites.site_id)", "", True),
        _c("session_id", S, "The session it belongs to (sessions.session_id)", "", True),
        _c("visitor_id", S, "The visitor (sessions.visitor_id)", "", True),
        _c("event_id", S, "Unique id of the action", "ot event_id", True),
        _c("ts", T, "When it happened", "clicky time; countly timestamp", True),
        _c("seq", INT, "Position within the session, from 1", "", True),
        _c(
            "type",
            S,
            "pageview, download, outbound, click, search, video_play, video_pause, "
            "video_seek, video_end or custom",
            "clicky action_type",
            True,
        ),
        _c(
            "url",
            S,
            "Page, download or outbound URL",
            "clicky action_url; giosg distinct_visited_urls",
        ),
        _c("title", S, "Page title or link text", "clicky action_title"),
        _c("referrer_url", S, "Referrer of a pageview", "clicky referrer_url (actions-list)"),
        _c("search_term", S, "Internal search term of a search action", "clicky searches"),
        _c("key", S, "Custom event key ('[CLY]_view' for app views)", "countly events[].key"),
        _c(
            "count",
            INT,
            "Occurrences carried by the event (1 for web actions)",
            "countly count",
            True,
        ),
        _c("sum", D, "Summed value (e.g. purchase amount)", "countly sum"),
        _c("duration_s", D, "Duration carried by the event, seconds", "countly dur"),
        _c(
            "segmentation",
            STRING_MAP,
            "Event segmentation (key -> value)",
            "countly segmentation",
        ),
    ),
)

TABLES: dict[str, Table] = {t.name: t for t in (SITES, SESSIONS, EVENTS)}

REFERRER_TYPES = ("direct", "search", "social", "link", "email", "advertising", "campaign")
EVENT_TYPES = (
    "pageview",
    "download",
    "outbound",
    "click",
    "search",
    "video_play",
    "video_pause",
    "video_seek",
    "video_end",
    "custom",
)
DEVICE_TYPES = ("desktop", "mobile", "tablet")


def table(name: str) -> Table:
    """The canonical table called ``name``."""
    try:
        return TABLES[name]
    except KeyError:
        raise WorkbenchError(
            "unknown_table", f"unknown table {name!r}; expected one of: {', '.join(TABLES)}"
        ) from None


def conform(name: str, data: pa.Table) -> pa.Table:
    """``data`` with table ``name``'s columns in order, missing nullable ones as nulls.

    Values are cast to the column types. Unknown columns, missing required columns and
    nulls in required columns are errors naming them.
    """
    spec = table(name)
    if list(data.column_names) != list(spec.names):
        _check_names(spec, data.column_names)
    arrays = []
    for col in spec.columns:
        if col.name in data.column_names:
            arr = data.column(col.name)
            if arr.type != col.type:
                arr = arr.cast(col.type)
        else:
            arr = pa.nulls(data.num_rows, col.type)
        if col.required and arr.null_count:
            raise WorkbenchError(
                "null_value",
                f"{name}.{col.name}: {arr.null_count} null value(s) in a required column",
            )
        arrays.append(arr)
    return pa.Table.from_arrays(arrays, schema=spec.schema)


def _check_names(spec: Table, names: list[str]) -> None:
    unknown = [c for c in names if c not in spec.names]
    if unknown:
        raise WorkbenchError(
            "unknown_column",
            f"{spec.name}: unknown column(s) {', '.join(unknown)}; "
            f"expected: {', '.join(spec.names)}",
        )
    missing = [c.name for c in spec.columns if c.required and c.name not in names]
    if missing:
        raise WorkbenchError(
            "missing_column", f"{spec.name}: missing required column(s) {', '.join(missing)}"
        )


def markdown() -> str:
    """Every table and column as Markdown (what docs/model.md holds; `workbench model`)."""
    lines = [
        "# Data model",
        "",
        "Generated from `workbench/model.py` by `workbench model > docs/model.md`; a test keeps",
        "it current. Sources: `ot` Opentracker (seeds 000, 001), `countly` (002), `clicky` (003),",
        "`giosg` (004). Timestamps are UTC instants in milliseconds.",
    ]
    for spec in TABLES.values():
        lines += ["", f"## {spec.name}", "", spec.purpose, ""]
        lines += ["| column | type | required | meaning | serves |", "|---|---|---|---|---|"]
        for c in spec.columns:
            cells = [f"`{c.name}`", str(c.type), "yes" if c.required else "", c.meaning, c.serves]
            lines.append("| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |")
    return "\n".join(lines) + "\n"
