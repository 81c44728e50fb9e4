from dockyard.cli import entry

entry()
