"""Where the demo cameras stand: the towns, the places their police watch, the road gates.

Pure data. Coordinates are WGS84 (lon, lat). Each place has a centre (the square, street or
entrance the cameras look at) and camera specs ``(kind, azimuth_deg, distance_m, options)``: the
camera stands ``distance_m`` from the centre along ``azimuth_deg`` (clockwise from north) and,
unless it sees all round, looks back at the centre. ``territory_build`` turns them into cameras.

Anchor points taken from published coordinates: Torrazzo (45.13370, 10.02520) and the Roman road
under via Solferino (45.13403, 10.02465) in Cremona; Cremona railway station (45.143231,
10.018000); Castello di Moncalieri (45.0027, 7.6878); Moncalieri town hall (45.000461, 7.684754);
Moncalieri Sangone station (45.0004, 7.6681); Nichelino town hall on Piazza Di Vittorio
(44.99500, 7.64290), facing the SS. Trinità church on Piazza Barile; Castello della Rovere in
Vinovo (44.949865, 7.632323). Best estimates, to be checked on a map before relying on them:
Cremona Piazza Marconi and via Orti Romani (near parco Rita Levi Montalcini, north-east of the
centre); Palazzo Occelli in Nichelino; Trofarello station, centre and via Diaz gardens; Santena
Piazza Martiri della Libertà and Castello Cavour; Vinovo Piazza Marconi; the centre of La Loggia;
the exact positions of every ALPR gate.
"""

from __future__ import annotations

TOWNS: dict[str, dict] = {
    "moncalieri": {"name": "Moncalieri", "istat": "001156", "code": "MO", "centre": (7.68500, 45.00070),
                   "phone": "011 000 1", "act": "delibera C.C. n. 12/2021"},
    "nichelino": {"name": "Nichelino", "istat": "001164", "code": "NI", "centre": (7.64290, 44.99500),
                  "phone": "011 000 2", "act": "delibera C.C. n. 47/2020"},
    "la-loggia": {"name": "La Loggia", "istat": "001127", "code": "LL", "centre": (7.66850, 44.95830),
                  "phone": "011 000 3", "act": "delibera C.C. n. 8/2022"},
    "vinovo": {"name": "Vinovo", "istat": "001309", "code": "VI", "centre": (7.63380, 44.94820),
               "phone": "011 000 4", "act": "delibera C.C. n. 21/2019"},
    "santena": {"name": "Santena", "istat": "001257", "code": "SA", "centre": (7.77220, 44.94880),
                "phone": "011 000 5", "act": "delibera C.C. n. 33/2021"},
    "trofarello": {"name": "Trofarello", "istat": "001276", "code": "TR", "centre": (7.74400, 44.98300),
                   "phone": "011 000 6", "act": "delibera C.C. n. 15/2023"},
    "cremona": {"name": "Cremona", "istat": "019036", "code": "CR", "centre": (10.02445, 45.13325),
                "phone": "0372 000 7", "act": "delibera C.C. n. 54/2020"},
}

# Cameras owned by each town, around the places its police watch.
PLACES: list[dict] = [
    # --- Cremona -------------------------------------------------------------------------
    {"key": "PC", "town": "cremona", "name": "Piazza del Comune", "street": "Piazza del Comune",
     "centre": (10.02445, 45.13325), "zone": "town", "cams": [
         ("dome", 200, 12, {"label": "centro piazza", "vis": "public"}),
         ("fixed", 275, 42, {"label": "Palazzo Comunale", "mount": "building", "vis": "public"}),
         ("fixed", 95, 45, {"label": "sagrato del Duomo", "vis": "shared"}),
         ("fixed", 25, 50, {"label": "base del Torrazzo", "vis": "public"}),
         ("ptz", 165, 48, {"label": "Battistero", "vis": "shared"}),
         ("entrance", 262, 46, {"label": "ingresso Palazzo Comunale", "civic": "8", "zone": "building"}),
         ("thermal", 330, 58, {"label": "Loggia dei Militi", "vis": "shared"}),
     ]},
    {"key": "PS", "town": "cremona", "name": "Piazza Stradivari", "street": "Piazza Stradivari",
     "centre": (10.02415, 45.13410), "zone": "town", "cams": [
         ("dome", 10, 8, {"vis": "public"}),
         ("fixed", 300, 38, {"vis": "public"}),
         ("fixed", 120, 35, {"label": "imbocco via Solferino", "vis": "shared"}),
         ("fixed", 210, 40, {"vis": "shared", "status": "decommissioned"}),
         ("ptz", 60, 45, {"label": "Camera di Commercio", "vis": "shared"}),
     ]},
    {"key": "PR", "town": "cremona", "name": "Piazza Roma – giardini", "street": "Piazza Roma",
     "centre": (10.02410, 45.13545), "zone": "park", "cams": [
         ("multi", 200, 12, {"label": "palo centrale", "vis": "public"}),
         ("dome", 45, 28, {"label": "area giochi", "vis": "public"}),
         ("park", 0, 60, {"label": "ingresso nord", "vis": "public"}),
         ("park", 90, 55, {"label": "ingresso est", "vis": "shared"}),
         ("park", 180, 60, {"label": "ingresso sud", "vis": "public"}),
         ("park", 270, 52, {"label": "ingresso ovest", "vis": "shared"}),
         ("thermal", 120, 45, {"label": "montagnola", "vis": "shared"}),
         ("fixed", 225, 40, {"label": "fontana delle Naiadi", "vis": "shared", "status": "faulty"}),
     ]},
    {"key": "PM", "town": "cremona", "name": "Piazza Marconi", "street": "Piazza Guglielmo Marconi",
     "centre": (10.02680, 45.13170), "zone": "town", "cams": [
         ("dome", 300, 10, {"vis": "public"}),
         ("fixed", 0, 45, {"label": "Museo del Violino", "vis": "public"}),
         ("fixed", 120, 40, {"vis": "shared"}),
         ("fixed", 240, 42, {"vis": "shared"}),
         ("entrance", 200, 30, {"label": "rampa parcheggio interrato", "zone": "parking", "vis": "shared"}),
     ]},
    {"key": "ST", "town": "cremona", "name": "Stazione ferroviaria – piazzale", "street": "Via Dante",
     "centre": (10.01800, 45.14285), "zone": "public_transport", "cams": [
         ("ptz", 180, 45, {"label": "piazzale stazione", "vis": "shared"}),
         ("dome", 90, 20, {"label": "fermata autobus", "vis": "public"}),
         ("fixed", 270, 55, {"label": "lato ovest", "vis": "shared"}),
         ("fixed", 60, 50, {"label": "lato est", "vis": "shared"}),
         ("fixed", 150, 35, {"label": "deposito biciclette", "vis": "public", "zone": "parking"}),
         ("thermal", 330, 30, {"label": "sottopasso", "vis": "shared"}),
     ]},
    {"key": "OR", "town": "cremona", "name": "Via Orti Romani", "street": "Via Orti Romani",
     "centre": (10.03150, 45.14130), "zone": "town", "cams": [
         ("fixed", 45, 55, {"vis": "shared"}),
         ("fixed", 225, 55, {"vis": "shared"}),
         ("dome", 130, 15, {"vis": "public"}),
         ("park", 315, 45, {"label": "verso parco Rita Levi Montalcini", "vis": "public",
                            "status": "planned"}),
         ("fixed", 135, 40, {"label": "incrocio", "vis": "private", "purpose": "environmental",
                             "zone": "other"}),
     ]},
    # --- Moncalieri ----------------------------------------------------------------------
    {"key": "VE", "town": "moncalieri", "name": "Piazza Vittorio Emanuele II",
     "street": "Piazza Vittorio Emanuele II", "centre": (7.68500, 45.00070), "zone": "town", "cams": [
         ("multi", 30, 10, {"label": "fontana del Nettuno", "vis": "public"}),
         ("dome", 210, 18, {"vis": "public"}),
         ("fixed", 20, 50, {"label": "lato alto", "vis": "public"}),
         ("fixed", 200, 50, {"label": "lato basso", "vis": "shared"}),
         ("fixed", 110, 30, {"label": "portici", "vis": "shared"}),
         ("entrance", 290, 28, {"label": "ingresso Palazzo Comunale", "civic": "1", "zone": "building"}),
         ("ptz", 250, 45, {"label": "Santa Maria della Scala", "vis": "shared"}),
     ]},
    {"key": "CA", "town": "moncalieri", "name": "Castello – piazza Baden Baden",
     "street": "Piazza Baden Baden", "centre": (7.68780, 45.00270), "zone": "building", "cams": [
         ("fixed", 0, 85, {"label": "ingresso nord", "vis": "shared"}),
         ("fixed", 200, 80, {"label": "viale del Castello", "vis": "public"}),
         ("ptz", 90, 90, {"label": "parco", "vis": "shared", "zone": "park"}),
         ("thermal", 270, 85, {"label": "muro di cinta ovest", "vis": "private"}),
         ("dome", 350, 95, {"label": "belvedere", "vis": "public"}),
         ("fixed", 140, 85, {"label": "scalinata verso piazza Vittorio Emanuele II", "vis": "public"}),
     ]},
    {"key": "SG", "town": "moncalieri", "name": "Stazione Moncalieri Sangone – piazzale",
     "street": "Piazzale stazione Sangone", "centre": (7.66810, 45.00040), "zone": "public_transport",
     "cams": [
         ("fixed", 0, 30, {"vis": "shared"}),
         ("fixed", 120, 30, {"vis": "shared", "status": "inactive"}),
         ("dome", 240, 12, {"vis": "public"}),
         ("fixed", 300, 35, {"label": "parcheggio", "zone": "parking", "vis": "public"}),
         ("fixed", 200, 28, {"label": "sottopasso pedonale", "vis": "shared"}),
     ]},
    # --- Nichelino -----------------------------------------------------------------------
    {"key": "DV", "town": "nichelino", "name": "Piazza Di Vittorio", "street": "Piazza G. Di Vittorio",
     "centre": (7.64290, 44.99500), "zone": "town", "cams": [
         ("multi", 180, 10, {"label": "palo pista di pattinaggio", "vis": "public"}),
         ("dome", 20, 15, {"vis": "public"}),
         ("fixed", 0, 55, {"vis": "shared"}),
         ("fixed", 90, 50, {"vis": "shared"}),
         ("fixed", 270, 50, {"label": "piazza Barile – chiesa della SS. Trinità", "vis": "public"}),
         ("ptz", 135, 60, {"vis": "shared"}),
         ("entrance", 315, 30, {"label": "ingresso Municipio", "civic": "1", "zone": "building"}),
         ("fixed", 225, 55, {"label": "via Stupinigi", "vis": "shared", "status": "faulty"}),
     ]},
    {"key": "CS", "town": "nichelino", "name": "Quartiere Castello – Palazzo Occelli",
     "street": "Borgo Vecchio", "centre": (7.64000, 44.99400), "zone": "town", "cams": [
         ("fixed", 45, 50, {"label": "viale d'accesso", "vis": "shared"}),
         ("fixed", 180, 45, {"vis": "public"}),
         ("dome", 300, 20, {"label": "piazzetta del Borgo", "vis": "public"}),
         ("park", 250, 60, {"label": "parco del castello", "vis": "shared"}),
         ("entrance", 90, 25, {"label": "cappella Madonna delle Grazie", "zone": "building"}),
         ("thermal", 0, 65, {"label": "parcheggio piazza Sion Segre", "zone": "parking", "vis": "shared"}),
         ("fixed", 135, 40, {"label": "via Stupinigi", "vis": "public"}),
     ]},
    # --- Trofarello ----------------------------------------------------------------------
    {"key": "GD", "town": "trofarello", "name": "Giardini di via Armando Diaz", "street": "Via Armando Diaz",
     "centre": (7.74620, 44.98180), "zone": "park", "cams": [
         ("park", 0, 45, {"label": "ingresso via Diaz", "vis": "public"}),
         ("park", 120, 45, {"vis": "shared"}),
         ("park", 240, 45, {"vis": "public"}),
         ("dome", 60, 12, {"label": "area giochi", "vis": "public"}),
         ("thermal", 300, 50, {"label": "area cani", "vis": "shared"}),
         ("fixed", 180, 55, {"label": "isola ecologica", "vis": "private", "purpose": "environmental",
                             "zone": "other"}),
     ]},
    {"key": "SE", "town": "trofarello", "name": "Stazione – piazzale Europa", "street": "Piazzale Europa",
     "centre": (7.74180, 44.98560), "zone": "public_transport", "cams": [
         ("ptz", 90, 40, {"vis": "shared"}),
         ("dome", 200, 15, {"vis": "public"}),
         ("fixed", 330, 45, {"label": "ingresso stazione", "vis": "shared"}),
         ("fixed", 150, 50, {"label": "Movicentro", "zone": "parking", "vis": "shared"}),
         ("entrance", 30, 35, {"label": "ingresso sottopasso", "zone": "entrance"}),
         ("fixed", 250, 40, {"label": "fermata autobus", "vis": "public"}),
     ]},
    # --- Santena -------------------------------------------------------------------------
    {"key": "ML", "town": "santena", "name": "Piazza Martiri della Libertà",
     "street": "Piazza Martiri della Libertà", "centre": (7.77220, 44.94880), "zone": "town", "cams": [
         ("dome", 90, 10, {"vis": "public"}),
         ("fixed", 0, 45, {"label": "chiesa dei Santi Pietro e Paolo", "vis": "public"}),
         ("fixed", 180, 45, {"vis": "shared"}),
         ("fixed", 270, 40, {"vis": "shared"}),
         ("ptz", 60, 50, {"label": "area mercato", "vis": "shared"}),
         ("entrance", 140, 35, {"label": "ingresso uffici comunali", "zone": "building"}),
         ("fixed", 320, 40, {"vis": "public"}),
     ]},
    {"key": "CC", "town": "santena", "name": "Castello Cavour – piazza Visconti Venosta",
     "street": "Piazza Visconti Venosta", "centre": (7.77150, 44.94970), "zone": "building", "cams": [
         ("fixed", 120, 45, {"label": "ingresso Castello", "vis": "public", "civic": "2"}),
         ("fixed", 300, 50, {"label": "parco", "zone": "park", "vis": "shared"}),
         ("thermal", 0, 60, {"label": "tomba di Cavour", "vis": "shared"}),
         ("dome", 200, 25, {"vis": "public", "status": "planned"}),
         ("fixed", 240, 40, {"label": "via Cavour", "vis": "private", "status": "decommissioned"}),
     ]},
    # --- Vinovo --------------------------------------------------------------------------
    {"key": "PV", "town": "vinovo", "name": "Piazza Marconi – Municipio", "street": "Piazza Marconi",
     "centre": (7.63380, 44.94820), "zone": "town", "cams": [
         ("dome", 0, 10, {"vis": "public"}),
         ("fixed", 90, 40, {"vis": "shared"}),
         ("fixed", 270, 40, {"vis": "public"}),
         ("entrance", 200, 25, {"label": "ingresso Municipio", "civic": "1", "zone": "building"}),
         ("ptz", 330, 45, {"vis": "shared"}),
         ("thermal", 180, 40, {"label": "retro del Municipio", "vis": "shared"}),
     ]},
    {"key": "RO", "town": "vinovo", "name": "Castello della Rovere – piazza Rey", "street": "Piazza Rey",
     "centre": (7.632323, 44.949865), "zone": "building", "cams": [
         ("fixed", 150, 55, {"label": "facciata sulla piazza", "vis": "public"}),
         ("fixed", 60, 60, {"label": "ingresso biblioteca", "vis": "shared"}),
         ("park", 300, 70, {"label": "parco del castello", "vis": "public"}),
         ("thermal", 230, 65, {"label": "chiostro", "vis": "private"}),
         ("dome", 160, 35, {"label": "piazza Rey", "vis": "public"}),
         ("fixed", 20, 60, {"label": "parcheggio del castello", "zone": "parking", "vis": "shared"}),
     ]},
    # --- La Loggia -----------------------------------------------------------------------
    {"key": "MU", "town": "la-loggia", "name": "Centro – Municipio", "street": "Via Bistolfi",
     "centre": (7.66850, 44.95830), "zone": "town", "cams": [
         ("dome", 45, 10, {"vis": "public"}),
         ("fixed", 0, 40, {"vis": "shared"}),
         ("fixed", 180, 40, {"vis": "public"}),
         ("entrance", 270, 20, {"label": "ingresso Municipio", "civic": "47", "zone": "building"}),
         ("ptz", 120, 45, {"vis": "shared", "status": "faulty"}),
         ("fixed", 300, 40, {"vis": "shared"}),
         ("park", 225, 45, {"label": "giardino pubblico", "vis": "public"}),
     ]},
    {"key": "SC", "town": "la-loggia", "name": "Piazza della parrocchiale di San Giacomo",
     "street": "Piazza della Chiesa", "centre": (7.66720, 44.95920), "zone": "town", "cams": [
         ("fixed", 90, 35, {"vis": "public"}),
         ("fixed", 270, 35, {"vis": "shared"}),
         ("dome", 180, 12, {"vis": "public"}),
         ("park", 0, 45, {"label": "giardino della scuola", "zone": "school", "vis": "private"}),
     ]},
]

# ALPR gates: (town, key, name, street, position, purpose). They look at the town centre,
# i.e. along the road into town.
GATES: list[tuple] = [
    ("cremona", "V1", "ingresso est", "Via Mantova", (10.04000, 45.14100), "traffic"),
    ("cremona", "V2", "ingresso nord-ovest", "Via Milano", (10.00950, 45.14450), "urban_security"),
    ("cremona", "V3", "ingresso sud", "Viale Po", (10.01400, 45.12750), "traffic"),
    ("cremona", "Z1", "varco ZTL", "Corso Garibaldi", (10.02000, 45.13750), "ztl_access"),
    ("moncalieri", "V1", "ingresso sud-est", "Strada Genova", (7.68980, 44.99560), "traffic"),
    ("moncalieri", "V2", "ingresso nord", "Corso Trieste", (7.68420, 45.00700), "urban_security"),
    ("moncalieri", "V3", "ingresso ovest", "Zona stazione Sangone", (7.67000, 45.00000), "traffic"),
    ("nichelino", "V1", "confine con Torino", "Via Torino", (7.64700, 45.00500), "urban_security"),
    ("nichelino", "V2", "confine con Vinovo", "Via Vinovo", (7.63950, 44.98600), "traffic"),
    ("nichelino", "V3", "confine con Moncalieri", "Via XXV Aprile", (7.65350, 44.99750), "urban_security"),
    ("trofarello", "V1", "ingresso ovest", "Via Torino", (7.73600, 44.98650), "traffic"),
    ("trofarello", "V2", "ingresso sud", "Via Santena", (7.75000, 44.97700), "urban_security"),
    ("santena", "V1", "ingresso nord-ovest", "Via Torino", (7.76500, 44.95100), "urban_security"),
    ("santena", "V2", "ingresso nord-est", "Via Cavour", (7.77550, 44.95450), "traffic"),
    ("vinovo", "V1", "ingresso nord", "Via Stupinigi", (7.63700, 44.95500), "urban_security"),
    ("vinovo", "V2", "ingresso sud", "Via Cottolengo", (7.63000, 44.94200), "traffic"),
    ("la-loggia", "V1", "ingresso nord", "Via Torino", (7.66600, 44.96350), "urban_security"),
    ("la-loggia", "V2", "ingresso sud", "Via Carignano", (7.67050, 44.95300), "traffic"),
]

# Cameras of private owners that federate with a municipality. The centre is the spot in front of
# the entrance (or the car park) that the cameras watch.
PRIVATE_SITES: list[dict] = [
    {"key": "SUP", "owner": "supermercato-nichelino", "town": "nichelino", "name": "Supermercato Il Paniere",
     "street": "Via Torino", "civic": "120", "centre": (7.64450, 44.99700), "zone": "shop", "cams": [
         ("fixed", 200, 40, {"label": "parcheggio clienti", "zone": "parking", "vis": "shared"}),
         ("fixed", 20, 35, {"label": "parcheggio lato via Torino", "zone": "parking", "vis": "shared"}),
         ("entrance", 90, 8, {"label": "ingresso clienti", "vis": "shared"}),
         ("indoor", 95, 14, {"label": "barriera casse"}),
         ("indoor", 100, 22, {"label": "corsia centrale"}),
     ]},
    {"key": "BAN", "owner": "banca-moncalieri", "town": "moncalieri", "name": "Banca del Proclama",
     "street": "Piazza Vittorio Emanuele II", "civic": "9", "centre": (7.68465, 45.00040), "zone": "bank",
     "cams": [
         ("entrance", 120, 6, {"label": "ingresso filiale", "vis": "shared"}),
         ("entrance", 160, 5, {"label": "sportello ATM", "vis": "private"}),
         ("indoor", 130, 10, {"label": "sala clienti"}),
         ("indoor", 140, 13, {"label": "area casse"}),
     ]},
    {"key": "FAR", "owner": "farmacia-santena", "town": "santena", "name": "Farmacia San Lorenzo",
     "street": "Piazza Martiri della Libertà", "civic": "4", "centre": (7.77265, 44.94852), "zone": "shop",
     "cams": [
         ("entrance", 200, 6, {"label": "ingresso", "vis": "shared"}),
         ("indoor", 210, 10, {"label": "banco"}),
         ("indoor", 190, 12, {"label": "magazzino", "status": "inactive"}),
     ]},
    {"key": "CON", "owner": "condominio-trofarello", "town": "trofarello", "name": "Condominio Le Amarene",
     "street": "Via Armando Diaz", "civic": "18", "centre": (7.74700, 44.98245), "zone": "building",
     "cams": [
         ("entrance", 30, 8, {"label": "cancello pedonale", "vis": "shared", "operated_by_town": True}),
         ("fixed", 120, 25, {"label": "passo carraio", "zone": "parking", "vis": "shared",
                             "operated_by_town": True}),
         ("fixed", 250, 20, {"label": "cortile interno", "vis": "private", "verification": "disputed"}),
     ]},
    {"key": "NEG", "owner": "negozio-cremona", "town": "cremona", "name": "Bottega del Torrone",
     "street": "Piazza Stradivari", "civic": "3", "centre": (10.02385, 45.13388), "zone": "shop", "cams": [
         ("entrance", 250, 5, {"label": "vetrina e ingresso", "vis": "shared"}),
         ("indoor", 240, 9, {"label": "cassa"}),
         ("indoor", 260, 12, {"label": "laboratorio", "status": "planned"}),
     ]},
]
