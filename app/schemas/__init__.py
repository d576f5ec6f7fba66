"""Marshmallow schemas for the API, the import and the exports."""
