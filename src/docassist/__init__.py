"""docassist: documentation workshops and case follow-up for legally invisible people."""

__version__ = "0.1.0"
