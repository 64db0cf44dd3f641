"""Use cases. Each public function that changes data runs in one transaction
and writes one audit entry; readers return plain dataclasses, never rows."""
