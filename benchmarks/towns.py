"""The real towns of Piemonte and Lombardia the synthetic cameras cluster around.

Coordinates are town centres (WGS84), populations rounded (ISTAT, about 2023), codes are the
municipalities' ISTAT codes. Only the weights and positions matter to the benchmark.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Town:
    name: str
    slug: str
    istat: str
    lon: float
    lat: float
    population: int


def _t(name: str, istat: str, lon: float, lat: float, population: int) -> Town:
    slug = name.lower().replace(" ", "-").replace("ù", "u")
    return Town(name, slug, istat, lon, lat, population)


TOWNS: tuple[Town, ...] = (
    # Piemonte. Torino's centre is the W1 viewport's centre (Piazza Castello, via Roma).
    _t("Torino", "001272", 7.686, 45.070, 848_000),
    _t("Moncalieri", "001156", 7.6826, 44.9990, 57_000),
    _t("Nichelino", "001164", 7.6460, 44.9946, 47_000),
    _t("Collegno", "001090", 7.5723, 45.0776, 49_000),
    _t("Rivoli", "001219", 7.5146, 45.0713, 47_000),
    _t("Settimo Torinese", "001265", 7.7680, 45.1373, 46_000),
    _t("Grugliasco", "001120", 7.5779, 45.0637, 37_000),
    _t("Chieri", "001078", 7.8246, 45.0120, 36_000),
    _t("Pinerolo", "001191", 7.3315, 44.8852, 35_000),
    _t("Ivrea", "001125", 7.8759, 45.4671, 23_000),
    _t("Novara", "003106", 8.6222, 45.4469, 104_000),
    _t("Alessandria", "006003", 8.6150, 44.9125, 92_000),
    _t("Asti", "005005", 8.2064, 44.9008, 74_000),
    _t("Cuneo", "004078", 7.5427, 44.3845, 56_000),
    _t("Biella", "096004", 8.0543, 45.5663, 43_000),
    _t("Vercelli", "002158", 8.4231, 45.3252, 46_000),
    _t("Verbania", "103072", 8.5518, 45.9216, 30_000),
    _t("Alba", "004003", 8.0350, 44.7003, 31_000),
    _t("Bra", "004029", 7.8560, 44.6970, 29_000),
    _t("Casale Monferrato", "006039", 8.4500, 45.1333, 33_000),
    _t("Novi Ligure", "006114", 8.7870, 44.7617, 27_000),
    _t("Tortona", "006174", 8.8650, 44.8942, 25_000),
    # Lombardia
    _t("Milano", "015146", 9.1900, 45.4642, 1_370_000),
    _t("Bergamo", "016024", 9.6773, 45.6983, 120_000),
    _t("Brescia", "017029", 10.2118, 45.5416, 198_000),
    _t("Monza", "108033", 9.2744, 45.5845, 123_000),
    _t("Como", "013075", 9.0852, 45.8081, 83_000),
    _t("Varese", "012133", 8.8251, 45.8206, 80_000),
    _t("Pavia", "018110", 9.1582, 45.1847, 71_000),
    _t("Cremona", "019036", 10.0227, 45.1332, 71_000),
    _t("Mantova", "020030", 10.7914, 45.1564, 49_000),
    _t("Lecco", "097042", 9.3977, 45.8566, 47_000),
    _t("Lodi", "098031", 9.5035, 45.3142, 45_000),
    _t("Sondrio", "014061", 9.8715, 46.1699, 21_000),
    _t("Busto Arsizio", "012026", 8.8518, 45.6120, 83_000),
    _t("Sesto San Giovanni", "015209", 9.2340, 45.5350, 81_000),
    _t("Cinisello Balsamo", "015077", 9.2150, 45.5580, 75_000),
    _t("Legnano", "015118", 8.9160, 45.5960, 60_000),
    _t("Gallarate", "012070", 8.7920, 45.6600, 53_000),
    _t("Rho", "015182", 9.0400, 45.5290, 51_000),
    _t("Vigevano", "018177", 8.8667, 45.3167, 63_000),
    _t("Seregno", "108039", 9.2000, 45.6500, 45_000),
    _t("Voghera", "018182", 9.0120, 44.9910, 39_000),
    _t("Saronno", "012119", 9.0370, 45.6250, 39_000),
    _t("Crema", "019035", 9.6850, 45.3640, 34_000),
    _t("Cantù", "013041", 9.1300, 45.7380, 40_000),
    _t("Cologno Monzese", "015081", 9.2780, 45.5280, 47_000),
    _t("Desio", "108023", 9.2090, 45.6170, 42_000),
    _t("Lissone", "108028", 9.2440, 45.6130, 46_000),
    _t("Abbiategrasso", "015002", 8.9170, 45.4000, 32_000),
)

# Bounding boxes (lon/lat) of the two regions, for the rural background.
PIEMONTE_BBOX = (6.62, 44.05, 9.22, 46.47)
LOMBARDIA_BBOX = (8.49, 44.68, 11.43, 46.64)

TORINO = TOWNS[0]
# Torino's city-wide box (W3) and the central 1.5 km viewport (W1).
TORINO_CITY_BBOX = (7.58, 45.01, 7.75, 45.13)
TORINO_VIEWPORT_BBOX = (7.6765, 45.0635, 7.6955, 45.0770)

# A few private owners federated with (sponsored by) a town: (slug, name, sponsor town slug).
PRIVATE_OWNERS: tuple[tuple[str, str, str], ...] = (
    ("torino-parcheggi-bench", "Parcheggi Torino (bench)", "torino"),
    ("torino-condomini-bench", "Condomini di Torino (bench)", "torino"),
    ("milano-commercio-bench", "Commercianti Milano (bench)", "milano"),
    ("milano-banche-bench", "Filiali bancarie Milano (bench)", "milano"),
    ("novara-logistica-bench", "Logistica Novara (bench)", "novara"),
    ("brescia-industria-bench", "Industria Brescia (bench)", "brescia"),
    ("bergamo-centro-bench", "Centro commerciale Bergamo (bench)", "bergamo"),
    ("monza-parcheggi-bench", "Parcheggi Monza (bench)", "monza"),
)
