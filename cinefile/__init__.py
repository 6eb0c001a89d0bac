"""cinefile: make a film with AI help, in plain Markdown files, under git.

The code lives in three subpackages, mapped from the repository's top folders:
`cinefile.format` (format/), `cinefile.daemon` (daemon/) and `cinefile.cli` (cli/).
"""

__version__ = "0.1.0"
