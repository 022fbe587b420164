"""Quality and acceptance: quality checklists, test cases, test cycles and runs, defects, and the
client's acceptance of deliverables with a certificate."""
