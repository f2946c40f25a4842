"""plg: self-serve growth KPIs (product-led growth) computed by a dbt project."""

__version__ = "0.1.0"
