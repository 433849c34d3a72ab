"""Build the indicator snapshot that ships with Amparo:
amparo/detect/resources/links/indicators-snapshot.json.

Reads the public feeds copied into ../shared/data/iocs:
  amnesty/         Amnesty Tech investigations (CC BY 2.0)
  mvt-indicators/  the Mobile Verification Toolkit's indicator feeds (MIT)
and keeps only network indicators (domains, URLs, IP addresses, e-mail addresses), deduplicated,
each with the investigation it comes from. Citizen Lab's indicators (CC BY-NC-SA) are NOT
included: a workspace can import them itself with `amparo iocs import`.

    .venv/bin/python scripts/build_indicator_snapshot.py [--data ../shared/data/iocs]

The output is deterministic (sorted, no timestamps), so rebuilding from the same data gives the
same file and the same SHA-256.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from amparo.detect.indicators import (  # noqa: E402
    IndicatorCollection,
    IndicatorError,
    Source,
    load_indicator_file,
    save_collection,
)

OUT = ROOT / "amparo" / "detect" / "resources" / "links"
NAME = "indicators-snapshot"
# Amnesty folders whose README has no usable title (titles of the published reports).
AMNESTY_TITLES = {
    "2018-08-01_nso": "Amnesty International Among Targets of NSO-powered Campaign",
    "2018-12-19_best_practice": "When Best Practice Isn't Good Enough: Large Campaigns of "
                                "Phishing Attacks in Middle East and North Africa",
    "2019-03-06_egypt_oauth": "Phishing attacks using third-party applications against "
                              "Egyptian civil society organizations",
    "2019-08-16_evolving_phishing": "Evolving Phishing Attacks Targeting Journalists and Human "
                                    "Rights Defenders from the Middle-East and North Africa",
    "2019-10-10_nso_morocco": "Morocco: Human Rights Defenders Targeted with NSO Group's "
                              "Spyware",
    "2020-03-12_uzbekistan": "Targeted surveillance attacks in Uzbekistan",
    "2020-09-25_finfisher": "German-made FinSpy spyware found in Egypt, and Mac and Linux "
                            "versions revealed",
    "2021-07-18_nso": "NSO Group Pegasus",
}
NETWORK_FILES = re.compile(
    r"(\.stix2|domains\.txt|^ips\.txt|^ip-addresses\.txt|^emails\.txt|^indicators\.csv)$")


def _title_from_readme(folder: Path) -> str | None:
    for readme in (folder / "README.md", folder / "indicators" / "README.md"):
        if readme.is_file():
            for line in readme.read_text(encoding="utf-8").splitlines():
                if line.startswith("# "):
                    title = re.sub(r"\s*Indicators? of Compromise\s*$", "", line[2:].strip(),
                                   flags=re.IGNORECASE)
                    return title.strip() or None
    return None


def _stix_name(folder: Path) -> str | None:
    for path in sorted(folder.glob("*.stix2")):
        for obj in json.loads(path.read_text(encoding="utf-8")).get("objects", []):
            if obj.get("type") == "malware" and obj.get("name"):
                return str(obj["name"])
    return None


def _spyware_words() -> re.Pattern[str]:
    words = yaml.safe_load((OUT / "spyware.yaml").read_text(encoding="utf-8"))["spyware_words"]
    alternatives = "|".join(re.escape(w).replace(r"\ ", r"[\s_-]*") for w in words)
    return re.compile(rf"(?<![a-z])(?:{alternatives})(?![a-z])", re.IGNORECASE)


def _add_folder(snapshot: IndicatorCollection, folder: Path, source: Source,
                spyware: re.Pattern[str]) -> int:
    files = sorted(p for p in folder.rglob("*") if p.is_file() and NETWORK_FILES.search(p.name))
    part = IndicatorCollection(folder.name)
    names = []
    for path in files:
        try:
            coll = load_indicator_file(path)
        except IndicatorError as exc:
            print(f"  skipped {exc}", file=sys.stderr)
            continue
        for skipped in coll.skipped:
            print(f"  left out {skipped}", file=sys.stderr)
        names.extend(s.title for s in coll.sources if path.suffix == ".stix2")
        part.merge(coll)
    text = " ".join([source.title, source.ref, *names])
    threat = "spyware" if spyware.search(text) else "phishing/malware"
    source = Source(source.title, source.publisher, source.ref, threat)
    for kind, table in part.values.items():
        for value in table:
            snapshot.add(kind, value, source)
    return len(part)


def build(data: Path) -> IndicatorCollection:
    spyware = _spyware_words()
    snapshot = IndicatorCollection(
        NAME, description=(
            "Network indicators from Amnesty Tech's investigations "
            "(github.com/AmnestyTech/investigations, CC BY 2.0) and the MVT project's "
            "indicator feeds (github.com/mvt-project/mvt-indicators, MIT); built by "
            "scripts/build_indicator_snapshot.py"),
        origin="bundled with Amparo")
    amnesty = data / "amnesty"
    for folder in sorted(p for p in amnesty.iterdir() if p.is_dir()):
        title = AMNESTY_TITLES.get(folder.name) or _title_from_readme(folder) or folder.name
        n = _add_folder(snapshot, folder, Source(title, "Amnesty Tech", folder.name), spyware)
        print(f"amnesty/{folder.name}: {n} indicators  [{title}]")
    mvt = data / "mvt-indicators"
    feeds = yaml.safe_load((mvt / "indicators.yaml").read_text(encoding="utf-8"))["indicators"]
    titles = {}
    for feed in feeds:
        github = feed.get("github") or {}
        if github.get("owner") == "mvt-project":
            folder_name = str(github.get("path", "")).split("/", 1)[0]
            titles[folder_name] = re.sub(r"\s*Indicators? of Compromise\s*$", "",
                                         str(feed["name"]), flags=re.IGNORECASE)
    for folder in sorted(p for p in mvt.iterdir() if p.is_dir()):
        title = (titles.get(folder.name) or _title_from_readme(folder) or _stix_name(folder)
                 or folder.name)
        n = _add_folder(snapshot, folder, Source(title, "the MVT project", folder.name),
                        spyware)
        print(f"mvt-indicators/{folder.name}: {n} indicators  [{title}]")
    return snapshot


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path,
                        default=ROOT.parent / "shared" / "data" / "iocs")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    snapshot = build(args.data)
    path = save_collection(snapshot, args.out)
    print(f"{path}: {snapshot.counts()}, {len(snapshot.sources)} sources, "
          f"{path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
