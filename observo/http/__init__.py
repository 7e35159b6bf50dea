"""The HTTP plumbing the JSON API (`api/`) and the pages (`web/`) share, so neither imports the other.

Who is calling (`auth`, `session`, `same_origin`), the route policy and access control (`route_policy`,
`access`), errors as problem+json or pages (`problems`, `problem_api`, `problem_text`, `unavailable`),
responses and paging links (`responses`), the middleware installed by create_app (`request_log`,
`hosts`, `input_guard`, `rate_limits`, `read_routing`, `security`, `metrics`), the request's language
(`i18n`) and the browser assets' addresses (`assets`, `asset_files`). docs/architecture.md, "Layers".
"""
