"""What each database needs for fuzzy matching: pg_trgm's threshold, or a SQLite function."""

from __future__ import annotations

from typing import Any

# pg_trgm's word similarity at which a candidate is worth scoring: one or two wrong letters
# in a name of five or more still pass; ranking in Python then puts the best first.
WORD_SIMILARITY = 0.35


def prepare_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    """Set up a new database connection for search."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)",
                [str(WORD_SIMILARITY)],
            )
    elif connection.vendor == "sqlite":
        from halyard.search.scoring import matches

        connection.connection.create_function(
            "halyard_fuzzy",
            2,
            lambda text, q: 1 if matches(q or "", text or "") else 0,
            deterministic=True,
        )
