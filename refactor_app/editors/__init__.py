"""File editors: pure functions from a file's content to its new content.

They know nothing of steps: a step decides *what* to change, an editor knows *how* to change
one kind of file while keeping everything else in it as it was.
"""
