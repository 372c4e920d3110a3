"""The bundled sample: its sites, the documented example fixtures and the seeded traffic generator."""
