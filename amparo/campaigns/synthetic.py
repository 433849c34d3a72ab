"""Synthetic coordinated campaigns planted into real background traffic, with ground truth, to
measure campaign detection (no labelled coordination data set exists; see docs/campaigns.md).

Background: the real rows of CooRTweet's `german_elections.csv` (218,971 rows, 194,323 posts,
58,317 Facebook and Twitter accounts, 2021-08-15 .. 2021-09-26; anonymised url / hashtag /
domain / image ids, no text). Ids are prefixed by type (`u`, `h`, `d`, `p`) so that a link and
a hashtag with the same number stay different objects. The data has no text, so every
background post gets a filler text composed from a multilingual template bank with random
slot fills (so near-duplicate detection sees realistic *non*-duplicates). The recorded data
contains real coordinated link sharing and no labels, so by default (`decorrelate_background`)
each day's posts are dealt out again at random to that day's accounts: posts keep their times
and objects, accounts their daily activity, and nothing is coordinated any more — every
non-planted account a detector flags is then a false positive.

Planted (`CampaignSpec`): groups of 3–60 accounts that act together over several rounds (one
new object or message per round, rounds hours to days apart), each member posting within
`spread_s` seconds of the round's start. Kinds:

- `link`: the same new links (and their domain) with each member's own words;
- `text`: paraphrased copies of one message per round (word swaps, emoji, different mentions
  and hashtags), no shared link;
- `link_text`: both (a paraphrased message carrying the link, URL suffixes varied);
- `hashtag`: new hashtags pushed together, each member with own words.

Members are existing background accounts (organic history, as hijacked or long-lived sock
puppets) or new accounts with numbered handles (`new_accounts`: the share of new ones).

Decoys (organic, must NOT be flagged): a *viral link* shared once each by hundreds of unrelated
accounts over hours (a third of them paste the headline), and a *hashtag day* (a trending tag,
often with a companion tag, posted by hundreds of accounts over 24 hours). Decoy accounts are
new accounts with a little organic activity of their own.

Scale: `total_posts` repeats the background as time-shifted copies (accounts, posts and links
suffixed per copy, hashtags and domains shared: they recur in real traffic), each copy with its
own planted campaigns and decoys, written block by block (memory bounded by one copy).
Everything is drawn from `random.Random(seed)`: the same arguments give the same bytes.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

DEFAULT_BACKGROUND = (Path(__file__).resolve().parents[2].parent
                      / "shared" / "data" / "coordination" / "german_elections.csv")
COLUMNS = ("account_id", "post_id", "timestamp", "url_id", "hashtag_id", "domain_id",
           "phash_id", "text")
SCHEMA = pa.schema([(c, pa.float64() if c == "timestamp" else pa.string()) for c in COLUMNS])
KINDS = ("link", "text", "link_text", "hashtag")
HOUR = 3600.0
DAY = 86400.0


@dataclass(frozen=True)
class CampaignSpec:
    name: str
    kind: str  # one of KINDS
    accounts: int
    rounds: int  # objects / messages pushed, one per round
    spread_s: float  # members post within this many seconds of a round's start
    paraphrase: float = 0.3  # chance that each swappable phrase takes a variant
    new_accounts: float = 0.5  # share of members that are new numbered accounts
    participation: float = 0.85  # chance a member joins a round (each joins >= 2 rounds)
    language: str = "pt"


# The standard scenario: 14 campaigns, 3..60 accounts (327 in all), bursts of 5 s to an hour.
STANDARD_CAMPAIGNS: tuple[CampaignSpec, ...] = (
    CampaignSpec("link-3-burst", "link", 3, 4, 10, new_accounts=1.0, language="de"),
    CampaignSpec("link-8-minute", "link", 8, 3, 60, language="en"),
    CampaignSpec("link-25-5min", "link", 25, 5, 300, language="es"),
    CampaignSpec("link-60-hour", "link", 60, 4, HOUR, new_accounts=0.3, language="de"),
    CampaignSpec("text-5-30s", "text", 5, 4, 30, language="pt"),
    CampaignSpec("text-15-10min", "text", 15, 3, 600, language="es"),
    CampaignSpec("text-40-hour", "text", 40, 5, HOUR, paraphrase=0.4, language="en"),
    CampaignSpec("text-20-5s", "text", 20, 4, 5, paraphrase=0.5, new_accounts=1.0,
                 language="pt"),
    CampaignSpec("both-10-2min", "link_text", 10, 3, 120, language="fr"),
    CampaignSpec("both-30-30min", "link_text", 30, 4, 1800, language="pt"),
    CampaignSpec("both-50-20s", "link_text", 50, 6, 20, new_accounts=0.8, language="es"),
    CampaignSpec("both-4-1min", "link_text", 4, 3, 60, new_accounts=0.0, language="de"),
    CampaignSpec("hashtag-12-2min", "hashtag", 12, 5, 120, language="pt"),
    CampaignSpec("hashtag-45-10min", "hashtag", 45, 6, 600, language="en"),
)


@dataclass(frozen=True)
class Scenario:
    seed: int = 7
    campaigns: tuple[CampaignSpec, ...] = STANDARD_CAMPAIGNS
    viral_link_accounts: int = 600
    viral_link_hours: float = 8.0
    hashtag_day_accounts: int = 800
    background_fraction: float = 1.0  # share of background posts kept (small test scenarios)
    total_posts: int | None = None  # None: one copy of the (sampled) background
    background: Path = field(default=DEFAULT_BACKGROUND)
    # True: who posted what is shuffled among each day's background posts (see
    # `_decorrelate`), so the background is labelled: nothing in it is coordinated. False: the
    # real data as recorded, its own unlabelled coordination included.
    decorrelate_background: bool = True

    def parameters(self) -> dict[str, Any]:
        d = asdict(self)
        d["background"] = self.background.name
        return d


def small_scenario(seed: int = 11) -> Scenario:
    """A scenario that runs in seconds: 5% of the background, 6 campaigns, smaller decoys."""
    specs = (
        CampaignSpec("link-6-burst", "link", 6, 4, 20, language="de"),
        CampaignSpec("text-8-minute", "text", 8, 4, 60, language="pt"),
        CampaignSpec("both-15-5min", "link_text", 15, 4, 300, language="es"),
        CampaignSpec("both-3-burst", "link_text", 3, 3, 10, new_accounts=1.0, language="en"),
        CampaignSpec("hashtag-10-2min", "hashtag", 10, 5, 120, language="en"),
        CampaignSpec("link-20-10min", "link", 20, 4, 600, language="fr"),
    )
    return Scenario(seed=seed, campaigns=specs, viral_link_accounts=250,
                    hashtag_day_accounts=300, background_fraction=0.05)


# --- text banks ------------------------------------------------------------------------------

_FILL: dict[str, dict[str, tuple[str, ...]]] = {
    "de": {
        "t": ("Heute {w} in {p} über {x} gesprochen, {a} Diskussion mit {n}.",
              "Wer war {w} beim Termin in {p}? Ich fand den Beitrag von {n} zu {x} {a}.",
              "{n} sagt, {x} sei {a}. Ich sehe das {w} anders, zumindest für {p}.",
              "Um {h} Uhr geht es in {p} weiter mit {x}, {w} vorbeikommen!",
              "Neue Zahlen zu {x}: {a}, aber in {p} merkt man {w} wenig davon.",
              "Ehrlich gesagt verstehe ich {n} bei {x} {w} nicht mehr.",
              "Danke an alle in {p} für den {a} Abend, {x} bleibt {w} Thema."),
        "w": ("gestern", "wirklich", "kaum", "endlich", "wieder", "ganz", "schon", "noch"),
        "p": ("Köln", "Leipzig", "Hamburg", "Bremen", "Kassel", "Dresden", "Mainz", "Bochum",
              "Freiburg", "Rostock", "Erfurt", "Kiel"),
        "x": ("Klimaschutz", "die Rente", "Mieten", "Digitalisierung", "Pflege", "den Nahverkehr",
              "Steuern", "Bildung", "die Bahn", "Energiepreise", "Wohnungsbau", "Landwirtschaft"),
        "a": ("spannende", "zähe", "gute", "seltsame", "ehrliche", "laute", "kurze", "lange"),
        "n": ("Anna", "Jonas", "die Kandidatin", "der Bürgermeister", "Frau Keller", "Herr Öz",
              "unsere Nachbarin", "der Verein"),
    },
    "en": {
        "t": ("Spent the {w} afternoon in {p} talking about {x} with {n}, {a} stuff.",
              "Anyone else at the {p} meeting on {x}? {n} made a {a} point.",
              "{n} thinks {x} is {a}. I {w} disagree, at least here in {p}.",
              "Back in {p} at {h} for the {x} workshop, come by {w}!",
              "New numbers on {x} look {a}, though in {p} you {w} notice it.",
              "Honestly I {w} lost track of what {n} wants on {x}.",
              "Thanks everyone in {p} for a {a} evening, {x} {w} matters."),
        "w": ("really", "hardly", "finally", "still", "barely", "quite", "again", "truly"),
        "p": ("Leeds", "Austin", "Nairobi", "Manila", "Glasgow", "Accra", "Toronto", "Cork",
              "Denver", "Perth", "Lagos", "Dundee"),
        "x": ("housing", "water rights", "the budget", "school meals", "land titles", "transit",
              "the new clinic", "fisheries", "wages", "the river cleanup", "policing", "rent"),
        "a": ("useful", "heated", "long", "odd", "honest", "loud", "short", "good"),
        "n": ("Maya", "Tom", "the mayor", "our neighbour", "Dr Osei", "the union", "Priya",
              "the council"),
    },
    "pt": {
        "t": ("Passei a tarde em {p} conversando sobre {x} com {n}, {a} conversa {w}.",
              "Alguém foi na reunião de {p} sobre {x}? {n} falou algo {a}.",
              "{n} acha que {x} é {a}. Eu {w} discordo, pelo menos aqui em {p}.",
              "Às {h}h tem roda de conversa sobre {x} em {p}, apareçam {w}!",
              "Os dados novos sobre {x} são {a}, mas em {p} a gente {w} sente.",
              "Sinceramente {w} não entendo mais o que {n} quer com {x}.",
              "Obrigada a todo mundo de {p} pela noite {a}, {x} {w} importa."),
        "w": ("mesmo", "quase", "finalmente", "ainda", "bem", "de novo", "hoje", "sempre"),
        "p": ("Belém", "Marabá", "Recife", "Manaus", "Santarém", "Altamira", "Cuiabá", "Natal",
              "Porto Velho", "Imperatriz", "Palmas", "Macapá"),
        "x": ("a demarcação", "a escola", "o posto de saúde", "a água", "a estrada",
              "o assentamento", "a feira", "o rio", "a merenda", "o transporte", "a creche",
              "a colheita"),
        "a": ("boa", "longa", "estranha", "sincera", "tensa", "curta", "útil", "animada"),
        "n": ("a Dona Rita", "o Pedro", "a prefeita", "o sindicato", "a Joana", "o vereador",
              "a vizinha", "a associação"),
    },
    "es": {
        "t": ("Pasé la tarde en {p} hablando de {x} con {n}, charla {a} {w}.",
              "¿Alguien fue a la reunión de {p} sobre {x}? {n} dijo algo {a}.",
              "{n} cree que {x} es {a}. Yo {w} no lo veo así, al menos en {p}.",
              "A las {h} hay asamblea sobre {x} en {p}, vengan {w}!",
              "Los datos nuevos de {x} son {a}, pero en {p} {w} se nota.",
              "La verdad {w} ya no entiendo qué quiere {n} con {x}.",
              "Gracias a toda la gente de {p} por la noche {a}, {x} {w} importa."),
        "w": ("hoy", "apenas", "por fin", "todavía", "bastante", "otra vez", "siempre", "casi"),
        "p": ("Cusco", "Oaxaca", "Temuco", "Cali", "Rosario", "Cochabamba", "Tegucigalpa",
              "Quito", "Medellín", "Chiapas", "Arequipa", "León"),
        "x": ("el agua", "la mina", "la escuela", "el territorio", "la cosecha", "el hospital",
              "la carretera", "el río", "los salarios", "la vivienda", "la radio comunitaria",
              "el mercado"),
        "a": ("buena", "larga", "rara", "sincera", "tensa", "corta", "útil", "animada"),
        "n": ("doña Carmen", "Luis", "la alcaldesa", "el sindicato", "Rosa", "el concejal",
              "la vecina", "la asociación"),
    },
    "fr": {
        "t": ("Après-midi à {p} à parler de {x} avec {n}, échange {a} {w}.",
              "Quelqu'un était à la réunion de {p} sur {x} ? {n} a dit un truc {a}.",
              "{n} pense que {x} est {a}. Je ne suis {w} pas d'accord, du moins à {p}.",
              "À {h}h atelier sur {x} à {p}, venez {w} !",
              "Les chiffres sur {x} sont {a}, mais à {p} on le sent {w}.",
              "Franchement je ne comprends {w} plus ce que {n} veut pour {x}.",
              "Merci à tout le monde à {p} pour la soirée {a}, {x} compte {w}."),
        "w": ("vraiment", "à peine", "enfin", "encore", "plutôt", "toujours", "aujourd'hui",
              "presque"),
        "p": ("Lyon", "Dakar", "Lille", "Abidjan", "Nantes", "Bamako", "Rennes", "Lomé",
              "Grenoble", "Cotonou", "Metz", "Tunis"),
        "x": ("le logement", "l'eau", "l'école", "la forêt", "les salaires", "le marché",
              "la santé", "les transports", "la pêche", "la radio locale", "les loyers",
              "la récolte"),
        "a": ("utile", "tendue", "longue", "bizarre", "franche", "courte", "bonne", "animée"),
        "n": ("Awa", "Julien", "la maire", "le syndicat", "Fatou", "le conseiller",
              "la voisine", "l'association"),
    },
}
_TAILS = ("", "", "", " 🙂", " 👍", " !!", " ...", " 🙏", " 💚", " (mais sobre isso depois)",
          " #{k}", " - {k}")
_LANGS = tuple(_FILL)
_LANG_WEIGHTS = (0.45, 0.25, 0.12, 0.1, 0.08)  # de first: the background is German traffic


def filler_text(rng: random.Random, lang: str | None = None) -> str:
    """One organic-looking post: one or two template sentences with random slot fills."""
    bank = _FILL[lang or rng.choices(_LANGS, _LANG_WEIGHTS)[0]]
    parts = []
    for _ in range(1 if rng.random() < 0.6 else 2):
        tpl = rng.choice(bank["t"])
        parts.append(tpl.format(w=rng.choice(bank["w"]), p=rng.choice(bank["p"]),
                                x=rng.choice(bank["x"]), a=rng.choice(bank["a"]),
                                n=rng.choice(bank["n"]), h=rng.randrange(7, 22)))
    tail = rng.choice(_TAILS)
    return " ".join(parts) + tail.replace("{k}", str(rng.randrange(1, 999)))


# Campaign messages: {a|b|c} are swappable phrases (the first is the canonical wording).
_MESSAGES: dict[str, tuple[str, ...]] = {
    "pt": ("{A|Essa} {defensora|ativista} {T} {é paga|recebe dinheiro} de ONGs estrangeiras "
           "para {travar|impedir} o progresso da região, {todo mundo sabe|ninguém fala nisso}",
           "{Vejam|Olhem} o que {T} {esconde|não conta}: {invasão|ocupação} de terras com "
           "apoio de {gringos|estrangeiros}, {compartilhem|espalhem} antes que apaguem",
           "{Chega|Basta} de {mentiras|farsa}! {T} {nunca|jamais} defendeu {o povo|ninguém} "
           "daqui, só {defende|protege} os próprios interesses",
           "{Denúncia|Exposed}: {T} {usa|usou} a associação para {desviar|sumir com} dinheiro "
           "das famílias, {cadê|onde está} a prestação de contas",
           "{Fora|Xô} {T}! {Ninguém|Nenhum morador} {aguenta|suporta} mais essa {farsa|mentira} "
           "de {direitos humanos|defensora do povo} na nossa cidade"),
    "es": ("{La|Esa} {activista|defensora} {T} {recibe|cobra} plata de ONG extranjeras "
           "para {frenar|bloquear} el desarrollo, {todos lo saben|nadie lo dice}",
           "{Miren|Vean} lo que {T} {oculta|no cuenta}: {invasión|toma} de tierras con apoyo "
           "de {gringos|extranjeros}, {compartan|difundan} antes de que lo borren",
           "{Basta|Ya basta} de {mentiras|cuentos}! {T} {nunca|jamás} defendió al {pueblo|barrio}, "
           "solo {cuida|protege} sus propios intereses",
           "{Denuncia|Ojo}: {T} {usa|usó} la asociación para {desviar|robar} fondos de las "
           "familias, {dónde|cuándo} está la rendición de cuentas",
           "{Fuera|Afuera} {T}! {Nadie|Ningún vecino} {aguanta|soporta} más esta {farsa|mentira} "
           "de {derechos humanos|defensora del pueblo} en nuestra ciudad",
           "{Cuidado|Atención} con {T}, {trabaja|opera} para intereses {extranjeros|de afuera} "
           "y {engaña|manipula} a las comunidades con {promesas|cuentos} falsos"),
    "en": ("{This|That} {activist|so-called defender} {T} {is paid|takes money} by foreign NGOs "
           "to {block|stop} progress here, {everyone knows it|nobody talks about it}",
           "{Look|See} what {T} {hides|won't tell you}: land {grabs|invasions} backed by "
           "{foreigners|outsiders}, {share|spread} before they delete it",
           "{Enough|No more} {lies|fakery}! {T} {never|not once} stood up for {the people|anyone} "
           "here, only {protects|serves} their own interests",
           "{Exposed|Revealed}: {T} {uses|used} the association to {divert|siphon} money from "
           "families, {where|when} is the accounting",
           "{Out|Get out} {T}! {Nobody|No resident} {can stand|will tolerate} this {farce|lie} "
           "of {human rights|people's defender} in our town any longer",
           "{Careful|Watch out} with {T}, {works|operates} for {foreign|outside} interests and "
           "{fools|manipulates} communities with {fake|empty} promises"),
    "de": ("{Diese|Die} {Aktivistin|angebliche Verteidigerin} {T} {wird bezahlt|kassiert Geld} "
           "von ausländischen NGOs, um {Fortschritt|Entwicklung} zu {stoppen|blockieren}",
           "{Seht|Schaut} was {T} {verschweigt|verheimlicht}: Landnahme mit {Auslandsgeld|Geld "
           "von außen}, {teilt|verbreitet} das bevor es gelöscht wird",
           "{Schluss|Genug} mit den {Lügen|Märchen}! {T} hat sich {nie|niemals} für {die Leute|"
           "uns} eingesetzt, nur für {eigene|private} Interessen",
           "{Aufgedeckt|Enthüllt}: {T} {nutzt|nutzte} den Verein um Geld der Familien "
           "{abzuzweigen|verschwinden zu lassen}, {wo|wann} ist die Abrechnung"),
    "fr": ("{Cette|La} {militante|soi-disant défenseure} {T} {est payée|touche de l'argent} par "
           "des ONG étrangères pour {bloquer|freiner} le progrès, {tout le monde le sait|"
           "personne n'en parle}",
           "{Regardez|Voyez} ce que {T} {cache|ne dit pas}: accaparement de terres {financé|payé} "
           "par {l'étranger|des étrangers}, {partagez|diffusez} avant suppression",
           "{Assez|Stop} de {mensonges|cinéma}! {T} n'a {jamais|pas une fois} défendu {le peuple|"
           "personne} ici, seulement {ses|ses propres} intérêts",
           "{Révélé|Dénoncé}: {T} {utilise|a utilisé} l'association pour {détourner|siphonner} "
           "l'argent des familles, {où|quand} sont les comptes"),
}
_TARGETS = ("Marina Costa", "Rosa Quispe", "Awa Diallo", "Jo Ferreira", "Lena Brandt")
_EMOJI = ("", "", "🔥", "😡", "👇", "‼️", "🚨", "🤮", "👀", "💯")
_HANDLE_WORDS = ("patriota", "verdade", "brasil", "libre", "truth", "deutschland", "real",
                 "nacao", "pueblo", "voice", "freedom", "ordem")
_SITES = ("noticias-verdade.info", "la-verdad-hoy.net", "truth-daily.co", "wahrheit24.de",
          "info-libre.org", "alerta-nacional.com", "realnews-now.net", "fatos-ocultos.com")


def _swap(template: str, rng: random.Random, paraphrase: float) -> str:
    out: list[str] = []
    i = 0
    while i < len(template):
        j = template.find("{", i)
        if j < 0:
            out.append(template[i:])
            break
        k = template.index("}", j)
        out.append(template[i:j])
        options = template[j + 1:k].split("|")
        out.append(options[0] if len(options) == 1 or rng.random() >= paraphrase
                   else rng.choice(options[1:]))
        i = k + 1
    return "".join(out)


def paraphrase(template: str, target: str, rng: random.Random, level: float,
               hashtags: list[str], mentions: list[str], url: str | None = None) -> str:
    """A copy of a campaign message: swapped phrases, maybe an emoji, some of the campaign's
    hashtags and mentions (different per copy), the link with a varied suffix."""
    body = _swap(template.replace("{T}", target), rng, level)
    pieces = [body]
    pieces += rng.sample(mentions, k=rng.randint(0, min(2, len(mentions))))
    pieces += rng.sample(hashtags, k=rng.randint(1, min(2, len(hashtags))))
    if url:
        pieces.append(url)
    emoji = rng.choice(_EMOJI)
    if emoji:
        pieces.insert(0 if rng.random() < 0.3 else len(pieces), emoji)
    return " ".join(pieces)


# --- generation ------------------------------------------------------------------------------

@dataclass
class Truth:
    campaigns: dict[str, list[str]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)
    decoys: dict[str, list[str]] = field(default_factory=dict)
    posts: int = 0
    rows: int = 0
    background_accounts: int = 0
    parameters: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"campaigns": self.campaigns, "kinds": self.kinds, "decoys": self.decoys,
                "posts": self.posts, "rows": self.rows,
                "background_accounts": self.background_accounts,
                "parameters": self.parameters}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Truth:
        return cls(dict(d["campaigns"]), dict(d["kinds"]), dict(d["decoys"]),
                   int(d["posts"]), int(d["rows"]), int(d["background_accounts"]),
                   dict(d.get("parameters", {})))

    def planted(self) -> set[str]:
        return {a for accounts in self.campaigns.values() for a in accounts}

    def decoy_accounts(self) -> set[str]:
        return {a for accounts in self.decoys.values() for a in accounts}


def _load_background(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str)
    frame = frame[frame["post_id"].notna()]  # 3 empty rows in german_elections.csv
    frame["timestamp"] = frame["timestamp"].astype(float)
    for col, prefix in (("url_id", "u"), ("hashtag_id", "h"), ("domain_id", "d"),
                        ("phash_id", "p")):
        frame[col] = frame[col].where(frame[col].isna(), prefix + frame[col].astype(str))
    return frame.sort_values(["timestamp", "post_id"], kind="stable").reset_index(drop=True)


class _Block:
    """The rows of one copy of the background with its planted campaigns and decoys."""

    def __init__(self, rng: random.Random, suffix: str, offset: float, t0: float, t1: float):
        self.rng, self.suffix, self.offset, self.t0, self.t1 = rng, suffix, offset, t0, t1
        self.rows: list[tuple[str, str, float, str | None, str | None, str | None, None,
                              str]] = []
        self.serial = 0

    def post(self, account: str, ts: float, text: str, url: str | None = None,
             hashtag: str | None = None, domain: str | None = None) -> None:
        self.serial += 1
        self.rows.append((account, f"s{self.serial}{self.suffix}", ts + self.offset, url,
                          hashtag, domain, None, text))

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=list(COLUMNS))


def _rounds(rng: random.Random, spec: CampaignSpec, t0: float, t1: float) -> list[float]:
    gaps = [rng.uniform(2 * HOUR, 3 * DAY) for _ in range(spec.rounds - 1)]
    start = rng.uniform(t0 + HOUR, max(t0 + HOUR, t1 - sum(gaps) - 2 * HOUR))
    out = [start]
    for g in gaps:
        out.append(out[-1] + g)
    return out


def _members(rng: random.Random, spec: CampaignSpec, existing: list[str], taken: set[str],
             suffix: str) -> list[str]:
    out: list[str] = []
    n_new = round(spec.accounts * spec.new_accounts)
    word = rng.choice(_HANDLE_WORDS)
    platform = rng.choice(("tw", "fb"))
    while len(out) < n_new:
        acc = f"{platform}_{word}{rng.randrange(100, 99999)}{suffix}"
        if acc not in taken:
            taken.add(acc)
            out.append(acc)
    while len(out) < spec.accounts:
        acc = rng.choice(existing)
        if acc not in taken:
            taken.add(acc)
            out.append(acc)
    return out


def _plant(block: _Block, index: int, spec: CampaignSpec, members: list[str]) -> None:
    rng = block.rng
    starts = _rounds(rng, spec, block.t0, block.t1)
    joins = [[rng.random() < spec.participation for _ in starts] for _ in members]
    for row in joins:  # every member acts at least twice: once is not coordination
        while sum(row) < 2:
            row[rng.randrange(len(row))] = True
    lang = spec.language
    messages = list(_MESSAGES[lang])
    rng.shuffle(messages)
    target = rng.choice(_TARGETS)
    tag = "".join(w.capitalize() for w in target.split())
    tags = [f"#{p}{tag}" for p in ("Fora", "Stop", "Exposed", "Verdade")]
    mentions = [f"@{rng.choice(_HANDLE_WORDS)}_{rng.randrange(10, 999)}" for _ in range(4)]
    site = rng.choice(_SITES)
    domain = f"d-{site}{block.suffix}"
    for r, start in enumerate(starts):
        url_id = f"u-c{index}r{r}{block.suffix}"
        slug = f"{rng.randrange(10**5, 10**6)}"
        round_tags = [f"#{rng.choice(_HANDLE_WORDS).capitalize()}{tag}{r}",
                      f"#{rng.choice(('Fora', 'Basta', 'Stop', 'Out'))}{tag}{r}"]
        times = sorted(start + rng.uniform(0, spec.spread_s) for _ in members)
        for m, (acc, ts) in enumerate(zip(members, times, strict=True)):
            if not joins[m][r]:
                continue
            if spec.kind == "link":
                url = f"https://{site}/{slug}?{rng.choice(('utm_source', 'ref', 's'))}=" \
                      f"{rng.randrange(10**6)}"
                block.post(acc, ts, f"{filler_text(rng, lang)} {url}", url_id, None, domain)
            elif spec.kind == "text":
                block.post(acc, ts, paraphrase(messages[r % len(messages)], target, rng,
                                               spec.paraphrase, tags, mentions))
            elif spec.kind == "link_text":
                url = f"https://{site}/{slug}" + ("" if rng.random() < 0.5
                                                  else f"?s={rng.randrange(10**6)}")
                block.post(acc, ts, paraphrase(messages[r % len(messages)], target, rng,
                                               spec.paraphrase, tags, mentions, url),
                           url_id, None, domain)
            elif spec.kind == "hashtag":
                chosen = round_tags if rng.random() < 0.7 else round_tags[:1]
                block.post(acc, ts, f"{filler_text(rng, lang)} {' '.join(chosen)}")
            else:
                raise ValueError(f"unknown campaign kind {spec.kind!r}; kinds are {KINDS}")


def _organic_extra(block: _Block, account: str, urls: list[str]) -> None:
    rng = block.rng
    for _ in range(rng.randint(1, 3)):
        ts = rng.uniform(block.t0, block.t1)
        if urls and rng.random() < 0.4:
            block.post(account, ts, filler_text(rng), rng.choice(urls))
        else:
            block.post(account, ts, filler_text(rng))


def _decoys(block: _Block, scenario: Scenario, taken: set[str], urls: list[str],
            truth: Truth) -> None:
    rng = block.rng
    sfx = block.suffix

    def new_account(prefix: str) -> str:
        while True:
            acc = f"{rng.choice(('tw', 'fb'))}_{prefix}{rng.randrange(10**7)}{sfx}"
            if acc not in taken:
                taken.add(acc)
                return acc

    # Viral link: one article, shared once each by many unrelated accounts; shares decay over
    # hours (exponential, half-life ~1.5 h, cut at viral_link_hours).
    viral = [new_account("v") for _ in range(scenario.viral_link_accounts)]
    start = rng.uniform(block.t0 + DAY, block.t1 - DAY)
    headline = rng.choice((
        "Flood waters reach the old town: residents evacuated overnight",
        "Hochwasser erreicht die Altstadt: Anwohner in der Nacht evakuiert",
        "Enchente chega ao centro histórico e moradores são retirados de madrugada"))
    for acc in viral:
        delay = min(rng.expovariate(1 / (1.5 * HOUR)), scenario.viral_link_hours * HOUR)
        url = "https://news.example.org/flood-old-town" + ("" if rng.random() < 0.6
                                                           else f"?s={rng.randrange(10**6)}")
        text = (headline if rng.random() < 0.33 else filler_text(rng)) + " " + url
        block.post(acc, start + delay, text, f"u-viral{sfx}", None, f"d-news.example.org{sfx}")
        _organic_extra(block, acc, urls)
    # Hashtag day: a trending tag over 24 hours, often with a companion tag; some accounts
    # post on it two or three times.
    day = [new_account("h") for _ in range(scenario.hashtag_day_accounts)]
    start = rng.uniform(block.t0 + DAY, block.t1 - 2 * DAY)
    for acc in day:
        for _ in range(1 if rng.random() < 0.7 else rng.randint(2, 3)):
            tags = "#WahlArena" + (" #Triell" if rng.random() < 0.5 else "")
            block.post(acc, start + rng.uniform(0, DAY), f"{filler_text(rng)} {tags}")
        _organic_extra(block, acc, urls)
    truth.decoys.setdefault("viral_link", []).extend(viral)
    truth.decoys.setdefault("hashtag_day", []).extend(day)


def _decorrelate(bg: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Deal each UTC day's background posts out again to that day's posting accounts at
    random (a permutation of post -> account within the day). Every post keeps its time and
    its objects, so a viral link keeps its burst and a hashtag its day; every account keeps
    how many posts it made each day; but which accounts shared what together is now chance,
    so any group found in it is a false positive. (The recorded data contains real
    coordinated link sharing, unlabelled: CooRTweet's own sample.)"""
    posts = bg.drop_duplicates("post_id")[["post_id", "account_id", "timestamp"]]
    day = (posts["timestamp"] // DAY).to_numpy()
    rng = np.random.Generator(np.random.PCG64(seed))
    order = np.lexsort((rng.random(len(posts)), day))  # random order within each day
    by_day = np.argsort(day, kind="stable")  # original order within each day
    accounts = posts["account_id"].to_numpy(object)
    dealt = np.empty(len(posts), dtype=object)
    dealt[by_day] = accounts[order]
    mapping = pd.Series(dealt, index=posts["post_id"].to_numpy())
    return bg.assign(account_id=mapping.loc[bg["post_id"]].to_numpy())


def _background_rows(bg: pd.DataFrame, rng: random.Random, suffix: str, offset: float,
                     limit: int | None) -> pd.DataFrame:
    """The background with ids suffixed and time shifted, a filler text on each post's first
    row; cut at `limit` posts."""
    frame = bg
    if limit is not None:
        post_order = frame["post_id"].drop_duplicates()
        keep = set(post_order.iloc[:limit])
        frame = frame[frame["post_id"].isin(keep)]
    frame = frame.copy()
    if suffix:
        frame["account_id"] = frame["account_id"] + suffix
        frame["post_id"] = frame["post_id"] + suffix
        frame["url_id"] = frame["url_id"].where(frame["url_id"].isna(),
                                                frame["url_id"] + suffix)
        frame["phash_id"] = frame["phash_id"].where(frame["phash_id"].isna(),
                                                    frame["phash_id"] + suffix)
    frame["timestamp"] = frame["timestamp"] + offset
    first = ~frame["post_id"].duplicated()
    texts = [filler_text(rng) for _ in range(int(first.sum()))]
    frame["text"] = None
    frame.loc[first, "text"] = texts
    return frame[list(COLUMNS)]


def generate(scenario: Scenario) -> Iterator[tuple[pd.DataFrame, Truth]]:
    """Blocks of rows (COLUMNS) and the ground truth so far (complete after the last)."""
    rng = random.Random(scenario.seed)  # noqa: S311 - reproducible data, not secrets
    bg = _load_background(scenario.background)
    if scenario.background_fraction < 1.0:
        posts = sorted(set(bg["post_id"]))
        keep = set(random.Random(scenario.seed).sample(  # noqa: S311
            posts, max(1, int(len(posts) * scenario.background_fraction))))
        bg = bg[bg["post_id"].isin(keep)].reset_index(drop=True)
    if scenario.decorrelate_background:
        bg = _decorrelate(bg, scenario.seed)
    t0, t1 = float(bg["timestamp"].min()), float(bg["timestamp"].max())
    period = (t1 - t0) + DAY
    bg_posts = int(bg["post_id"].nunique())
    accounts = sorted(set(bg["account_id"]))
    urls = sorted(set(bg["url_id"].dropna()))[:5000]
    truth = Truth(parameters=scenario.parameters())
    total = scenario.total_posts
    copy = 0
    while True:
        suffix = "" if copy == 0 else f"~{copy}"
        offset = copy * period
        block_rng = random.Random(rng.randrange(2**63))  # noqa: S311
        block = _Block(block_rng, suffix, offset, t0, t1)
        existing = [a + suffix for a in accounts]
        taken: set[str] = set()
        for i, spec in enumerate(scenario.campaigns):
            name = spec.name + suffix
            members = _members(block_rng, spec, existing, taken, suffix)
            _plant(block, i, spec, members)
            truth.campaigns[name] = sorted(members)
            truth.kinds[name] = spec.kind
        _decoys(block, scenario, taken, [u + suffix for u in urls], truth)
        planted = block.frame()
        remaining = None if total is None else total - truth.posts - len(planted)
        limit = None if remaining is None or remaining >= bg_posts else max(0, remaining)
        background = _background_rows(bg, block_rng, suffix, offset, limit)
        rows = pd.concat([background, planted], ignore_index=True)
        rows = rows.sort_values(["timestamp", "post_id"], kind="stable").reset_index(drop=True)
        truth.posts += int(rows["post_id"].nunique())
        truth.rows += len(rows)
        truth.background_accounts += int(background["account_id"].nunique())
        yield rows, truth
        copy += 1
        if total is None or truth.posts >= total:
            break


def write_scenario(scenario: Scenario, out: Path, truth_path: Path | None = None) -> Truth:
    """Write the scenario's rows to `out` (.csv or .parquet, streamed block by block) and the
    ground truth as JSON next to it (`<out stem>.truth.json`) or at `truth_path`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    truth = Truth()
    if out.suffix == ".parquet":
        with pq.ParquetWriter(out, SCHEMA) as writer:
            for rows, truth_so_far in generate(scenario):
                writer.write_table(pa.Table.from_pandas(rows, SCHEMA, preserve_index=False))
                truth = truth_so_far
    else:
        with out.open("w", encoding="utf-8", newline="") as fh:
            for i, (rows, truth_so_far) in enumerate(generate(scenario)):
                rows.to_csv(fh, header=i == 0, index=False, float_format="%.3f")
                truth = truth_so_far
    path = truth_path or out.with_name(out.name.split(".")[0] + ".truth.json")
    path.write_text(json.dumps(truth.to_dict(), indent=1, sort_keys=True), encoding="utf-8")
    return truth


# --- scoring ---------------------------------------------------------------------------------

def score(detected_groups: Iterable[Iterable[str]], truth: Truth,
          baseline: Iterable[str] = ()) -> dict[str, Any]:
    """Account-level precision and recall of detected campaigns against the ground truth.

    An account is detected if it is in any detected campaign. precision = detected planted
    accounts / all detected accounts; recall = detected planted accounts / planted accounts.
    Also: recall per campaign and per kind, decoy accounts flagged, and the background
    accounts flagged (not planted, not decoys: real coordination in the background or false
    positives; the data has no labels to tell), with precision counted without them too.
    `baseline`: the accounts flagged when the same background runs alone (no plants);
    `precision_vs_baseline` leaves them out of the denominator, so it measures the false
    positives that planting (and the decoys) added.
    """
    groups = [set(g) for g in detected_groups]
    detected = set().union(*groups) if groups else set()
    planted = truth.planted()
    decoys = truth.decoy_accounts()
    hit = detected & planted
    background = detected - planted - decoys
    base = set(baseline)
    beyond = detected - (base - planted)
    per_campaign = {}
    for name, accounts in sorted(truth.campaigns.items()):
        found = detected & set(accounts)
        per_campaign[name] = {"kind": truth.kinds[name], "accounts": len(accounts),
                              "found": len(found), "recall": len(found) / len(accounts)}
    per_kind: dict[str, dict[str, float]] = {}
    for kind in sorted(set(truth.kinds.values())):
        acc = {a for n, accs in truth.campaigns.items() if truth.kinds[n] == kind for a in accs}
        per_kind[kind] = {"accounts": len(acc), "found": len(acc & detected),
                          "recall": len(acc & detected) / len(acc) if acc else 0.0}
    # Groups that contain planted accounts: how much else did they pull in?
    planted_groups = [g for g in groups if g & planted]
    in_planted_groups = set().union(*planted_groups) if planted_groups else set()
    return {
        "detected_accounts": len(detected),
        "planted_accounts": len(planted),
        "detected_planted": len(hit),
        "precision": len(hit) / len(detected) if detected else 0.0,
        "recall": len(hit) / len(planted) if planted else 0.0,
        "precision_planted_groups": (len(in_planted_groups & planted) / len(in_planted_groups)
                                     if in_planted_groups else 0.0),
        "precision_without_background": (len(hit) / len(hit | (detected & decoys))
                                         if hit or (detected & decoys) else 0.0),
        "baseline_flagged": len(base),
        "precision_vs_baseline": len(hit) / len(beyond) if beyond else 0.0,
        "background_beyond_baseline": len(background - base),
        "decoy_accounts": len(decoys),
        "decoys_flagged": {k: len(detected & set(v)) for k, v in sorted(truth.decoys.items())},
        "background_flagged": len(background),
        "campaigns_detected": len(groups),
        "campaigns_with_planted": len(planted_groups),
        "per_kind": per_kind,
        "per_campaign": per_campaign,
    }


def with_seed(scenario: Scenario, seed: int) -> Scenario:
    return replace(scenario, seed=seed)


def baseline_scenario(scenario: Scenario) -> Scenario:
    """The same background (same seed, same sample) with nothing planted and no decoys."""
    return replace(scenario, campaigns=(), viral_link_accounts=0, hashtag_day_accounts=0)


def load_scenario(path: Path, work: Path) -> Any:
    """`io.load_file` on a generated scenario."""
    from amparo.campaigns import io

    return io.load_file(path, work)
