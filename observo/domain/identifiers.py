"""Row ids as every layer may assume them."""

from __future__ import annotations

# Ids are INTEGER columns: 32-bit on PostgreSQL, which refuses a larger parameter ("integer out of
# range"), and SQLite's driver overflows past 64 bits; either would be a 500 instead of a 404, so a
# larger id is simply not found (routes, the OGC API, import keys) or refused (schemas).
MAX_DATABASE_ID = 2**31 - 1
