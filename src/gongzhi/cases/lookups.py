"""``has_bigrams``: a test that every case whose column contains a word (``icontains``)
passes, and that PostgreSQL answers from the bigram index of migration ``cases 0017``
(``case_search_bigram_idx``). ``selectors.search_q`` puts it before the search's own
arms for words without a trigram; it never decides a match by itself.

On PostgreSQL it is ``gongzhi_bigrams(col) @> gongzhi_bigrams(word)``: every
two-character piece of ``upper(word)`` is one of ``upper(col)``'s. A column that
contains the word contains each of its pieces, and both sides are cut by the same SQL
function (the word's in SQL too, not in Python, whose ``upper`` differs), so no row that
``icontains`` keeps fails it; it also passes rows with the pieces apart (漏水水漏 for
漏水漏), which the ``icontains`` arms then drop. Elsewhere (SQLite) it is ``icontains``
itself."""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Lookup
from django.db.models.lookups import IContains

# The function created by cases 0017 (overlapping two-character pieces of upper(text)).
BIGRAMS = "gongzhi_bigrams"


@CharField.register_lookup
class HasBigrams(Lookup):
    lookup_name = "has_bigrams"
    prepare_rhs = False

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        sql, params = compiler.compile(IContains(self.lhs, self.rhs))
        return sql, tuple(params)

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        if not isinstance(self.rhs, str) or len(self.rhs) < 2:
            return self.as_sql(compiler, connection)  # no piece: nothing to look up
        lhs, lhs_params = compiler.compile(self.lhs)
        # An immutable call on a constant: the planner folds it and can read the index.
        return f"{BIGRAMS}({lhs}) @> {BIGRAMS}(%s)", (*lhs_params, self.rhs)
