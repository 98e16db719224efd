"""Stories across outlets and languages, StoryUpdated events, and partitioned state."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, MutableMapping
from typing import Any

from streams.core.doc import Doc
from streams.core.ids import content_hash
from streams.core.pipeline import MemoryState, build_pipeline
from streams.core.records import CameoEvent, DomainEvent, Entity, Figure, RawArticle
from streams.core.settings import Settings
from streams.dedup.config import load_config
from streams.dedup.stage import DedupStage
from streams.dedup.text import extract_names, extract_numbers

# One event told by two outlets in two languages, in different words.
ID_STORY = """Rusia dan Ukraina kembali bertukar tahanan perang pada Kamis setelah perundingan di Abu Dhabi yang dimediasi Uni Emirat Arab.
Sebanyak 157 tahanan dari masing-masing pihak dibebaskan, kata Presiden Volodymyr Zelensky dalam pernyataan di Kyiv.
Pertukaran ini merupakan yang terbesar sejak awal tahun. Kementerian Pertahanan Rusia membenarkan jumlah tersebut.
Zelensky berterima kasih kepada Uni Emirat Arab atas mediasinya dan berharap pertukaran berikutnya segera terjadi."""

EN_STORY = """Ukraine and Russia swapped prisoners of war on Thursday after talks in Abu Dhabi brokered by the United Arab Emirates.
A total of 157 captives were freed by each side, President Volodymyr Zelensky said in a statement from Kyiv.
The Russian Defence Ministry confirmed the figure. It was the largest exchange of the year so far.
Zelensky thanked the Emirates for their mediation and said he hoped another exchange would follow soon."""

# Same outlet, same category, different stories.
SPORT_A = """Persib Bandung mengalahkan Persija Jakarta 2-1 di Stadion Gelora Bandung Lautan Api pada Sabtu malam.
Gol kemenangan Persib dicetak David da Silva pada menit ke-88 setelah Persija sempat menyamakan kedudukan.
Pelatih Persib Bojan Hodak memuji mental pemainnya yang tetap tenang di bawah tekanan penonton.
Dengan hasil ini Persib naik ke puncak klasemen Liga 1 dengan 34 poin dari 15 pertandingan."""

SPORT_B = """Persija Jakarta resmi merekrut gelandang asal Brasil, Ryo Matsumura, untuk putaran kedua Liga 1.
Manajemen Persija menyebut kontrak sang pemain berdurasi dua musim dengan opsi perpanjangan.
Pelatih Persija Carlos Pena berharap kehadiran Matsumura menambah kreativitas lini tengah.
Persija saat ini berada di peringkat enam klasemen sementara, tertinggal dari Persib Bandung."""


def _ent(name: str, type_: str, qid: str, n: int = 1) -> Entity:
    return Entity(text=name, name=name, type=type_, id=qid, spans=[(0, 1)] * n, confidence=0.9)  # type: ignore[arg-type]


def _doc(aid: str, body: str, when: str, source: str, lang: str, **fields: Any) -> Doc:
    doc = Doc.from_raw(RawArticle(id=aid, text=body, published_at=when, source=source))
    doc.body = body
    doc.language = lang
    doc.dedup = doc.dedup.model_copy(update={"content_hash": content_hash(body)})
    for k, v in fields.items():
        setattr(doc, k, v)
    return doc


def _stories(docs: list[Doc], state: Any = None) -> list[Doc]:
    stage = DedupStage(Settings(), state or MemoryState())
    for d in docs:
        stage(d)
    return docs


def test_same_event_in_indonesian_and_english_shares_a_story_from_text_alone() -> None:
    a, b = _stories(
        [
            _doc("id1", ID_STORY, "2026-11-20T08:00:00+07:00", "kabar.id", "id"),
            _doc("en1", EN_STORY, "2026-11-20T10:00:00+00:00", "wire.com", "en"),
        ]
    )
    assert b.dedup.duplicate_of is None  # not a copy
    assert a.dedup.story_id == b.dedup.story_id


def test_same_event_shares_a_story_from_canonical_entities() -> None:
    ents = [_ent("Russia", "GPE", "Q159", 3), _ent("Ukraine", "GPE", "Q212", 3),
            _ent("Volodymyr Zelensky", "PERSON", "Q3874799", 2), _ent("Abu Dhabi", "GPE", "Q1519")]  # fmt: skip
    figs = [Figure(kind="prisoners_released", value=157, text="157", span=(0, 3))]
    evs = [CameoEvent(code="0841", label="release persons", score=0.9)]
    a, b = _stories(
        [
            _doc("id1", "Teks pertama yang berbeda sama sekali tentang pertukaran.", "2026-11-20T08:00:00+07:00",
                 "kabar.id", "id", entities=ents, figures=figs, events=evs),
            _doc("en1", "A second, differently worded text about the swap.", "2026-11-20T09:00:00+07:00",
                 "wire.com", "en", entities=list(reversed(ents)), figures=figs, events=evs),
        ]
    )  # fmt: skip
    assert a.dedup.story_id == b.dedup.story_id


def test_distinct_stories_of_the_same_outlet_and_category_do_not_merge() -> None:
    a, b = _stories(
        [
            _doc("s1", SPORT_A, "2026-11-20T20:00:00+07:00", "bola.id", "id"),
            _doc("s2", SPORT_B, "2026-11-20T21:00:00+07:00", "bola.id", "id"),
        ]
    )
    assert a.dedup.story_id != b.dedup.story_id


def test_same_event_far_apart_in_time_is_a_new_story() -> None:
    a, b = _stories(
        [
            _doc("id1", ID_STORY, "2026-11-01T08:00:00+07:00", "kabar.id", "id"),
            _doc("en1", EN_STORY, "2026-11-12T08:00:00+00:00", "wire.com", "en"),
        ]
    )
    assert a.dedup.story_id != b.dedup.story_id


def test_story_updated_events_count_mentions_sources_and_languages() -> None:
    docs = _stories(
        [
            _doc("id1", ID_STORY, "2026-11-20T08:00:00+07:00", "kabar.id", "id"),
            _doc("en1", EN_STORY, "2026-11-20T10:00:00+00:00", "wire.com", "en"),
            _doc("id2", ID_STORY, "2026-11-20T12:00:00+00:00", "copy.id", "id"),
        ]
    )
    events = [rec for d in docs for role, rec in d.outbox if role == "events"]
    assert all(isinstance(e, DomainEvent) and e.type == "StoryUpdated" for e in events)
    assert [e.data["mentions"] for e in events] == [1, 2, 3]
    last = events[-1]
    assert last.story_id == docs[0].dedup.story_id
    assert last.data["sources"] == ["kabar.id", "wire.com", "copy.id"]
    assert last.data["languages"] == ["id", "en"]
    assert last.data["duplicate"] is True
    assert last.data["first_seen"] < last.data["last_seen"]
    assert len({e.id for e in events}) == 3


def test_redelivery_reemits_the_same_story_event_id() -> None:
    stage = DedupStage(Settings(), MemoryState())
    a = _doc("id1", ID_STORY, "2026-11-20T08:00:00+07:00", "kabar.id", "id")
    again = _doc("id1", ID_STORY, "2026-11-20T08:00:00+07:00", "kabar.id", "id")
    stage(a)
    stage(again)
    assert [r.id for _, r in a.outbox] == [r.id for _, r in again.outbox]


class PartitionedState:
    """Like FaustState: tables keyed per partition of the message; records which partition wrote each key."""

    def __init__(self, partitions: int):
        self.partitions = partitions
        self.now = 0
        self.tables: dict[str, _Tracked] = {}

    def current_partition(self) -> int:
        return self.now

    def table(self, name: str) -> MutableMapping[str, Any]:
        return self.tables.setdefault(name, _Tracked(self))


class _Tracked(MutableMapping[str, Any]):
    def __init__(self, state: PartitionedState):
        self.state, self.data = state, {}  # type: ignore[var-annotated]
        self.writers: dict[str, set[int]] = defaultdict(set)

    def __getitem__(self, k: str) -> Any:
        return self.data[k]

    def __setitem__(self, k: str, v: Any) -> None:
        self.writers[k].add(self.state.now)
        self.data[k] = v

    def __delitem__(self, k: str) -> None:
        self.writers[k].add(self.state.now)
        del self.data[k]

    def __iter__(self) -> Iterator[str]:
        return iter(self.data)

    def __len__(self) -> int:
        return len(self.data)


def test_partitioned_state_finds_duplicates_across_partitions_with_one_writer_per_key() -> None:
    state = PartitionedState(3)
    stage = DedupStage(Settings(), state)
    bodies = [ID_STORY, EN_STORY, SPORT_A, SPORT_B]
    docs = []
    for i in range(12):
        state.now = i % 3
        body = bodies[i % 4] if i < 4 else bodies[i % 4][: int(len(bodies[i % 4]) * (0.75 + 0.02 * i))]
        d = _doc(f"a{i}", body, "2026-11-20T08:00:00+07:00", f"o{i}.id", "id")
        stage(d)
        docs.append(d)
    assert [d.dedup.duplicate_of for d in docs[:4]] == [None] * 4
    assert [d.dedup.duplicate_of for d in docs[4:]] == [f"a{i % 4}" for i in range(4, 12)]
    # Story mention counts merge across partitions.
    last_event = docs[-1].outbox[-1][1]
    assert last_event.data["mentions"] == 3
    for name, table in state.tables.items():
        shared = {k: w for k, w in table.writers.items() if len(w) > 1}
        assert not shared, (name, shared)


def test_text_fallback_features() -> None:
    cfg = load_config()
    names = extract_names(ID_STORY, cfg.not_names)
    assert "volodymyr zelensky" in names and "abu dhabi" in names
    assert "sebanyak" not in names and "pertukaran" not in names
    assert extract_numbers("157 tahanan, 55.000 tentara, 55,000 troops, tahun 2025, 17,5 persen") == {
        "157": 1,
        "55000": 2,
    }


def test_pipeline_in_process_is_in_input_order() -> None:
    pipe = build_pipeline(Settings(), MemoryState(), stages=["decode", "ids", "dedup"])
    first = pipe.run(RawArticle(id="x1", text=ID_STORY))
    second = pipe.run(RawArticle(id="x2", text=ID_STORY))
    assert first.dedup.duplicate_of is None and second.dedup.duplicate_of == "x1"


# --- stories respect time --------------------------------------------------------------------------


def _index():  # type: ignore[no-untyped-def]
    from streams.dedup.story import StoryIndex

    return StoryIndex({}, {}, load_config())


def _feats(names: list[str], numbers: list[str]) -> list[str]:
    from streams.dedup.story import feature_key

    return [feature_key("e", n) for n in names] + [feature_key("n", n) for n in numbers]


_NAMES = ["russia", "ukraine", "volodymyr zelensky", "kyiv", "kharkiv", "vladimir putin"]
_DAY = 86400.0


def test_names_alone_do_not_join_articles_published_years_apart() -> None:
    idx = _index()
    first = idx.place("a", _feats(_NAMES, ["653"]), 1000.0, "x", "id", published=1000.0)
    later = idx.place("b", _feats(_NAMES, ["48"]), 1000.0, "y", "en", published=1000.0 + 3 * 365 * _DAY)
    assert later.created and later.ref != first.ref


def test_articles_of_the_same_days_join_on_names() -> None:
    idx = _index()
    first = idx.place("a", _feats(_NAMES, ["653"]), 1000.0, "x", "id", published=1000.0)
    same = idx.place("b", _feats(_NAMES, ["48"]), 1000.0, "y", "en", published=1000.0 + _DAY)
    assert same.ref == first.ref


def test_undated_articles_join_only_when_they_share_the_incident_figures() -> None:
    idx = _index()
    first = idx.place("a", _feats(_NAMES, ["157", "1250"]), 1000.0, "x", "id")
    other = idx.place("b", _feats(_NAMES, ["48"]), 1000.0, "y", "en")
    same = idx.place("c", _feats(_NAMES, ["157", "1250"]), 1000.0, "z", "en")
    assert other.ref != first.ref
    assert same.ref == first.ref


def test_old_story_records_without_publication_times_still_load() -> None:
    from streams.dedup.story import Story

    old = ["sid", 2, ["x"], ["id"], 10, 20, "e1 e2"]
    story = Story.load(old)
    assert story is not None and story.pub_first is None
    story.published(5.0)
    assert Story.load(story.dump()).pub_first == 5.0  # type: ignore[union-attr]
