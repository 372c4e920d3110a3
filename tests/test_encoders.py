"""The generic encoders, each checked by a real parser, and the injection corpus through all of them."""

from __future__ import annotations

import io
import json
import struct
import xml.etree.ElementTree as ET
import zlib
from html.parser import HTMLParser

import pandas as pd
import pytest
from injection import CORPUS, FORMULA_STARTS, is_live_formula, utf8_text, xml_text

from workbench.encoders import ENCODERS, Encoded, Table, as_table, encode
from workbench.encoders.csv import safe_cell
from workbench.encoders.php import php_float, serialize
from workbench.errors import WorkbenchError

corpus = pytest.mark.parametrize("text", list(CORPUS.values()), ids=list(CORPUS))


def assert_error(call, *fragments: str) -> WorkbenchError:
    with pytest.raises(WorkbenchError) as info:
        call()
    for fragment in fragments:
        assert fragment in info.value.message
    return info.value


# ---------------------------------------------------------------- registry and tables


def test_registry_names_every_format():
    assert set(ENCODERS) == {
        "json",
        "jsonp",
        "json_var",
        "csv",
        "html",
        "xml",
        "php",
        "png",
        "jqgrid",
    }


def test_unknown_format_lists_the_valid_ones():
    error = assert_error(lambda: encode("yaml", {}), "format", "'yaml'", "json, jsonp", "php")
    assert error.code == "invalid_parameter"


def test_encode_returns_bytes_and_media_type():
    result = encode("json", {"a": 1})
    assert result == Encoded(b'{"a":1}', "application/json; charset=utf-8")


def test_tables_from_records_keep_first_seen_column_order():
    table = as_table([{"b": 1, "a": 2}, {"a": 3, "c": 4}])
    assert table == Table(("b", "a", "c"), ((1, 2, None), (None, 3, 4)))
    assert as_table({"columns": ["x"], "rows": [[1], [2]]}) == Table(("x",), ((1,), (2,)))


def test_table_rows_must_fit_the_columns():
    assert_error(lambda: Table.of(["a", "b"], [[1]]), "row 1", "expected 2")
    assert_error(lambda: as_table("text"), "a table is expected")


# ---------------------------------------------------------------- json


def test_json_keeps_key_order_and_floats_as_given():
    document = {"z": 1, "a": [0.1, 212.05452, 2.0], "m": None, "t": True}
    assert encode("json", document).body == b'{"z":1,"a":[0.1,212.05452,2.0],"m":null,"t":true}'


def test_json_indented():
    assert encode("json", {"a": [1]}, indent=2).body == b'{\n  "a": [\n    1\n  ]\n}'


def test_json_keeps_non_ascii_as_utf8_and_escapes_what_breaks_out_of_html_and_js():
    body = encode("json", {"k": "é中😀<>&\u2028\u2029/"}).body
    assert body == '{"k":"é中😀\\u003c\\u003e\\u0026\\u2028\\u2029/"}'.encode()
    assert json.loads(body)["k"] == "é中😀<>&\u2028\u2029/"


def test_json_can_escape_slashes_and_writes_nan_as_null():
    assert encode("json", ["a/b"], escape_slashes=True).body == b'["a\\/b"]'
    assert json.loads(encode("json", [float("nan"), float("inf")]).body) == [None, None]


@corpus
def test_json_round_trips_the_corpus(text):
    document = {text: [text, {"nested": text}], "n": -12.5}
    body = encode("json", document).body
    decoded = body.decode("utf-8")  # strict: valid UTF-8
    assert not set(decoded) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(body) == document


# ---------------------------------------------------------------- jsonp and json_var


def strip_callback(body: bytes, callback: str) -> object:
    text = body.decode()
    prefix, suffix = f"/**/{callback}(", ");"
    assert text.startswith(prefix) and text.endswith(suffix)
    return json.loads(text[len(prefix) : -len(suffix)])


def test_jsonp_wraps_json_in_the_callback_and_is_javascript():
    result = encode("jsonp", {"a": [1, "x"]}, callback="jQuery.cb_12")
    assert result.body == b'/**/jQuery.cb_12({"a":[1,"x"]});'
    assert result.media_type == "application/javascript; charset=utf-8"
    assert encode("jsonp", [1], callback="f", comment=False).body == b"f([1]);"


@corpus
def test_jsonp_round_trips_the_corpus(text):
    document = [{"title": text}, text]
    assert strip_callback(encode("jsonp", document, callback="cb").body, "cb") == document


HOSTILE_CALLBACKS = [
    "alert(1)//",
    "a b",
    "<script>",
    "",
    "cb;alert(1)",
    "cb\n",
    "a-b",
    "é",
    "cb\u2028",
    None,
]


@pytest.mark.parametrize("callback", HOSTILE_CALLBACKS + list(CORPUS.values()))
def test_jsonp_refuses_hostile_callbacks_naming_the_parameter(callback):
    call = lambda: encode("jsonp", {}, callback=callback, param="json_callback")  # noqa: E731
    error = assert_error(call, "json_callback", "letters, digits, '_' and '.'")
    assert error.code == "invalid_parameter"


def test_json_var_assigns_the_json():
    result = encode("json_var", {"a": 1}, name="my_var")
    assert result.body == b'var my_var = {"a":1};'
    assert result.media_type.startswith("application/javascript")
    assert encode("json_var", [], name="window.stats").body == b"window.stats = [];"
    assert_error(lambda: encode("json_var", [], name="x=1;alert(1)"), "json_var", "letters")


# ---------------------------------------------------------------- csv


def read_csv(body: bytes, **options) -> list[list[object]]:
    frame = pd.read_csv(io.BytesIO(body), header=None, encoding="utf-8", **options)
    return frame.values.tolist()


def neutralised(text: str) -> str:
    """The test's own oracle: what a safe CSV cell for ``text`` reads back as."""
    text = utf8_text(text)
    return "'" + text if is_live_formula(text) else text


def test_csv_is_rfc_4180():
    table = Table.of(["name", "value"], [["a,b", 1], ['say "hi"', -12.5], ["=1+1", None]])
    result = encode("csv", table)
    assert result.body == b'name,value\r\n"a,b",1\r\n"say ""hi""",-12.5\r\n\'=1+1,\r\n'
    assert result.media_type == "text/csv; charset=utf-8"


def test_csv_header_preamble_and_bom_are_options():
    table = Table.of(["a"], [["x"]])
    assert encode("csv", table, header=False).body == b"x\r\n"
    assert encode("csv", table, preamble=[["site", "www"]]).body == b"site,www\r\na\r\nx\r\n"
    assert encode("csv", table, bom=True).body == b"\xef\xbb\xbfa\r\nx\r\n"


def test_csv_reads_records():
    body = encode("csv", [{"No.": "1", "users": "479"}, {"No.": "", "users": "1,879"}]).body
    assert body == b'No.,users\r\n1,479\r\n,"1,879"\r\n'


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\t1", "'\t1"),
        ("\r1", "'\r1"),
        ("-12.5", "-12.5"),
        ("-3", "-3"),
        ("-1e5", "-1e5"),
        ("-.5", "-.5"),
        ("-", "'-"),
        (-12.5, "-12.5"),
        (-3, "-3"),
        (True, "true"),
        (None, ""),
        ("a=b", "a=b"),
    ],
)
def test_csv_formula_cells_get_a_quote_and_plain_numbers_stay(value, cell):
    assert safe_cell(value) == cell


def test_csv_numbers_read_back_as_numbers():
    table = Table.of(["a", "b", "c", "d"], [[-12.5, "-12.5", -3, "7"], [0.25, "2", 4, "-1"]])
    frame = pd.read_csv(io.BytesIO(encode("csv", table).body))
    assert frame.to_dict("list") == {
        "a": [-12.5, 0.25],
        "b": [-12.5, 2],
        "c": [-3, 4],
        "d": [7, -1],
    }


@corpus
def test_csv_round_trips_the_corpus_with_no_live_formula(text):
    table = Table.of(["name", text], [[text, 1], [-12.5, text]])
    cells = read_csv(encode("csv", table).body, dtype=str, keep_default_na=False)
    expected = [["name", neutralised(text)], [neutralised(text), "1"], ["-12.5", neutralised(text)]]
    assert cells == expected
    for cell in (c for row in cells for c in row):
        assert not is_live_formula(cell)
        assert not cell.startswith(FORMULA_STARTS) or cell == "-12.5"


# ---------------------------------------------------------------- html


class TableParser(HTMLParser):
    """Every tag, every attribute and the text of every text-holding element, as parsed."""

    TEXT = ("th", "td", "caption", "title")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str | None]] = []
        self.texts: list[str] = []
        self.other: list[str] = []
        self._text: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(tag, name, value) for name, value in attrs]
        if tag in self.TEXT:
            self._text = []

    def handle_endtag(self, tag):
        if tag in self.TEXT and self._text is not None:
            self.texts.append("".join(self._text))
            self._text = None

    def handle_data(self, data):
        if self._text is not None:
            self._text.append(data)
        elif data.strip():
            self.other.append(data)

    def handle_comment(self, data):
        self.other.append(f"comment {data}")

    def handle_decl(self, decl):
        self.other.append(decl)

    def handle_pi(self, data):
        self.other.append(f"pi {data}")

    def unknown_decl(self, data):
        self.other.append(f"unknown {data}")


def parse_html(body: bytes) -> TableParser:
    parser = TableParser()
    parser.feed(body.decode("utf-8"))
    parser.close()
    return parser


def test_html_table_fragment():
    table = Table.of(["country", "users"], [["India", 479], ["<b>", None]])
    result = encode("html", table)
    assert result.media_type == "text/html; charset=utf-8"
    assert result.body.decode() == (
        "<table>\n<thead><tr><th>country</th><th>users</th></tr></thead>\n<tbody>\n"
        "<tr><td>India</td><td>479</td></tr>\n<tr><td>&lt;b&gt;</td><td></td></tr>\n"
        "</tbody>\n</table>\n"
    )


def test_html_sort_values_must_match_the_rows():
    table = Table.of(["a"], [[1], [2]])
    assert_error(lambda: encode("html", table, sort_values=[[1]]), "sort_values", "expected 2")


@corpus
def test_html_has_no_markup_from_data_and_round_trips_the_corpus(text):
    table = Table.of(["label", text], [[text, 1], [None, text]])
    body = encode(
        "html",
        table,
        caption=text,
        table_class=text,
        sort_values=[[text, 1], [2, text]],
        full_page=True,
        title=text,
    ).body
    parsed = parse_html(body)
    safe = utf8_text(text)
    assert parsed.tags == [
        *("html", "head", "meta", "title", "body", "table", "caption", "thead", "tr", "th", "th"),
        *("tbody", "tr", "td", "td", "tr", "td", "td"),
    ]
    assert parsed.attrs == [
        ("html", "lang", "en"),
        ("meta", "charset", "utf-8"),
        ("table", "class", safe),
        ("td", "sort", safe),
        ("td", "sort", "1"),
        ("td", "sort", "2"),
        ("td", "sort", safe),
    ]
    assert parsed.texts == [safe, safe, "label", safe, safe, "1", "", safe]
    assert parsed.other == ["DOCTYPE html"]


# ---------------------------------------------------------------- xml


def test_xml_nests_dicts_and_lists_with_a_declaration():
    document = {"name": "a & b", "values": [1, 2.5, None, True], "empty": {}}
    result = encode("xml", document)
    assert result.body.decode() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n<response><name>a &amp; b</name>'
        "<values><item>1</item><item>2.5</item><item/><item>true</item></values><empty/>"
        "</response>\n"
    )
    assert result.media_type == "application/xml; charset=utf-8"


def test_xml_builds_the_type_date_item_nesting_with_attributes():
    document = {
        "@status": "ok",
        "type": [
            {
                "@type": "pages",
                "date": [
                    {"@date": "2011-09-27", "item": [{"value": "6", "title": "Test Page"}]},
                ],
            },
            {"@type": "visitors", "date": [{"@date": "2011-09-27", "item": [{"value": "9"}]}]},
        ],
    }
    body = encode("xml", document, repeat_lists=True).body.decode()
    assert body.endswith(
        '<response status="ok"><type type="pages"><date date="2011-09-27"><item>'
        "<value>6</value><title>Test Page</title></item></date></type>"
        '<type type="visitors"><date date="2011-09-27"><item><value>9</value></item></date>'
        "</type></response>\n"
    )
    root = ET.fromstring(body.encode())
    assert [t.get("type") for t in root.findall("type")] == ["pages", "visitors"]
    assert root.find("type/date/item/title").text == "Test Page"


def test_xml_indents_only_between_elements():
    document = {"a": {"@k": "v", "#text": "x y"}, "b": [1]}
    body = encode("xml", document, root="r", item_tag="i", indent=2, declaration=False).body
    assert body.decode() == '<r>\n  <a k="v">x y</a>\n  <b>\n    <i>1</i>\n  </b>\n</r>\n'


@pytest.mark.parametrize("name", ["", "1abc", "a b", "a:b", "<x>", "-a", "x>"])
def test_xml_refuses_invalid_names(name):
    assert_error(lambda: encode("xml", {name: 1}), "xml name", "an XML name")
    assert_error(lambda: encode("xml", {f"@{name}": 1}), "xml attribute")
    assert_error(lambda: encode("xml", [], root=name), "xml name")


def test_xml_attributes_hold_plain_values_only():
    assert_error(lambda: encode("xml", {"@a": [1]}), "xml attribute", "plain value")


@pytest.mark.parametrize("name", ["a", "_x", "visitors-list", "a.b", "日付", "données", "x1"])
def test_xml_accepts_names(name):
    root = ET.fromstring(encode("xml", {name: 1, f"@{name}": 2}).body)
    assert root.find(name).text == "1" and root.get(name) == "2"


@corpus
def test_xml_is_well_formed_for_the_corpus(text):
    document = {"@label": text, "name": text, "items": [text, {"@v": text, "#text": text}]}
    root = ET.fromstring(encode("xml", document).body)
    expected = xml_text(text)
    assert root.get("label") == expected
    assert (root.find("name").text or "") == expected
    first, second = root.findall("items/item")
    assert (first.text or "") == expected
    assert second.get("v") == expected and (second.text or "") == expected


@corpus
def test_xml_data_as_element_name_is_refused_or_exact(text):
    try:
        body = encode("xml", {text: 1}).body
    except WorkbenchError as error:
        assert "an XML name" in error.message
    else:
        assert ET.fromstring(body)[0].tag == text


# ---------------------------------------------------------------- php


def php_unserialize(data: bytes) -> object:
    """A small strict unserialize(): string lengths are checked as UTF-8 byte counts."""
    value, end = _php_value(data, 0)
    assert end == len(data), f"trailing data at byte {end}"
    return value


def _php_value(data: bytes, i: int) -> tuple[object, int]:
    kind = data[i : i + 2]
    if kind == b"N;":
        return None, i + 2
    if kind in (b"b:", b"i:", b"d:"):
        end = data.index(b";", i)
        raw = data[i + 2 : end].decode("ascii")
        parse = {b"b:": lambda r: {"0": False, "1": True}[r], b"i:": int, b"d:": float}[kind]
        return parse(raw), end + 1
    colon = data.index(b":", i + 2)
    count = int(data[i + 2 : colon])
    if kind == b"s:":
        start = colon + 2
        assert data[colon + 1 : start] == b'"' and data[start + count : start + count + 2] == b'";'
        return data[start : start + count].decode("utf-8"), start + count + 2
    assert kind == b"a:" and data[colon + 1 : colon + 2] == b"{", f"bad type at byte {i}"
    result, j = {}, colon + 2
    for _ in range(count):
        key, j = _php_value(data, j)
        assert isinstance(key, int | str)
        result[key], j = _php_value(data, j)
    assert data[j : j + 1] == b"}"
    return result, j + 1


def php_array(value: object) -> object:
    """``value`` as PHP holds it: lists become int-keyed dicts, strings survive UTF-8."""
    if isinstance(value, list | tuple):
        value = dict(enumerate(value))
    if isinstance(value, dict):
        return {utf8_text(k) if isinstance(k, str) else k: php_array(v) for k, v in value.items()}
    return utf8_text(value) if isinstance(value, str) else value


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "N;"),
        (True, "b:1;"),
        (False, "b:0;"),
        (-7, "i:-7;"),
        (0.1, "d:0.1;"),
        (2.0, "d:2;"),
        (-0.0, "d:-0;"),
        (212.05452, "d:212.05452;"),
        (1e25, "d:1.0E+25;"),
        (1.5e-7, "d:1.5E-7;"),
        (0.0001, "d:0.0001;"),
        (float("inf"), "d:INF;"),
        ("", 's:0:"";'),
        ("é", 's:2:"é";'),
        ("😀", 's:4:"😀";'),
        ('a"b;', 's:4:"a"b;";'),
        (["a", 1], 'a:2:{i:0;s:1:"a";i:1;i:1;}'),
        ({"b": None, "7": 1, "07": 2, "-1": 3}, 'a:4:{s:1:"b";N;i:7;i:1;s:2:"07";i:2;i:-1;i:3;}'),
        (
            {"pages": {"2024-10-28,2024-10-29": [{"value": "6"}]}},
            (
                'a:1:{s:5:"pages";a:1:{s:21:"2024-10-28,2024-10-29";a:1:{i:0;a:1:'
                '{s:5:"value";s:1:"6";}}}}'
            ),
        ),
    ],
)
def test_php_serializes_as_php_does(value, text):
    assert serialize(value) == text


def test_php_floats_switch_to_exponent_form_where_php_does():
    assert [php_float(x) for x in (1e16, 1e17, 123456.5, 1e-5, -2.5)] == [
        "10000000000000000",
        "1.0E+17",
        "123456.5",
        "1.0E-5",
        "-2.5",
    ]


def test_php_media_type_and_unsupported_values():
    assert encode("php", [1]).media_type == "text/plain; charset=utf-8"
    with pytest.raises(TypeError):
        serialize({"a": object()})


@corpus
def test_php_round_trips_the_corpus_with_byte_lengths(text):
    document = {text: [text, 1, -12.5, None, True], "k": {"nested": text}}
    body = encode("php", document).body
    assert php_unserialize(body) == php_array(document)


@corpus
def test_php_agrees_with_phpserialize(text):
    phpserialize = pytest.importorskip("phpserialize")
    document = {"title": text, "items": [text, 2, 0.5, None, False]}
    body = encode("php", document).body
    assert phpserialize.loads(body, decode_strings=True) == php_array(document)


# ---------------------------------------------------------------- jqgrid


def test_jqgrid_document_shape():
    table = Table.of(["id", "country", "users"], [["IN", "India", 479], ["US", "<US>", 383]])
    grid = json.loads(encode("jqgrid", table, id_column="id", records=98, total_pages=2).body)
    assert grid == {
        "total": 2,
        "page": 1,
        "records": 98,
        "rows": [
            {"id": "IN", "cell": ["IN", "India", 479]},
            {"id": "US", "cell": ["US", "<US>", 383]},
        ],
    }
    assert json.loads(encode("jqgrid", table).body)["rows"][1]["id"] == "2"
    assert_error(lambda: encode("jqgrid", table, id_column="nope"), "id_column", "country")


# ---------------------------------------------------------------- png


def png_size(body: bytes) -> tuple[int, int]:
    """Width and height from the PNG signature and IHDR chunk (with its CRC checked)."""
    assert body[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", body[8:16])
    assert kind == b"IHDR" and length == 13
    crc = struct.unpack(">I", body[16 + length : 20 + length])[0]
    assert crc == zlib.crc32(body[12 : 16 + length])
    return struct.unpack(">II", body[16:24])


def png_colours(body: bytes) -> int:
    from PIL import Image

    with Image.open(io.BytesIO(body)) as image:
        image.load()
        return len(image.convert("RGB").getcolors(maxcolors=1 << 20) or ())


@pytest.mark.slow  # starts the renderer (Chromium) once: ~3 s, then ~0.2 s a chart
@pytest.mark.xdist_group("kaleido")
def test_png_is_a_real_chart_of_the_given_size_even_with_the_corpus_as_labels():
    table = Table.of(["country", "users"], [["India", 479], ["United States", 383], ["Iceland", 3]])
    for scale in (1, 2):
        result = encode("png", table, title="Top countries", width=640, height=360, scale=scale)
        assert result.media_type == "image/png"
        assert png_size(result.body) == (640 * scale, 360 * scale)
        assert png_colours(result.body) > 10
    hostile = Table.of(["label", "value"], [[t, n + 1] for n, t in enumerate(CORPUS.values())])
    body = encode("png", hostile, title=CORPUS["script_tag"], width=500).body
    width, height = png_size(body)
    assert width == 500 and height >= 300
    assert png_colours(body) > 10


@pytest.mark.parametrize(
    ("options", "fragments"),
    [
        ({"width": 10}, ("width", "pixels from 50")),
        ({"height": 99999}, ("height", "pixels from 50")),
        ({"value_column": "nope"}, ("value_column", "label, value")),
        ({"label_column": "nope"}, ("label_column", "label, value")),
    ],
)
def test_png_refuses_bad_options_before_drawing(options, fragments):
    table = Table.of(["label", "value"], [["a", 1]])
    assert_error(lambda: encode("png", table, **options), *fragments)


def test_png_needs_numbers():
    table = Table.of(["label", "value"], [["a", "many"]])
    assert_error(lambda: encode("png", table), "value", "not a number")
