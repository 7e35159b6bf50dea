"""Attacks on the trust model (issue 15): each test fails on a product that lets the attack through."""
