"""The HTML report's one stylesheet, and the Content-Security-Policy that allows only it.

The stylesheet is drift's own text: the fixed CSS below plus the filter rules
drift/report/html.py writes from its own class names (`#fk-0:checked ~ .rows
tr.f:not(.k0){display:none}`), never from a value. The policy names it by its SHA-256,
so nothing else can style the page, and allows nothing else at all: no script, no
network, no image, no form, no base URL.
"""

from __future__ import annotations

import base64
import hashlib

CSS = """\
:root{--fg:#1f2328;--muted:#59636e;--bg:#fff;--line:#d1d9e0;--soft:#f6f8fa;
--critical:#b3261e;--warning:#9a6700;--info:#0969da;--ok:#1a7f37}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;
--line:#3d444d;--soft:#151b23;--critical:#ff7b72;--warning:#d29922;--info:#58a6ff;
--ok:#3fb950}}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);
background:var(--bg);margin:0 auto;padding:16px 24px;max-width:1400px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 8px}
code{font:12px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;
white-space:pre-wrap;overflow-wrap:anywhere}
td.where{min-width:16em}td.src{min-width:12em}td.val{min-width:10em}
.meta,.muted,.more,.none{color:var(--muted)}.meta{margin:0}
.incomplete{border:2px solid var(--critical);border-radius:6px;padding:8px 16px;
margin:12px 0}.incomplete h2{color:var(--critical);margin-top:4px}
.verdict{font-size:16px;font-weight:600}.verdict.clean{color:var(--ok)}
.cards{display:flex;flex-wrap:wrap;gap:8px;margin:8px 0}
.card{border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:96px;
background:var(--soft)}.card .n{display:block;font-size:24px;font-weight:600}
.card.c-critical .n{color:var(--critical)}.card.c-warning .n{color:var(--warning)}
.card.c-info .n{color:var(--info)}.card.alert{border-color:var(--critical)}
.card.alert .n{color:var(--critical)}
table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid var(--line);padding:5px 8px;text-align:left;
vertical-align:top}th{background:var(--soft);position:sticky;top:0}
.badge{font-weight:600}.b-critical{color:var(--critical)}.b-warning{color:var(--warning)}
.b-info{color:var(--info)}
.filters{margin:0 0 8px}
.fl{display:inline-block;min-width:64px;color:var(--muted);margin:6px 4px 0 0}
#findings input{position:absolute;opacity:0;width:1px;height:1px;margin:0}
#findings input+label{display:inline-block;border:1px solid var(--line);border-radius:14px;
padding:2px 10px;margin:4px 2px 0 0;cursor:pointer;background:var(--bg)}
#findings input:checked+label{background:var(--fg);color:var(--bg);border-color:var(--fg)}
#findings input:focus-visible+label{outline:2px solid var(--info);outline-offset:2px}
#findings{counter-reset:shown}tr.f{counter-increment:shown}
.count::before{content:"Shown: " counter(shown) " of "}
svg.trend{max-width:100%;height:auto}svg .axis{stroke:var(--muted)}
svg .tick{fill:var(--muted);font-size:11px}svg .c-critical{fill:var(--critical)}
svg .c-warning{fill:var(--warning)}svg .c-info{fill:var(--info)}
svg .c-zero{fill:var(--muted)}svg .c-incomplete{fill:var(--fg)}.seen{white-space:nowrap}
.legend span{margin-right:12px}.legend .sw::before{content:"\\25A0 "}
.legend .c-critical{color:var(--critical)}.legend .c-warning{color:var(--warning)}
.legend .c-info{color:var(--info)}.legend .c-incomplete{color:var(--fg)}
footer{margin-top:32px;border-top:1px solid var(--line);padding-top:8px}
@media print{#findings input+label{display:none}.fl{display:none}}
"""


def csp(style: str) -> str:
    """The Content-Security-Policy allowing only the stylesheet `style`, by its hash."""
    digest = base64.b64encode(hashlib.sha256(style.encode("utf-8")).digest()).decode("ascii")
    return (
        f"default-src 'none'; style-src 'sha256-{digest}'; img-src 'none'; "
        "base-uri 'none'; form-action 'none'"
    )
