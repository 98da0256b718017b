"""``bigram_icontains``: ``icontains`` that PostgreSQL can read by the bigram index of
migration ``cases 0017`` (``case_search_bigram_idx``), for the search box's words that
have no trigram (``selectors.search_q`` decides which words; this only says how).

On PostgreSQL the lookup is ``<icontains> AND gongzhi_bigrams(col) @>
gongzhi_bigrams(word)``: the ``icontains`` Django writes for the same field and word, and
every two-character piece of ``upper(word)`` among ``upper(col)``'s (which the index
answers). A column that contains the word contains each of its pieces, and both sides
are cut by the same SQL function, so the second test drops no row the first keeps: the
rows found are exactly ``icontains``'s. Elsewhere (SQLite) it is
``icontains`` itself."""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Lookup
from django.db.models.lookups import IContains

# The function created by cases 0017 (overlapping two-character pieces of upper(text)).
BIGRAMS = "gongzhi_bigrams"


@CharField.register_lookup
class BigramIContains(Lookup):
    lookup_name = "bigram_icontains"
    prepare_rhs = False

    def _icontains(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(IContains(self.lhs, self.rhs))
        return sql, list(params)

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return self._icontains(compiler, connection)

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        like, like_params = self._icontains(compiler, connection)
        if not isinstance(self.rhs, str) or len(self.rhs) < 2:
            return like, like_params  # no piece to look up: the index cannot narrow it
        lhs, lhs_params = compiler.compile(self.lhs)
        # The word's pieces are cut in SQL, by the function the index was built with (an
        # immutable call on a constant: the planner folds it and can read the index).
        # ``icontains`` first: PostgreSQL tests the whole condition again on every row the
        # index found, in the order written, so the column's pieces are cut (a function
        # call) only for the rows that contain the word (twice as fast for 电梯 here).
        sql = f"({like} AND {BIGRAMS}({lhs}) @> {BIGRAMS}(%s))"
        return sql, [*like_params, *lhs_params, self.rhs]
