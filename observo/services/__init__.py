"""Use cases. Each takes (session, actor, ...) explicitly, flushes, never commits."""
