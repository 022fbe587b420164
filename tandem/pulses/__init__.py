"""Satisfaction pulses: CSAT, NPS and custom questions sent to the client on triggers, answered by one
click from an e-mail or in the app, and their results per project and across projects."""
