"""Agencies, the procedure catalog, components, form fields and the working-day calendar."""
