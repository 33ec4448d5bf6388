"""Models of the remedies app."""
