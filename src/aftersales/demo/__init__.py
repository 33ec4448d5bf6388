"""Realistic Chinese demo data and the bulk ticket loader for benchmarks (``manage.py demo_data``)."""
