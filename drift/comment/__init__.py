"""`drift comment`: the Markdown report as one pull-request comment, updated in place.

post.py holds the flow (list, find drift's own comment by its marker, update or create)
and the HTTP session (deadline, rate limits, retries); github.py and gitlab.py what
differs between the two forges. `forge_from_env` picks one from the CI environment.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from drift.comment.post import Forge, Posted, PostError, Session, scrub, upsert

__all__ = ["Forge", "Posted", "PostError", "forge_from_env", "post", "scrub"]


def forge_from_env(platform: str, env: Mapping[str, str], pr: int | None) -> Forge:
    """GitHub or GitLab as `platform` says, or as the environment shows (`auto`)."""
    from drift.comment import github, gitlab

    if platform == "auto":
        if env.get("GITHUB_ACTIONS") == "true" or env.get("GITHUB_REPOSITORY"):
            platform = "github"
        elif env.get("GITLAB_CI") == "true" or env.get("CI_API_V4_URL"):
            platform = "gitlab"
        else:
            raise PostError(
                "no pull or merge request here: drift comment posts from GitHub Actions "
                "(GITHUB_REPOSITORY) or GitLab CI (CI_API_V4_URL); elsewhere pass --platform "
                "and set the same variables, or use `drift diff --format markdown`."
            )
    return github.from_env(env, pr) if platform == "github" else gitlab.from_env(env, pr)


def post(
    forge: Forge,
    body: str,
    marker: str,
    deadline_s: float,
    notice: Callable[[str], None] = lambda _msg: None,
) -> Posted:
    """Create or update drift's comment (drift/comment/post.py `upsert`)."""
    session = Session(forge, deadline_s, notice=notice)
    try:
        return upsert(session, body, marker)
    finally:
        session.close()
