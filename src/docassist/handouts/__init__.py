"""Printable handouts (PDF): a procedure for families, and one family's plan.

``procedure`` and ``family`` decide what a handout says; ``pdf`` decides how it
looks on A4. Both speak the handout's languages, never the UI's: a facilitator
working in English prints a Romani handout with the Serbian beside it. Saving a
file (where, and atomically) is the service's job: ``services.handouts``.
"""
