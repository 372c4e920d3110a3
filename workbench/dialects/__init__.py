"""The vendor dialects: each parses its documented parameters and shapes its documented answer."""

from workbench.dialects import (  # noqa: F401  (routes register on import)
    clicky,
    countly_dashboard,
    countly_read,
    countly_write,
    giosg,
    opentracker,
    opentracker_geo,
    opentracker_sessions,
)
