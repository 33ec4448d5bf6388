"""Models of the appraisal app."""
