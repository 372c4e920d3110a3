"""Ingestion: sources into the canonical tables, every record stored, a duplicate or rejected."""
