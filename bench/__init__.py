"""Benchmarks: a city-scale data set, the load scenarios and their report."""
