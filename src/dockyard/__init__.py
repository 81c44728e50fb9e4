"""dockyard: the Docker & FastAPI containerization standard, executable."""

__version__ = "0.1.0"
