"""Per-country catalogues of the generator: ISPs, organisations, languages, carriers, codes."""

from __future__ import annotations

# ISP name, owning organisation, reverse-DNS domain, weight
ISPS: dict[str, tuple[tuple[str, str, str, float], ...]] = {
    "US": (
        ("Comcast Cable", "Comcast Cable Communications", "comcast.net", 26),
        ("Charter Spectrum", "Charter Communications", "spectrum.com", 20),
        ("AT&T Internet", "AT&T Services", "sbcglobal.net", 16),
        ("Verizon Fios", "Verizon Business", "verizon.net", 14),
        ("Cox Communications", "Cox Communications", "cox.net", 7),
        ("T-Mobile USA", "T-Mobile USA", "tmodns.net", 9),
        ("Optimum Online", "Cablevision Systems", "optonline.net", 5),
    ),
    "IN": (
        ("Reliance Jio", "Reliance Jio Infocomm", "jio.com", 40),
        ("Bharti Airtel", "Bharti Airtel Ltd.", "airtelbroadband.in", 30),
        ("BSNL", "Bharat Sanchar Nigam Ltd", "bsnl.in", 12),
        ("ACT Fibernet", "Atria Convergence Technologies", "actcorp.in", 10),
        ("Vodafone Idea", "Vodafone Idea Ltd", "vil.in", 8),
    ),
    "ID": (
        ("Telkom Indonesia", "PT Telekomunikasi Indonesia", "telkom.net.id", 50),
        ("Indosat Ooredoo", "PT Indosat", "indosat.com", 20),
        ("Biznet", "PT Biznet Gio Nusantara", "biznetnetworks.com", 15),
        ("XL Axiata", "PT XL Axiata", "xl.co.id", 15),
    ),
    "CH": (
        ("Swisscom", "Swisscom (Schweiz) AG", "swisscom.ch", 55),
        ("Sunrise", "Sunrise GmbH", "sunrise.ch", 30),
        ("Salt Mobile", "Salt Mobile SA", "salt.ch", 15),
    ),
    "PH": (
        ("PLDT", "Philippine Long Distance Telephone", "pldt.net", 50),
        ("Globe Telecom", "Globe Telecom Inc.", "globe.com.ph", 35),
        ("Converge ICT", "Converge ICT Solutions", "convergeict.com", 15),
    ),
    "DE": (
        ("Deutsche Telekom", "Deutsche Telekom AG", "t-ipconnect.de", 45),
        ("Vodafone Germany", "Vodafone GmbH", "vodafone.de", 30),
        ("Telefonica Germany", "Telefonica Germany GmbH", "telefonica.de", 15),
        ("1&1 Versatel", "1&1 Versatel Deutschland GmbH", "versatel.de", 10),
    ),
    "GB": (
        ("British Telecommunications", "BT Public Internet Service", "btcentralplus.com", 35),
        ("Virgin Media", "Virgin Media Limited", "virginm.net", 25),
        ("Sky Broadband", "Sky UK Limited", "sky.com", 25),
        ("TalkTalk", "TalkTalk Communications", "talktalk.net", 15),
    ),
    "CA": (
        ("Rogers Communications", "Rogers Communications Canada", "rogers.com", 30),
        ("Bell Canada", "Bell Canada", "sympatico.ca", 30),
        ("Shaw Communications", "Shaw Communications Inc.", "shawcable.net", 20),
        ("Telus", "TELUS Communications", "telus.net", 20),
    ),
    "AU": (
        ("Telstra", "Telstra Corporation", "bigpond.net.au", 45),
        ("Optus", "Singtel Optus", "optusnet.com.au", 30),
        ("TPG Internet", "TPG Telecom", "tpgi.com.au", 25),
    ),
    "TR": (
        ("Turk Telekom", "Turk Telekomunikasyon A.S.", "ttnet.com.tr", 45),
        ("Turkcell Superonline", "Superonline Iletisim Hizmetleri", "superonline.net", 30),
        ("Vodafone Turkey", "Vodafone Net Iletisim", "vodafone.com.tr", 15),
        ("TurkNet", "TurkNet Iletisim Hizmetleri", "turk.net", 10),
    ),
    "FI": (
        ("Elisa Oyj", "Elisa Oyj", "elisa-laajakaista.fi", 40),
        ("Telia Finland", "Telia Finland Oyj", "inet.fi", 30),
        ("DNA Oyj", "DNA Oyj", "dnainternet.net", 30),
    ),
    "SE": (
        ("Telia Sweden", "Telia Company AB", "telia.com", 40),
        ("Tele2 Sverige", "Tele2 Sverige AB", "tele2.se", 25),
        ("Bahnhof", "Bahnhof AB", "bahnhof.se", 15),
        ("Tele2 Com Hem", "Com Hem AB", "comhem.se", 20),
    ),
    "EE": (
        ("Telia Eesti", "Telia Eesti AS", "telia.ee", 55),
        ("Elisa Eesti", "Elisa Eesti AS", "elisa.ee", 45),
    ),
    "NL": (
        ("KPN", "KPN B.V.", "kpn.net", 45),
        ("Ziggo", "Vodafone Libertel B.V.", "ziggo.nl", 40),
        ("Odido", "Odido Netherlands B.V.", "odido.nl", 15),
    ),
    "FR": (
        ("Orange", "Orange S.A.", "wanadoo.fr", 40),
        ("Free SAS", "Free SAS", "proxad.net", 25),
        ("SFR", "Societe Francaise du Radiotelephone", "sfr.net", 20),
        ("Bouygues Telecom", "Bouygues Telecom SA", "bbox.fr", 15),
    ),
    "IT": (
        ("Telecom Italia", "Telecom Italia S.p.A.", "telecomitalia.it", 45),
        ("Vodafone Italia", "Vodafone Italia S.p.A.", "vodafone.it", 25),
        ("Fastweb", "Fastweb SpA", "fastwebnet.it", 30),
    ),
    "ES": (
        ("Telefonica De Espana", "Telefonica de Espana", "rima-tde.net", 50),
        ("Orange Espagne", "Orange Espagne SA", "orange.es", 30),
        ("Vodafone Spain", "Vodafone Espana S.A.U.", "vodafone.es", 20),
    ),
    "BR": (
        ("Claro NET", "Claro S.A.", "virtua.com.br", 40),
        ("Vivo", "Telefonica Brasil S.A.", "telesp.net.br", 40),
        (
            "Rede Brasileira De Comunicacao Ltda",
            "Rede Brasileira de Comunicacao",
            "mastercabo.com.br",
            20,
        ),
    ),
    "PK": (
        ("PTCL", "Pakistan Telecommunication Company", "ptcl.net.pk", 60),
        ("Nayatel", "Nayatel (Pvt) Ltd", "nayatel.pk", 40),
    ),
    "MY": (
        ("TM Net", "Telekom Malaysia Berhad", "tm.net.my", 60),
        ("Maxis", "Maxis Broadband Sdn Bhd", "maxis.com.my", 40),
    ),
    "AE": (
        ("Etisalat", "Emirates Telecommunications Corporation", "emirates.net.ae", 60),
        ("du", "Emirates Integrated Telecommunications", "du.ae", 40),
    ),
    "JP": (
        ("NTT Communications", "NTT Communications Corporation", "ocn.ne.jp", 45),
        ("KDDI", "KDDI Corporation", "dion.ne.jp", 30),
        ("SoftBank BB", "SoftBank Corp.", "bbtec.net", 25),
    ),
    "RU": (
        ("Rostelecom", "PJSC Rostelecom", "rt.ru", 45),
        ("MTS", "MTS PJSC", "mts.ru", 30),
        ("Beeline", "PJSC VimpelCom", "corbina.ru", 25),
    ),
    "PL": (
        ("Orange Polska", "Orange Polska Spolka Akcyjna", "tpnet.pl", 55),
        ("UPC Polska", "UPC Polska Sp. z o.o.", "chello.pl", 45),
    ),
}

# Organisations seen on corporate and academic connections
ORGANIZATIONS: dict[str, tuple[str, ...]] = {
    "US": (
        "Stanford University",
        "Amazon.com, Inc.",
        "Microsoft Corporation",
        "Bank of America",
        "University of Texas at Austin",
        "Kintiskton Llc",
        "Webfargo Data Security",
    ),
    "IN": (
        "Infosys Limited",
        "Tata Consultancy Services",
        "Indian Institute of Technology Bombay",
        "Wipro Limited",
    ),
    "DE": ("Siemens AG", "SAP SE", "Technische Universitaet Muenchen", "Robert Bosch GmbH"),
    "GB": (
        "University of Oxford",
        "British Broadcasting Corporation",
        "HSBC Bank plc",
        "University College London",
    ),
    "FI": (
        "University of Helsinki",
        "Nokia Oyj",
        "Kesko Oyj",
        "Aalto University",
        "Valtion tieto- ja viestintatekniikkakeskus Valtori",
    ),
    "TR": ("Istanbul Technical University", "Koc Holding A.S.", "Turkiye Is Bankasi A.S."),
    "CH": ("ETH Zurich", "UBS AG", "Nestle S.A."),
    "CA": ("University of Toronto", "Royal Bank of Canada"),
    "NL": ("Universiteit van Amsterdam", "ING Bank N.V."),
    "SE": ("KTH Royal Institute of Technology", "Ericsson AB"),
    "AU": ("University of Melbourne", "Commonwealth Bank of Australia"),
}

# Language tags and weights; countries not listed speak en-US
LANGUAGES = (
    "US en-US; GB en-GB; IN en-IN 7 hi-IN 2 en-US 1; ID id-ID 7 en-US 3; "
    "CH de-CH 55 fr-CH 25 it-CH 5 en-US 15; PH en-PH 6 en-US 3 fil-PH 1; DE de-DE 9 en-US 1; "
    "CA en-CA 7 fr-CA 2 en-US 1; AU en-AU 85 en-US 15; PK en-US 6 ur-PK 4; "
    "MY en-MY 4 ms-MY 4 en-US 2; AE en-US 7 ar-AE 3; FR fr-FR 9 en-US 1; "
    "NL nl-NL 85 en-US 15; TR tr-TR 9 en-US 1; FI fi-FI 80 sv-FI 6 en-US 14; "
    "SE sv-SE 88 en-US 12; EE et-EE 6 ru-RU 2 en-US 2; NO nb-NO 85 en-US 15; "
    "DK da-DK 88 en-US 12; JP ja-JP; KR ko-KR; CN zh-CN; TW zh-TW; HK zh-HK 6 en-HK 4; "
    "RU ru-RU; UA uk-UA 6 ru-RU 4; PL pl-PL; IT it-IT; ES es-ES; MX es-MX; AR es-AR; "
    "CL es-CL; CO es-CO; BR pt-BR; PT pt-PT; RO ro-RO; BG bg-BG; GR el-GR; CZ cs-CZ; "
    "HU hu-HU; AT de-AT; BE nl-BE 55 fr-BE 45; SA ar-SA; EG ar-EG 7 en-US 3; TH th-TH; "
    "VN vi-VN; BD bn-BD 5 en-US 5; KH km-KH 4 en-US 6; NG en-NG 7 en-US 3; ZA en-ZA; "
    "NZ en-NZ; SG en-SG 8 zh-SG 2; AZ az-AZ 7 ru-RU 3; KZ ru-RU 7 kk-KZ 3; GE ka-GE; "
    "CY el-CY; IL he-IL; IE en-IE"
)

GOOGLE = (
    "US google.com; GB google.co.uk; IN google.co.in; ID google.co.id; CH google.ch; "
    "PH google.com.ph; DE google.de; CA google.ca; AU google.com.au; PK google.com.pk; "
    "MY google.com.my; AE google.ae; BD google.com.bd; FR google.fr; NL google.nl; "
    "JP google.co.jp; IT google.it; ES google.es; MX google.com.mx; BR google.com.br; "
    "TR google.com.tr; FI google.fi; SE google.se; EE google.ee; NO google.no; DK google.dk; "
    "PL google.pl; RU google.ru; KR google.co.kr; ZA google.co.za; NZ google.co.nz; "
    "SG google.com.sg; AT google.at; BE google.be; PT google.pt; RO google.ro; IE google.ie; "
    "AR google.com.ar; VN google.com.vn; TH google.co.th; NG google.com.ng; EG google.com.eg"
)

# Mobile carriers as the Countly SDK reports them (_carrier); 'Unknown' elsewhere
CARRIERS = (
    "TR Turkcell 45 Vodafone|TR 30 Türk|Telekom 25; "
    "DE Telekom.de 35 Vodafone.de 30 o2|-|de 30; "
    "GB EE 30 Vodafone|UK 20 O2|-|UK 25 Three 15; NL KPN 40 Vodafone|NL 35 Odido 25; "
    "FR Orange|F 40 SFR 25 Free 20 Bouygues|Telecom 15; US Verizon 40 AT&T 35 T-Mobile 25; "
    "AZ Azercell 60 Bakcell 40; RU MTS 35 MegaFon 35 Beeline 30; "
    "ES Movistar 45 Vodafone|ES 30 Orange 25; IT TIM 40 Vodafone|IT 30 WINDTRE 30; "
    "PL Play 30 Orange|PL 25 Plus 25 T-Mobile.pl 20; AT A1 45 Magenta 35 Drei 20; "
    "BE Proximus 45 Orange|B 35 BASE 20; RO Orange|RO 45 Vodafone|RO 30 Digi.Mobil 25; "
    "UA Kyivstar 50 Vodafone|UA 30 lifecell 20; SE Telia 40 Tele2 30 Telenor|SE 30; "
    "GR Cosmote 50 Vodafone|GR 30 Nova 20; BG A1|BG 40 Yettel|BG 35 Vivacom 25; "
    "CH Swisscom 55 Sunrise 30 Salt 15; DK TDC 45 Telenor|DK 30 Telia|DK 25"
)

# Plausible first octets of consumer IPv4 blocks; others draw from PUBLIC_OCTETS
FIRST_OCTETS = (
    "US 23 24 50 66 67 68 71 73 76 96 98 99 107 108 174; IN 49 103 106 110 117 122 157 182; "
    "ID 36 103 110 114 180 182; CH 31 46 62 77 83 85 178; DE 2 46 77 79 84 87 91 93; "
    "GB 2 31 51 81 86 90 109; FI 37 46 62 80 84 88 91; TR 31 78 85 88 95 176 178; "
    "PH 49 112 120 124 136 175; CA 24 70 99 142 174 184; AU 1 49 58 101 110 120 203"
)
PUBLIC_OCTETS = (
    5,
    31,
    37,
    41,
    46,
    62,
    77,
    78,
    79,
    80,
    81,
    82,
    83,
    84,
    85,
    86,
    87,
    88,
    89,
    90,
    91,
    92,
    93,
    94,
    95,
    102,
    105,
    109,
    112,
    113,
    115,
    116,
    118,
    119,
    121,
    124,
    125,
    139,
    175,
    177,
    178,
    179,
    181,
    185,
    186,
    187,
    188,
    189,
    190,
    191,
    196,
    197,
    200,
)

# Known places: (country, city) -> (US metro/DMA code, telephone area code, postal codes)
PLACES: dict[tuple[str, str], tuple[str | None, str | None, str]] = {
    ("US", "New York City"): ("501", "212", "10001 10011 10016 10019 10025"),
    ("US", "Brooklyn"): ("501", "718", "11201 11211 11215 11219 11238"),
    ("US", "Queens"): ("501", "718", "11354 11375 11101"),
    ("US", "Los Angeles"): ("803", "213", "90012 90026 90028 90034"),
    ("US", "Chicago"): ("602", "312", "60601 60614 60622 60657"),
    ("US", "Houston"): ("618", "713", "77002 77006 77098"),
    ("US", "Phoenix"): ("753", "602", "85004 85016"),
    ("US", "Philadelphia"): ("504", "215", "19103 19104 19147"),
    ("US", "San Antonio"): ("641", "210", "78205 78209"),
    ("US", "San Diego"): ("825", "619", "92101 92103"),
    ("US", "Dallas"): ("623", "214", "75201 75204"),
    ("US", "San Jose"): ("807", "408", "95112 95125"),
    ("US", "Austin"): ("635", "512", "78701 78704"),
    ("US", "Seattle"): ("819", "206", "98101 98103 98109"),
    ("US", "Denver"): ("751", "303", "80202 80205"),
    ("US", "Boston"): ("506", "617", "02108 02116"),
    ("US", "Washington"): ("511", "202", "20001 20009"),
    ("US", "San Francisco"): ("807", "415", "94103 94110 94117"),
    ("US", "Portland"): ("820", "503", "97201 97205 97209"),
    ("US", "Atlanta"): ("524", "404", "30303 30309"),
    ("US", "Miami"): ("528", "305", "33130 33131"),
    ("US", "Minneapolis"): ("613", "612", "55401 55408"),
    ("US", "Detroit"): ("505", "313", "48201 48226"),
    ("US", "Raleigh"): ("560", "919", "27601 27606 27617"),
    ("US", "Las Vegas"): ("839", "702", "89101 89109"),
    ("US", "Nashville"): ("659", "615", "37203"),
    ("US", "Charlotte"): ("517", "704", "28202"),
    ("US", "Columbus"): ("535", "614", "43215"),
    ("US", "Indianapolis"): ("527", "317", "46204"),
    ("US", "Sacramento"): ("862", "916", "95814"),
    ("US", "Baltimore"): ("512", "410", "21201"),
    ("US", "Salt Lake City"): ("770", "801", "84101"),
    ("US", "Pittsburgh"): ("508", "412", "15222"),
    ("FI", "Helsinki"): (None, None, "00100 00120 00150 00170 00500 00530 00780"),
    ("FI", "Espoo"): (None, None, "02100 02150 02600"),
    ("FI", "Tampere"): (None, None, "33100 33200 33500"),
    ("FI", "Vantaa"): (None, None, "01300 01510"),
    ("FI", "Turku"): (None, None, "20100 20500"),
    ("FI", "Oulu"): (None, None, "90100"),
    ("TR", "Istanbul"): (None, None, "34349 34710 34435"),
    ("TR", "Ankara"): (None, None, "06420 06100"),
    ("DE", "Berlin"): (None, None, "10115 10178 10243 10999"),
    ("DE", "Hamburg"): (None, None, "20095 22767"),
    ("FR", "Paris"): (None, None, "75001 75011 75015 75018"),
    ("GB", "London"): (None, None, "EC1A SW1A N1 E1 W1D"),
    ("SE", "Stockholm"): (None, None, "111_20 114_35 118_20"),
    ("CA", "Toronto"): (None, None, "M5V M4Y"),
    ("AU", "Sydney"): (None, None, "2000 2010"),
    ("AU", "Melbourne"): (None, None, "3000 3004"),
    ("CH", "Zürich"): (None, None, "8001 8004 8005"),
    ("CH", "Geneva"): (None, None, "1201 1205"),
    ("IN", "Mumbai"): (None, None, "400001 400050 400076"),
    ("IN", "Delhi"): (None, None, "110001 110016"),
    ("IN", "Bengaluru"): (None, None, "560001 560034 560066"),
    ("ID", "Jakarta"): (None, None, "10110 12190"),
    ("EE", "Tallinn"): (None, None, "10111 10115"),
}


def weighted(text: str) -> dict[str, list[tuple[str, float]]]:
    """Parse 'CC item w item w; CC item' into {CC: [(item, w), ...]}; '|' stands for a space."""
    out: dict[str, list[tuple[str, float]]] = {}
    for part in text.split(";"):
        cc, *rest = part.split()
        items: list[tuple[str, float]] = []
        for token in rest:
            try:
                items[-1] = (items[-1][0], float(token))
            except (ValueError, IndexError):
                items.append((token.replace("|", " "), 1.0))
        out[cc] = items
    return out
