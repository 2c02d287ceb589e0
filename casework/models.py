"""Models of casework."""
