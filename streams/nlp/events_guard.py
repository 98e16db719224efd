"""The guard of the compiled events passes: they run only while the reference functions they copy are unchanged."""

from __future__ import annotations

from streams.core import hot as _core_hot

__all__ = ["GUARD", "MIRRORED", "RECORDED", "fingerprint"]

#: The functions and methods of ``streams.nlp.events`` whose work ``streams.nlp._events_hot`` does (or whose
#: compiled dispatch they hold): the trigger hits, candidates and their features, the actor mentions, the role
#: features and scores, the choice of events and their evidence.
MIRRORED = (
    "phrase_hits",
    "find_actor_mentions",
    "_entity_mentions",
    "_gazetteer_mentions",
    "_name_words",
    "_titled_mentions",
    "_title_case_line",
    "_surname_mentions",
    "_repeated_mentions",
    "_with_actor_nouns",
    "_is_location",
    "_is_outlet",
    "EventContext.mentions",
    "EventContext._candidate",
    "EventContext.mentions_between",
    "EventContext.name_count",
    "EventContext.entity_type",
    "EventContext.sent_info",
    "_sent_info",
    "_hits",
    "slot_checks",
    "_clause_punct_ends",
    "_clause_word_ends",
    "find_candidates",
    "_inside_any",
    "_third_location",
    "_clause_start",
    "_window_start",
    "_cue_window",
    "_position_features",
    "_date_features",
    "_rule_modality",
    "ArticleRoots.of",
    "ArticleRoots.features",
    "candidate_features",
    "_clause_bounds",
    "_quote_features",
    "score_candidates",
    "class_probs",
    "_Joint.trigger_modality",
    "_Joint.role_pair",
    "role_features",
    "_role_consts",
    "_mention_names",
    "_mention_features_once",
    "_clause_features",
    "_speech_features",
    "_sentence_mentions",
    "role_candidates",
    "_role_candidates",
    "pick_roles",
    "_role_scores",
    "choose_events",
    "_choose_happened",
    "_choose_other",
    "_more_specific_near",
    "same_event",
    "_evidence",
    "event_of",
    "merge_same_code",
    "_with_evidence",
)
#: :func:`fingerprint` of :data:`MIRRORED` as the compiled passes were written against them. A change to one
#: of them (not a comment or docstring) makes the events stage run its reference until ``_events_hot``
#: follows and this is recorded again (``python scripts/fingerprints.py --write``; docs/guards.md). The
#: settings and tables they read (``ACTOR_WINDOW``, the rules, the models) reach both paths at run time.
RECORDED = "1d1bb5316958d980"

#: the compiled passes' guard (``streams.core.hot.Guard``): the functions they copy and :data:`RECORDED`
GUARD = _core_hot.Guard(
    RECORDED,
    [("streams.nlp.events", name) for name in MIRRORED],
    "the compiled events passes (streams.nlp._events_hot)",
)


def fingerprint() -> str:
    """:func:`streams.core.hot.code_fingerprint` of the :data:`MIRRORED` functions as they are now."""
    return GUARD.fingerprint()
