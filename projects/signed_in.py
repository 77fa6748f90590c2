"""The signed-in member, with their roles and organisations, from a token in one statement.

Every request that carries a token needs this, so it is one round trip of fixed SQL rather than
four queries through the query builder: the member's own row, then one row per role and per
organisation membership, each branch found by the token's primary key and the member's index.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from projects import errors
from projects.access import Actor, actor_of
from projects.members import DEFAULT_IDLE, token_digest, use_token, well_formed_token
from projects.tables import Member

# The branches share one column list: the member's own columns are NULL in role and
# organisation rows, and theirs in the member's row. The casts give PostgreSQL the types.
_SIGNED_IN = """
SELECT 'member' AS kind, t.created_at, t.expires_at, t.last_used_at,
       m.id AS member, m.name, m.phone, m.is_admin, m.active, m.home_area, h.path AS home_path,
       m.pending, m.must_change_password,
       CAST(NULL AS VARCHAR) AS role, CAST(NULL AS BIGINT) AS ref,
       CAST(NULL AS VARCHAR) AS level, CAST(NULL AS VARCHAR) AS path
FROM projects_token t
JOIN projects_member m ON m.id = t.member
LEFT JOIN projects_area h ON h.id = m.home_area
WHERE t.token_hash = {}
UNION ALL
SELECT 'grant', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       r.role, r.area, a.level, a.path
FROM projects_token t
JOIN projects_role r ON r.member = t.member
JOIN projects_area a ON a.id = r.area
WHERE t.token_hash = {}
UNION ALL
SELECT 'organisation', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       om.role, om.organisation, NULL, a.path
FROM projects_token t
JOIN projects_organisation_member om ON om.member = t.member
JOIN projects_organisation o ON o.id = om.organisation
JOIN projects_area a ON a.id = o.area
WHERE t.token_hash = {}
"""


async def actor_for_token(token: str, *, now: datetime, idle: timedelta = DEFAULT_IDLE) -> Actor:
    """The actor a sign-in token stands for, or ``Unauthenticated`` (unknown, expired, idle for
    ``idle``, or its member deactivated)."""
    if not well_formed_token(token):
        raise errors.Unauthenticated()
    digest = token_digest(token)
    rows = await Member.raw(_SIGNED_IN, digest, digest, digest)
    member = next((row for row in rows if row["kind"] == "member"), None)
    await use_token(digest, member, now=now, idle=idle)
    grants = [(row["role"], row["ref"], row["level"], row["path"]) for row in rows if row["kind"] == "grant"]
    memberships = [(row["ref"], row["role"], row["path"]) for row in rows if row["kind"] == "organisation"]
    return actor_of(member, grants, memberships)
