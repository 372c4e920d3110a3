"""The session list's columns as seed 001 describes them: labels, hidden and pop-up columns,
the stored column each field shows, and the description keys of its jsondatatable."""

from __future__ import annotations

FILTERED_COMPANY = "filtered_company"

# field -> label, in the document's order
LABELS = {
    "lastEvent": "last event",
    "duration": "duration",
    "status": "status",
    "flag": "flag",
    "country": "country",
    "visits_pageviews": "visits(pv)",
    "currentPage": "current page (exit page)",
    "area": "area code (tel)",
    "area_code": "area_code",
    "browser": "browser",
    "browser_version": "browser_version",
    "city": "city",
    "company_org": "company/ org",
    "connection": "connection",
    "country_code": "country_code",
    "country_name": "country_name",
    "currentTitle": "currentTitle",
    "currentVisitDuration": "current visit duration",
    "dma_code": "dma_code",
    "email": "email",
    "entryPage": "entry page (landing page)",
    "entry_query": "entry_query",
    "entry_root_url": "entry_root_url",
    "entry_title": "entry title",
    "eventUnixTimestamp": "eventUnixTimestamp",
    "event_id": "event_id",
    "exit_query_id": "exit_query_id",
    "exit_root_url": "exit_root_url",
    "exit_title": "exit title",
    "firstMeasurement": "first measurement",
    "first_session_unix_timestamp": "first_session_unix_timestamp",
    "inet_aton": "inet_aton",
    "ip_number": "IP address",
    "isp": "isp",
    "isp_org": "isp/ org",
    "latitude": "latitude",
    "longitude": "longitude",
    "machine_id": "machine_id",
    "machine_idx": "machine_idx",
    "number_of_pages_viewed": "pages viewed during visits (avg.)",
    "number_visits": "number of visits",
    "pages_viewed": "pageviews",
    "platform": "operating systems",
    "postal_code": "postal_code",
    "provider": "provider",
    "referrer": "referrer",
    "referrersLogo": "referrersLogo",
    "region": "region",
    "region_code": "region_code",
    "resolution": "resolution",
    "rnd": "rnd",
    "search": "search term",
    "session_end_unix_timestamp": "session_end_unix_timestamp",
    "session_id": "session_id",
    "session_referrer": "session_referrer",
    "session_referrer_hostname": "session_referrer_hostname",
    "session_referrer_unix_timestamp": "session_referrer_unix_timestamp",
    "session_search": "session_search",
    "session_start_unix_timestamp": "session_start_unix_timestamp",
    "site": "site",
    "timezone": "timezone",
    "total_duration": "total duration",
    "total_number_visits": "total_number_visits",
    "total_pages_viewed": "total pages viewed",
    "type": "type",
    "use_id": "use_id",
    "user_status": "status",
    "visit_id": "visit_id",
    "zipCode": "zip code",
}
FIELDS = tuple(LABELS)
ALL_COLUMNS = (*FIELDS, FILTERED_COMPANY)
COMPANY_LABEL = "filtered_company"

# The example's table description, verbatim (duplicates and all).
HIDDEN = (
    "first_session_unix_timestamp", "timezone", "longitude", "latitude", "visit_id",
    "machine_idx", "total_pages_viewed", "countryName", "region", "city", "isp",
    "company_org", "isp_org", "provider", "referrersLogo", "referrer", "user_status",
    "number_visits", "pages_viewed", "currentTitle", "total_duration", "firstMeasurement",
    "platform", "browser", "resolution", "ip_number", "area", "zipCode", "search",
    "lastVisitDuration", "currentVisitDuration", "endUnixTimestamp", "video", "download",
    "print", "country", "area_code", "browser_version", "countr", "country_code",
    "country_name", "dma_code", "email", "entry_query", "entry_root_url", "entry_title",
    "eventUnixTimestamp", "event_id", "exit_query_id", "exit_root_url", "exit_title",
    "inet_aton", "last_speed", "machine_id", "number_of_pages_viewed", "otpe",
    "postal_code", "region_code", "rnd", "session_end_unix_timestamp", "session_id",
    "session_referrer", "session_referrer_hostname", "session_referrer_unix_timestamp",
    "session_search", "session_start_unix_timestamp", "site", "total_number_visits", "type",
    "use_id", "entryPage", "debug", "session_referrer_unix_timestamp",
    "session_start_unix_timestamp", "session_end_unix_timestamp", "last_speed",
    "first_session_unix_timestamp", "region_code", "country_code",
)  # fmt: skip
POPUP_COLUMNS = [
    [
        "country", "countryName", "city", "region", "email", "video", "download", "print",
        "isp", "company_org", "isp_org", "provider", "area", "zipCode", "referrersLogo",
        "referrer", "search", "user_status", "number_visits", "pages_viewed",
        "total_pages_viewed", "lastVisitDuration", "currentVisitDuration", "total_duration",
        "firstMeasurement", "platform", "browser", "resolution", "ip_number",
    ],
    ["currentPage", "currentTitle"],
]  # fmt: skip
PROFILE_COLUMNS = [
    "country", "countryName", "city", "region", "email", "video", "download", "print",
    "isp", "company_org", "isp_org", "provider", "visit_id", "area", "zipCode",
    "user_status", "number_visits", "pages_viewed", "total_pages_viewed",
    "lastVisitDuration", "currentVisitDuration", "total_duration", "firstMeasurement",
    "referrersLogo", "referrer", "search", "platform", "browser", "resolution", "ip_number",
]  # fmt: skip
EXPAND_URL = (
    "http://api.opentracker.net/api/visitors-online-email/cassandraPageViews.jsp?jsoncallback=?"
)
EXPAND_DATA_COLUMNS = ("flag", "country", "currentPage")  # the example's [3, 4, 6]
EQUIVALENT_COLUMNS = (("currentPage", "currentTitle"),)  # the example's [[6, "currentTitle"]]

# field -> the stored column (a dimension) it shows as is
STORED = {
    "session_id": "session_id",
    "machine_idx": "visitor_id",
    "session_start_unix_timestamp": "start_ts",
    "session_end_unix_timestamp": "end_ts",
    "eventUnixTimestamp": "last_seen_ts",
    "first_session_unix_timestamp": "first_visit_ts",
    "number_visits": "visit_number",
    "pages_viewed": "pageviews",
    "total_pages_viewed": "visitor_pageviews",
    "entryPage": "entry_url",
    "entry_title": "entry_title",
    "currentPage": "exit_url",
    "currentTitle": "exit_title",
    "exit_title": "exit_title",
    "session_referrer": "referrer_url",
    "session_search": "search_term",
    "search": "search_term",
    "country_code": "country_code",
    "country_name": "country_name",
    "country": "country_name",
    "region_code": "region_code",
    "region": "region_name",
    "city": "city",
    "postal_code": "postal_code",
    "zipCode": "postal_code",
    "latitude": "latitude",
    "longitude": "longitude",
    "dma_code": "metro_code",
    "area_code": "area_code",
    "area": "area_code",
    "timezone": "geo_time_zone",
    "ip_number": "ip_address",
    "isp": "isp",
    "isp_org": "isp_organization",
    "company_org": "organization",
    "provider": "hostname",
    "connection": "connection_type",
    "browser_version": "browser_version",
    "email": "property.email",
    "machine_id": "source.machine_id",
    "rnd": "source.rnd",
    "event_id": "source.event_id",
    "entry_query": "source.entry_query",
    "exit_query_id": "source.exit_query_id",
    "total_duration": "source.total_duration",
    "number_of_pages_viewed": "pageviews",
    "total_number_visits": "visit_number",
    "use_id": "visitor_id",
    "visit_id": "session_id",
    FILTERED_COMPANY: "organization",
}
# field -> what orderCriteria sorts it by, for the derived ones (type is constant)
SORTED_BY = {
    **STORED,
    "lastEvent": "last_seen_ts",
    "duration": "duration_s",
    "currentVisitDuration": "duration_s",
    "status": "last_seen_ts",
    "user_status": "last_seen_ts",
    "flag": "country_code",
    "visits_pageviews": "visit_number",
    "browser": "browser",
    "platform": "os",
    "resolution": "screen_resolution",
    "entry_root_url": "entry_url",
    "exit_root_url": "exit_url",
    "firstMeasurement": "first_visit_ts",
    "inet_aton": "ip_address",
    "referrer": "referrer_url",
    "referrersLogo": "referrer_domain",
    "session_referrer_hostname": "referrer_domain",
    "session_referrer_unix_timestamp": "start_ts",
    "site": "site_id",
    "type": None,
}
# the columns every row is read with
COLUMNS = tuple(
    dict.fromkeys(
        [
            *(c for c in SORTED_BY.values() if c),
            "end_ts",
            "duration_s",
            "os_version",
            "source.platform",
        ]
    )
)


def description(columns: tuple[str, ...]) -> dict[str, object]:
    """The example's keys after ``hidden``; column positions point at the shown columns."""
    at = {c: i for i, c in enumerate(columns)}
    return {
        "expandable": True,
        "popUpColumns": POPUP_COLUMNS,
        "graph": [],
        "searchFields": [],
        "mergeUrl": [["currentPage", "currentTitle"]],
        "merge": [],
        "profileColumns": PROFILE_COLUMNS,
        "expandUrl": EXPAND_URL,
        "expand": [["filterByVisitId", "", "", 1]],
        "expandDataIndex": [at[c] for c in EXPAND_DATA_COLUMNS if c in at],
        "equivalentColumns": [[at[a], b] for a, b in EQUIVALENT_COLUMNS if a in at],
    }
