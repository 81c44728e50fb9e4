"""The standard's dependency jobs, one module each: ``lock-deps`` (:mod:`.lock`), ``wheelhouse-build``
(:mod:`.wheelhouse`) and ``wheelhouse-check`` (:mod:`.wheels_check`), over what they share: the package indexes
pip is configured to use (:mod:`.indexes`).

The jobs honour the user's pip configuration and the index options written in the lock file. They print
nothing: each returns its result for ``dockyard deps`` (:mod:`dockyard.commands.deps`) to report. This is the
only package of dockyard that touches the network. Heavy modules are imported inside functions.
"""
