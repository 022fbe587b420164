"""Models of satisfaction pulses."""
