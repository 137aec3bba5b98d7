"""refactor-app: apply the Divio tutorial's "Apply some refinements" to a Django project."""

__version__ = "0.1.0"
