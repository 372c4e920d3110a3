"""What the sample websites contain: pages and titles, search terms, downloads, links, clicks."""

from __future__ import annotations

from dataclasses import dataclass

from workbench.sample import sites


@dataclass(frozen=True)
class SiteCatalog:
    """One website's content, with how often each item is seen."""

    base: str  # scheme and host, no trailing slash
    suffix: str  # appended to page titles (unless the title already has a ' | ')
    pages: tuple[tuple[str, str, float, float], ...]  # path, title, pageview weight, entry weight
    terms: tuple[tuple[str, str, float], ...]  # search-engine query, landing path, weight
    downloads: tuple[tuple[str, str], ...]  # path, link text
    outbound: tuple[tuple[str, str], ...]  # URL, link text
    clicks: tuple[str, ...]  # texts of tracked buttons and links
    searches: tuple[str, ...]  # internal site-search queries
    search_path: str  # internal search URL before the (encoded) query

    def title(self, text: str) -> str:
        return text if " | " in text else f"{text}{self.suffix}"


OPENTRACKER = SiteCatalog(
    base="https://www.opentracker.net",
    suffix=" | Opentracker.net",
    pages=(
        (
            "",
            "Opentracker.net | Real-time Website Visitor Tracking, Traffic Monitoring, "
            "Statistics & Analysis",
            20,
            40,
        ),
        ("/loginpage", "Get in here.", 12, 14),
        ("/features", "Get More", 8, 4),
        ("/pricing", "Pricing", 7, 3),
        ("/signup", "Start your free trial", 4, 1),
        ("/article/hits-or-pageviews", "Hits or pageviews?", 5, 6),
        ("/article/clickstream-or-clickpath-analysis", "Clickstream or clickpath analysis", 3, 4),
        ("/article/what-is-a-bounce-rate", "What is a bounce rate?", 3, 4),
        ("/article/unique-visitors-vs-visits", "Unique visitors vs. visits", 3, 3),
        ("/article/web-analytics-definitions", "Web analytics definitions", 2, 2),
        ("/article/how-to-measure-user-engagement", "How to measure user engagement", 2, 2),
        ("/article/conversion-rate-optimization", "Conversion rate optimization", 2, 2),
        ("/article/cookies-and-privacy", "Cookies and privacy", 1.5, 1.5),
        ("/article/website-traffic-sources", "Website traffic sources", 1.5, 1.5),
        ("/article/average-session-duration", "Average session duration", 1.5, 1.5),
        ("/article/returning-visitors", "Returning visitors", 1, 1),
        ("/article/ip-geolocation", "IP geolocation explained", 1, 1),
        ("/article/event-tracking", "Event tracking", 1, 1),
        ("/resources/video-screencasts", "Video Screencasts", 1.5, 0.5),
        (
            "/company/pressreleases/amnesty-international-msf-and-red-cross-join-opentracker-"
            "philanthropy-program",
            "amnesty international, MSf, and red cross join Opentracker philanthropy program",
            0.5,
            0.5,
        ),
        ("/company/about", "About us", 1, 0.3),
        ("/company/contact", "Contact", 1, 0.3),
        ("/features/visitor-profiles", "Visitor profiles", 2, 0.5),
        ("/features/real-time-dashboard", "Real-time dashboard", 2, 0.5),
        ("/features/email-reports", "Email reports", 1, 0.3),
        ("/api", "API documentation", 2, 0.8),
        ("/api/location/top_country_region_city", "Top countries, regions and cities API", 1, 0.4),
        ("/api/sessions/c_view_session", "Sessions API", 1, 0.4),
        ("/help/installation", "Installing the tracking script", 1.5, 0.6),
        ("/help/faq", "FAQ", 1.2, 0.4),
        ("/blog", "Blog", 1, 0.4),
    ),
    terms=(
        ("hits or pageviews", "/article/hits-or-pageviews", 6),
        ("pageveiws", "/article/hits-or-pageviews", 1),
        ("hits vs pageviews", "/article/hits-or-pageviews", 2),
        ("clickstream analysis", "/article/clickstream-or-clickpath-analysis", 3),
        ("metrics for following clickpath", "/article/clickstream-or-clickpath-analysis", 1),
        ("what is bounce rate", "/article/what-is-a-bounce-rate", 3),
        ("unique visitors vs visits", "/article/unique-visitors-vs-visits", 3),
        ("web analytics definitions", "/article/web-analytics-definitions", 1.5),
        ("opentracker", "", 6),
        ("open tracker", "", 3),
        ("opentracker login", "/loginpage", 4),
        ("track user on website", "", 2),
        ("website visitor tracking", "", 3),
        ("real time visitor tracking", "/features/real-time-dashboard", 2),
        ("average session duration", "/article/average-session-duration", 1.5),
        ("user engagement metrics", "/article/how-to-measure-user-engagement", 1.5),
        ("conversion rate optimization tips", "/article/conversion-rate-optimization", 1),
        ("ip geolocation", "/article/ip-geolocation", 1),
        ("event tracking javascript", "/article/event-tracking", 1),
        ("web analytics api", "/api", 1),
        ("returning visitors definition", "/article/returning-visitors", 1),
        ("website traffic sources", "/article/website-traffic-sources", 1),
    ),
    downloads=(
        ("/downloads/opentracker-whitepaper.pdf", "Download the whitepaper (PDF)"),
        ("/downloads/web-analytics-glossary.pdf", "Web analytics glossary (PDF)"),
        ("/downloads/opentracker-api-examples.zip", "API examples (ZIP)"),
    ),
    outbound=(
        ("https://twitter.com/opentracker", "Follow us on Twitter"),
        ("https://www.linkedin.com/company/opentracker", "LinkedIn"),
        ("https://www.youtube.com/user/opentracker", "Watch on YouTube"),
        ("https://github.com/opentracker", "GitHub"),
    ),
    clicks=("Start free trial", "Watch the demo", "Login", "Compare plans", "Chat with us"),
    searches=("api", "pricing", "events", "segments", "export csv", "ip address", "bounce rate"),
    search_path="/search?q=",
)

CLICKY = SiteCatalog(
    base="https://clicky.com",
    suffix=" | Clicky",
    pages=(
        ("/", "Clicky | Real Time Web Analytics", 20, 40),
        ("/user/login", "Login", 14, 16),
        ("/features", "Features", 6, 4),
        ("/pricing", "Pricing", 6, 3),
        ("/signup", "Sign up", 3, 1),
        ("/stats/demo", "Live demo", 5, 2),
        ("/help", "Help", 4, 2),
        ("/help/api", "Analytics API", 5, 4),
        ("/help/faq", "FAQ", 3, 2),
        ("/help/custom", "Custom data tracking", 2, 2),
        ("/help/heatmaps", "Heatmaps", 2, 2),
        ("/help/goals", "Goals", 1.5, 1),
        ("/help/campaigns", "Campaigns", 1.5, 1),
        ("/help/uptime", "Uptime monitoring", 1.5, 1.5),
        ("/help/privacy", "Privacy and GDPR", 1.5, 1.5),
        ("/help/integration", "Tracking code and integrations", 2, 1),
        ("/help/bot-detection", "Bot detection", 1, 1),
        ("/blog", "Blog", 2, 1),
        ("/blog/cookieless-tracking", "Cookieless tracking is here", 1.5, 2),
        ("/blog/heatmaps-for-everyone", "Heatmaps for everyone", 1, 1.5),
        ("/blog/uptime-monitoring-updates", "Uptime monitoring updates", 1, 1),
        ("/blog/bot-detection-improvements", "Better bot detection", 1, 1),
        ("/compare/google-analytics", "Clicky vs Google Analytics", 2, 3),
        ("/terms", "Terms of service", 0.5, 0.2),
        ("/privacy", "Privacy policy", 0.7, 0.3),
        ("/contact", "Contact", 0.8, 0.3),
    ),
    terms=(
        ("clicky", "/", 8),
        ("clicky analytics", "/", 6),
        ("clicky login", "/user/login", 5),
        ("clicky web analytics", "/", 3),
        ("real time web analytics", "/", 3),
        ("google analytics alternative", "/compare/google-analytics", 4),
        ("privacy friendly analytics", "/help/privacy", 2),
        ("cookieless analytics", "/blog/cookieless-tracking", 2),
        ("website heatmap tool", "/help/heatmaps", 2),
        ("uptime monitoring", "/help/uptime", 2),
        ("clicky api", "/help/api", 3),
        ("unique visitor versus visitor", "/help/faq", 1),
        ("clicky custom data", "/help/custom", 1),
        ("bot detection analytics", "/help/bot-detection", 1),
        ("clicky pricing", "/pricing", 1.5),
    ),
    downloads=(
        ("/help/files/clicky-api-guide.pdf", "API guide (PDF)"),
        ("/help/files/clicky-logo-pack.zip", "Logo pack"),
    ),
    outbound=(
        ("https://wordpress.org/plugins/clicky/", "WordPress plugin"),
        ("https://twitter.com/clicky", "@clicky on Twitter"),
        ("https://status.clicky.com/", "Service status"),
        ("https://github.com/clicky", "GitHub"),
    ),
    clicks=("Sign up free", "Upgrade to Pro", "View live demo", "Add website", "Get tracking code"),
    searches=("api", "goals", "heatmap", "uptime", "campaign", "custom data", "gdpr", "wordpress"),
    search_path="/help/search?q=",
)

_PRODUCTS = (
    ("villasukat-harmaa", "Villasukat, harmaa", 5),
    ("talvitakki-miesten-musta", "Miesten talvitakki, musta", 4),
    ("untuvatakki-naisten-beige", "Naisten untuvatakki, beige", 4),
    ("kumisaappaat-lasten-sininen", "Lasten kumisaappaat, sininen", 3),
    ("pipo-merino-punainen", "Merinovillapipo, punainen", 3),
    ("lapaset-villa-harmaa", "Villalapaset, harmaa", 2),
    ("toppahaalari-lasten-vihrea", "Lasten toppahaalari, vihreä", 3),
    ("sadetakki-keltainen", "Sadetakki, keltainen", 2),
    ("kuksa-koivu", "Kuksa, koivu", 2),
    ("saunapyyhe-raita", "Saunapyyhe, raita", 2),
    ("pellavaliina-luonnonvalkoinen", "Pellavaliina, luonnonvalkoinen", 1.5),
    ("kahvikuppi-sininen", "Kahvikuppi 2 kpl, sininen", 1.5),
    ("villapaita-naisten-harmaa", "Naisten villapaita, harmaa", 2.5),
    ("farkut-miesten-slim", "Miesten farkut, slim", 2),
    ("talvikengat-naisten-musta", "Naisten talvikengät, musta", 3),
    ("lenkkarit-valkoinen", "Lenkkarit, valkoinen", 2.5),
    ("huopatossut-harmaa", "Huopatossut, harmaa", 1.5),
    ("kynttilat-4-kpl", "Kynttilät 4 kpl", 1),
    ("reppu-musta", "Reppu 20 l, musta", 1.5),
    ("lahjakortti", "Lahjakortti", 1.5),
)

GIOSG = SiteCatalog(
    base="https://shop.example.fi",
    suffix=" | shop.example.fi",
    pages=(
        ("/", "Verkkokauppa: vaatteet, kengät ja kodin tavarat", 18, 35),
        ("/naiset", "Naiset", 6, 3),
        ("/miehet", "Miehet", 5, 3),
        ("/lapset", "Lapset", 4, 2),
        ("/kengat", "Kengät", 4, 2),
        ("/asusteet", "Asusteet", 3, 1),
        ("/koti", "Koti ja sisustus", 3, 1.5),
        ("/ale", "Ale", 6, 6),
        ("/uutuudet", "Uutuudet", 3, 2),
        *((f"/tuote/{slug}", name, w, w / 2) for slug, name, w in _PRODUCTS),
        ("/ostoskori", "Ostoskori", 5, 0.3),
        ("/kassa", "Kassa", 3, 0),
        ("/kassa/kiitos", "Kiitos tilauksestasi!", 1, 0),
        ("/asiakaspalvelu", "Asiakaspalvelu", 1.5, 0.5),
        ("/toimitus-ja-palautus", "Toimitus ja palautukset", 1.2, 0.4),
    ),
    terms=(
        ("villasukat", "/tuote/villasukat-harmaa", 4),
        ("talvitakki miesten", "/tuote/talvitakki-miesten-musta", 3),
        ("untuvatakki naisten", "/tuote/untuvatakki-naisten-beige", 3),
        ("kumisaappaat lapsille", "/tuote/kumisaappaat-lasten-sininen", 2),
        ("merino pipo", "/tuote/pipo-merino-punainen", 2),
        ("lasten toppahaalari", "/tuote/toppahaalari-lasten-vihrea", 2),
        ("kuksa", "/tuote/kuksa-koivu", 1.5),
        ("saunapyyhe", "/tuote/saunapyyhe-raita", 1.5),
        ("pellavaliina", "/tuote/pellavaliina-luonnonvalkoinen", 1),
        ("huopatossut", "/tuote/huopatossut-harmaa", 1),
        ("talvikengät naisten", "/tuote/talvikengat-naisten-musta", 2),
        ("verkkokauppa ale", "/ale", 2),
        ("lahjakortti", "/tuote/lahjakortti", 1),
        ("shop.example.fi", "/", 2),
        ("example shop", "/", 1.5),
    ),
    downloads=(
        ("/media/kokotaulukko.pdf", "Kokotaulukko (PDF)"),
        ("/media/palautuslomake.pdf", "Palautuslomake (PDF)"),
    ),
    outbound=(
        ("https://www.instagram.com/exampleshop.fi/", "Instagram"),
        ("https://www.facebook.com/exampleshop.fi", "Facebook"),
        ("https://www.posti.fi/fi/seuranta", "Seuraa pakettia"),
        ("https://www.klarna.com/fi/", "Klarna"),
    ),
    clicks=(
        "Lisää ostoskoriin",
        "Avaa chat",
        "Valitse koko",
        "Jatka kassalle",
        "Tilaa uutiskirje",
    ),
    searches=("villasukat", "talvitakki", "kengät", "ale", "pipo", "lahjakortti", "sukat"),
    search_path="/haku?q=",
)

CATALOGS: dict[str, SiteCatalog] = {
    sites.OPENTRACKER: OPENTRACKER,
    sites.CLICKY: CLICKY,
    sites.GIOSG: GIOSG,
}
