"""One module per ``modelhub`` subcommand; each defines ``add_arguments(parser)`` and ``run(args) -> int``."""
