"""Exceptions of the graph layer; nothing above the store boundary imports a driver."""
from __future__ import annotations

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
