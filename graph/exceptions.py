"""Exceptions of the graph layer; nothing above the store boundary imports a driver."""
from __future__ import annotations

from typing import Any

__all__ = [
    "GraphError",
    "StoreUnavailable",
    "QuerySyntaxError",
    "QueryTimeout",
    "WriteRefused",
    "NodeNotFound",
    "UnknownQuery",
    "ParameterError",
    "QueryFileError",
    "MatchInputError",
    "UnknownPathway",
    "UnknownStage",
    "UnknownCommune",
    "AmbiguousCommune",
    "BadParameter",
    "RdfError",
    "RdfSyntaxError",
    "UndeclaredTerm",
]


class GraphError(Exception):
    """Base of every graph-layer error."""


class StoreUnavailable(GraphError):
    """The graph database cannot be reached or started."""


class QuerySyntaxError(GraphError):
    """The store rejected a query's text."""


class QueryTimeout(GraphError):
    """A query ran past its time limit and was stopped."""


class WriteRefused(GraphError):
    """A write was attempted through a read-only path."""


class NodeNotFound(GraphError):
    """No node has the requested id."""


class UnknownQuery(GraphError):
    """No query of that name exists in queries/."""


class ParameterError(GraphError):
    """A query parameter is missing or of the wrong type."""


class QueryFileError(GraphError):
    """A query file's header does not parse."""


class MatchInputError(ParameterError):
    """Bad input to a match: the message in English (``str``) and in French (``message_fr``)."""

    def __init__(self, message: str, message_fr: str, *, param: str,
                 choices: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.message_fr = message_fr
        self.param = param
        self.choices = choices or []


class UnknownPathway(MatchInputError):
    """No pathway has this id."""


class UnknownStage(MatchInputError):
    """The pathway has no stage with this key."""


class UnknownCommune(MatchInputError):
    """No commune of the graph matches the text."""


class AmbiguousCommune(MatchInputError):
    """Several communes match the text (same name, or a shared postal code): ``choices`` lists them."""


class BadParameter(MatchInputError):
    """A missing, malformed or out-of-range parameter."""


class RdfError(GraphError):
    """Base of the RDF layer's errors."""


class RdfSyntaxError(RdfError):
    """An RDF or SPARQL text does not parse; carries the file and line."""

    def __init__(self, reason: str, *, file: str | None = None, line: int | None = None) -> None:
        """Keep the reason, file and line; the message is ``file:line: reason``."""
        self.reason, self.file, self.line = reason, file, line
        where = (file or "") + (f":{line}" if line else "")
        super().__init__(f"{where}: {reason}" if where else reason)


class UndeclaredTerm(RdfError):
    """The store holds a label, property or relationship type the ontology does not declare."""
