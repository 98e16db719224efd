"""The Maven file that fetches the local broker's jars lives in deploy/kafka/, not in the package."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from streams.kafka.broker import KAFKA_VERSION, POM

ROOT = Path(__file__).resolve().parents[2]


def test_the_pom_is_in_deploy_and_pins_the_broker_version() -> None:
    assert POM == ROOT / "deploy" / "kafka" / "pom.xml" and POM.is_file()
    assert not list((ROOT / "streams").rglob("pom.xml"))
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    deps = {
        d.findtext("m:artifactId", namespaces=ns): d.findtext("m:version", namespaces=ns)
        for d in ET.parse(POM).getroot().iterfind("m:dependencies/m:dependency", ns)
    }
    assert deps["kafka_2.13"] == KAFKA_VERSION
