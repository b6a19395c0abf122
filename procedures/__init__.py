"""Agencies, the procedure catalog, its document components and form fields, and the working-day calendar."""
