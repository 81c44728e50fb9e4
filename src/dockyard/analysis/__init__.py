"""Facts about parsed files that several rule families, the lock-file reader and ``fix`` share.

* :mod:`.shell`: the shell that Dockerfile instructions run, and the package-manager calls in it;
* :mod:`.stages`: stage lineage, the final stage and token positions of a parsed Dockerfile;
* :mod:`.build_contexts`: the build contexts of a project and the ignore file each one uses;
* :mod:`.variables`: the variables an environment's compose files interpolate, and those its env file leaves
  unresolved.

They read the models of :mod:`dockyard.parsers` and :mod:`dockyard.compose`, and never the rules: every rule
family may import them, and they import no rule.
"""
