"""dockyard: the Docker & FastAPI containerization standard, executable."""

__version__ = "0.1.0"

# typing.TYPE_CHECKING without importing typing (about a tenth of a cold start): `from dockyard import
# TYPE_CHECKING`, then `if TYPE_CHECKING:` as usual; type checkers treat the name as true.
TYPE_CHECKING = False
