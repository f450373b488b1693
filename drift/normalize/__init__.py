"""Pure normalizers: real API JSON (camelCase) -> the normalized view of spec/baseline.md.

The same unit functions normalize declared values, so `600s` == 600 and `4096Mi` == `4Gi`
on both sides of a comparison.
"""
