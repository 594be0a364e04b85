"""What each page shows, computed from the validated project; templates read these and nothing else.

plan.py builds a plan's PlanView from its parts: people (contacts, clocks), steps, timeline,
checklists, contacts (the contact sheet), log, postmortem and revision (the fingerprint);
site.py keeps a PlanSummary of it for the site-wide and history pages.
"""
