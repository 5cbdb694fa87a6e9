"""The doors that make change sets: forms (recording), bulk import, SPARQL Update, revert and
retract, accounts and the audit trail.
"""
