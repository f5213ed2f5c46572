from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.shortcuts import render


def _database_lost(exception: Exception) -> bool:
    if isinstance(exception, OperationalError | InterfaceError):
        return True
    # A server process that ends while a transaction is open (an immediate
    # restart, or the crash of another server process, after which PostgreSQL
    # ends them all) comes from psycopg2 as a plain DatabaseError at the next
    # statement or COMMIT. Unlike an error in a query, it leaves a connection
    # that cannot run anything; outside a transaction, that tells them apart.
    return isinstance(exception, DatabaseError) and not connection.in_atomic_block and not connection.is_usable()


class DatabaseUnavailableMiddleware:
    """A clean 503 page, and nothing else, while the database cannot be reached.

    The request is not retried: a form post that failed here stored nothing,
    and the page says so. Django reconnects by itself on the next request.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if _database_lost(exception):
            response = render(request, "503.html", status=503)
            response["Retry-After"] = "30"
            response["Cache-Control"] = "no-store"
            return response
        return None
