"""drift: detect configuration drift between live Google Cloud state and declared YAML baselines."""

__version__ = "0.1.0"
