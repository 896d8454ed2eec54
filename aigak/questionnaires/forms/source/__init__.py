"""Readable sources of the shipped XLSForms: one data module per form and the builder."""
