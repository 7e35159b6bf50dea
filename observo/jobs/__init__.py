"""Work that runs in the serving process outside a request: the background imports' runner thread.

It needs the application (its context, its `db` session, its instance folder), so it lives above the
services, which never import Flask (docs/architecture.md, "Layers").
"""
