"""The one exception type the command line turns into a plain sentence and exit code 2."""


class RefactorError(Exception):
    """Bad input or a refused operation: the message names the file and what to do."""
