"""Stage 1, feeds: the registry of departments and their feeds, and deliveries landing in the warehouse.

A file dropped in an inbox, or one pull of an HTTP or database feed, is stored unchanged by its SHA-256 and
recorded as a delivery and (when new) a batch, with the day it was reported in the city's time zone.
"""
