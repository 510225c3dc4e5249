"""The door: scanning tickets at the entrance (a viewer login is enough).

May import the core, Qt and `ui.common`.
"""
