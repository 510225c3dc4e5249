"""The operations window: health, alerts and live figures of every show for the manager on duty.

May import the core, Qt and `ui.common`.
"""
