"""The archive on SQLite and on a real PostgreSQL: idempotent writes, migrations, search."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures_services import article, free_port
from sqlalchemy import select

from streams.archive import schema
from streams.archive.store import ArchiveStore, SearchFilters, normalize_url
from streams.core.errors import WartaError
from streams.core.records import Alert, DomainEvent
from streams.core.routing import domain_events


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request, tmp_path: Path):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path}/a.db" if request.param == "sqlite" else request.getfixturevalue("pg_url")
    st = ArchiveStore(url)
    yield st
    st.close()


def _corpus():  # type: ignore[no-untyped-def]
    return [
        article(
            "a1",
            "Rusia dan Ukraina menukar 157 tawanan perang di perbatasan.",
            title="Pertukaran tawanan",
            story="s1",
            topics=[("medtop:20000080", 0.8)],
            events=["0841"],
            figures=[("prisoners_released", 157)],
            entities=[{"name": "Ukraine", "text": "Ukraina", "id": "Q212", "country": "UA"}],
        ),
        article(
            "a2",
            "Ukraine and Russia swapped prisoners of war on Thursday.",
            title="Prisoner swap",
            language="en",
            source="Reuters",
            story="s1",
            topics=[("medtop:20000080", 0.7)],
            events=["0841"],
            published_at="2026-02-06T08:00:00+00:00",
        ),
        article(
            "a3",
            "Rusia meluncurkan 653 drone dan 51 rudal ke Ukraina semalam.",
            title="Serangan drone",
            story="s2",
            events=["1952", ("0841", {"negated": True})],
            figures=[("drones_launched", 653)],
            topics=[("medtop:20000056", 0.9)],
            published_at="2026-02-07T01:00:00+07:00",
        ),
        article(
            "a4",
            "Timnas Indonesia menang 2-0 atas Vietnam.",
            title="Timnas menang",
            story="s3",
            topics=[("medtop:15000000", 0.9)],
            published_at="2026-01-10T20:00:00+07:00",
        ),
    ]


def test_migrations_are_recorded_and_run_once(store: ArchiveStore) -> None:
    assert store.schema_version() == len(schema.MIGRATIONS)
    assert store.migrate() == []  # nothing left to apply
    with store.engine.connect() as conn:
        versions = list(conn.execute(select(schema.schema_migrations.c.version)).scalars())
    assert sorted(versions) == [1, 2]


def test_writes_are_idempotent_by_event_id(store: ArchiveStore) -> None:
    arts = _corpus()
    devs = [d for a in arts for d in domain_events(a)]
    r1 = store.write(arts, devs)
    assert r1.articles_new == 4 and r1.domain_events_new == 3  # the negated event is not a domain event
    counts = store.counts()
    assert counts["articles"] == 4 and counts["events"] == 4 and counts["topics"] == 4
    assert counts["entities"] == 1 and counts["figures"] == 2 and counts["stories"] == 3
    r2 = store.write(arts, devs)  # a replay / redelivery
    assert r2.articles_new == 0 and r2.articles_updated == 4 and r2.domain_events_new == 0
    assert store.counts() == counts
    # the same article twice in one batch is one row
    store.write([arts[0], arts[0]])
    assert store.counts() == counts


def test_stories_aggregate_their_articles(store: ArchiveStore) -> None:
    store.write(_corpus())
    with store.engine.connect() as conn:
        row = conn.execute(select(schema.stories).where(schema.stories.c.story_id == "s1")).mappings().one()
    assert row["article_count"] == 2 and sorted(row["sources"]) == ["Kompas", "Reuters"]


def test_new_pipeline_version_adds_distinguishable_rows(store: ArchiveStore) -> None:
    store.write(_corpus())
    newer = [
        article(a.id, a.body, title=a.title, story=a.dedup.story_id, version="2027.1.0") for a in _corpus()
    ]
    assert all(n.event_id != o.event_id for n, o in zip(newer, _corpus(), strict=True))
    assert store.write(newer).articles_new == 4
    assert store.counts()["articles"] == 8
    assert len(store.search("tawanan", SearchFilters(pipeline_version="2027.1.0"))) == 1
    assert store.delete_version("2027.1.0") == 4
    assert store.counts()["articles"] == 4


def test_alerts_keep_the_highest_revision(store: ArchiveStore) -> None:
    a1 = Alert(id="alert-1", rule="r", message="m1", revision=1, story_id="s1")
    a2 = a1.model_copy(update={"revision": 2, "message": "m2"})
    store.write(alerts=[a1])
    store.write(alerts=[a2])
    store.write(alerts=[a1])  # an old revision arriving late changes nothing
    with store.engine.connect() as conn:
        rows = conn.execute(select(schema.alerts.c.revision, schema.alerts.c.message)).all()
    assert [tuple(r) for r in rows] == [(2, "m2")]


def test_domain_events_by_id(store: ArchiveStore) -> None:
    d = DomainEvent(id="dev-1", type="CameoEventDetected", cameo_code="0841", article_event_id="ev-x")
    assert store.write(domain_events=[d, d]).domain_events_new == 1
    assert store.write(domain_events=[d]).domain_events_new == 0


def test_full_text_search_and_filters(store: ArchiveStore) -> None:
    store.write(_corpus())

    def ids(q: str = "", **kw) -> list[str]:  # type: ignore[no-untyped-def]
        return sorted(r["article_id"] for r in store.search(q, SearchFilters(**kw)))

    assert ids("tawanan") == ["a1"]
    assert ids("prisoners") == ["a2"]
    assert ids("Ukraina") == ["a1", "a3"]
    assert ids('"653 drone"') == ["a3"]
    assert ids("drone vietnam") == []  # words are ANDed
    assert ids("perang (") == ["a1"]  # stray syntax in user text is not an error
    assert ids('tawanan"') == ["a1"]
    assert ids("", topic="20000080") == ["a1", "a2"]
    assert ids("", topic="medtop:16000000") == ["a1", "a2", "a3"]  # via the parent code
    assert ids("", event="08") == ["a1", "a2"]  # a3's 0841 is negated
    assert ids("", event="19") == ["a3"]
    assert ids("", entity="Q212") == ["a1"]
    assert ids("", entity="ukraine") == ["a1"]
    assert ids("", entity="UA") == ["a1"]
    assert ids("", language="en") == ["a2"]
    from datetime import datetime

    t = datetime.fromisoformat("2026-02-01T00:00:00+07:00").timestamp()
    assert ids("", since=t) == ["a1", "a2", "a3"]
    assert ids("", until=t) == ["a4"]
    rows = store.search("tawanan")
    assert "tawanan" in rows[0]["snippet"].lower() and rows[0]["topics"] == ["medtop:20000080"]
    assert rows[0]["events"] == ["0841"]
    assert store.get_article(rows[0]["event_id"]).figures[0].value == 157  # type: ignore[union-attr]


def test_bad_url_and_unreachable_database_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(WartaError) as ei:
        ArchiveStore("mysql://nobody@127.0.0.1/x")
    assert ei.value.code == "W803"
    with pytest.raises(WartaError) as ei:
        ArchiveStore(f"postgresql://warta:hunter2@127.0.0.1:{free_port()}/none")
    assert ei.value.code == "W802" and "hunter2" not in ei.value.reason and "***" in ei.value.reason


def test_url_normalisation() -> None:
    assert normalize_url("postgresql://u@h:1/d") == "postgresql+psycopg://u@h:1/d"
    assert normalize_url("var/a.db") == "sqlite:///var/a.db"
