"""Operations: health and metrics endpoints, figures, alerts (Qt-free).

``figures`` reads the event log and PostgreSQL's statistics; ``metrics`` holds the
Prometheus metrics; ``alerts`` turns figures into tripped alerts; ``health`` is the
expiry worker's monitor and its ``/health`` and ``/metrics`` server.
"""
