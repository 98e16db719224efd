"""The conditional logit ranker of the role passes: it ranks within a group and learns when nothing fits."""

from __future__ import annotations

from streams.nlp.linear import train_listwise


def test_the_listwise_ranker_prefers_the_agent_and_learns_nothing() -> None:
    groups = []
    for i in range(30):
        # the actor after "oleh" is the source; a victim noun before the trigger is not
        rows = [{"prev=oleh": 1.0, f"id={i % 3}": 1.0}, {"noun=warga": 1.0}, {"type=GPE": 1.0}]
        groups.append((rows, [True, False, False]))
    for _ in range(30):  # no agent written: nothing is right
        groups.append(([{"noun=warga": 1.0}, {"type=GPE": 1.0}], [False, False]))
    model = train_listwise(groups, l2=0.5, epochs=200)
    agent = model.probs({"prev=oleh": 1.0})["yes"]
    victim = model.probs({"noun=warga": 1.0})["yes"]
    assert agent > 0.5 > victim
    again = train_listwise(groups, l2=0.5, epochs=200)
    assert again.to_json() == model.to_json()  # deterministic
