"""Pure comparison of a Baseline with a Snapshot: compare (deepdiff), checks, then project rules."""
