"""``rstat api public``: the website gateway, read-only and scoped to one organization.

- ``access``: who is calling (token or API key) and the per-client rate limit;
- ``queries``: one read per answer, scoped to the caller's organization;
- ``types``: the response bodies; ``replies``: ETag, Cache-Control and 304;
- ``controllers``: the routes; ``app``: the app assembled from them.
"""
