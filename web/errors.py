"""One error shape: JSON ``{"ok": false, "error": ..., "status": ...}`` under /api, a French page elsewhere."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, InternalServerError

from graph.exceptions import GraphError, StoreUnavailable

__all__ = ["init_app", "error_response"]

_FRENCH = {
    400: "Requête invalide",
    403: "Accès refusé",
    404: "Introuvable",
    405: "Méthode non autorisée",
    500: "Erreur interne",
    503: "Base de données indisponible",
}


def error_response(message: str, status: int):
    """The JSON error shape under /api, the French error page elsewhere."""
    if request.path.startswith("/api/"):
        return jsonify({"ok": False, "error": message, "status": status}), status
    return render_template("error.html", title=_FRENCH.get(status, "Erreur"), message=message, status=status), status


def init_app(app: Flask) -> None:
    """Register the handlers."""

    @app.errorhandler(HTTPException)
    def handle_http(err: HTTPException):
        # our views abort() with French text; werkzeug's own defaults (unknown route...) are English
        default = type(err).description
        own = err.description and err.description != default and err.code != 500
        message = err.description if own else _FRENCH.get(err.code or 500, "Erreur")
        return error_response(message, err.code or 500)

    @app.errorhandler(StoreUnavailable)
    def handle_store(err: StoreUnavailable):
        app.logger.error("store unavailable: %s", err)
        return error_response("La base du graphe est indisponible. Réessayez dans un instant.", 503)

    @app.errorhandler(GraphError)
    def handle_graph(err: GraphError):
        app.logger.exception("graph error")
        return error_response("Erreur de la base du graphe.", 500)

    @app.errorhandler(Exception)
    def handle_other(err: Exception):
        app.logger.exception("unexpected error")
        return error_response(InternalServerError.description and "Erreur interne : l'incident est consigné.", 500)
