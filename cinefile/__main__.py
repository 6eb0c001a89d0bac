"""`python -m cinefile ...` runs the command line, as editors do to start `cinefile lsp`."""

from cinefile.cli.app import main

main()
