"""Models of the returns app."""
