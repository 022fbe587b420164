"""Onboarding that trains the client as project manager: first-visit guides per role, the glossary,
the project handbook, training material and the client PM readiness checklist."""
