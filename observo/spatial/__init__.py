"""The only package that writes spatial SQL or knows which database is underneath."""
