"""The Qt desktop app. Widgets only: every database call goes through ``OperationRunner``."""
