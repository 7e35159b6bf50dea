"""Observo's benchmark harness: synthetic data, peers, database floor, workloads, report.

Run by hand or with `make bench`; never collected by pytest (testpaths is tests/).
"""
