"""Printable runbooks as PDF, from the built site's print pages."""
