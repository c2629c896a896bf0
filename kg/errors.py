"""kg's errors. The CLI turns every KgError into ``Error: …`` and exit code 1, in one place."""

from __future__ import annotations


class KgError(Exception):
    """A domain error: the message is for the user, one line, no traceback. ``details`` are
    printed before it, one per line (the files a failed build skipped, say)."""

    def __init__(self, message: str, details: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.details = details


class NothingBuilt(KgError):
    """No input file gave anything to build."""


class StrictFailure(KgError):
    """``--strict`` and something was skipped: the build writes nothing."""


class OutputError(KgError):
    """The outputs could not be written (a full disk, no permission); the old ones stay."""

    @classmethod
    def writing(cls, where: object, error: OSError) -> OutputError:
        """The error of writing ``where`` (a path), which failed with ``error``."""
        return cls(f"cannot write {where}: {error.strerror or error}")


class FormatError(KgError):
    """A file's format could not be determined, or an unknown format was asked for."""


class InputError(KgError):
    """An input path does not exist or cannot be read."""


class GraphError(KgError):
    """A graph to read (a build folder or an RDF file) is missing or unreadable."""


class QueryError(KgError):
    """A query is refused (SERVICE, an update), malformed, or took too long."""


class ValidationFailed(KgError):
    """A graph does not conform to ontology/shapes.ttl; ``details`` are the violations."""
