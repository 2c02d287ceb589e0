"""Models of collaboration."""
