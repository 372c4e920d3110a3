"""The geography view's map as a Plotly figure, drawn from topojson shipped with the project.

Countries are a choropleth; regions and cities are bubbles at reference coordinates
(a region at the population-weighted centre of its cities). Plotly fetches its topojson
from a CDN by default: the browser gets it from the app's static folder
(``TOPOJSON_URL``) and image exports from the same files on disk (``workbench.ui.images``).
"""

from __future__ import annotations

from functools import cache

import pandas as pd
import plotly.graph_objects as go
import pycountry

from workbench import reference
from workbench.ui.selection import Drill

TOPOJSON_URL = "app/static/topojson/"  # relative: Streamlit serves ./static at /app/static
PLOT_CONFIG = {"topojsonURL": TOPOJSON_URL, "displaylogo": False}


@cache
def iso3(code: str) -> str | None:
    """The ISO 3166-1 alpha-3 code plotly's world map knows a country by."""
    country = pycountry.countries.get(alpha_2=code)
    return country.alpha_3 if country else None


def figure(rows: pd.DataFrame, codes: tuple[str | None, ...], drill: Drill) -> go.Figure:
    """The map of a view table's rows (totals and unknown locations are not on it)."""
    level = drill.level if drill.level != "sessions" else "city"
    located = rows.iloc[: len(codes)].assign(_code=codes).dropna(subset=["_code"])
    located = located[located["location"] != "Total"]
    if level == "country":
        fig = _choropleth(located)
    else:
        points = _points(located, drill, level)
        fig = _bubbles(points)
    fig.update_geos(
        showcountries=True,
        countrycolor="#999",
        showland=True,
        landcolor="#eef0f3",
        showframe=False,
        projection_type="natural earth",
        resolution=110,
        fitbounds=False if level == "country" else "locations",
    )
    fig.update_layout(margin={"l": 0, "r": 0, "t": 0, "b": 0}, height=420, clickmode="event+select")
    return fig


def _choropleth(rows: pd.DataFrame) -> go.Figure:
    return go.Figure(
        go.Choropleth(
            locations=[iso3(c) for c in rows["_code"]],
            z=rows["users"],
            customdata=rows["_code"],
            text=rows["location"],
            hovertemplate="%{text}: %{z:,} users<extra></extra>",
            colorscale="Blues",
            marker_line_color="#666",
            colorbar_title="users",
        )
    )


def _bubbles(points: pd.DataFrame) -> go.Figure:
    largest = float(points["users"].max()) if len(points) else 1.0
    sizes = [8 + 40 * (u / largest) ** 0.5 for u in points["users"]]
    return go.Figure(
        go.Scattergeo(
            lat=points["latitude"],
            lon=points["longitude"],
            customdata=points["_code"],
            text=points["location"],
            marker={"size": sizes, "color": "#1f77b4", "opacity": 0.7, "line_width": 0.5},
            hovertemplate="%{text}<extra></extra>",
        )
    )


def _points(rows: pd.DataFrame, drill: Drill, level: str) -> pd.DataFrame:
    """Rows with the latitude and longitude of their region or city (unplaceable ones left out)."""
    cities = reference.cities()
    cities = cities[cities["country_code"] == drill.country]
    if level == "region":
        weight = cities["population"].clip(lower=1)
        centres = (
            cities.assign(
                w=weight, wlat=cities["latitude"] * weight, wlon=cities["longitude"] * weight
            )
            .groupby("region_code")[["w", "wlat", "wlon"]]
            .sum()
        )
        places = pd.DataFrame(
            {
                "latitude": centres["wlat"] / centres["w"],
                "longitude": centres["wlon"] / centres["w"],
            }
        )
    else:
        here = cities[cities["region_code"] == drill.region].sort_values("population")
        places = here.drop_duplicates("city", keep="last").set_index("city")[
            ["latitude", "longitude"]
        ]
    return rows.join(places, on="_code", how="inner")
