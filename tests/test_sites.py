"""Sites: add with vendor credentials, list without secrets, keys, password reset, remove."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pyarrow as pa
import pytest
from click.testing import CliRunner
from store_worker import sessions

from workbench.cli import main
from workbench.core import Workbench
from workbench.credentials import verify_password
from workbench.errors import WorkbenchError
from workbench.identities import site_by
from workbench.sites import add_site, list_sites, remove_site, reset_password, site_keys
from workbench.store import Store

NOW = dt.datetime(2024, 11, 19, 12, tzinfo=dt.UTC)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.create(tmp_path / "store")


def add(store: Store, site_id: str = "shop", **options) -> object:
    return add_site(store, site_id, now=NOW, **options)


def test_a_site_gets_credentials_for_every_vendor(store: Store) -> None:
    added = add(
        store,
        name="shop.example.com",
        time_zone="Europe/Helsinki",
        vendors=["opentracker", "clicky", "countly", "giosg"],
        login="analyst@example.com",
    )
    site = added.site
    assert re.fullmatch(r"[0-9a-f]{24}", site["countly_app_id"])
    assert re.fullmatch(r"[0-9a-f]{40}", site["countly_app_key"])
    assert re.fullmatch(r"[0-9a-f]{32}", site["countly_api_key"])
    assert re.fullmatch(r"[1-9][0-9]{7}", site["clicky_site_id"])
    assert re.fullmatch(r"[0-9a-f]{16}", site["clicky_sitekey"])
    assert re.fullmatch(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", site["giosg_org_id"])
    assert re.fullmatch(r"[0-9a-f]{32}", site["giosg_token"])
    assert site["opentracker_site"] == "shop.example.com"
    assert "opentracker_password_hash" not in site and len(added.password) >= 16
    stored = site_by(Workbench(store), "countly_app_key", site["countly_app_key"])
    assert stored["site_id"] == "shop" and stored["time_zone"] == "Europe/Helsinki"
    assert verify_password(added.password, stored["opentracker_password_hash"])
    assert added.password not in str(stored)


def test_list_shows_no_secrets_and_keys_show_no_password(store: Store) -> None:
    add(store, vendors=["clicky", "countly", "giosg", "opentracker"], login="a@example.com")
    add(store, "app", kind="app", vendors=["countly"])
    listed = list_sites(store)
    assert listed["site_id"].tolist() == ["app", "shop"]
    assert not {c for c in listed.columns if "key" in c or "token" in c or "password" in c}
    keys = site_keys(store, "shop")
    assert keys["clicky_sitekey"] and keys["giosg_token"] and keys["countly_api_key"]
    assert not [k for k in keys if "password" in k]


def test_a_reset_password_replaces_the_old_one(store: Store) -> None:
    first = add(store, vendors=["opentracker"], login="a@example.com").password
    second = reset_password(store, "shop")
    stored = site_by(Workbench(store), "opentracker_site", "shop")["opentracker_password_hash"]
    assert verify_password(second, stored) and not verify_password(first, stored)
    add(store, "plain")
    with pytest.raises(WorkbenchError, match="no Opentracker identity"):
        reset_password(store, "plain")


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"kind": "mobile"}, "'mobile'; expected one of: web, app"),
        ({"time_zone": "Helsinki"}, "did you mean 'Europe/Helsinki'"),
        ({"vendors": ["matomo"]}, "'matomo'; expected one of: opentracker, clicky, countly, giosg"),
        ({"vendors": ["opentracker"]}, "--login: invalid value None"),
        ({"vendors": ["opentracker"], "login": "nobody"}, "'nobody'"),
        ({"login": "a@example.com"}, "no login without --vendor opentracker"),
    ],
)
def test_bad_options_name_the_value_and_the_choices(store: Store, options, named) -> None:
    with pytest.raises(WorkbenchError, match=re.escape(named)):
        add(store, **options)
    assert store.snapshot.version == 0  # nothing was written


def test_ids_and_identities_are_unique(store: Store) -> None:
    add(store, vendors=["opentracker"], login="a@example.com", name="shop.example.com")
    with pytest.raises(WorkbenchError, match="already exists"):
        add(store)
    with pytest.raises(
        WorkbenchError, match=re.escape("opentracker_site 'shop.example.com' is already used")
    ):
        add(store, "other", vendors=["opentracker"], login="b@example.com", name="shop.example.com")
    with pytest.raises(WorkbenchError, match="site: invalid value 'a b'"):
        add(store, "a b")


def test_remove_refuses_a_site_with_data_unless_forced(store: Store) -> None:
    add(store, "s")
    add(store, "keep")
    rows = sessions(0, rows=10)
    other = rows.set_column(0, "site_id", pa.array(["keep"] * 10))
    with store.batch() as batch:
        batch.append("sessions", rows)
        batch.append("sessions", other)
    with pytest.raises(WorkbenchError, match="site 's' has 10 sessions and 0 events; pass --force"):
        remove_site(store, "s")
    assert list_sites(store)["site_id"].tolist() == ["keep", "s"]
    gone = remove_site(store, "s", force=True)
    assert (gone.sessions, gone.events) == (10, 0)
    assert list_sites(store)["site_id"].tolist() == ["keep"]
    left = store.sql("SELECT site_id, count(*) AS n FROM sessions GROUP BY ALL")
    assert left.values.tolist() == [["keep", 10]]
    with pytest.raises(WorkbenchError, match="site: invalid value 's'; expected one of: keep"):
        remove_site(store, "s")


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def test_cli_creates_adds_lists_shows_keys_and_removes(tmp_path: Path) -> None:
    data = str(tmp_path / "store")
    assert invoke("create", "--data", data).exit_code == 0
    assert "already exists" in invoke("create", "--data", data).output
    out = invoke(
        "site", "add", "shop", "--data", data, "--name", "shop.example.com",
        "--vendor", "countly", "--vendor", "opentracker", "--login", "a@example.com",
    )  # fmt: skip
    assert out.exit_code == 0, out.output
    password = re.search(r"opentracker_password +(\S+)", out.output).group(1)
    app_key = re.search(r"countly_app_key +(\S+)", out.output).group(1)
    listed = invoke("site", "list", "--data", data)
    assert listed.output.startswith("shop ") and app_key not in listed.output
    keys = invoke("site", "keys", "shop", "--data", data)
    assert app_key in keys.output and password not in keys.output
    assert "password" not in keys.output
    reset = invoke("site", "keys", "shop", "--data", data, "--reset-password")
    assert re.search(r"opentracker_password +\S+", reset.output)
    bad = invoke("site", "add", "x", "--data", data, "--kind", "mobile")
    assert bad.exit_code == 1 and "'mobile'; expected one of: web, app" in bad.output
    assert invoke("site", "add", "x").exit_code == 2  # writers need --data
    assert "removed shop" in invoke("site", "remove", "shop", "--data", data).output
    assert invoke("site", "list", "--data", data, "--json").output.strip() == "[]"
