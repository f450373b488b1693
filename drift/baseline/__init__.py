"""Baselines: the declared state of a project, loaded from `expected/<project>/*.yaml`.

The public surface others code against:

    load_baseline(expected_dir, project) -> Baseline   (raises BaselineError)
    validate_dir(expected_dir) -> list[str]
    Baseline, Declared, ProjectRules, IgnoreRule, BaselineError, Problem
    path_matches, Matcher, parse_matcher, is_matcher
"""

from drift.baseline.loader import Baseline, Declared, load_baseline, validate_dir
from drift.baseline.matchers import Matcher, is_matcher, parse_matcher
from drift.baseline.rules import IgnoreRule, ProjectRules, path_matches
from drift.baseline.schema import KIND_FIELDS, REGIONAL, FieldSpec
from drift.baseline.yaml_lines import BaselineError, Problem

__all__ = [
    "KIND_FIELDS",
    "REGIONAL",
    "Baseline",
    "BaselineError",
    "Declared",
    "FieldSpec",
    "IgnoreRule",
    "Matcher",
    "Problem",
    "ProjectRules",
    "is_matcher",
    "load_baseline",
    "parse_matcher",
    "path_matches",
    "validate_dir",
]
