"""The crawlers that visit the sample web sites: their user agents and where they come from."""

from __future__ import annotations

# browser, version, user agent, device type, home country, weight
CRAWLERS = (
    (
        "Googlebot",
        "2.1",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "desktop",
        "US",
        22,
    ),
    (
        "Googlebot",
        "2.1",
        "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/131.0.6778.69 Mobile Safari/537.36 (compatible; Googlebot/2.1; "
        "+http://www.google.com/bot.html)",
        "mobile",
        "US",
        18,
    ),
    (
        "bingbot",
        "2.0",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "desktop",
        "US",
        16,
    ),
    (
        "AhrefsBot",
        "7.0",
        "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
        "desktop",
        "SG",
        12,
    ),
    (
        "SemrushBot",
        "7~bl",
        "Mozilla/5.0 (compatible; SemrushBot/7~bl; +http://www.semrush.com/bot.html)",
        "desktop",
        "US",
        7,
    ),
    (
        "YandexBot",
        "3.0",
        "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
        "desktop",
        "RU",
        5,
    ),
    (
        "Baiduspider",
        "2.0",
        "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        "desktop",
        "CN",
        3,
    ),
    (
        "DuckDuckBot",
        "1.1",
        "DuckDuckBot/1.1; (+http://duckduckgo.com/duckduckbot.html)",
        "desktop",
        "US",
        3,
    ),
    (
        "Applebot",
        "0.1",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_5) AppleWebKit/605.1.15 "
        "(KHTML, like Gecko) Version/13.1.1 Safari/605.1.15 (Applebot/0.1; "
        "+http://www.apple.com/go/applebot)",
        "desktop",
        "US",
        4,
    ),
    (
        "GPTBot",
        "1.2",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; "
        "+https://openai.com/gptbot)",
        "desktop",
        "US",
        5,
    ),
    (
        "facebookexternalhit",
        "1.1",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "desktop",
        "US",
        3,
    ),
)

# Networks of automated traffic: each crawler's own (by the name in its user agent), then
# the data centres headless browsers and one-hit scripts run in (ISP, owner, reverse DNS)
CRAWLER_NETWORKS = {
    "Googlebot": ("Google LLC", "Google LLC", "googlebot.com"),
    "bingbot": ("Microsoft Corporation", "Microsoft Corporation", "search.msn.com"),
    "AhrefsBot": ("Ahrefs Pte Ltd", "Ahrefs Pte Ltd", "ahrefs.net"),
    "SemrushBot": ("SEMrush CY LTD", "SEMrush CY LTD", "semrush.com"),
    "YandexBot": ("Yandex LLC", "Yandex LLC", "yandex.com"),
    "Baiduspider": (
        "China Unicom Beijing",
        "Beijing Baidu Netcom Science and Technology",
        "baidu.com",
    ),
    "DuckDuckBot": ("Microsoft Corporation", "Duck Duck Go, Inc.", "duckduckgo.com"),
    "Applebot": ("Apple Inc.", "Apple Inc.", "applebot.apple.com"),
    "GPTBot": ("Microsoft Corporation", "OpenAI, L.L.C.", "openai.com"),
    "facebookexternalhit": ("Facebook, Inc.", "Meta Platforms, Inc.", "fbsv.net"),
}
DATACENTER_NETWORKS = (
    ("Amazon.com, Inc.", "Amazon Technologies Inc.", "amazonaws.com"),
    ("DigitalOcean, LLC", "DigitalOcean, LLC", "digitalocean.com"),
    ("Hetzner Online GmbH", "Hetzner Online GmbH", "your-server.de"),
    ("OVH SAS", "OVH SAS", "ovh.net"),
    ("Google LLC", "Google Cloud", "googleusercontent.com"),
    ("Microsoft Corporation", "Microsoft Azure", "cloudapp.azure.com"),
)

# Where automated traffic comes from (data centres)
DATACENTERS = "US 55 DE 10 NL 7 SG 7 IE 5 FR 5 GB 4 FI 3 JP 2 CA 2"
