"""Booking lifecycle events for the systems downstream: the gap-free stream over
``booking_events`` (``stream``), the NATS JetStream relay that publishes it (``relay``)
and an example consumer with retries and a dead-letter stream (``consumer``)."""
