"""Resource kinds: one module per kind, each defining one frozen `SPEC` (drift/kinds/spec.py).

drift/registry.py lists the modules and derives every table from their specs; add a kind
as docs/contributing.md says.
"""
